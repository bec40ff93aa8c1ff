import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComputeDevice, TrainerAddon } from '../../../native/index.js';
import { estimateTrainingMemory, trainingShapeFromGguf } from '../../../src/main/core/training/memoryEstimate.js';
import { runTraining } from '../../../src/main/core/training/runTraining.js';
import type { FromTrainer, TrainerSpec } from '../../../src/main/core/training/trainerProtocol.js';
import { hyperparamsSchema, type TrainingDeviceReport } from '../../../src/shared/domain.js';
import { tempDir } from '../../helpers/tempDir.js';
import { tinyModel, trainer, writeChatExamples } from './trainerFixtures.js';

/**
 * How a run plans its device before the first step (runTraining's planDevice), with the real CPU
 * addon behind a GPU that only claims to exist: the addon lists it with the free memory each case
 * needs, and its models load on the CPU as usual. The window grows to the largest that fits, stops
 * growing at the step's token budget, and a model that cannot fit stops the run with UNSUPPORTED
 * and what it needs, before any step.
 */
describe('training plan: the largest window that fits the GPU', () => {
  const dir = tempDir('lathe-plan-');
  afterAll(() => dir.remove());
  const modelPath = tinyModel(dir.path, 'plan.gguf');
  const examples = writeChatExamples(join(dir.path, 'examples.jsonl'), 12, () => 'always the same answer');

  /** The CPU addon, plus a GPU with `free` bytes that its models never really use (none when null). */
  function withFakeGpu(free: number | null, hostMemory?: number): TrainerAddon {
    const real = trainer();
    const host = real.devices().map((d) => (hostMemory && d.type === 'cpu' ? { ...d, memoryTotal: hostMemory } : d));
    const gpu: ComputeDevice = {
      name: 'FakeGPU0',
      description: 'Test GPU',
      type: 'gpu',
      memoryFree: free ?? 0,
      memoryTotal: 2 * (free ?? 0),
    };
    return {
      ...real,
      devices: () => (free === null ? host : [gpu, ...host]),
      TrainerModel: function (path: string) {
        return new real.TrainerModel(path);
      } as unknown as TrainerAddon['TrainerModel'],
    };
  }

  interface PlanOptions {
    batchTokens?: number;
    hostMemory?: number;
    /** window.json of an earlier start: the run resumes */
    savedPlan?: Record<string, number>;
    maxLength?: number;
  }
  async function plan(free: number | null, name: string, options: PlanOptions = {}) {
    const { batchTokens = 1024, hostMemory, savedPlan, maxLength } = options;
    const runDir = join(dir.path, name);
    mkdirSync(runDir, { recursive: true });
    if (savedPlan) writeFileSync(join(runDir, 'window.json'), JSON.stringify(savedPlan));
    const spec: TrainerSpec = {
      runId: name,
      baseModelPath: modelPath,
      examplesFile: examples,
      runDir,
      adapterPath: join(runDir, 'adapter.gguf'),
      checkpointPath: join(runDir, 'checkpoint.gguf'),
      hyperparams: hyperparamsSchema.parse({
        rank: 4,
        alpha: 8,
        epochs: 1,
        batchTokens,
        evalFraction: 0,
        threads: 2,
        maxLength,
      }),
      resume: savedPlan !== undefined,
      checkpointEverySeconds: 3600,
    };
    const messages: FromTrainer[] = [];
    const controller = new AbortController();
    await runTraining(
      spec,
      withFakeGpu(free, hostMemory),
      (m) => {
        messages.push(m);
        if (m.type === 'device') controller.abort(); // the plan is all this test needs
      },
      controller.signal,
    );
    const device = messages.find((m) => m.type === 'device') as { device: TrainingDeviceReport } | undefined;
    return { device: device?.device, messages, runDir };
  }

  const estimateAt = async (windowSize: number, rowSize = windowSize) => {
    const shape = trainingShapeFromGguf(
      await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false }),
    );
    return estimateTrainingMemory({
      shape,
      rank: 4,
      targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
      windowSize,
      rowSize,
      offload: true,
    }).device;
  };

  it('grows up to the step budget when memory allows, and remembers the window for a resume', async () => {
    const { device, runDir } = await plan(64 * 2 ** 30, 'roomy');
    // the chats are short: four rows of 256 hold them as well as one row of 1024, at a quarter of the attention
    expect(device).toMatchObject({
      backend: 'FakeGPU0',
      gpu: true,
      neededWindowSize: 256,
      windowSize: 1024,
      rowSize: 256,
    });
    expect(device?.freeBytes).toBe(64 * 2 ** 30);
    expect(device?.estimate.device.total).toBe((await estimateAt(1024, 256)).total);
    expect((await estimateAt(1024, 256)).activations).toBeLessThan((await estimateAt(1024)).activations);
    expect(JSON.parse(readFileSync(join(runDir, 'window.json'), 'utf8'))).toEqual({ windowSize: 1024, rowSize: 256 });
  });

  it('a resumed run keeps its plan; one planned before rows existed stays one row per window', async () => {
    const { device } = await plan(64 * 2 ** 30, 'resumed-old', { savedPlan: { windowSize: 768 } });
    expect(device).toMatchObject({ windowSize: 768, rowSize: 768 });
    const again = await plan(64 * 2 ** 30, 'resumed', { savedPlan: { windowSize: 1024, rowSize: 512 } });
    expect(again.device).toMatchObject({ windowSize: 1024, rowSize: 512 });
  });

  it('LATHE_GPU_MAX_WINDOW caps the growth (256: the window the data needs)', async () => {
    process.env.LATHE_GPU_MAX_WINDOW = '256';
    try {
      const { device } = await plan(64 * 2 ** 30, 'capped');
      expect(device).toMatchObject({ gpu: true, neededWindowSize: 256, windowSize: 256 });
    } finally {
      delete process.env.LATHE_GPU_MAX_WINDOW;
    }
  });

  it('stops at the largest window whose estimate fits in 90 % of the free memory', async () => {
    const at256 = await estimateAt(256);
    const at512 = await estimateAt(512, 256);
    const at768 = await estimateAt(768, 256);
    // free memory such that 512 (in rows of 256) fits and 768 does not (the weights are already on the device)
    const free = Math.ceil((at512.total - at256.weights) / 0.9) + 1;
    expect(0.9 * free + at256.weights).toBeLessThan(at768.total);
    const { device } = await plan(free, 'tight');
    expect(device).toMatchObject({ windowSize: 512, rowSize: 256, neededWindowSize: 256 });
  });

  it('does not fit at all: UNSUPPORTED before the first step, with what it needs', async () => {
    const { device, messages, runDir } = await plan(1024, 'full');
    expect(device).toBeUndefined();
    const failed = messages.find((m) => m.type === 'failed');
    expect(failed).toMatchObject({ type: 'failed', error: { code: 'UNSUPPORTED' } });
    const error = (failed as Extract<FromTrainer, { type: 'failed' }>).error;
    expect(error.message).toMatch(
      /^Training this model on Test GPU needs about [\d.]+ GiB of GPU memory for windows of 256 tokens/,
    );
    expect(error.details).toMatchObject({ windowSize: 256, freeBytes: 1024 });
    expect(messages.some((m) => m.type === 'progress' && m.progress.phase === 'training')).toBe(false);
    expect(existsSync(join(runDir, 'window.json'))).toBe(false);
  });

  it('on the CPU: more than the machine has is refused before the first step', async () => {
    const { device, messages } = await plan(null, 'small-host', { hostMemory: 4 * 2 ** 20 });
    expect(device).toBeUndefined();
    const failed = messages.find((m) => m.type === 'failed') as Extract<FromTrainer, { type: 'failed' }>;
    expect(failed.error.code).toBe('UNSUPPORTED');
    expect(failed.error.message).toMatch(
      /needs about [\d.]+ GiB of memory for windows of 256 tokens, more than this machine has/,
    );
    // and with the machine's real memory the same run plans on the CPU
    const ok = await plan(null, 'cpu');
    expect(ok.device).toMatchObject({
      backend: 'CPU',
      gpu: false,
      windowSize: 256,
      rowSize: 256,
      neededWindowSize: 256,
    });
  });

  it('on the CPU the window stays the max length, in rows as short as the examples allow', async () => {
    const { device, runDir } = await plan(null, 'cpu-rows', { maxLength: 1024 });
    expect(device).toMatchObject({ gpu: false, windowSize: 1024, neededWindowSize: 1024, rowSize: 256 });
    expect(JSON.parse(readFileSync(join(runDir, 'window.json'), 'utf8'))).toEqual({ windowSize: 1024, rowSize: 256 });
  });
});
