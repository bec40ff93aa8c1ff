import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import { forkTrainerLauncher, type TrainerProcess } from '../../src/main/core/training/TrainerLauncher';
import type { Job, TrainingEstimate, TrainingProgress, TrainingRun } from '../../src/shared/domain';
import { GgufWriter } from '../helpers/gguf/GgufWriter';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore, trainerEntry } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelPath: string;
let dataPath: string;
/** The training processes the core started, so a test can kill one like a crash would. */
const processes: TrainerProcess[] = [];
const progress: TrainingProgress[] = [];
const deviceEvents: string[] = [];

const small = {
  rank: 4,
  alpha: 8,
  epochs: 4,
  batchTokens: 256,
  maxLength: 256,
  evalFraction: 0.1,
  learningRate: 2e-3,
  warmupRatio: 0,
  seed: 7,
  threads: 2,
};

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.data as T;
}

async function failure(method: string, input: unknown): Promise<{ code: string; message: string }> {
  const result = await core.dispatch(method, input);
  if (result.ok) throw new Error(`${method} succeeded`);
  return result.error;
}

async function waitForJob(id: string): Promise<Job> {
  return core.jobs.wait(id);
}

beforeAll(() => {
  dir = tempDir('lathe-training-');
  modelPath = join(dir.path, 'tiny.gguf');
  writeRandomLlama(modelPath, { seed: 3 });
  // 40 short chats that all teach the same answer: the masked loss must fall.
  const lines = Array.from({ length: 40 }, (_v, i) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `question number ${i}` },
        { role: 'assistant', content: 'the answer is always lathe' },
      ],
    }),
  );
  dataPath = join(dir.path, 'chats.jsonl');
  writeFileSync(dataPath, lines.join('\n') + '\n');
  const launch = forkTrainerLauncher(trainerEntry);
  core = testCore(join(dir.path, 'data'), {
    checkpointEverySeconds: 0,
    progressIntervalMs: 0,
    trainerLauncher: () => {
      const proc = launch();
      processes.push(proc);
      return proc;
    },
  });
  core.events.subscribe((event, payload) => {
    if (event === 'training.progress') progress.push(payload as TrainingProgress);
    if (event === 'training.device') deviceEvents.push((payload as { runId: string }).runId);
  });
});
afterAll(async () => {
  await core?.close();
  dir?.remove();
});

describe('fine-tuning through the core, in its own process', () => {
  it('trains a tiny model: the masked loss falls and the adapter is recorded under its base model', async () => {
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: small,
    });
    expect(run.state).toBe('running');
    const job = await waitForJob(run.jobId!);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const { run: done, metrics } = await call<{
      run: TrainingRun;
      metrics: { step: number; trainLoss: number | null; evalLoss: number | null }[];
    }>('training.get', { id: run.id });
    expect(done.state).toBe('succeeded');
    expect(done.step).toBe(done.totalSteps);
    const losses = metrics.filter((m) => m.trainLoss !== null).map((m) => m.trainLoss!);
    expect(losses.length).toBeGreaterThan(3);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    expect(metrics.some((m) => m.evalLoss !== null)).toBe(true);
    const adapters = await call<{ path: string; baseModelSha256: string; runId: string }[]>('adapters.list', {});
    expect(adapters).toHaveLength(1);
    expect(adapters[0]).toMatchObject({ runId: run.id, baseModelSha256: done.baseModelSha256 });
    expect(done.baseModelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(adapters[0]!.path)).toBe(true);
    expect(done.summary).toMatchObject({ adapterId: expect.any(String), trainExamples: 36, evalExamples: 4 });
    const live = progress.filter((p) => p.runId === run.id && p.phase === 'training');
    expect(live.length).toBe(done.totalSteps);
    expect(live.every((p) => p.tokensPerSecond > 0 && p.memoryBytes > 0)).toBe(true);

    // where it trained, and the memory estimated before the first step against what was allocated
    const device = done.device!;
    expect(device).toMatchObject({ backend: 'CPU', gpu: false, freeBytes: null, cpuFallbacks: {}, decomposedOps: [] });
    expect(device.windowSize).toBe(device.neededWindowSize); // the CPU never grows the window
    const allocated = device.measured!.find((m) => m.device === 'CPU')!;
    const e = device.estimate.device;
    expect(allocated.context).toBe(e.kvCache);
    expect(allocated.adapter).toBe(e.adapter);
    expect(allocated.transposes).toBe(e.transposes);
    expect(e.activations).toBeGreaterThanOrEqual(allocated.compute);
    expect(e.activations).toBeLessThan(allocated.compute * 1.3);
    expect(deviceEvents).toContain(run.id);
  });

  it('starts from a fine-tune: training goes on from its weights, with its shape', async () => {
    const [first] = await call<{ id: string; runId: string; rank: number; alpha: number }[]>('adapters.list', {});
    const { metrics: before } = await call<{ metrics: { trainLoss: number | null }[] }>('training.get', {
      id: first!.runId,
    });
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      // the form's rank and alpha give way to the adapter's; a learning rate too small to move it
      hyperparams: { ...small, rank: 8, alpha: 3, epochs: 1, learningRate: 1e-9, initAdapterId: first!.id },
    });
    expect(run.hyperparams).toMatchObject({ rank: first!.rank, alpha: first!.alpha, initAdapterId: first!.id });
    const job = await waitForJob(run.jobId!);
    expect(job.error).toBeNull();
    const { metrics } = await call<{ metrics: { trainLoss: number | null }[] }>('training.get', { id: run.id });
    const losses = (m: { trainLoss: number | null }[]) =>
      m.filter((x) => x.trainLoss !== null).map((x) => x.trainLoss!);
    // its first step already knows what the first run learned (a new adapter would start at the base's loss)
    expect(losses(metrics)[0]!).toBeLessThan(losses(before)[0]! * 0.5);
    expect(Math.abs(losses(metrics)[0]! - losses(before).at(-1)!)).toBeLessThan(losses(before)[0]! * 0.25);

    const gone = await failure('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: { initAdapterId: 'no-such-adapter' },
    });
    expect(gone).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no-such-adapter/) });
  });

  it('trains in rows when the max length leaves the window longer than the chats', async () => {
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: { ...small, maxLength: 512, batchTokens: 512, epochs: 3 },
    });
    const job = await waitForJob(run.jobId!);
    expect(job.error).toBeNull();
    const { run: done, metrics } = await call<{ run: TrainingRun; metrics: { trainLoss: number | null }[] }>(
      'training.get',
      { id: run.id },
    );
    // the chats are far shorter than 256 tokens: two rows of 256, each attended to on its own
    expect(done.device).toMatchObject({ windowSize: 512, rowSize: 256, neededWindowSize: 512 });
    const losses = metrics.filter((m) => m.trainLoss !== null).map((m) => m.trainLoss!);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    const allocated = done.device!.measured!.find((m) => m.device === 'CPU')!;
    expect(done.device!.estimate.device.activations).toBeGreaterThanOrEqual(allocated.compute);
    expect(done.device!.estimate.device.activations).toBeLessThan(allocated.compute * 1.3);
  });

  it('survives a crash of the training process: the run fails with the stderr tail, stays resumable, and resumes to the end', async () => {
    const before = processes.length;
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: small,
    });
    // Kill the process (SIGKILL, like a native crash) once a few steps have checkpointed.
    await waitUntil(() => progress.some((p) => p.runId === run.id && p.phase === 'training' && p.step >= 3));
    processes[before]!.kill();
    const job = await waitForJob(run.jobId!);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({
      code: 'TRAINING_FAILED',
      message: expect.stringMatching(/stopped unexpectedly/),
    });
    // The app and its database are fine.
    expect((await core.dispatch('app.info', {})).ok).toBe(true);
    expect(core.db.pragma('quick_check', { simple: true })).toBe('ok');
    const { run: failed } = await call<{ run: TrainingRun }>('training.get', { id: run.id });
    expect(failed).toMatchObject({ state: 'failed', resumable: true });
    const resumed = await call<TrainingRun>('training.resume', { id: run.id });
    expect((await waitForJob(resumed.jobId!)).state).toBe('succeeded');
    const { run: done } = await call<{ run: TrainingRun }>('training.get', { id: run.id });
    expect(done).toMatchObject({ state: 'succeeded', step: done.totalSteps });
  });

  it('cancels between steps, keeps a checkpoint and follows the uninterrupted loss curve when resumed', async () => {
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: dataPath },
      hyperparams: small,
    });
    await waitUntil(() => progress.some((p) => p.runId === run.id && p.phase === 'training' && p.step >= 4));
    const cancelled = await call<TrainingRun>('training.cancel', { id: run.id });
    expect(cancelled).toMatchObject({ state: 'cancelled', resumable: true });
    const resumed = await call<TrainingRun>('training.resume', { id: run.id });
    expect((await waitForJob(resumed.jobId!)).state).toBe('succeeded');
    // Same seed, same data: the first (uninterrupted) run is the reference curve.
    const [reference] = (await call<TrainingRun[]>('training.list', {}))
      .filter((r) => r.state === 'succeeded')
      .slice(-1);
    const a = await call<{ metrics: { step: number; trainLoss: number | null }[] }>('training.get', {
      id: reference!.id,
    });
    const b = await call<{ metrics: { step: number; trainLoss: number | null }[] }>('training.get', { id: run.id });
    const curve = (m: { step: number; trainLoss: number | null }[]) =>
      new Map(m.filter((p) => p.trainLoss !== null).map((p) => [p.step, p.trainLoss!]));
    const ca = curve(a.metrics);
    const cb = curve(b.metrics);
    expect(cb.size).toBe(ca.size);
    for (const [step, loss] of ca) expect(Math.abs(cb.get(step)! - loss)).toBeLessThan(0.02 * Math.max(1, loss));
  });

  it('estimates the memory of a run before it starts, on the device the trainer would use', async () => {
    const launched = processes.length;
    const e = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: 4, maxLength: 256 },
    });
    expect(e).toMatchObject({
      backend: 'CPU',
      gpu: false,
      windowSize: 256,
      rowSize: 256,
      basis: 'max-length',
      tokenCounts: null,
      fits: true,
    });
    expect(e.freeBytes).toBeGreaterThan(0);
    expect(e.totalBytes).toBeGreaterThanOrEqual(e.freeBytes);
    expect(e.estimate.device.kvCache).toBeGreaterThan(0);
    expect(e.estimate.host.total).toBe(0);
    // no max length: the data decides at the start, so the estimate is for the longest window
    const open = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: 4 },
    });
    expect(open).toMatchObject({ windowSize: 2048, rowSize: 2048, basis: 'upper-bound' });
    expect(open.estimate.device.activations).toBeGreaterThan(e.estimate.device.activations * 8);
    // a bigger rank costs more adapter and optimizer memory
    const rank64 = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: 64, maxLength: 256 },
    });
    expect(rank64.estimate.device.adapter).toBe(16 * e.estimate.device.adapter);
    // one training process answered the device list for all three
    expect(processes.length - launched).toBe(1);
    // a run from a fine-tune trains that adapter: the estimate takes its rank and modules, not the form's
    const [adapter] = await call<{ id: string; rank: number; targets: string[] }[]>('adapters.list', {});
    const fromAdapter = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: 64, targets: ['q'], maxLength: 256, initAdapterId: adapter!.id },
    });
    const adapterShape = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: adapter!.rank, targets: adapter!.targets, maxLength: 256 },
    });
    expect(adapter!.rank).not.toBe(64);
    expect(fromAdapter.estimate).toEqual(adapterShape.estimate);
    expect(fromAdapter.estimate).not.toEqual(rank64.estimate);
    await expect(call('training.estimate', { baseModelPath: dataPath })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it("plans the estimate's window from a dataset's token counts, as the run plans it", async () => {
    const { job } = await call<{ job: Job }>('models.import', { path: modelPath, name: 'Tiny estimate' });
    const modelId = ((await core.jobs.wait(job.id)).result as { modelId: string }).modelId;
    const d = await call<{ id: string }>('datasets.create', { name: 'Estimate plan' });
    // 24 short chats (well under 256 tokens) and one long one (over 256, under 512)
    for (let i = 0; i < 25; i++) {
      await call('datasets.examples.create', {
        datasetId: d.id,
        messages: [
          { role: 'user', content: i === 24 ? 'tell me everything '.repeat(12) : `question ${i}` },
          { role: 'assistant', content: 'the answer is always lathe' },
        ],
      });
    }
    const input = {
      baseModelId: modelId,
      data: { kind: 'dataset', datasetId: d.id },
      hyperparams: { rank: 4, maxLength: 1024, batchTokens: 1024, epochs: 1, threads: 2, evalFraction: 0 },
    };
    // not counted yet: examples as long as the max length, one row per window
    const before = await call<TrainingEstimate>('training.estimate', input);
    expect(before).toMatchObject({
      windowSize: 1024,
      rowSize: 1024,
      basis: 'max-length',
      tokenCounts: { counted: 0, uncounted: 25 },
    });
    const counted = await core.jobs.wait(
      (await call<Job>('datasets.tokenize', { datasetId: d.id, modelId: modelId })).id,
    );
    expect(counted.state).toBe('succeeded');
    const stats = await call<{ max: number; min: number }>('datasets.stats', { datasetId: d.id, modelId });
    expect(stats.min).toBeLessThan(256);
    expect(stats.max).toBeGreaterThan(256);
    expect(stats.max).toBeLessThanOrEqual(512);
    // counted: rows that hold the longest example (512), so the window attends in 2 rows
    const after = await call<TrainingEstimate>('training.estimate', input);
    expect(after).toMatchObject({
      windowSize: 1024,
      rowSize: 512,
      basis: 'data',
      tokenCounts: { counted: 25, uncounted: 0 },
    });
    expect(after.estimate.device.activations).toBeLessThan(before.estimate.device.activations);
    // a preference run's window holds a pair, both answers (about twice the longest counted example), in one row
    const dpo = await call<TrainingEstimate>('training.estimate', {
      ...input,
      hyperparams: { ...input.hyperparams, method: 'dpo' },
    });
    expect(dpo).toMatchObject({
      windowSize: Math.ceil((2 * stats.max) / 256) * 256,
      rowSize: Math.ceil((2 * stats.max) / 256) * 256,
      basis: 'data',
    });
    // skipping the long example leaves rows of 256
    const skipLong = await call<TrainingEstimate>('training.estimate', {
      ...input,
      hyperparams: { ...input.hyperparams, maxLength: 256 },
    });
    expect(skipLong).toMatchObject({ windowSize: 256, rowSize: 256, basis: 'data' });
    // a file source, or a model given by path, has no counts: the max length decides
    const byPath = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      data: input.data,
      hyperparams: input.hyperparams,
    });
    expect(byPath).toMatchObject({ basis: 'max-length', rowSize: 1024, tokenCounts: null });

    // the run plans the same window and rows, and the same estimate
    const run = await call<TrainingRun>('training.start', { ...input, baseModelId: modelId });
    const done = await waitForJob(run.jobId!);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const { run: finished } = await call<{ run: TrainingRun }>('training.get', { id: run.id });
    expect(finished.device).toMatchObject({ windowSize: after.windowSize, rowSize: after.rowSize });
    expect(finished.device!.estimate.device.activations).toBe(after.estimate.device.activations);
  });

  it('says when this machine has a GPU the trainer build cannot use (asking the probe once)', async () => {
    let probes = 0;
    const gpuMachine = testCore(join(dir.path, 'data-gpu-machine'), {
      hardware: {
        hardware: async () => {
          probes++;
          return {
            cpu: { model: 'test', cores: 2, arch: 'x64' },
            ram: { totalBytes: 8e9, freeBytes: 4e9 },
            gpu: {
              type: 'cuda',
              names: ['NVIDIA Test GPU'],
              vramTotalBytes: 24e9,
              vramFreeBytes: 20e9,
              unifiedMemory: false,
            },
          };
        },
        fit: () => Promise.reject(new Error('not used')),
      },
    });
    try {
      const input = { baseModelPath: modelPath, hyperparams: { rank: 4, maxLength: 256 } };
      const e = await gpuMachine.dispatch('training.estimate', input);
      // this trainer is the CPU build: the run would train on the CPU
      expect(e).toMatchObject({
        ok: true,
        data: { gpu: false, backend: 'CPU', unusedGpu: { backend: 'cuda', name: 'NVIDIA Test GPU' } },
      });
      await gpuMachine.dispatch('training.estimate', { ...input, hyperparams: { rank: 8, maxLength: 256 } });
      expect(probes).toBe(1);
    } finally {
      await gpuMachine.close();
    }
    // a probe that does not answer (the model process starting, or stuck) does not hold the estimate up
    const stuck = testCore(join(dir.path, 'data-stuck-probe'), {
      gpuProbeWaitMs: 300,
      hardware: { hardware: () => new Promise(() => {}), fit: () => Promise.reject(new Error('not used')) },
    });
    try {
      const t0 = performance.now();
      const e = await stuck.dispatch('training.estimate', { baseModelPath: modelPath, hyperparams: { rank: 4 } });
      expect(e).toMatchObject({ ok: true, data: { unusedGpu: null, backend: 'CPU' } });
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      await stuck.close();
    }
    // a machine without a GPU: nothing to say
    const plain = await call<TrainingEstimate>('training.estimate', {
      baseModelPath: modelPath,
      hyperparams: { rank: 4, maxLength: 256 },
    });
    expect(plain.unusedGpu).toBeNull();
  });

  it('refuses bad input before any work, with specific errors', async () => {
    const notGguf = join(dir.path, 'notes.txt');
    writeFileSync(notGguf, 'hello, I am not a model');
    await expect(
      call('training.start', { baseModelPath: notGguf, data: { kind: 'file', path: dataPath } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /not a GGUF/ });

    const bert = join(dir.path, 'bert.gguf');
    new GgufWriter().set('general.architecture', { type: 'str', value: 'bert' }).write(bert);
    await expect(
      call('training.start', { baseModelPath: bert, data: { kind: 'file', path: dataPath } }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', message: /cannot fine-tune the "bert" architecture.*llama/ });

    const [adapter] = await call<{ path: string }[]>('adapters.list', {});
    await expect(
      call('training.start', { baseModelPath: adapter!.path, data: { kind: 'file', path: dataPath } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /adapter, not a base model/ });

    const badData = join(dir.path, 'bad.jsonl');
    writeFileSync(badData, '{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n');
    await expect(
      call('training.start', { baseModelPath: modelPath, data: { kind: 'file', path: badData } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /line 2: not valid JSON/ });

    await expect(
      call('training.start', { baseModelPath: 'relative.gguf', data: { kind: 'file', path: dataPath } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /absolute path/ });
  });

  it('trains on a Lathe dataset from a snapshot of its live examples, splits kept', async () => {
    const dataset = await call<{ id: string }>('datasets.create', { name: 'Train me' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const example = await call<{ id: string }>('datasets.examples.create', {
        datasetId: dataset.id,
        messages: [
          { role: 'user', content: `question number ${i}` },
          { role: 'assistant', content: 'the answer is always lathe' },
        ],
        split: i < 2 ? 'eval' : 'auto',
      });
      ids.push(example.id);
    }
    await call('datasets.examples.bulk', { ids: [ids[11]], action: { kind: 'delete' } });
    await call('datasets.examples.create', {
      datasetId: dataset.id,
      messages: [
        { role: 'user', content: 'use the tool' },
        { role: 'tool', content: '{}' },
        { role: 'assistant', content: 'done' },
      ],
    });
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'dataset', datasetId: dataset.id },
      hyperparams: { ...small, epochs: 1 },
    });
    expect(run).toMatchObject({ dataSource: { kind: 'dataset', datasetId: dataset.id }, name: 'tiny · Train me' });
    const snapshot = readFileSync(join(dir.path, 'data', 'runs', run.id, 'examples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; split?: string });
    expect(snapshot.map((e) => e.id)).toEqual(ids.slice(0, 11));
    expect(snapshot.filter((e) => e.split === 'eval').map((e) => e.id)).toEqual(ids.slice(0, 2));
    // Edits after the start do not change the run's data.
    await call('datasets.examples.bulk', { ids: ids.slice(0, 5), action: { kind: 'delete' } });
    const job = await waitForJob(run.jobId!);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');

    const empty = await call<{ id: string }>('datasets.create', { name: 'Nothing here' });
    await expect(
      call('training.start', { baseModelPath: modelPath, data: { kind: 'dataset', datasetId: empty.id } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /no examples to train on/ });
    await expect(
      call('training.start', { baseModelPath: modelPath, data: { kind: 'dataset', datasetId: 'nope' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fails a dataset with nothing to learn (no assistant answers) with a clear message', async () => {
    const noAnswers = join(dir.path, 'questions.jsonl');
    writeFileSync(noAnswers, JSON.stringify({ messages: [{ role: 'user', content: 'only a question' }] }) + '\n');
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: noAnswers },
      hyperparams: small,
    });
    const job = await waitForJob(run.jobId!);
    expect(job).toMatchObject({
      state: 'failed',
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/No example is left/) },
    });
  });
});

describe('guards of a running fine-tune', () => {
  it('stops a diverging run and says why (NaN loss from overflowing logits)', async () => {
    const wild = join(dir.path, 'wild.gguf');
    writeRandomLlama(wild, { seed: 5, outputGain: 1e37 });
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: wild,
      data: { kind: 'file', path: dataPath },
      hyperparams: small,
    });
    const job = await waitForJob(run.jobId!);
    expect(job).toMatchObject({
      state: 'failed',
      error: {
        code: 'TRAINING_FAILED',
        message: expect.stringMatching(/loss became NaN at step 1; training stopped. No checkpoint had been saved yet/),
      },
    });
    expect(existsSync(join(dir.path, 'data', 'runs', run.id, 'adapter.gguf'))).toBe(false);
  });

  it('refuses to resume when the base model file changed since the run started', async () => {
    const own = join(dir.path, 'changing.gguf');
    writeRandomLlama(own, { seed: 11 });
    const run = await call<TrainingRun>('training.start', {
      baseModelPath: own,
      data: { kind: 'file', path: dataPath },
      hyperparams: small,
    });
    await waitUntil(() => progress.some((p) => p.runId === run.id && p.phase === 'training' && p.step >= 2));
    await call('training.cancel', { id: run.id });
    writeRandomLlama(own, { seed: 12 }); // same shape, other weights: the checkpoint no longer matches
    const resumed = await call<TrainingRun>('training.resume', { id: run.id });
    const job = await waitForJob(resumed.jobId!);
    expect(job).toMatchObject({
      state: 'failed',
      error: { code: 'CONFLICT', message: expect.stringMatching(/base model file changed/) },
    });
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
