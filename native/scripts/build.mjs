#!/usr/bin/env node
// Builds native/build/Release/lathe_trainer.node: clones the llama.cpp tree that node-llama-cpp
// bundles, applies native/patches/*.patch, and compiles llama + ggml statically into the addon.
//
//   node native/scripts/build.mjs            CPU build (default)
//   LATHE_GPU=cuda|vulkan|metal node ...     with that GPU backend
//   LATHE_BUILD_FORCE=1                      build even if the stamp says up to date
//   LATHE_BUILD_JOBS=N                       parallel compile jobs (default: CPU count)
//   --build-dir DIR | LATHE_BUILD_DIR=DIR    build into DIR (default native/build) with its own
//                                            llama.cpp tree (native/.llama-<name of DIR>), so a
//                                            GPU build never disturbs the CPU build beside it
//   LATHE_CUDA_ARCH=90;89                    CUDA architectures (default: the local GPUs', else 90)
//   LATHE_VULKAN_INCLUDE=DIR                 Vulkan only: headers newer than the system's (1.3.275+)
//   LATHE_CUBLAS_SHIM=1                      CUDA only: compile against native/cuda-shim when the
//                                            toolkit has no cuBLAS (the binary then needs the real
//                                            libcublas.so.13 at run time; see cuda-shim/README.md)
//
// Exit code 0 on success or when already up to date; 1 with a message naming what is missing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  writeFileSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = resolve(nativeDir, '..');
/** `--build-dir DIR` (or LATHE_BUILD_DIR): where cmake-js builds; relative paths are from the cwd. */
function buildDirArg() {
  const i = process.argv.indexOf('--build-dir');
  const fromArg = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--build-dir='))?.slice(12);
  const dir = fromArg ?? process.env.LATHE_BUILD_DIR;
  return dir ? resolve(dir) : join(nativeDir, 'build');
}
const buildDir = buildDirArg();
const defaultBuild = buildDir === join(nativeDir, 'build');
// Each build folder gets its own llama.cpp tree: re-applying patches for one build must never
// rewrite sources under another build that is compiling at the same time.
const llamaRoot = defaultBuild ? join(nativeDir, '.llama') : join(nativeDir, `.llama-${basename(buildDir)}`);
const llamaDir = join(llamaRoot, 'src');
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
  if (gpu === 'vulkan' && !has('glslc'))
    missing.push('glslc (the Vulkan SDK, or apt install glslc) for LATHE_GPU=vulkan');
  if (gpu === 'vulkan' && !spirvHeadersFound())
    missing.push('SPIRV-Headers (the Vulkan SDK, or apt install spirv-headers) for LATHE_GPU=vulkan');
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
  const stampFile = join(llamaRoot, 'source.stamp');
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';

  if (stamp === patchHash && existsSync(join(llamaDir, 'CMakeLists.txt'))) return patchHash;

  const before = new Map();
  const currentHead = existsSync(join(llamaDir, '.git'))
    ? run('git', ['-C', llamaDir, 'rev-parse', 'HEAD'], { capture: true })
    : null;
  if (!currentHead?.ok || currentHead.out.trim() !== bundleHead) {
    log(`unpacking llama.cpp ${bundleHead.slice(0, 10)} from node-llama-cpp's bundle`);
    rmSync(llamaRoot, { recursive: true, force: true });
    mkdirSync(llamaRoot, { recursive: true });
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

/**
 * The CUDA toolkit's root, or null: CUDA_PATH / CUDA_HOME, else the folder above the nvcc on the
 * PATH. An nvcc on the PATH may be a wrapper script (`exec /usr/local/cuda-13.0/bin/nvcc "$@"`),
 * whose folder holds no toolkit: then nvcc's own `--dryrun` names the toolkit (`#$ TOP=...`).
 */
function cudaRoot() {
  const isToolkit = (dir) =>
    existsSync(join(dir, 'include', 'cuda_runtime.h')) ||
    existsSync(
      join(dir, 'targets', `${process.arch === 'arm64' ? 'sbsa' : 'x86_64'}-linux`, 'include', 'cuda_runtime.h'),
    );
  for (const env of [process.env.CUDA_PATH, process.env.CUDA_HOME]) if (env && isToolkit(env)) return resolve(env);
  const res = run(process.platform === 'win32' ? 'where' : 'which', ['nvcc'], { capture: true });
  if (!res.ok) return null;
  const beside = resolve(dirname(realpathSync(res.out.trim().split('\n')[0] ?? '')), '..');
  if (isToolkit(beside)) return beside;
  const dry = run('nvcc', ['--dryrun', '-x', 'cu', '-E', process.platform === 'win32' ? 'NUL' : '/dev/null'], {
    capture: true,
  });
  const top = /^#\$ TOP=(.+)$/m.exec(dry.out ?? '')?.[1]?.trim();
  return top && isToolkit(resolve(top)) ? resolve(top) : beside;
}

/** CUDA architectures: LATHE_CUDA_ARCH, else the local GPUs' (nvidia-smi), else 90 (Hopper). */
function cudaArchitectures() {
  if (process.env.LATHE_CUDA_ARCH) return process.env.LATHE_CUDA_ARCH;
  const smi = run('nvidia-smi', ['--query-gpu=compute_cap', '--format=csv,noheader'], { capture: true });
  const caps = smi.ok
    ? [
        ...new Set(
          smi.out
            .split('\n')
            .map((l) => l.trim().replace('.', ''))
            .filter((c) => /^\d+$/.test(c)),
        ),
      ]
    : [];
  if (caps.length) return caps.join(';');
  log('no GPU found to detect the CUDA architecture: building for 90 (H100/H200); set LATHE_CUDA_ARCH to change');
  return '90';
}

/**
 * CMake options of a CUDA build. cuBLAS comes with the full toolkit; where only nvcc and the
 * runtime are installed (this project's dev machine), LATHE_CUBLAS_SHIM=1 compiles against our
 * declarations of the few cuBLAS functions ggml calls and links a stub that only carries the
 * soname, so the real libcublas.so.13 is what loads at run time.
 */
function cudaOptions() {
  const root = cudaRoot();
  if (!root) fail('nvcc not found');
  const inRoot = (...p) =>
    [join(root, ...p), join(root, 'targets', `${process.arch === 'arm64' ? 'sbsa' : 'x86_64'}-linux`, ...p)].find((f) =>
      existsSync(f),
    );
  const opts = [`--CDCMAKE_CUDA_ARCHITECTURES=${cudaArchitectures()}`];
  if (!inRoot('include', 'cublas_v2.h')) {
    if (process.env.LATHE_CUBLAS_SHIM !== '1') {
      fail(
        `cuBLAS is missing from the CUDA toolkit at ${root} (no include/cublas_v2.h): install the toolkit's ` +
          "cuBLAS development files (e.g. apt install libcublas-dev-13-0 from NVIDIA's repository), or set " +
          'LATHE_CUBLAS_SHIM=1 to build against a link stub and use the real libcublas.so.13 at run time',
      );
    }
    const shimDir = join(buildDir, 'cublas-shim');
    mkdirSync(shimDir, { recursive: true });
    const lib = join(shimDir, 'libcublas.so');
    const cc = run(
      process.env.CC || 'cc',
      ['-shared', '-fPIC', '-Wl,-soname,libcublas.so.13', '-o', lib, join(nativeDir, 'cuda-shim', 'cublas_stub.c')],
      { capture: true },
    );
    if (!cc.ok) fail(`cannot build the cuBLAS link stub:\n${cc.out}`);
    log('cuBLAS not in the toolkit: compiling against native/cuda-shim (real libcublas.so.13 needed at run time)');
    opts.push(
      `--CDCUDA_cublas_LIBRARY=${lib}`,
      `--CDCUDA_cublasLt_LIBRARY=${lib}`,
      `--CDLATHE_CUBLAS_SHIM_INCLUDE=${join(nativeDir, 'cuda-shim', 'include')}`,
    );
  }
  // Without the driver's link stub ggml cannot use virtual memory pools (it then uses its legacy
  // pool); a binary that does not link libcuda.so also loads on machines without a driver.
  if (!inRoot('lib64', 'stubs', 'libcuda.so') && !inRoot('lib', 'stubs', 'libcuda.so')) {
    opts.push('--CDGGML_CUDA_NO_VMM=ON');
  }
  return opts;
}

/** SPIRV-Headers' CMake package, which ggml's Vulkan backend asks for. */
function spirvHeadersFound() {
  const prefixes = [process.env.VULKAN_SDK, '/usr', '/usr/local', '/opt/homebrew'].filter(Boolean);
  return prefixes.some((p) =>
    ['share/cmake/SPIRV-Headers', 'lib/cmake/SPIRV-Headers', 'share/SPIRV-Headers/cmake'].some((d) =>
      existsSync(join(p, d, 'SPIRV-HeadersConfig.cmake')),
    ),
  );
}

/**
 * Vulkan headers: LATHE_VULKAN_INCLUDE, else the SDK's (VULKAN_SDK), else the system's. ggml's
 * Vulkan backend needs headers from Vulkan 1.3.275 or later (it uses VK_EXT_layer_settings);
 * Debian 12 ships 1.3.239, so there point LATHE_VULKAN_INCLUDE at newer Vulkan-Headers (e.g. the
 * include folder of Debian 13's libvulkan-dev, unpacked with dpkg-deb -x). The loader itself may
 * stay older: ggml checks for the extension at run time.
 */
function vulkanOptions() {
  const candidates = [
    process.env.LATHE_VULKAN_INCLUDE,
    process.env.VULKAN_SDK && join(process.env.VULKAN_SDK, 'include'),
    '/usr/include',
    '/usr/local/include',
  ].filter(Boolean);
  const dir = candidates.find((d) => existsSync(join(d, 'vulkan', 'vulkan_core.h')));
  if (!dir)
    fail(
      'Vulkan headers not found: install the Vulkan SDK (or apt install libvulkan-dev), or set LATHE_VULKAN_INCLUDE',
    );
  const core = readFileSync(join(dir, 'vulkan', 'vulkan_core.h'), 'utf8');
  const version = /#define VK_HEADER_VERSION (\d+)/.exec(core)?.[1] ?? '?';
  if (!core.includes('VK_EXT_layer_settings') || !existsSync(join(dir, 'vulkan', 'vulkan.hpp'))) {
    fail(
      `the Vulkan headers in ${dir} (1.x.${version}) are too old for ggml's Vulkan backend, which needs ` +
        'VK_EXT_layer_settings and vulkan.hpp (Vulkan-Headers 1.3.275 or later): install a newer Vulkan SDK, or ' +
        'set LATHE_VULKAN_INCLUDE to the include folder of newer Vulkan-Headers (on Debian 12: unpack ' +
        "Debian 13's libvulkan-dev with dpkg-deb -x and use its usr/include)",
    );
  }
  return dir === '/usr/include' ? [] : [`--CDVulkan_INCLUDE_DIR=${dir}`];
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
  const extra = gpu === 'cuda' ? cudaOptions() : gpu === 'vulkan' ? vulkanOptions() : [];
  // LATHE_CPU_NATIVE=0: portable CPU code (AVX2/FMA/F16C) instead of -march=native, for a binary
  // that runs on another machine (the GPU check carries one to the device machine).
  const cpuNative = process.env.LATHE_CPU_NATIVE !== '0';
  extra.push(`--CDLATHE_CPU_NATIVE=${cpuNative ? 'ON' : 'OFF'}`);
  const buildHash = sha(
    sourceHash,
    gpu,
    ...extra,
    hashTree(join(nativeDir, 'src')),
    existsSync(join(nativeDir, 'cuda-shim')) ? hashTree(join(nativeDir, 'cuda-shim')) : '',
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
  // cmake-js `build` configures only when there is no CMake cache, so options that changed since
  // (or a configure that failed half-way, leaving a cache without build files) would be ignored:
  // configure explicitly first; ninja then recompiles only what the new options touch.
  const args = [
    cmakeJs,
    'configure',
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
    ...extra,
  ];
  if (process.platform !== 'win32' && has('ninja')) args.push('--generator', 'Ninja');
  const t0 = Date.now();
  log(`building (${gpu || 'cpu'}, ${jobs} jobs)`);
  const configured = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: nativeDir });
  if (configured.status !== 0) fail('CMake could not configure the build (see the output above)');
  const res = spawnSync(process.execPath, [args[0], 'build', ...args.slice(2)], { stdio: 'inherit', cwd: nativeDir });
  if (res.status !== 0) fail('the CMake build failed (see the output above)');
  if (!existsSync(output)) fail(`the build finished but ${output} is missing`);
  writeFileSync(stampFile, `${buildHash}\n`);
  log(`built ${output} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main();
