import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainerAddon } from '../../native/index';
import type { Core } from '../../src/main/core/createCore';
import type { TrainingRun } from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

/**
 * A fine-tune through the core on a GPU build of the trainer (LATHE_TRAINER_ADDON, e.g. the
 * Vulkan build on Mesa's lavapipe: `npm run test:gpu -- vulkan`): the run trains on the GPU, its
 * device report names the GPU, finds no node left to the CPU, grows the window to pack the data
 * into fewer passes, and its memory estimate covers what was allocated. Skipped without a GPU.
 */
const addonPath = process.env.LATHE_TRAINER_ADDON;
const gpu = addonPath
  ? loadTrainerAddon(addonPath)
      .devices()
      .find((d) => d.type === 'gpu' || d.type === 'igpu')
  : undefined;

describe('fine-tuning on a GPU through the core', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: Core;

  beforeAll(() => {
    dir = tempDir('lathe-training-gpu-');
    core = testCore(join(dir.path, 'data'), {
      checkpointEverySeconds: 0,
      progressIntervalMs: 0,
      ...(addonPath ? { trainerAddonPath: addonPath } : {}),
    });
  });
  afterAll(async () => {
    await core?.close();
    dir?.remove();
  });

  it('trains on the GPU, reports it, and grows the window to fit (in rows)', { timeout: 300_000 }, async (ctx) => {
    if (!gpu) ctx.skip(`no GPU build of the trainer given (LATHE_TRAINER_ADDON=${addonPath ?? ''}) or no GPU seen`);
    const modelPath = join(dir.path, 'tiny.gguf');
    writeRandomLlama(modelPath, { seed: 3 });
    const dataPath = join(dir.path, 'chats.jsonl');
    const chats = Array.from({ length: 24 }, (_v, i) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `question ${i}` },
          { role: 'assistant', content: 'the answer is always lathe' },
        ],
      }),
    );
    writeFileSync(dataPath, chats.join('\n') + '\n');
    const started = await core.dispatch('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: { rank: 4, alpha: 8, epochs: 2, batchTokens: 1024, evalFraction: 0, learningRate: 3e-3, seed: 3 },
    });
    if (!started.ok) throw new Error(started.error.message);
    const run = started.data as TrainingRun;
    const job = await core.jobs.wait(run.jobId!);
    expect(job.error).toBeNull();
    const got = await core.dispatch('training.get', { id: run.id });
    if (!got.ok) throw new Error(got.error.message);
    const { run: done, metrics } = got.data as { run: TrainingRun; metrics: { trainLoss: number | null }[] };
    const device = done.device!;
    // Built from simpler ops: none on CUDA or Vulkan, all five when forced (test:gpu runs it both ways)
    const decomposed =
      process.env.LATHE_DECOMPOSE === 'all'
        ? ['OUT_PROD', 'RMS_NORM_BACK', 'SOFT_MAX_BACK', 'CROSS_ENTROPY_LOSS_BACK', 'REPEAT_BACK']
        : [];
    expect(device).toMatchObject({ backend: gpu?.name, gpu: true, cpuFallbacks: {}, decomposedOps: decomposed });
    expect(device.neededWindowSize).toBe(256);
    expect(device.windowSize).toBe(1024); // grown to the step's token budget: the GPU has room
    expect(device.rowSize).toBe(256); // short chats: four rows of 256, attended to one by one
    const onGpu = device.measured!.find((m) => m.device === gpu?.name)!;
    expect(onGpu.model).toBeGreaterThan(0);
    expect(onGpu.optimizer).toBeGreaterThanOrEqual(3 * onGpu.adapter); // AdamW beside the adapter
    expect(device.estimate.device.activations).toBeGreaterThanOrEqual(onGpu.compute * 0.9);
    const losses = metrics.map((m) => m.trainLoss).filter((l): l is number => l !== null);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  });
});
