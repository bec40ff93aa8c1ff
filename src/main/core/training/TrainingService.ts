import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import {
  finishedJobStates,
  hyperparamsSchema,
  trainableArchitectures,
  type Adapter,
  type Hyperparams,
  type HyperparamsInput,
  type Job,
  type TrainingDataSource,
  type TrainingEstimate,
  type TrainingEstimateBasis,
  type TrainingMetricPoint,
  type TrainingRun,
} from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { TrainingRepo } from '../db/repos/TrainingRepo';
import type { EventBus } from '../EventBus';
import { sha256File } from '../fileHash';
import type { JobContext, JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import type { SourceExample } from './prepareExamples';
import { readExamplesFile } from './readExamplesFile';
import type { TrainerLauncher } from './TrainerLauncher';
import { estimateTrainingMemory, gpuMemoryShare, hostMemoryShare, trainingShapeFromGguf } from './memoryEstimate';
import type { FromTrainer, TrainerDevice, TrainerSpec } from './trainerProtocol';
import { windowSizeFor } from './schedule';
import { planWindow, trainedLengths, windowNeeds } from './windowPlan';

export interface TrainingServiceOptions {
  repo: TrainingRepo;
  jobs: JobRunner;
  events: EventBus;
  logger: Logger;
  launcher: TrainerLauncher;
  dataDir: string;
  /** Absolute path of the trainer addon, passed to the process. */
  addonPath?: string;
  /** Checkpoint at least this often, seconds (default 300). */
  checkpointEverySeconds?: number;
  /** The examples of a dataset to train on, read at start (`data.kind === 'dataset'`). */
  datasetSnapshot?: (datasetId: string) => { name: string; examples: SourceExample[] };
  /**
   * A library model's display name and file (`baseModelId`); throws NOT_FOUND when the id is
   * unknown or its file is gone.
   */
  resolveModel?: (modelId: string) => { name: string; path: string };
  /**
   * A dataset's cached token counts for a library model (its live examples', rendered with that
   * model's chat template) and how many have none yet, null for an unknown dataset: for the
   * estimate's window plan.
   */
  datasetTokenCounts?: (datasetId: string, modelId: string) => { counts: number[]; uncounted: number } | null;
  /** The machine's GPU as the model runtime sees it (node-llama-cpp's probe), null without one. */
  machineGpu?: () => Promise<MachineGpu | null>;
  /** How long an estimate waits for that probe, ms (default 10,000: the model process may be starting). */
  machineGpuWaitMs?: number;
}

/** A GPU of this machine: its llama.cpp backend and device names. */
export interface MachineGpu {
  type: 'cuda' | 'vulkan' | 'metal';
  names: string[];
}

interface RunArgs {
  runId: string;
  resume: boolean;
}

const jobKind = 'training.run';

/**
 * Fine-tuning runs: validates the request, snapshots the data, runs the trainer in its own process
 * as a job, records per-step metrics and the finished adapter. One run trains at a time.
 */
export class TrainingService {
  readonly #o: TrainingServiceOptions;

  constructor(options: TrainingServiceOptions) {
    this.#o = options;
    const interrupted = options.repo.interruptUnfinished(Date.now());
    if (interrupted > 0) options.logger.warn('training runs interrupted by the last shutdown', { count: interrupted });
    options.jobs.register<RunArgs, unknown>(jobKind, (args, ctx) => this.#run(args, ctx));
    // Mirror the job's final state onto its run (cancelled, interrupted, failed, succeeded).
    options.events.subscribe((event, payload) => {
      if (event !== 'jobs.updated') return;
      const job = payload as Job;
      if (job.kind !== jobKind || !finishedJobStates.includes(job.state)) return;
      const { runId } = this.#o.jobs.args(job.id) as RunArgs;
      this.#o.repo.update(runId, { state: job.state, error: job.error, finishedAt: job.finishedAt });
    });
  }

  /** The defaults a new run gets, for the UI to show. */
  defaults() {
    return hyperparamsSchema.parse({});
  }

  /**
   * Starts a run on a base model given by library id (`baseModelId`) or by path
   * (`baseModelPath`), exactly one of them; the run records the model's path either way.
   */
  async start(input: {
    name?: string | undefined;
    baseModelId?: string | undefined;
    baseModelPath?: string | undefined;
    data: TrainingDataSource;
    hyperparams?: HyperparamsInput | undefined;
  }): Promise<TrainingRun> {
    this.#assertIdle();
    const hyperparams = this.#withInitAdapterShape(hyperparamsSchema.parse(input.hyperparams ?? {}));
    const base = this.#baseModel(input);
    checkBaseModel(base.path);
    await checkTrainableArchitecture(base.path);
    const { examples, label } = this.#examples(input.data);
    if (hyperparams.method === 'dpo' && !examples.some((e) => e.rejected !== undefined && e.rejected.trim() !== '')) {
      throw new AppError(
        'INVALID_INPUT',
        `Preference training (DPO) needs examples with a rejected answer, and ${label} has none of its ${examples.length}. ` +
          'Vote in Compare and add the result to the dataset, or give examples a rejected answer in the editor.',
        { reason: 'no-pairs' },
      );
    }
    const id = randomUUID();
    const runDir = this.#runDir(id);
    mkdirSync(runDir, { recursive: true });
    const snapshot = examples.map((e) => JSON.stringify(e)).join('\n') + '\n';
    writeFileSync(join(runDir, 'examples.jsonl'), snapshot);
    this.#o.repo.insertRun({
      id,
      name: input.name?.trim() || `${base.name} · ${label}`,
      baseModelPath: base.path,
      dataSource: input.data,
      dataSha256: createHash('sha256').update(snapshot).digest('hex'),
      hyperparams,
      checkpointPath: join(runDir, 'checkpoint.gguf'),
      now: Date.now(),
    });
    return this.#launch(id, false);
  }

  /**
   * What a run of this base model with these settings would need, and where: the trainer's own
   * device list (asked of a short-lived training process, cached for 30 s) and the GGUF's tensors.
   * The window and its rows are planned as the run plans them (windowPlan.ts) from the examples'
   * token lengths when a dataset has them counted for this library model; otherwise from the max
   * length, with examples assumed that long; without either, for the most the data can need (its
   * longest example, at most 2048 tokens).
   */
  async estimate(input: {
    baseModelId?: string | undefined;
    baseModelPath?: string | undefined;
    data?: TrainingDataSource | undefined;
    hyperparams?: HyperparamsInput | undefined;
  }): Promise<TrainingEstimate> {
    const hp = this.#withInitAdapterShape(hyperparamsSchema.parse(input.hyperparams ?? {}));
    const base = this.#baseModel(input);
    checkBaseModel(base.path);
    await checkTrainableArchitecture(base.path);
    const info = await readGgufFileInfo(base.path, { readTensorInfo: true, logWarnings: false });
    const shape = trainingShapeFromGguf(info);
    // the machine's GPU only matters when the trainer build cannot use it; a failed probe says nothing
    const [devices, machineGpu] = await Promise.all([this.#trainerDevices(), this.#machineGpu()]);
    const gpu = devices.find((d) => d.type === 'gpu' || d.type === 'igpu') ?? null;
    const cpu = devices.find((d) => d.type === 'cpu') ?? null;
    const lora = { shape, rank: hp.rank, targets: hp.targets };

    const tokenCounts =
      input.data?.kind === 'dataset' && input.baseModelId !== undefined && this.#o.datasetTokenCounts
        ? this.#o.datasetTokenCounts(input.data.datasetId, input.baseModelId)
        : null;
    const lengths =
      tokenCounts && tokenCounts.uncounted === 0 ? trainedLengths(tokenCounts.counts, hp.maxLength, hp.overLength) : [];
    const basis: TrainingEstimateBasis =
      lengths.length > 0 ? 'data' : hp.maxLength !== undefined ? 'max-length' : 'upper-bound';
    // Unknown lengths: examples as long as the window allows, the most memory per token.
    const longest = lengths.length > 0 ? lengths.reduce((a, b) => Math.max(a, b), 0) : (hp.maxLength ?? 2048);
    const { needed, rowMin } = windowNeeds(hp.maxLength, longest);
    // A preference run's window holds one pair, both answers: about twice the example the counts
    // measured (its rejected answer is not counted), in one row, never grown.
    const pairWindow = hp.method === 'dpo' ? windowSizeFor(2 * longest) : null;
    const planned =
      pairWindow !== null
        ? { windowSize: pairWindow, rowSize: pairWindow }
        : planWindow({
            lora,
            lengths: lengths.length > 0 ? lengths : [rowMin],
            needed,
            rowMin,
            gpuBudget: gpu ? gpuMemoryShare * gpu.memoryFree : null,
            batchTokens: hp.batchTokens,
          });
    // null: not even the data's own window fits the GPU; say what that window needs
    const { windowSize, rowSize } = planned ?? { windowSize: needed, rowSize: needed };
    const estimate = estimateTrainingMemory({ ...lora, windowSize, rowSize, offload: gpu !== null });
    const device = gpu ?? cpu;
    const hostTotal = cpu?.memoryTotal ?? 0;
    const fits = gpu
      ? planned !== null &&
        (pairWindow === null || estimate.device.total <= gpuMemoryShare * gpu.memoryFree) &&
        (hostTotal === 0 || estimate.host.total <= hostMemoryShare * hostTotal)
      : hostTotal === 0 || estimate.device.total <= hostMemoryShare * hostTotal;
    return {
      backend: device?.name ?? 'CPU',
      description: device?.description ?? 'CPU',
      gpu: gpu !== null,
      freeBytes: device?.memoryFree ?? 0,
      totalBytes: device?.memoryTotal ?? 0,
      windowSize,
      rowSize,
      basis,
      tokenCounts: tokenCounts ? { counted: tokenCounts.counts.length, uncounted: tokenCounts.uncounted } : null,
      unusedGpu:
        gpu === null && machineGpu
          ? { backend: machineGpu.type, name: machineGpu.names[0] ?? machineGpu.type.toUpperCase() }
          : null,
      estimate,
      fits,
    };
  }

  /**
   * A run that goes on from a fine-tune (`initAdapterId`) trains that adapter as it is: its rank,
   * alpha and modules win over the form's (NOT_FOUND when it is gone).
   */
  #withInitAdapterShape(hyperparams: Hyperparams): Hyperparams {
    if (hyperparams.initAdapterId === undefined) return hyperparams;
    const from = this.#initAdapter(hyperparams.initAdapterId);
    return { ...hyperparams, rank: from.rank, alpha: from.alpha, targets: from.targets };
  }

  #gpuProbe: Promise<MachineGpu | null> | null = null;

  /**
   * The machine's GPU, asked once (a machine keeps its GPU); a failed probe is asked again next
   * time. The estimate waits for it at most `machineGpuWaitMs`; it goes on without it after that.
   */
  #machineGpu(): Promise<MachineGpu | null> {
    if (!this.#o.machineGpu) return Promise.resolve(null);
    this.#gpuProbe ??= this.#o.machineGpu().catch(() => {
      this.#gpuProbe = null;
      return null;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#o.machineGpuWaitMs ?? 10_000);
      timer.unref();
    });
    return Promise.race([this.#gpuProbe, late]).finally(() => clearTimeout(timer));
  }

  #devices: { at: number; list: Promise<TrainerDevice[]> } | null = null;

  /** The trainer build's devices, from a training process that lists them and exits. */
  #trainerDevices(): Promise<TrainerDevice[]> {
    if (this.#devices && Date.now() - this.#devices.at < 30_000) return this.#devices.list;
    const list = new Promise<TrainerDevice[]>((resolve, reject) => {
      const proc = this.#o.launcher();
      let done = false;
      const timer = setTimeout(() => {
        proc.kill();
        finish(() => reject(new AppError('TRAINING_FAILED', 'The training process did not list its devices in time.')));
      }, 30_000);
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        f();
      };
      proc.onMessage((message) => {
        if (message.type === 'devices') finish(() => resolve(message.devices));
        if (message.type === 'failed')
          finish(() => reject(new AppError(message.error.code, message.error.message, message.error.details)));
      });
      proc.onExit((code, signal) =>
        finish(() =>
          reject(
            new AppError(
              'TRAINING_FAILED',
              `The training process stopped before listing its devices (${signal ? `signal ${signal}` : `exit code ${code}`}).`,
              { stderr: proc.stderrTail() },
            ),
          ),
        ),
      );
      proc.send({ type: 'devices', ...(this.#o.addonPath ? { addonPath: this.#o.addonPath } : {}) });
    });
    this.#devices = { at: Date.now(), list };
    list.catch(() => {
      this.#devices = null;
    });
    return list;
  }

  #baseModel(input: { baseModelId?: string | undefined; baseModelPath?: string | undefined }): {
    name: string;
    path: string;
  } {
    if (input.baseModelId !== undefined && input.baseModelPath !== undefined) {
      throw new AppError('INVALID_INPUT', 'Give either a library model or a base model path, not both.');
    }
    if (input.baseModelId !== undefined) {
      if (!this.#o.resolveModel) throw new AppError('UNSUPPORTED', 'The model library is not available in this host.');
      return this.#o.resolveModel(input.baseModelId);
    }
    if (input.baseModelPath === undefined) {
      throw new AppError('INVALID_INPUT', 'Choose a base model: a library model or the path of a GGUF file.');
    }
    return { name: basename(input.baseModelPath).replace(/\.gguf$/i, ''), path: input.baseModelPath };
  }

  /** The library adapter a run starts from; NOT_FOUND when it or its file is gone. */
  #initAdapter(adapterId: string): Adapter {
    const adapter = this.#o.repo.adapters().find((a) => a.id === adapterId);
    if (!adapter) throw new AppError('NOT_FOUND', `No fine-tune ${adapterId} to start from.`, { adapterId });
    if (!existsSync(adapter.path)) {
      throw new AppError('NOT_FOUND', `The file of the fine-tune "${adapter.name}" is gone (${adapter.path}).`, {
        adapterId,
        path: adapter.path,
      });
    }
    return adapter;
  }

  #examples(data: TrainingDataSource): { examples: SourceExample[]; label: string } {
    if (data.kind === 'file') {
      return { examples: readExamplesFile(checkAbsolute(data.path, 'data file')), label: basename(data.path) };
    }
    if (!this.#o.datasetSnapshot) throw new AppError('UNSUPPORTED', 'Datasets are not available in this host.');
    const { name, examples } = this.#o.datasetSnapshot(data.datasetId);
    return { examples, label: name };
  }

  resume(runId: string): TrainingRun {
    const run = this.#get(runId);
    if (!['cancelled', 'interrupted', 'failed'].includes(run.state)) {
      throw new AppError('CONFLICT', `The run "${run.name}" is ${run.state}; only a stopped run can be resumed.`);
    }
    if (!run.checkpointPath || !existsSync(run.checkpointPath)) {
      throw new AppError('CONFLICT', `The run "${run.name}" has no checkpoint to resume from; start it again instead.`);
    }
    this.#assertIdle();
    return this.#launch(runId, true);
  }

  async cancel(runId: string): Promise<TrainingRun> {
    const run = this.#get(runId);
    if (!run.jobId || !['queued', 'running'].includes(run.state)) {
      throw new AppError('CONFLICT', `The run "${run.name}" is not running (${run.state}).`);
    }
    await this.#o.jobs.cancel(run.jobId);
    return this.get(runId).run;
  }

  list(): TrainingRun[] {
    return this.#o.repo.listRuns().map((run) => this.#withResumable(run));
  }

  get(runId: string): { run: TrainingRun; metrics: TrainingMetricPoint[] } {
    return { run: this.#withResumable(this.#get(runId)), metrics: this.#o.repo.metrics(runId) };
  }

  adapters(filter: { baseModelSha256?: string } = {}): Adapter[] {
    return this.#o.repo.adapters(filter);
  }

  #launch(runId: string, resume: boolean): TrainingRun {
    const run = this.#get(runId);
    const job = this.#o.jobs.start<RunArgs>(jobKind, { runId, resume }, `Fine-tune ${run.name}`);
    this.#o.repo.update(runId, { state: 'running', jobId: job.id, error: null, finishedAt: null });
    return this.#withResumable(this.#get(runId));
  }

  async #run(args: RunArgs, ctx: JobContext): Promise<{ runId: string; adapterId: string | null }> {
    const { repo, events, logger } = this.#o;
    const run = this.#get(args.runId);
    const emit = (progress: Omit<Parameters<typeof events.emit<'training.progress'>>[1], 'runId'>) =>
      events.emit('training.progress', { runId: run.id, ...progress });

    ctx.onProgress({ progress: 0, message: 'Checking the base model…' });
    if (!existsSync(run.baseModelPath)) {
      throw new AppError(
        'NOT_FOUND',
        `The base model ${run.baseModelPath} is gone; it was moved or deleted since the run started.`,
      );
    }
    const size = statSync(run.baseModelPath).size;
    const sha = await sha256File(run.baseModelPath, {
      signal: ctx.signal,
      size,
      onProgress: (f) => ctx.onProgress({ progress: 0, message: `Checking the base model… ${Math.round(f * 100)}%` }),
    });
    if (run.baseModelSha256 && run.baseModelSha256 !== sha) {
      throw new AppError(
        'CONFLICT',
        'The base model file changed since this run started; its checkpoint belongs to the old file. Start a new run.',
      );
    }
    repo.update(run.id, { baseModelSha256: sha });
    const from = run.hyperparams.initAdapterId !== undefined ? this.#initAdapter(run.hyperparams.initAdapterId) : null;
    if (from && from.baseModelSha256 !== sha) {
      throw new AppError(
        'INVALID_INPUT',
        `The fine-tune "${from.name}" was trained on another model; start from it with its own base model.`,
        { adapterId: from.id, reason: 'other-base' },
      );
    }

    const spec: TrainerSpec = {
      runId: run.id,
      ...(this.#o.addonPath ? { addonPath: this.#o.addonPath } : {}),
      baseModelPath: run.baseModelPath,
      examplesFile: join(this.#runDir(run.id), 'examples.jsonl'),
      runDir: this.#runDir(run.id),
      adapterPath: join(this.#runDir(run.id), 'adapter.gguf'),
      checkpointPath: run.checkpointPath ?? join(this.#runDir(run.id), 'checkpoint.gguf'),
      hyperparams: run.hyperparams,
      ...(from ? { initAdapterPath: from.path } : {}),
      resume: args.resume,
      checkpointEverySeconds: this.#o.checkpointEverySeconds ?? 300,
    };

    const proc = this.#o.launcher();
    let final: FromTrainer | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      proc.onExit((code, signal) => resolve({ code, signal })),
    );
    const onAbort = () => {
      proc.send({ type: 'cancel' });
      // A process that does not stop within 30 s is killed; its last checkpoint remains.
      killTimer = setTimeout(() => proc.kill(), 30_000);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    proc.onMessage((message) => {
      switch (message.type) {
        case 'prepared':
          repo.update(run.id, { totalSteps: message.totalSteps });
          logger.info('training data prepared', {
            runId: run.id,
            windowSize: message.windowSize,
            totalSteps: message.totalSteps,
            fill: message.fill,
            ...message.report,
          });
          break;
        case 'progress': {
          const p = message.progress;
          emit(p);
          const eta = p.etaSeconds === null ? '' : ` · ${formatDuration(p.etaSeconds)} left`;
          const loss = p.trainLoss === null ? '' : ` · loss ${p.trainLoss.toFixed(3)}`;
          ctx.onProgress({
            progress: p.totalSteps > 0 ? p.step / p.totalSteps : 0,
            message:
              p.phase === 'training'
                ? `Step ${p.step}/${p.totalSteps}${loss} · ${Math.round(p.tokensPerSecond)} tok/s${eta}`
                : p.phase === 'scoring'
                  ? `Scoring the pairs with the base model…${p.phaseProgress ? ` ${p.phaseProgress.done}/${p.phaseProgress.total}` : ''}`
                  : `${capitalize(p.phase)}…`,
          });
          if (p.phase === 'training' || (p.phase === 'evaluating' && p.step === 0)) {
            repo.update(run.id, { step: p.step, totalSteps: p.totalSteps });
            repo.addMetric(run.id, {
              step: p.step,
              epoch: p.epoch,
              trainLoss: p.trainLoss,
              evalLoss: p.evalLoss,
              learningRate: p.learningRate,
              tokensPerSecond: p.tokensPerSecond,
            });
          }
          break;
        }
        case 'device':
          repo.update(run.id, { device: message.device });
          events.emit('training.device', { runId: run.id });
          break;
        case 'checkpoint':
          break;
        default:
          final = message;
      }
    });
    proc.send({ type: 'start', spec });
    const exit = await ended;
    ctx.signal.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
    const result = final as FromTrainer | null;

    if (result?.type === 'done') {
      const adapter: Adapter = {
        id: randomUUID(),
        name: run.name,
        path: spec.adapterPath,
        baseModelPath: run.baseModelPath,
        baseModelSha256: sha,
        runId: run.id,
        rank: result.adapter.rank,
        alpha: result.adapter.alpha,
        targets: run.hyperparams.targets,
        sizeBytes: result.adapter.sizeBytes,
        createdAt: Date.now(),
      };
      repo.insertAdapter(adapter);
      repo.update(run.id, { summary: { ...result.summary, adapterId: adapter.id } });
      return { runId: run.id, adapterId: adapter.id };
    }
    if (result?.type === 'cancelled' || ctx.signal.aborted) throw new AppError('CANCELLED', 'Training was cancelled.');
    if (result?.type === 'failed')
      throw new AppError(result.error.code, result.error.message, {
        ...(result.error.details as object),
        resumable: result.checkpoint,
      });
    throw new AppError(
      'TRAINING_FAILED',
      `The training process stopped unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}). Lathe kept running; resume from the last checkpoint.`,
      {
        stderr: proc.stderrTail(),
      },
    );
  }

  #get(runId: string) {
    const run = this.#o.repo.getRun(runId);
    if (!run) throw new AppError('NOT_FOUND', `No training run with id ${runId}.`, { id: runId });
    return run;
  }

  #withResumable(run: TrainingRun & { checkpointPath?: string | null }): TrainingRun {
    const {
      checkpointPath,
      dataSha256: _sha,
      ...rest
    } = run as TrainingRun & { checkpointPath?: string | null; dataSha256?: string };
    const resumable =
      ['cancelled', 'interrupted', 'failed'].includes(run.state) && !!checkpointPath && existsSync(checkpointPath);
    return { ...rest, resumable };
  }

  #assertIdle(): void {
    const running = this.#o.jobs.list({ kind: jobKind, states: ['queued', 'running'] });
    if (running.length > 0)
      throw new AppError('BUSY', 'A fine-tune is already running; wait for it or cancel it first.');
  }

  #runDir(runId: string): string {
    return join(this.#o.dataDir, 'runs', runId);
  }
}

function checkAbsolute(path: string, what: string): string {
  if (!isAbsolute(path)) throw new AppError('INVALID_INPUT', `The ${what} must be an absolute path; got "${path}".`);
  return path;
}

/** Refuses what is not a GGUF file, or not an architecture the trainer supports, before any work. */
function checkBaseModel(path: string): void {
  checkAbsolute(path, 'base model');
  if (!existsSync(path)) throw new AppError('NOT_FOUND', `The base model ${path} does not exist.`);
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (magic.toString('latin1') !== 'GGUF')
    throw new AppError('INVALID_INPUT', `${basename(path)} is not a GGUF model file.`);
}

/** Checks the architecture from GGUF metadata (async: reads the header). */
export async function checkTrainableArchitecture(path: string): Promise<string> {
  let architecture: string | undefined;
  try {
    const info = await readGgufFileInfo(path, { readTensorInfo: false });
    architecture = (info.metadata as { general?: { architecture?: string; type?: string } }).general?.architecture;
    if ((info.metadata as { general?: { type?: string } }).general?.type === 'adapter') {
      throw new AppError('INVALID_INPUT', `${basename(path)} is a LoRA adapter, not a base model.`);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_INPUT', `${basename(path)} is not a readable GGUF model: ${(error as Error).message}`);
  }
  if (!architecture || !(trainableArchitectures as readonly string[]).includes(architecture)) {
    throw new AppError(
      'UNSUPPORTED',
      `Lathe cannot fine-tune the "${architecture ?? 'unknown'}" architecture yet. It trains: ${trainableArchitectures.join(', ')}.`,
      { architecture },
    );
  }
  return architecture;
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
