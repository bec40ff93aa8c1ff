import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrainerError, type TrainingWindow } from '../../../native/index.js';
import { rng } from '../../helpers/gguf/randomLlama.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, rig, tinyModel, type Rig } from './trainerFixtures.js';

const STEPS = 8;
const PER_STEP = 2;
const data: TrainingWindow[] = Array.from({ length: 6 }, (_, i) =>
  packWindow([{ tokens: randomTokens(30 + 5 * i, 60 + i), trainFrom: 6 }]),
);

/** What the JS side of a run owns and a checkpoint must carry: schedule position, data order, RNG. */
interface RunState {
  step: number;
  order: number[];
  cursor: number;
  rngDraws: number;
}

function lrAt(step: number): number {
  const warmup = 2;
  if (step < warmup) return 1e-2 * ((step + 1) / warmup);
  return 1e-2 * 0.5 * (1 + Math.cos((Math.PI * (step - warmup)) / (STEPS - warmup)));
}

function shuffled(state: RunState): number[] {
  const r = rng(1234);
  for (let i = 0; i < state.rngDraws; i++) r();
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    state.rngDraws++;
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return order;
}

/** Runs steps [state.step, until) and returns their losses. */
async function run(r: Rig, state: RunState, until: number): Promise<number[]> {
  const losses: number[] = [];
  while (state.step < until) {
    const batch: TrainingWindow[] = [];
    while (batch.length < PER_STEP) {
      if (state.cursor >= state.order.length) {
        state.order = shuffled(state);
        state.cursor = 0;
      }
      batch.push(data[state.order[state.cursor++] ?? 0] as TrainingWindow);
    }
    const fb = await r.session.forwardBackward(batch);
    await r.session.optimizerStep({ lr: lrAt(state.step), weightDecay: 0.01, maxGradNorm: 1 });
    losses.push(fb.lossSum / fb.nTokens);
    state.step++;
  }
  return losses;
}

describe('checkpoints', () => {
  const dir = tempDir('lathe-native-');
  let modelPath = '';
  beforeAll(() => {
    modelPath = tinyModel(dir.path);
  });
  afterAll(() => dir.remove());

  it('resume follows the uninterrupted loss curve', async () => {
    const fresh = (): RunState => ({ step: 0, order: [], cursor: 0, rngDraws: 0 });

    const whole = await rig(modelPath);
    const reference = await run(whole, fresh(), STEPS);
    whole.dispose();
    expect(reference[STEPS - 1]).toBeLessThan(reference[0] ?? 0);

    const first = await rig(modelPath);
    const state = fresh();
    const head = await run(first, state, STEPS / 2);
    const ckpt = join(dir.path, 'run.ckpt.gguf');
    await first.session.saveCheckpoint(ckpt, JSON.stringify(state));
    first.dispose();

    // a new process would start from scratch: another adapter seed, another session
    const second = await rig(modelPath, { seed: 999 });
    const loaded = await second.session.loadCheckpoint(ckpt);
    expect(loaded.step).toBe(STEPS / 2);
    expect(second.session.step).toBe(STEPS / 2);
    const tail = await run(second, JSON.parse(loaded.state) as RunState, STEPS);
    second.dispose();

    const resumed = [...head, ...tail];
    for (let i = 0; i < STEPS; i++)
      expect(Math.abs((resumed[i] ?? 0) - (reference[i] ?? 0)), `step ${i}`).toBeLessThan(1e-4);
  });

  it('refuses a checkpoint of another adapter shape', async () => {
    const a = await rig(modelPath, { rank: 4 });
    const ckpt = join(dir.path, 'r4.ckpt.gguf');
    await a.session.saveCheckpoint(ckpt, '{}');
    a.dispose();
    const b = await rig(modelPath, { rank: 8 });
    const err = await b.session.loadCheckpoint(ckpt).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTrainerError(err) && err.code).toBe('INVALID_ARGUMENT');
    b.dispose();
  });
});
