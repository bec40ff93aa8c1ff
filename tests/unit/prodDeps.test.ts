import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempDir';

/**
 * scripts/gpu/prodDeps.mjs lists what pack.sh ships to the device machine for the tests that go
 * through the core (node-llama-cpp, better-sqlite3 and what they load): a package left out there
 * fails only on that machine, so the walk must follow Node's resolution.
 */
describe('prodDeps: the packages a package loads at run time', () => {
  const dir = tempDir('lathe-prod-deps-');
  afterAll(() => dir.remove());
  const script = resolve('scripts/gpu/prodDeps.mjs');

  function pkg(path: string, json: Record<string, unknown>): void {
    mkdirSync(join(dir.path, path), { recursive: true });
    writeFileSync(join(dir.path, path, 'package.json'), JSON.stringify(json));
  }
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [script, ...args], { cwd: dir.path, encoding: 'utf8' });

  it('follows dependencies as Node resolves them, nested copies first, and skips what it is told to', () => {
    pkg('node_modules/app', {
      name: 'app',
      dependencies: { lib: '1', '@scope/bin-linux': '1' },
      optionalDependencies: { 'not-installed': '1' },
      peerDependencies: { typescript: '5' },
    });
    pkg('node_modules/lib', { name: 'lib', dependencies: { util: '2', shared: '1' } });
    pkg('node_modules/lib/node_modules/util', { name: 'util', version: '2.0.0' }); // lib's own copy
    pkg('node_modules/util', { name: 'util', version: '1.0.0' }); // nobody here needs the hoisted one
    pkg('node_modules/shared', { name: 'shared', dependencies: { lib: '1' } }); // a cycle
    pkg('node_modules/@scope/bin-linux', { name: '@scope/bin-linux' });
    pkg('node_modules/typescript', { name: 'typescript' });

    const listed = run('app', '--skip', '@scope/', 'typescript');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([
      'node_modules/app',
      'node_modules/lib',
      'node_modules/lib/node_modules/util',
      'node_modules/shared',
    ]);
    // without --skip the installed peer and the scoped package come too; the missing optional never does
    expect(run('app').stdout.trim().split('\n')).toEqual([
      'node_modules/@scope/bin-linux',
      'node_modules/app',
      'node_modules/lib',
      'node_modules/lib/node_modules/util',
      'node_modules/shared',
      'node_modules/typescript',
    ]);
  });

  it('fails, naming the package and who needs it, when a required dependency is missing', () => {
    pkg('node_modules/broken', { name: 'broken', dependencies: { gone: '1' } });
    const r = run('broken');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/gone \(needed from node_modules\/broken\) is not installed/);
  });
});
