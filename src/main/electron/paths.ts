import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files of the built app, located from the bundled main script (`out/main/index.js`). */
export interface AppPaths {
  /** The folder holding package.json and out/ (inside app.asar when packaged). */
  appRoot: string;
  /** The sandboxed CommonJS preload. */
  preload: string;
  /** The renderer's entry page, loaded with `file://` outside the dev server. */
  rendererIndex: string;
  /** The training process entry (out/main/trainer.js). */
  trainerEntry: string;
  /** The model runtime process entry (out/main/inference.js). */
  inferenceEntry: string;
  /** The trainer addon built by native/scripts/build.mjs, or `LATHE_TRAINER_ADDON` (e.g. a GPU build beside it). */
  trainerAddon: string;
}

export function resolveAppPaths(mainFileUrl: string): AppPaths {
  const mainDir = dirname(fileURLToPath(mainFileUrl));
  return {
    appRoot: resolve(mainDir, '..', '..'),
    preload: resolve(mainDir, '..', 'preload', 'index.cjs'),
    rendererIndex: resolve(mainDir, '..', 'renderer', 'index.html'),
    trainerEntry: resolve(mainDir, 'trainer.js'),
    inferenceEntry: resolve(mainDir, 'inference.js'),
    trainerAddon:
      process.env.LATHE_TRAINER_ADDON ||
      resolve(mainDir, '..', '..', 'native', 'build', 'Release', 'lathe_trainer.node'),
  };
}

export interface DataDirSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths. */
  cwd: string;
  /** Used when neither `--data-dir` nor `LATHE_DATA_DIR` is given. */
  defaultDir: string;
}

/**
 * The folder for Lathe's database, models and Chromium's own storage: `--data-dir=<dir>` (or
 * `--data-dir <dir>`), else `LATHE_DATA_DIR`, else `defaultDir`. Always absolute.
 * Throws when `--data-dir` is given without a value rather than silently using the default,
 * which would open the user's real database.
 */
export function resolveDataDir({ argv, env, cwd, defaultDir }: DataDirSources): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let value: string | undefined;
    if (arg === '--data-dir') value = argv[i + 1];
    else if (arg.startsWith('--data-dir=')) value = arg.slice('--data-dir='.length);
    else continue;
    if (!value || value.startsWith('--'))
      throw new Error('--data-dir needs a folder, e.g. --data-dir=/path/to/lathe-data');
    return resolve(cwd, value);
  }
  const fromEnv = env.LATHE_DATA_DIR?.trim();
  return fromEnv ? resolve(cwd, fromEnv) : resolve(defaultDir);
}

/** The app's version from its package.json; `fallback` when it cannot be read. */
export function readAppVersion(appRoot: string, fallback: string): string {
  try {
    const version: unknown = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')).version;
    return typeof version === 'string' ? version : fallback;
  } catch {
    return fallback;
  }
}
