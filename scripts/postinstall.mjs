#!/usr/bin/env node
// Runs after `npm install`: a short list of optional native build steps, one after the other.
// A step that cannot run here says why in one line; a step that fails says what to do. Neither
// fails the install: tests and browser mode work without any of these artifacts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findElectron } from './lib/electron.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Decides whether better-sqlite3 can be built for Electron on this install.
 * @param {string} root
 * @param {Record<string, string | undefined>} env
 * @returns {import('./postinstall.d.mts').StepPlan}
 */
export function planElectronSqlite(root, env) {
  const electron = findElectron(root, env);
  if (electron.executable) return { run: true };
  return {
    run: false,
    reason: electron.reason ?? "Electron's binary is not installed",
    later: electron.version
      ? 'To run the desktop app later: `npx install-electron` (needs network), then `npm run rebuild:electron`.'
      : 'Install dev dependencies, then run `npm run rebuild:electron`.',
  };
}

/**
 * Electron 45 fetches its binary on first use rather than at install; fetch it now so that
 * `npm install` alone sets up the desktop app on a connected machine.
 * @param {string} root
 * @param {Record<string, string | undefined>} env
 * @returns {import('./postinstall.d.mts').StepPlan}
 */
export function planElectronBinary(root, env) {
  const electron = findElectron(root, env);
  if (electron.executable) return { run: false, reason: "Electron's binary is already installed", later: '' };
  const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (skip && skip !== '0' && skip !== 'false') {
    return {
      run: false,
      reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set',
      later: 'Fetch it later with `npx install-electron`.',
    };
  }
  if (!electron.version) return { run: false, reason: electron.reason ?? 'electron is not installed', later: '' };
  return { run: true };
}

/**
 * The LoRA trainer addon is always built (CPU by default; LATHE_GPU=cuda|vulkan|metal picks a GPU
 * backend). Its script names whatever tool is missing.
 * @returns {import('./postinstall.d.mts').StepPlan}
 */
export function planTrainerAddon() {
  return { run: true };
}

/** @type {import('./postinstall.d.mts').Step[]} */
export const steps = [
  {
    name: 'the LoRA trainer addon (llama.cpp)',
    plan: planTrainerAddon,
    run: () =>
      runNodeScript(
        join(root, 'native', 'scripts', 'build.mjs'),
        'Fine-tuning needs it: install what is named above, then run `npm run build:native`.',
      ),
  },
  {
    name: "Electron's binary",
    plan: planElectronBinary,
    run: () =>
      runNodeScript(join(root, 'node_modules', 'electron', 'install.js'), 'Retry with `npx install-electron`.'),
  },
  {
    name: 'better-sqlite3 for Electron',
    plan: planElectronSqlite,
    run: () =>
      runNodeScript(join(root, 'scripts', 'build-electron-sqlite.mjs'), 'Retry with `npm run rebuild:electron`.'),
  },
];

/**
 * @param {import('./postinstall.d.mts').Step[]} list
 * @param {{ root: string, env: Record<string, string | undefined>, log: (line: string) => void }} context
 */
export function runSteps(list, { root, env, log }) {
  for (const step of list) {
    const plan = step.plan(root, env);
    if (!plan.run) {
      log(`postinstall: skipped ${step.name}: ${plan.reason}. ${plan.later}`);
      continue;
    }
    try {
      step.run();
    } catch (error) {
      log(`postinstall: ${step.name} failed, install continues: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/** @param {string} script absolute path @param {string} retry */
function runNodeScript(script, retry) {
  // A child process, so that even a crash inside node-gyp cannot take the install down.
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit', timeout: 20 * 60_000 });
  if (result.error) throw new Error(`${result.error.message}. ${retry}`);
  if (result.status !== 0) throw new Error(`${script} exited with code ${result.status ?? result.signal}. ${retry}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSteps(steps, { root, env: process.env, log: (line) => console.log(line) });
  process.exitCode = 0;
}
