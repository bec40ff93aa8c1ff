/**
 * One Lathe configuration of `npm run bench`, in a process of its own so that its peak RSS is its
 * own: loads the GGUF, creates a LoRA adapter and a training session, announces itself, then runs
 * one optimizer step (one fully labelled window) per `step` line on stdin, answering each on
 * stdout; `finish` answers with the peak RSS and exits (the protocol of lib/participant.ts).
 *
 *   node --import ./bench/lib/register.mjs bench/lib/latheWorker.ts --model m.gguf
 *     [--window 512] [--threads 2] [--rank 16] [--alpha 32] [--seed 1] [--label name]
 */
import { parseArgs } from 'node:util';
import { allTargetModules, loadTrainerAddon } from '../../native/index.js';
import { rng } from '../../tests/helpers/gguf/randomLlama.js';
import { serve, type StepReport } from './participant.js';

/** What the worker announces once loaded (the `ready` message). */
export interface LatheMeta {
  loadSeconds: number;
  initSeconds: number;
  nParams: number;
  nLoraParams: number;
  addonVersion: string;
  systemInfo: string;
}

/** First plain (non-special, non-byte) token of the random vocabulary. */
const PLAIN = 259;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      window: { type: 'string', default: '512' },
      threads: { type: 'string', default: '2' },
      rank: { type: 'string', default: '16' },
      alpha: { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      label: { type: 'string', default: 'lathe' },
    },
  });
  if (!values.model) throw new Error('--model is required');
  const window = Number(values.window);
  const log = (msg: string): void => console.error(`[${values.label}] ${msg}`);

  const t = loadTrainerAddon();
  let t0 = performance.now();
  const model = new t.TrainerModel(values.model);
  await model.load();
  const loadSeconds = (performance.now() - t0) / 1000;
  const info = model.info();
  const adapter = new t.LoraAdapter(model);
  await adapter.create({ rank: Number(values.rank), alpha: Number(values.alpha), targets: allTargetModules, seed: 42 });
  t0 = performance.now();
  const session = new t.TrainingSession(model, adapter, { windowSize: window, threads: Number(values.threads) });
  await session.init();
  const initSeconds = (performance.now() - t0) / 1000;
  const meta: LatheMeta = {
    loadSeconds,
    initSeconds,
    nParams: info.nParams,
    nLoraParams: adapter.info().nParams,
    addonVersion: t.version,
    systemInfo: t.systemInfo(),
  };
  log(
    `model ${(info.nParams / 1e6).toFixed(1)}M parameters, LoRA ${(meta.nLoraParams / 1e6).toFixed(2)}M; ` +
      `load ${loadSeconds.toFixed(1)} s, session init ${initSeconds.toFixed(1)} s`,
  );

  const rand = rng(Number(values.seed) + 1);
  const step = async (): Promise<StepReport> => {
    // window + 1 random plain tokens: position j predicts token j + 1, every position labelled.
    const seq = Int32Array.from({ length: window + 1 }, () => PLAIN + Math.floor(rand() * (info.nVocab - PLAIN)));
    const start = performance.now();
    const fb = await session.forwardBackward([{ tokens: seq.subarray(0, window), labels: seq.slice(1) }]);
    const mid = performance.now();
    await session.optimizerStep({ lr: 1e-4 });
    const seconds = (performance.now() - start) / 1000;
    const loss = fb.lossSum / fb.nTokens;
    log(`step: ${seconds.toFixed(2)} s, ${(fb.nTokens / seconds).toFixed(1)} tok/s, loss ${loss.toFixed(3)}`);
    return { seconds, tokens: fb.nTokens, loss, forwardBackwardSeconds: (mid - start) / 1000 };
  };

  await serve(meta, step, () => {
    session.dispose();
    adapter.dispose();
    model.dispose();
  });
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
