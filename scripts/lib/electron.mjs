import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Finds the installed Electron and its binary by reading files only: requiring the `electron`
 * package would start a download when the binary is missing, which hangs offline.
 *
 * @param {string} root the repository root
 * @param {Record<string, string | undefined>} [env]
 * @returns {import('./electron.d.mts').ElectronInstall}
 */
export function findElectron(root, env = process.env) {
  const dir = join(root, 'node_modules', 'electron');
  const version = readVersion(join(dir, 'package.json'));
  if (version === null) {
    return {
      version: null,
      executable: null,
      reason: 'the electron package is not installed (npm install skipped it)',
    };
  }
  const pathTxt = readText(join(dir, 'path.txt'));
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const executable = override ? join(override, pathTxt ?? defaultExecutable()) : pathTxt && join(dir, 'dist', pathTxt);
  if (executable && existsSync(executable)) return { version, executable, reason: null };
  return { version, executable: null, reason: missingBinaryReason(env, Boolean(pathTxt)) };
}

/**
 * Where the better-sqlite3 binary built for one Electron lives in a source checkout. The app
 * resolves the same path in src/main/electron/sqliteBinding.ts.
 *
 * @param {string} root
 * @param {string} electronVersion
 * @param {string} platform
 * @param {string} arch
 */
export function electronSqliteBindingFile(root, electronVersion, platform, arch) {
  return join(root, 'build', 'electron-sqlite', `${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

/** @param {Record<string, string | undefined>} env @param {boolean} hadPathTxt */
function missingBinaryReason(env, hadPathTxt) {
  const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (skip && skip !== '0' && skip !== 'false') {
    return "Electron's binary is not installed: ELECTRON_SKIP_BINARY_DOWNLOAD is set";
  }
  return hadPathTxt
    ? "Electron's binary is missing from node_modules/electron/dist"
    : "Electron's binary is not downloaded yet (offline install, or it was never fetched)";
}

function defaultExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/** @param {string} file */
function readVersion(file) {
  const text = readText(file);
  if (text === null) return null;
  try {
    const version = JSON.parse(text).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/** @param {string} file */
function readText(file) {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
