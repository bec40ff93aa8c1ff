// Bundles scripts/gpu/gpuTests.ts (the native GPU tests, vitest replaced by a shim) into one file
// for the device machine: see scripts/gpu/pack.sh.
import { resolve } from 'node:path';
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: resolve(import.meta.dirname, 'gpuTests.ts'),
  platform: 'node',
  resolve: { alias: { vitest: resolve(import.meta.dirname, 'vitestShim.ts') } },
  external: [/^node-llama-cpp/],
  output: { file: '.gpu/gpuTests.mjs', format: 'esm', codeSplitting: false },
});
