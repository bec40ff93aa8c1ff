#!/usr/bin/env node
// Builds better-sqlite3 for the installed Electron's ABI, next to (never over) the copy in
// node_modules, which stays built for Node so tests and browser mode keep working.
//
//   node scripts/build-electron-sqlite.mjs [--force] [--arch=<arch>] [node-gyp flags...]
//
// Any other flag goes to node-gyp, e.g. `--nodedir=<unpacked Electron headers>` on a machine
// that cannot reach the headers server.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronSqliteBindingFile, findElectron } from './lib/electron.mjs';

const defaultRoot = fileURLToPath(new URL('..', import.meta.url));
const headersUrl = 'https://electronjs.org/headers';

/**
 * @param {import('./build-electron-sqlite.d.mts').BuildOptions} [options]
 * @returns {Promise<import('./build-electron-sqlite.d.mts').BuildResult>}
 */
export async function buildElectronSqlite(options = {}) {
  const root = options.root ?? defaultRoot;
  const arch = options.arch ?? process.env.npm_config_arch ?? process.arch;
  const log = options.log ?? ((line) => console.log(line));
  const { version: electronVersion } = findElectron(root);
  if (!electronVersion) throw new Error('node_modules/electron is not installed; run npm install first.');
  const sqliteDir = join(root, 'node_modules', 'better-sqlite3');
  const sqliteVersion = readPackageVersion(join(sqliteDir, 'package.json'));
  if (!sqliteVersion) throw new Error('node_modules/better-sqlite3 is not installed; run npm install first.');

  const file = electronSqliteBindingFile(root, electronVersion, process.platform, arch);
  const stampFile = join(dirname(file), 'build.json');
  const stamp = { betterSqlite3: sqliteVersion, electron: electronVersion, platform: process.platform, arch };
  if (!options.force && isFresh(file, stampFile, stamp)) {
    log(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} is up to date: ${relative(root, file)}`);
    return { file, built: false };
  }

  log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.platform}-${arch})...`);
  const work = await mkdtemp(join(tmpdir(), 'lathe-electron-sqlite-'));
  try {
    // A private copy: node-gyp rebuild wipes build/, and the Node build in node_modules must survive.
    for (const entry of ['package.json', 'binding.gyp', 'src', 'deps']) {
      await cp(join(sqliteDir, entry), join(work, entry), { recursive: true });
    }
    const nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    const args = [
      nodeGyp,
      'rebuild',
      '--release',
      '--jobs=max',
      '--runtime=electron',
      `--target=${electronVersion}`,
      `--dist-url=${headersUrl}`,
      `--arch=${arch}`,
      ...(options.nodeGypArgs ?? []),
    ];
    const { code, output } = await runTee(process.execPath, args, work);
    if (code !== 0) throw new Error(explainFailure(code, output, electronVersion));

    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) throw new Error(`node-gyp succeeded but ${built} is missing.`);
    await mkdir(dirname(file), { recursive: true });
    // Copy then rename so an interrupted build never leaves a truncated binary that looks fresh.
    await copyFile(built, `${file}.partial`);
    await rename(`${file}.partial`, file);
    await writeFile(stampFile, `${JSON.stringify({ ...stamp, builtAt: new Date().toISOString() }, null, 2)}\n`);
    log(`Built ${relative(root, file)}`);
    return { file, built: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** @param {string} file @param {string} stampFile @param {Record<string, string>} stamp */
function isFresh(file, stampFile, stamp) {
  if (!existsSync(file)) return false;
  try {
    const saved = JSON.parse(readFileSync(stampFile, 'utf8'));
    // A binary from another better-sqlite3 version would not match its JavaScript half.
    return Object.entries(stamp).every(([key, value]) => saved[key] === value);
  } catch {
    return false;
  }
}

/** @param {string} file */
function readPackageVersion(file) {
  try {
    return /** @type {string} */ (JSON.parse(readFileSync(file, 'utf8')).version);
  } catch {
    return null;
  }
}

/**
 * Runs a command with its output shown live and its tail kept to explain a failure.
 * @param {string} command @param {string[]} args @param {string} cwd
 * @returns {Promise<{ code: number, output: string }>}
 */
function runTee(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {NodeJS.WriteStream} stream */
    const tee = (stream) => (/** @type {Buffer} */ chunk) => {
      stream.write(chunk);
      output = (output + chunk.toString()).slice(-64 * 1024);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** @param {number} code @param {string} output @param {string} electronVersion */
function explainFailure(code, output, electronVersion) {
  const base = `node-gyp exited with code ${code} while building better-sqlite3 for Electron ${electronVersion}.`;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up|40[34] status/i.test(output)) {
    return `${base} It could not download the Electron headers from ${headersUrl} (offline?). Retry online, or pass --nodedir=<unpacked node-v${electronVersion}-headers.tar.gz>.`;
  }
  if (/find Python|Could not find any Python/i.test(output)) {
    return `${base} Python 3 is required by node-gyp; install it and retry.`;
  }
  if (
    /not found: (make|g\+\+|cc|c\+\+)|No such file or directory.*(g\+\+|cc)|Visual Studio|xcode-select/i.test(output)
  ) {
    return `${base} A C++20 compiler toolchain is required (build-essential, Xcode command line tools, or Visual Studio Build Tools).`;
  }
  return `${base} See the output above.`;
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {import('./build-electron-sqlite.d.mts').BuildOptions & { nodeGypArgs: string[] }} */
  const options = { nodeGypArgs: [] };
  for (const arg of argv) {
    if (arg === '--force') options.force = true;
    else if (arg.startsWith('--arch=')) options.arch = arg.slice('--arch='.length);
    else options.nodeGypArgs.push(arg);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildElectronSqlite(parseArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`\nbuild-electron-sqlite: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
