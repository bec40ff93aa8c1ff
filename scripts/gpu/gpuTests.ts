/**
 * The GPU tests of `npm run test:gpu`, bundled by scripts/gpu/pack.sh into `.gpu/gpuTests.mjs` with
 * vitest replaced by scripts/gpu/vitestShim.ts and node-llama-cpp's JavaScript inside, so they run
 * on the device machine with the carried Node binary, better-sqlite3 and trainer bundle alone:
 *
 *   LATHE_TRAINER_ADDON=<CUDA build> node .gpu/gpuTests.mjs [--out DIR] [--name gpu-tests] [file-filter]
 *
 * Runs from the repository root (the tests read the CPU build at native/build/Release as their
 * reference). Prints each result, writes DIR/<name>.json, exits 1 when a test fails, and also
 * when one is skipped: on that machine every test must run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFile, type TestResult } from './vitestShim';

const files: Record<string, () => Promise<unknown>> = {
  gpuPlacement: () => import('../../tests/integration/native/gpuPlacement.test'),
  gpuGradients: () => import('../../tests/integration/native/gpuGradients.test'),
  gpuOptimizer: () => import('../../tests/integration/native/gpuOptimizer.test'),
  opProfile: () => import('../../tests/integration/native/opProfile.test'),
  graphReuse: () => import('../../tests/integration/native/graphReuse.test'),
  attentionRows: () => import('../../tests/integration/native/attentionRows.test'),
  backwardTranspose: () => import('../../tests/integration/native/backwardTranspose.test'),
  backwardDecompose: () => import('../../tests/integration/native/backwardDecompose.test'),
  // through the core: needs out/main/trainer.js (device.sh puts .gpu/trainer.mjs there) and
  // better-sqlite3 (pack.sh copies it to .gpu/node_modules)
  trainingGpu: () => import('../../tests/integration/trainingGpu.test'),
};

const { values, positionals } = parseArgs({
  options: { out: { type: 'string' }, name: { type: 'string', default: 'gpu-tests' } },
  allowPositionals: true,
});
const filter = positionals[0] ?? '';
const results: Record<string, TestResult[]> = {};
const t0 = performance.now();
for (const [name, load] of Object.entries(files)) {
  if (filter && !name.includes(filter)) continue;
  results[name] = await runFile(name, load, (r) => {
    const head = `[gpu-tests] ${r.state.toUpperCase()} ${r.name} (${r.seconds.toFixed(1)} s)`;
    console.log(r.detail && r.state !== 'pass' ? `${head}\n  ${r.detail.split('\n').slice(0, 12).join('\n  ')}` : head);
  });
}
const all = Object.values(results).flat();
const count = (s: TestResult['state']): number => all.filter((r) => r.state === s).length;
const summary = {
  passed: count('pass'),
  failed: count('fail'),
  skipped: count('skip'),
  seconds: (performance.now() - t0) / 1000,
};
console.log(`[gpu-tests] ${JSON.stringify(summary)}`);
if (values.out) writeFileSync(join(values.out, `${values.name}.json`), JSON.stringify({ summary, results }, null, 1));
process.exit(summary.failed > 0 || summary.skipped > 0 ? 1 : 0);
