// Bundles the GPU tests (scripts/gpu/gpuTests.ts, vitest replaced by a shim) and the training
// process they start through the core (src/main/workers/trainer.ts) for the device machine, which
// has no node_modules: see scripts/gpu/pack.sh. node-llama-cpp and better-sqlite3 stay outside
// (node-llama-cpp's top-level awaits do not survive bundling; better-sqlite3 loads its addon from
// its own folder): pack.sh ships them, with what they need, as .gpu/node_modules.tar.xz.
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const external = ['better-sqlite3', 'node-llama-cpp', /^@reflink\//, /^@node-llama-cpp\//, /\.node$/];
const bundle = (input, file, alias = {}) => ({
  input: resolve(root, input),
  platform: 'node',
  resolve: { alias },
  external,
  logLevel: 'warn',
  output: { file: resolve(root, file), format: 'esm', codeSplitting: false },
});

export default [
  bundle('scripts/gpu/gpuTests.ts', '.gpu/gpuTests.mjs', { vitest: resolve(root, 'scripts/gpu/vitestShim.ts') }),
  bundle('src/main/workers/trainer.ts', '.gpu/trainer.mjs'),
];
