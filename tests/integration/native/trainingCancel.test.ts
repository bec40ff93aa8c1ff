import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainerAddon } from '../../../native/index.js';
import { runTraining } from '../../../src/main/core/training/runTraining.js';
import type { FromTrainer, TrainerSpec } from '../../../src/main/core/training/trainerProtocol.js';
import { hyperparamsSchema } from '../../../src/shared/domain.js';
import { tempDir } from '../../helpers/tempDir.js';
import { tinyModel, trainer, writeChatExamples } from './trainerFixtures.js';

/**
 * A cancel that lands while the run evaluates (after a step, before that step is reported) still
 * reports the step: the checkpoint holds it and a resume starts after it, so without its progress
 * message the loss curve would lack one point for good (seen once in the e2e fine-tune: 379 of 380).
 */
describe('runTraining: cancelled while evaluating', () => {
  const dir = tempDir('lathe-cancel-');
  afterAll(() => dir.remove());

  it('reports the finished step, checkpoints it and ends cancelled (not failed)', async () => {
    const examples = writeChatExamples(join(dir.path, 'examples.jsonl'), 24, (i) => `answer ${i % 3}`);
    const spec: TrainerSpec = {
      runId: 'cancel-eval',
      baseModelPath: tinyModel(dir.path, 'cancel.gguf'),
      examplesFile: examples,
      runDir: dir.path,
      adapterPath: join(dir.path, 'adapter.gguf'),
      checkpointPath: join(dir.path, 'checkpoint.gguf'),
      hyperparams: hyperparamsSchema.parse({
        rank: 4,
        alpha: 8,
        epochs: 2,
        batchTokens: 256,
        evalFraction: 0.25,
        evalEvery: 1,
        threads: 2,
      }),
      resume: false,
      checkpointEverySeconds: 3600,
    };
    const messages: FromTrainer[] = [];
    const controller = new AbortController();
    // The cancel lands once the evaluation after step 1 has started (the first evaluation is the
    // one before step 1): as when the user's Cancel arrives while the trainer evaluates.
    const real = trainer();
    let evaluations = 0;
    const addon: TrainerAddon = {
      ...real,
      TrainingSession: function (...args: ConstructorParameters<TrainerAddon['TrainingSession']>) {
        const session = new real.TrainingSession(...args);
        const evaluate = session.evaluate.bind(session);
        // (the addon's methods are read-only properties of its prototype: shadow it on the instance)
        Object.defineProperty(session, 'evaluate', {
          value: (windows: Parameters<typeof evaluate>[0]) => {
            const running = evaluate(windows);
            if (++evaluations === 2) controller.abort();
            return running;
          },
        });
        return session;
      } as unknown as TrainerAddon['TrainingSession'],
    };
    await runTraining(spec, addon, (m) => messages.push(m), controller.signal);
    expect(evaluations).toBe(2);
    const steps = messages.flatMap((m) =>
      m.type === 'progress' && m.progress.phase === 'training' ? [m.progress.step] : [],
    );
    expect(steps).toEqual([1]);
    const checkpoints = messages.flatMap((m) => (m.type === 'checkpoint' ? [m.step] : []));
    expect(checkpoints.at(-1)).toBe(1);
    expect(messages.at(-1)).toEqual({ type: 'cancelled', step: 1, checkpoint: true });
    expect(messages.some((m) => m.type === 'failed')).toBe(false);
  });
});
