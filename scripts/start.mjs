#!/usr/bin/env node
// `npm start`: builds Lathe and runs it in Electron, forwarding any arguments to the app
// (e.g. `npm start -- --data-dir=/tmp/lathe`).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectronSqlite } from './build-electron-sqlite.mjs';
import { findElectron } from './lib/electron.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const electron = findElectron(root);
if (!electron.executable) {
  console.error(
    [
      `Cannot start Lathe: ${electron.reason}.`,
      'Electron fetches its binary on first use or with install-electron; an offline install or ELECTRON_SKIP_BINARY_DOWNLOAD=1 leaves it out.',
      'Fix: run `npx install-electron` (or reinstall while online), then `npm start` again.',
      'Meanwhile `npm run serve` runs Lathe in the browser.',
    ].join('\n'),
  );
  process.exit(1);
}

try {
  // Skips in milliseconds when the binary for this Electron and better-sqlite3 already exists.
  await buildElectronSqlite({ root });
} catch (error) {
  console.error(`Cannot start Lathe: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const electronVite = createRequire(join(root, 'package.json')).resolve('electron-vite/bin/electron-vite.js');
const build = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// ELECTRON_RUN_AS_NODE left over in a shell would turn the app into a plain Node process.
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electron.executable, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  // Electron gets the signal and shuts down cleanly (closing the database); we wait for it.
  process.on(signal, () => child.kill(signal));
}
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
