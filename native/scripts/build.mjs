#!/usr/bin/env node
// Builds native/build/Release/lathe_trainer.node: clones the llama.cpp tree that node-llama-cpp
// bundles, applies native/patches/*.patch, and compiles llama + ggml statically into the addon.
//
//   node native/scripts/build.mjs            CPU build (default)
//   LATHE_GPU=cuda|vulkan|metal node ...     with that GPU backend
//   LATHE_BUILD_FORCE=1                      build even if the stamp says up to date
//   LATHE_BUILD_JOBS=N                       parallel compile jobs (default: CPU count)
//
// Exit code 0 on success or when already up to date; 1 with a message naming what is missing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = resolve(nativeDir, '..');
const llamaDir = join(nativeDir, '.llama', 'src');
const buildDir = join(nativeDir, 'build');
const patchesDir = join(nativeDir, 'patches');
const output = join(buildDir, 'Release', 'lathe_trainer.node');
const require = createRequire(join(rootDir, 'package.json'));

const gpu = process.env.LATHE_GPU ?? '';
const force = process.env.LATHE_BUILD_FORCE === '1';
const jobs = Number(process.env.LATHE_BUILD_JOBS) || availableParallelism();

function fail(message) {
  console.error(`\n[lathe native] ${message}\n`);
  process.exit(1);
}

function log(message) {
  console.log(`[lathe native] ${message}`);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: opts.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (res.error) return { ok: false, out: String(res.error.message) };
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

function has(cmd, args = ['--version']) {
  return run(cmd, args, { capture: true }).ok;
}

function sha(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function checkTools() {
  const missing = [];
  if (!has('cmake'))
    missing.push(
      'cmake (3.19 or newer: https://cmake.org/download/, or your package manager: apt install cmake / brew install cmake)',
    );
  if (!has('git')) missing.push('git (used to unpack the llama.cpp source bundled with node-llama-cpp)');
  if (process.platform === 'win32') {
    if (!has('cl', ['/?']) && !has('clang-cl', ['--version']) && !process.env.VCINSTALLDIR) {
      missing.push('a C++ compiler (Visual Studio Build Tools with "Desktop development with C++")');
    }
  } else {
    const cxx = process.env.CXX;
    if (!(cxx ? has(cxx) : has('c++') || has('g++') || has('clang++'))) {
      missing.push(
        `a C++17 compiler${cxx ? ` (CXX=${cxx} does not run)` : ' (g++ or clang++: apt install build-essential / xcode-select --install)'}`,
      );
    }
  }
  if (!['', 'cuda', 'vulkan', 'metal'].includes(gpu))
    missing.push(`a valid LATHE_GPU (got "${gpu}"; use cuda, vulkan or metal, or leave it unset for CPU)`);
  if (gpu === 'cuda' && !has('nvcc')) missing.push('nvcc (the CUDA toolkit) for LATHE_GPU=cuda');
  if (gpu === 'vulkan' && !has('glslc')) missing.push('glslc (the Vulkan SDK) for LATHE_GPU=vulkan');
  if (missing.length) fail(`cannot build the trainer addon; missing:\n  - ${missing.join('\n  - ')}`);
}

/** A package's folder, found through Node's lookup paths (its `exports` may hide package.json). */
function packageDir(name) {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  return null;
}

function bundlePath() {
  const pkg = packageDir('node-llama-cpp');
  if (!pkg) fail('node-llama-cpp is not installed: run npm install first');
  const bundle = join(pkg, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) fail(`llama.cpp source bundle not found at ${bundle}`);
  return bundle;
}

/** Clone (or re-clone) the bundled tree and apply our patches; idempotent via a stamp of hashes. */
function prepareSource() {
  const bundle = bundlePath();
  const heads = run('git', ['bundle', 'list-heads', bundle], { capture: true });
  if (!heads.ok) fail(`git cannot read ${bundle}:\n${heads.out}`);
  const bundleHead = heads.out.trim().split(/\s+/)[0] ?? '';

  const patches = existsSync(patchesDir)
    ? readdirSync(patchesDir)
        .filter((f) => f.endsWith('.patch'))
        .sort()
    : [];
  const patchHash = sha(bundleHead, ...patches.flatMap((p) => [p, readFileSync(join(patchesDir, p))]));
  const stampFile = join(nativeDir, '.llama', 'source.stamp');
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';

  if (stamp === patchHash && existsSync(join(llamaDir, 'CMakeLists.txt'))) return patchHash;

  const before = new Map();
  const currentHead = existsSync(join(llamaDir, '.git'))
    ? run('git', ['-C', llamaDir, 'rev-parse', 'HEAD'], { capture: true })
    : null;
  if (!currentHead?.ok || currentHead.out.trim() !== bundleHead) {
    log(`unpacking llama.cpp ${bundleHead.slice(0, 10)} from node-llama-cpp's bundle`);
    rmSync(join(nativeDir, '.llama'), { recursive: true, force: true });
    mkdirSync(join(nativeDir, '.llama'), { recursive: true });
    const clone = run('git', ['clone', '--quiet', bundle, llamaDir], { capture: true });
    if (!clone.ok) fail(`git clone of the llama.cpp bundle failed:\n${clone.out}`);
    run('git', ['-C', llamaDir, 'checkout', '--quiet', '--detach', bundleHead], { capture: true });
  } else {
    // Same upstream commit, different patches: return to the pristine tree and apply them again.
    // Files that end up with the content they had keep their old mtime, so only what really
    // changed (and what includes it) recompiles.
    const changed = run('git', ['-C', llamaDir, 'diff', '--name-only', 'HEAD'], { capture: true });
    for (const f of changed.ok ? changed.out.split('\n').filter(Boolean) : []) {
      const p = join(llamaDir, f);
      if (existsSync(p)) before.set(p, { hash: sha(readFileSync(p)), mtime: statSync(p).mtime });
    }
    const reset = run('git', ['-C', llamaDir, 'reset', '--quiet', '--hard', bundleHead], { capture: true });
    if (!reset.ok) fail(`cannot reset ${llamaDir}:\n${reset.out}`);
    run('git', ['-C', llamaDir, 'clean', '-fdq'], { capture: true });
  }
  for (const p of patches) {
    log(`applying patches/${p}`);
    const res = run('git', ['-C', llamaDir, 'apply', '--whitespace=nowarn', join(patchesDir, p)], { capture: true });
    if (!res.ok) fail(`patch ${p} does not apply to llama.cpp ${bundleHead.slice(0, 10)}:\n${res.out}`);
  }
  for (const [p, { hash, mtime }] of before) {
    if (existsSync(p) && sha(readFileSync(p)) === hash) utimesSync(p, mtime, mtime);
  }
  writeFileSync(stampFile, `${patchHash}\n`);
  return patchHash;
}

function hashTree(dir) {
  const parts = [];
  for (const f of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, f.name);
    if (f.isDirectory()) parts.push(f.name, hashTree(p));
    else parts.push(f.name, readFileSync(p));
  }
  return sha(...parts);
}

function main() {
  checkTools();
  const sourceHash = prepareSource();
  const buildHash = sha(
    sourceHash,
    gpu,
    hashTree(join(nativeDir, 'src')),
    readFileSync(join(nativeDir, 'CMakeLists.txt')),
    readFileSync(fileURLToPath(import.meta.url)),
    process.version.split('.')[0] ?? '',
  );
  const stampFile = join(buildDir, 'lathe-build.stamp');
  if (!force && existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === buildHash) {
    log(`up to date: ${output}`);
    return;
  }

  const cmakeJsDir = packageDir('cmake-js');
  if (!cmakeJsDir) fail('cmake-js is not installed: run npm install first');
  const cmakeJs = join(cmakeJsDir, 'bin', 'cmake-js');
  const args = [
    cmakeJs,
    'build',
    '--directory',
    nativeDir,
    '--out',
    buildDir,
    '--config',
    'Release',
    '--parallel',
    String(jobs),
    `--CDLATHE_GPU=${gpu}`,
    `--CDLATHE_LLAMA_DIR=${llamaDir}`,
  ];
  if (process.platform !== 'win32' && has('ninja')) args.push('--generator', 'Ninja');
  const t0 = Date.now();
  log(`building (${gpu || 'cpu'}, ${jobs} jobs)`);
  const res = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: nativeDir });
  if (res.status !== 0) fail('the CMake build failed (see the output above)');
  if (!existsSync(output)) fail(`the build finished but ${output} is missing`);
  writeFileSync(stampFile, `${buildHash}\n`);
  log(`built ${output} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main();
