import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readAppVersion, resolveAppPaths, resolveDataDir } from '../../../src/main/electron/paths';
import { tempDir } from '../../helpers/tempDir';

const base = { env: {}, cwd: '/home/ana', defaultDir: '/home/ana/.config/Lathe' };

describe('resolveDataDir', () => {
  it('defaults to the given folder', () => {
    expect(resolveDataDir({ ...base, argv: ['electron', '.'] })).toBe('/home/ana/.config/Lathe');
  });

  it('takes --data-dir in both forms, relative to the working directory', () => {
    expect(resolveDataDir({ ...base, argv: ['lathe', '--data-dir=/tmp/d'] })).toBe('/tmp/d');
    expect(resolveDataDir({ ...base, argv: ['lathe', '--data-dir', 'work/d'] })).toBe('/home/ana/work/d');
  });

  it('takes LATHE_DATA_DIR when there is no flag, and prefers the flag', () => {
    const env = { LATHE_DATA_DIR: '/srv/lathe' };
    expect(resolveDataDir({ ...base, env, argv: ['lathe'] })).toBe('/srv/lathe');
    expect(resolveDataDir({ ...base, env, argv: ['lathe', '--data-dir=/tmp/d'] })).toBe('/tmp/d');
    expect(resolveDataDir({ ...base, env: { LATHE_DATA_DIR: '  ' }, argv: ['lathe'] })).toBe(base.defaultDir);
  });

  it('refuses a --data-dir without a folder instead of opening the default database', () => {
    expect(() => resolveDataDir({ ...base, argv: ['lathe', '--data-dir'] })).toThrow(/needs a folder/);
    expect(() => resolveDataDir({ ...base, argv: ['lathe', '--data-dir='] })).toThrow(/needs a folder/);
    expect(() => resolveDataDir({ ...base, argv: ['lathe', '--data-dir', '--inspect'] })).toThrow(/needs a folder/);
  });
});

describe('resolveAppPaths', () => {
  it('locates preload, renderer and root from the bundled main script', () => {
    expect(resolveAppPaths(pathToFileURL('/opt/lathe/out/main/index.js').href)).toEqual({
      appRoot: '/opt/lathe',
      preload: '/opt/lathe/out/preload/index.cjs',
      rendererIndex: '/opt/lathe/out/renderer/index.html',
      trainerEntry: '/opt/lathe/out/main/trainer.js',
      inferenceEntry: '/opt/lathe/out/main/inference.js',
      trainerAddon: '/opt/lathe/native/build/Release/lathe_trainer.node',
    });
  });
});

describe('readAppVersion', () => {
  it("reads package.json's version, falling back when it cannot", () => {
    const dir = tempDir('lathe-version-');
    try {
      expect(readAppVersion(dir.path, '0.0.0-fallback')).toBe('0.0.0-fallback');
      writeFileSync(join(dir.path, 'package.json'), '{"version":"1.4.2"}');
      expect(readAppVersion(dir.path, '0.0.0-fallback')).toBe('1.4.2');
    } finally {
      dir.remove();
    }
  });
});
