/**
 * `npm run bench:preference`: what a preference (DPO) run costs against an instruction (SFT) run on
 * the same sequences, measured in the same process, alternating, through Lathe's real trainer
 * (runTraining, the code a run in the app executes). The SFT run trains on every chosen and every
 * rejected answer as an example of its own, so both runs learn from exactly the same answer tokens;
 * DPO puts both answers of a pair in one window (no packing of pairs: each pair's gradient has its
 * own weight) and scores the whole data with the base once before the first step (the "scoring"
 * phase, part of the whole run's time).
 *
 *   node --import ./bench/lib/register.mjs bench/preference.ts [--rounds 3] [--pairs 48] [--threads 2] [--quick]
 *
 * Reports useful (answer) tokens per second of the training steps, the whole run's wall time, and
 * their DPO ÷ SFT ratios; writes bench/results/preference.md (`--quick`: the cache folder).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTrainerAddon } from '../native/index.js';
import { runTraining } from '../src/main/core/training/runTraining.js';
import type { FromTrainer, TrainerSpec } from '../src/main/core/training/trainerProtocol.js';
import { hyperparamsSchema, type TrainingSummary } from '../src/shared/domain.js';
import { rng } from '../tests/helpers/gguf/randomLlama.js';
import { writeTinyChatModel } from '../tests/helpers/models/testModels.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

const words = 'the a model answer short long lathe data token window pair chosen rejected base step loss'.split(' ');

/** A sentence of `n` words drawn with `rand`. */
const sentence = (rand: () => number, n: number) =>
  Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]!).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      pairs: { type: 'string', default: '48' },
      threads: { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  const rounds = quick ? 1 : Number(values.rounds);
  const pairs = quick ? 12 : Number(values.pairs);
  const threads = Number(values.threads);
  const dir = mkdtempSync(join(tmpdir(), 'lathe-bench-preference-'));
  try {
    // a small llama (byte-level vocabulary, ChatML): answers of 20–60 words, prompts of 5–15
    const shape = quick
      ? { nLayer: 2, nEmbd: 64, nHead: 4, nHeadKv: 2, nFf: 128 }
      : { nLayer: 4, nEmbd: 256, nHead: 8, nHeadKv: 4, nFf: 768 };
    const model = join(dir, 'model.gguf');
    writeTinyChatModel(model, 3, { ...shape, nCtxTrain: 2048 });
    const rand = rng(7);
    const records = Array.from({ length: pairs }, (_v, i) => {
      const prompt = sentence(rand, 5 + Math.floor(rand() * 10));
      return {
        id: `p${i}`,
        messages: [
          { role: 'user', content: prompt },
          { role: 'assistant', content: sentence(rand, 20 + Math.floor(rand() * 40)) },
        ],
        rejected: sentence(rand, 20 + Math.floor(rand() * 40)),
        // one held-out pair (and its two sequences for SFT), so neither run draws an eval share
        ...(i === 0 ? { split: 'eval' } : {}),
      };
    });
    const pairsFile = join(dir, 'pairs.jsonl');
    writeFileSync(pairsFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const sftFile = join(dir, 'sequences.jsonl');
    writeFileSync(
      sftFile,
      records
        .flatMap((r) => [
          { id: `${r.id}c`, messages: r.messages, ...(r.split ? { split: r.split } : {}) },
          {
            id: `${r.id}r`,
            messages: [r.messages[0], { role: 'assistant', content: r.rejected }],
            ...(r.split ? { split: r.split } : {}),
          },
        ])
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );

    const addon = loadTrainerAddon();
    const run = async (method: 'sft' | 'dpo', round: number): Promise<TrainingSummary & { wall: number }> => {
      const runDir = join(dir, `${method}-${round}`);
      mkdirSync(runDir);
      const spec: TrainerSpec = {
        runId: `${method}-${round}`,
        baseModelPath: model,
        examplesFile: method === 'dpo' ? pairsFile : sftFile,
        runDir,
        adapterPath: join(runDir, 'adapter.gguf'),
        checkpointPath: join(runDir, 'checkpoint.gguf'),
        hyperparams: hyperparamsSchema.parse({
          method,
          rank: 16,
          alpha: 32,
          epochs: 1,
          batchTokens: 2048,
          evalEvery: 1_000_000,
          seed: 1,
          threads,
        }),
        resume: false,
        checkpointEverySeconds: 1e9,
      };
      let summary: Omit<TrainingSummary, 'adapterId'> | null = null;
      let failure: string | null = null;
      const t0 = performance.now();
      await runTraining(
        spec,
        addon,
        (m: FromTrainer) => {
          if (m.type === 'done') summary = m.summary;
          if (m.type === 'failed') failure = m.error.message;
        },
        new AbortController().signal,
      );
      const wall = (performance.now() - t0) / 1000;
      if (!summary) throw new Error(`${method} run failed: ${failure ?? 'no result'}`);
      const s = summary as Omit<TrainingSummary, 'adapterId'>;
      console.error(
        `[bench] ${method} round ${round + 1}: ${s.usefulTokensPerSecond.toFixed(0)} useful tok/s in its steps, ` +
          `${wall.toFixed(1)} s in all`,
      );
      return { ...s, adapterId: null, wall };
    };

    const results: { sft: (TrainingSummary & { wall: number })[]; dpo: (TrainingSummary & { wall: number })[] } = {
      sft: [],
      dpo: [],
    };
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first
      for (const method of r % 2 === 0 ? (['sft', 'dpo'] as const) : (['dpo', 'sft'] as const)) {
        results[method].push(await run(method, r));
      }
    }
    const best = (xs: number[]) => Math.max(...xs);
    const fastest = (xs: number[]) => Math.min(...xs);
    const sftTok = best(results.sft.map((s) => s.usefulTokensPerSecond));
    const dpoTok = best(results.dpo.map((s) => s.usefulTokensPerSecond));
    const sftWall = fastest(results.sft.map((s) => s.wall));
    const dpoWall = fastest(results.dpo.map((s) => s.wall));
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const table = [
      `# Preference (DPO) against instruction (SFT) training`,
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu} (${threads} threads)` +
        `${quick ? ', QUICK smoke run' : ''}: a random llama (L${shape.nLayer} E${shape.nEmbd} FF${shape.nFf}, ` +
        `byte vocabulary, ChatML), ${pairs} pairs of 20–60-word answers, LoRA rank 16 on all seven projections, ` +
        `one epoch, best of ${rounds} alternating rounds (\`npm run bench:preference\`).`,
      '',
      '| run | useful tok/s in its steps | whole run, s |',
      '|---|---:|---:|',
      `| SFT on every chosen and rejected answer (${pairs * 2 - 2} examples, packed) | ${sftTok.toFixed(0)} | ${sftWall.toFixed(1)} |`,
      `| DPO on the ${pairs - 1} pairs (both answers in one window, weighted ±1) | ${dpoTok.toFixed(0)} | ${dpoWall.toFixed(1)} |`,
      `| **DPO ÷ SFT** | **${(dpoTok / sftTok).toFixed(2)}×** | **${(dpoWall / sftWall).toFixed(2)}×** |`,
      '',
    ].join('\n');
    const out = quick ? join(root, 'node_modules', '.cache', 'lathe-bench') : join(benchDir, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'preference.md'), table);
    console.log(table);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
