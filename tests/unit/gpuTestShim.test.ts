import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempDir';

/**
 * scripts/gpu/vitestShim.ts runs the native GPU tests on the device machine, bundled without
 * vitest. Bundled the same way here, in a child process (it sets the global expect vitest uses),
 * it must pass, fail, skip and time out as vitest would, or a device run reports the wrong thing.
 */
describe('the vitest shim of the bundled GPU tests', () => {
  const dir = tempDir('lathe-shim-');
  afterAll(() => dir.remove());
  const shim = resolve('scripts/gpu/vitestShim.ts');

  it('passes, fails, skips and times out as vitest does, with its names, hooks and matchers', async () => {
    const entry = join(dir.path, 'entry.ts');
    writeFileSync(
      entry,
      `
import { afterAll, afterEach, beforeAll, describe, expect, it, runFile } from ${JSON.stringify(shim)};
const events: string[] = [];
const results = await runFile('file', async () => {
  describe('outer', () => {
    let ready = false;
    beforeAll(() => { ready = true; });
    afterEach(() => { events.push('afterEach'); });
    afterAll(() => { events.push('afterAll'); });
    it('passes with matchers', async () => {
      expect(ready).toBe(true);
      expect(0.1 + 0.2).toBeCloseTo(0.3, 5);
      expect({ a: 1, b: 'xyz' }).toEqual(expect.objectContaining({ b: expect.stringMatching(/y/) }));
      await expect(Promise.reject(new Error('boom'))).rejects.toThrow(/boom/);
    });
    it('fails', () => { expect(1, 'one').toBe(2); });
    it('times out', { timeout: 50 }, async () => { await new Promise((r) => setTimeout(r, 1000)); });
    describe('inner', () => {
      it.for([{ name: 'a' }, { name: 'b' }])('case $name', (c, ctx) => { if (c.name === 'a') ctx.skip('no ' + c.name); });
      it.each([[1, 2, 3]] as const)('%s + %s = %s', (x, y, z) => { expect(x + y).toBe(z); });
    });
  });
}, () => {});
console.log(JSON.stringify({ events, results }));
`,
    );
    const out = join(dir.path, 'entry.mjs');
    await build({
      input: entry,
      platform: 'node',
      write: true,
      output: { file: out, format: 'esm' },
      logLevel: 'silent',
    });
    const child = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    const { events, results } = JSON.parse(child.stdout) as {
      events: string[];
      results: { name: string; state: string; detail?: string }[];
    };
    expect(results.map((r) => [r.name, r.state])).toEqual([
      ['file > outer > passes with matchers', 'pass'],
      ['file > outer > fails', 'fail'],
      ['file > outer > times out', 'fail'],
      ['file > outer > inner > case a', 'skip'],
      ['file > outer > inner > case b', 'pass'],
      ['file > outer > inner > 1 + 2 = 3', 'pass'],
    ]);
    expect(results[1]?.detail).toMatch(/one: expected 1 to be 2/);
    expect(results[2]?.detail).toMatch(/timed out after 50 ms/);
    expect(results[3]?.detail).toBe('no a');
    expect(events).toEqual([...Array<string>(6).fill('afterEach'), 'afterAll']);
  });
});
