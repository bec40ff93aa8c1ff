#!/usr/bin/env node
// Builds the trainer with a GPU backend beside the CPU build and runs the GPU training tests
// against it: no training-graph node on the CPU (gpuPlacement), GPU gradients equal to the CPU
// build's (gpuGradients), for F32, F16, BF16, Q8_0, Q4_0 and Q4_K_M bases, and AdamW/SGD on the
// GPU equal to the reference update, with checkpoints that resume on either optimizer (gpuOptimizer),
// the op profile, graph reuse between windows and attention by rows with every layer offloaded
// (opProfile, graphReuse, attentionRows), the frozen-weight transposes built on the GPU (backwardTranspose), backward ops built from simpler
// ones with nothing left on the CPU (backwardDecompose),
// and a fine-tune through the core whose device report names the GPU (trainingGpu; needs npm run build),
// then that fine-tune again with every backward op built from simpler ones (LATHE_DECOMPOSE=all).
//
//   npm run test:gpu -- vulkan     (default cuda)
//
// Vulkan runs on any Vulkan device, Mesa's CPU driver lavapipe included (apt install
// mesa-vulkan-drivers): ggml skips CPU-type devices unless GGML_VK_VISIBLE_DEVICES names them, so
// this sets it to 0 when unset. Fails when the build sees no GPU, instead of letting the tests skip.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const backend = process.argv[2] ?? 'cuda';
if (!['cuda', 'vulkan', 'metal'].includes(backend)) {
  console.error(`usage: npm run test:gpu -- [cuda|vulkan|metal] (got "${backend}")`);
  process.exit(2);
}
const buildDir = resolve('native', `build-${backend}`);
const env = { ...process.env, LATHE_GPU: backend };
if (backend === 'vulkan') env.GGML_VK_VISIBLE_DEVICES ??= '0';
const run = (cmd, args, extra = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extra } }).status ?? 1;

if (run(process.execPath, ['native/scripts/build.mjs', '--build-dir', buildDir]) !== 0) process.exit(1);
const addon = resolve(buildDir, 'Release', 'lathe_trainer.node');
const devices = spawnSync(
  process.execPath,
  ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addon)}).devices()))`],
  { env, encoding: 'utf8' },
);
const gpus = JSON.parse(devices.stdout || '[]').filter((d) => d.type === 'gpu' || d.type === 'igpu');
if (gpus.length === 0) {
  console.error(`[test:gpu] the ${backend} build sees no GPU device here: ${devices.stdout || devices.stderr}`);
  process.exit(1);
}
console.log(`[test:gpu] ${backend}: ${gpus.map((d) => `${d.name} (${d.description})`).join(', ')}`);
const vitest = resolve(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');
const status = run(
  process.execPath,
  [
    vitest,
    'run',
    '--project',
    'integration',
    'tests/integration/native/gpuPlacement.test.ts',
    'tests/integration/native/gpuGradients.test.ts',
    'tests/integration/native/gpuOptimizer.test.ts',
    'tests/integration/native/opProfile.test.ts',
    'tests/integration/native/graphReuse.test.ts',
    'tests/integration/native/attentionRows.test.ts',
    'tests/integration/native/backwardTranspose.test.ts',
    'tests/integration/native/backwardDecompose.test.ts',
    'tests/integration/trainingGpu.test.ts',
  ],
  { LATHE_TRAINER_ADDON: addon },
);
// A whole fine-tune again with every backward op built from simpler ones, as on a GPU without
// kernels for them (Metal): the larger backward graph must fit the scheduler, and nothing may fall back.
const decomposed = run(
  process.execPath,
  [vitest, 'run', '--project', 'integration', 'tests/integration/trainingGpu.test.ts'],
  { LATHE_TRAINER_ADDON: addon, LATHE_DECOMPOSE: 'all' },
);
process.exit(status || decomposed);
