import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import type { LoraAdapter, TrainerAddon, TrainingSession } from '../../../../native/index';
import { cpuFallbacks, summarizeOps } from '../../../../native/placement';
import type { TrainingDeviceReport, TrainingProgress } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import type { TemplateContext } from './chatTemplate';
import {
  estimateTrainingMemory,
  gpuMemoryShare,
  hostMemoryShare,
  trainingShapeFromGguf,
  type TrainingShape,
} from './memoryEstimate';
import { prepareExamples } from './prepareExamples';
import { preparePairs } from './preference';
import { readExamplesFile } from './readExamplesFile';
import { learningRateAt, windowSizeFor, windowsPerStep } from './schedule';
import { instructionData, preferenceData, type Evaluation, type StepResult } from './trainingObjectives';
import type { TokenizerPort } from './tokenizeExample';
import type { FromTrainer, TrainerSpec } from './trainerProtocol';
import { planWindow, windowNeeds } from './windowPlan';
import { chatTemplateOf } from '../models/chatFormat';

/** What the caller's schedule needs to resume exactly where a checkpoint was taken. */
interface CheckpointState {
  version: 1;
  /** Optimizer steps completed. */
  step: number;
  totalSteps: number;
  seed: number;
  lastTrainLoss: number | null;
  lastEvalLoss: number | null;
}

/**
 * One fine-tuning run inside the training process: prepare the data with the model's own template
 * and tokenizer, pack it, train step by step with a warmup + decay schedule, evaluate, checkpoint,
 * and save the adapter. Every message to the parent goes through `post`; `signal` cancels between
 * (and inside) steps, after which the last completed step is checkpointed.
 */
export async function runTraining(
  spec: TrainerSpec,
  addon: TrainerAddon,
  post: (message: FromTrainer) => void,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  const hp = spec.hyperparams;
  // A GPU build on a machine with a GPU trains there: every layer offloaded (the scheduler keeps
  // what a backend cannot run on the CPU); a CPU build, or no GPU present, trains on the CPU.
  const gpu = addon.devices().find((d) => d.type === 'gpu' || d.type === 'igpu') ?? null;
  const model = new addon.TrainerModel(spec.baseModelPath, gpu ? { gpuLayers: -1, devices: [gpu.name] } : {});
  let session: TrainingSession | null = null;
  let adapter: LoraAdapter | null = null;
  let completedStep = 0;
  let checkpointed = false;
  let state: CheckpointState | null = null;
  let fromCheckpoint = false;
  const saveCheckpoint = async () => {
    if (!session || !state) return;
    await session.saveCheckpoint(spec.checkpointPath, JSON.stringify(state));
    checkpointed = true;
    post({ type: 'checkpoint', step: state.step });
  };

  try {
    const progress = (
      phase: TrainingProgress['phase'],
      fields: Partial<Omit<TrainingProgress, 'runId' | 'phase'>> = {},
    ) =>
      post({
        type: 'progress',
        progress: {
          phase,
          step: completedStep,
          totalSteps: state?.totalSteps ?? 0,
          epoch: 0,
          trainLoss: state?.lastTrainLoss ?? null,
          evalLoss: state?.lastEvalLoss ?? null,
          learningRate: 0,
          tokensPerSecond: 0,
          etaSeconds: null,
          memoryBytes: process.memoryUsage.rss(),
          ...fields,
        },
      });
    progress('preparing');

    await model.load();
    adapter = new addon.LoraAdapter(model);
    // One read of the GGUF's header and tensor list: the chat template and tokens, and the shape for the memory plan.
    const gguf = await readGgufFileInfo(spec.baseModelPath, { readTensorInfo: true, logWarnings: false });
    const { template, tokenizer } = modelTemplate(gguf, model);
    const examples = readExamplesFile(spec.examplesFile);
    const prepare = {
      maxLength: hp.maxLength ?? 2048,
      overLength: hp.overLength,
      evalFraction: hp.evalFraction,
      seed: hp.seed,
    };
    const pad = tokenizer.bos ?? 0;
    const data =
      hp.method === 'dpo'
        ? preferenceData(preparePairs(examples, template, tokenizer, prepare), hp.dpoBeta, hp.seed)
        : instructionData(prepareExamples(examples, template, tokenizer, prepare), hp.seed);
    // a loop, not Math.max(...): a spread of 100k lengths can overflow the call stack
    const longest = data.lengths.reduce((a, b) => Math.max(a, b), 0);
    // rows must hold the longest example (of either split), not the max length the window allows
    const { needed: neededWindow, rowMin } = windowNeeds(hp.maxLength, longest);
    // a preference run's window holds one pair (both answers): the smallest that holds the longest, one row
    const ownWindow = data.ownWindow ? windowSizeFor(longest) : null;
    const plan = planDevice(
      spec,
      addon,
      gpu,
      trainingShapeFromGguf(gguf),
      ownWindow ?? neededWindow,
      data.trainLengths,
      ownWindow ?? rowMin,
      ownWindow !== null,
    );
    const { windowSize, rowSize } = plan;
    const rows = windowSize / rowSize;
    const objective = data.objective(windowSize, rowSize, pad);
    const perStep = objective.perStep(windowsPerStep(hp.batchTokens, windowSize));
    const stepsPerEpoch = Math.ceil(objective.trainUnits / perStep);
    const totalSteps = Math.max(1, Math.round(stepsPerEpoch * hp.epochs));
    const { lengths, ...report } = data.report;
    post({ type: 'prepared', report, lengths, windowSize, totalSteps, fill: objective.fill });
    post({ type: 'device', device: plan });

    if (spec.resume && existsSync(spec.checkpointPath)) {
      await adapter.create({ rank: hp.rank, alpha: hp.alpha, targets: hp.targets, seed: hp.seed });
      session = new addon.TrainingSession(model, adapter, {
        windowSize,
        rows,
        recordPlacement: gpu !== null,
        ...(hp.threads ? { threads: hp.threads } : {}),
      });
      await session.init();
      const loaded = await session.loadCheckpoint(spec.checkpointPath);
      state = JSON.parse(loaded.state) as CheckpointState;
      if (state.totalSteps !== totalSteps) {
        throw new AppError(
          'CONFLICT',
          'The checkpoint was made with different data or settings; start a new run instead.',
        );
      }
      completedStep = state.step;
      fromCheckpoint = true;
    } else {
      if (spec.initAdapterPath) {
        // training goes on from a fine-tune (a DPO run's reference is then that fine-tune)
        await adapter.load(spec.initAdapterPath);
        const info = adapter.info();
        if (info.rank !== hp.rank || [...info.targets].sort().join() !== [...hp.targets].sort().join()) {
          throw new AppError(
            'INVALID_INPUT',
            `The adapter ${spec.initAdapterPath} has rank ${info.rank} on ${info.targets.join(', ')}, not the run's rank ${hp.rank} on ${hp.targets.join(', ')}.`,
          );
        }
      } else {
        await adapter.create({ rank: hp.rank, alpha: hp.alpha, targets: hp.targets, seed: hp.seed });
      }
      session = new addon.TrainingSession(model, adapter, {
        windowSize,
        rows,
        recordPlacement: gpu !== null,
        ...(hp.threads ? { threads: hp.threads } : {}),
      });
      await session.init();
      state = { version: 1, step: 0, totalSteps, seed: hp.seed, lastTrainLoss: null, lastEvalLoss: null };
    }
    const activeSession = session;
    const onAbort = () => activeSession.abort();
    signal.addEventListener('abort', onAbort);

    const evalEvery = hp.evalEvery > 0 ? hp.evalEvery : Math.max(1, Math.ceil(totalSteps / 10));
    // set by evaluate(), a closure: read through lastEvaluation() so TypeScript does not narrow it to null
    let lastEval: Evaluation | null = null;
    const lastEvaluation = (): Evaluation | null => lastEval;
    let lastTrainAccuracy: number | null = null;
    const evaluate = async (): Promise<number | null> => {
      if (!objective.hasEval) return null;
      progress('evaluating');
      try {
        lastEval = await objective.evaluate(activeSession);
        return lastEval?.loss ?? null;
      } catch (error) {
        // Cancelled while evaluating: the step before it is done and will be checkpointed, so it
        // must still be reported (a resume starts after it); the loop then stops.
        if (signal.aborted) return state?.lastEvalLoss ?? null;
        throw error;
      }
    };
    // A checkpoint from before the first step (a run stopped while scoring its pairs) still holds
    // the fresh adapter: it starts as a new run would.
    await objective.start(activeSession, spec.runDir, fromCheckpoint && state.step > 0, (done, total) =>
      progress('scoring', { phaseProgress: { done, total } }),
    );
    if (state.step === 0 && !spec.resume) state.lastEvalLoss = await evaluate();

    let lastCheckpointAt = Date.now();
    let bestLoss = Number.POSITIVE_INFINITY;
    let usefulTokens = 0;
    let trainingSeconds = 0;
    let stepsThisSession = 0;
    let peakMemory = process.memoryUsage.rss();
    while (state.step < totalSteps) {
      if (signal.aborted) break;
      const step = state.step;
      const t0 = performance.now();
      let result: StepResult;
      try {
        result = await objective.step(activeSession, step, perStep, stepsPerEpoch);
      } catch (error) {
        if (signal.aborted) break;
        // The addon refuses a non-finite loss itself, before it can reach the gradients.
        if (/not finite/i.test((error as Error).message))
          throw diverged(step, Number.NaN, state.step, existsSync(spec.checkpointPath));
        throw error;
      }
      const lr = learningRateAt(step, totalSteps, hp);
      await activeSession.optimizerStep({ lr, maxGradNorm: hp.maxGradNorm, weightDecay: hp.weightDecay });
      const seconds = (performance.now() - t0) / 1000;
      const loss = result.loss;
      lastTrainAccuracy = result.accuracy ?? null;
      if (!Number.isFinite(loss) || (bestLoss < Number.POSITIVE_INFINITY && loss > Math.max(20, bestLoss * 8))) {
        throw diverged(step, loss, state.step, existsSync(spec.checkpointPath));
      }
      bestLoss = Math.min(bestLoss, loss);
      state.step = completedStep = step + 1;
      state.lastTrainLoss = loss;
      usefulTokens += result.nTokens;
      trainingSeconds += seconds;
      peakMemory = Math.max(peakMemory, process.memoryUsage.rss());
      if (stepsThisSession === 0) {
        // After the first step the scheduler's buffers hold the largest graph (forward + backward):
        // report what was really allocated, and any node a GPU backend could not take.
        post({ type: 'device', device: measured(plan, activeSession, gpu !== null, addon) });
      }
      if (state.step % evalEvery === 0 || state.step === totalSteps) state.lastEvalLoss = await evaluate();
      stepsThisSession++;
      const secondsPerStep = trainingSeconds / stepsThisSession;
      progress('training', {
        step: state.step,
        totalSteps,
        epoch: state.step / stepsPerEpoch,
        trainLoss: loss,
        evalLoss: state.lastEvalLoss,
        learningRate: lr,
        tokensPerSecond: result.nTokens / seconds,
        etaSeconds: secondsPerStep * (totalSteps - state.step),
        memoryBytes: process.memoryUsage.rss(),
        ...(hp.method === 'dpo'
          ? { rewardAccuracy: { train: lastTrainAccuracy, eval: lastEvaluation()?.accuracy ?? null } }
          : {}),
      });
      const epochEnd = state.step % stepsPerEpoch === 0;
      if (epochEnd || Date.now() - lastCheckpointAt > spec.checkpointEverySeconds * 1000) {
        await saveCheckpoint();
        lastCheckpointAt = Date.now();
      }
    }
    signal.removeEventListener('abort', onAbort);

    if (signal.aborted) {
      await saveCheckpoint();
      post({ type: 'cancelled', step: completedStep, checkpoint: checkpointed });
      return;
    }
    progress('saving', { step: state.step, totalSteps });
    await saveCheckpoint();
    await adapter.save(spec.adapterPath, { 'general.name': `Lathe run ${spec.runId}`, 'lathe.run_id': spec.runId });
    const info = adapter.info();
    post({
      type: 'done',
      summary: {
        finalTrainLoss: state.lastTrainLoss,
        finalEvalLoss: state.lastEvalLoss,
        trainExamples: data.trainCount,
        evalExamples: data.evalCount,
        skippedTooLong: data.report.tooLong.length,
        thinkingExamples: data.report.thinking,
        ...(data.withoutRejected !== null
          ? {
              preference: {
                withoutRejected: data.withoutRejected,
                evalRewardAccuracy: lastEvaluation()?.accuracy ?? null,
                evalRewardMargin: lastEvaluation()?.margin ?? null,
                trainRewardAccuracy: lastTrainAccuracy,
              },
            }
          : {}),
        usefulTokensPerSecond: trainingSeconds > 0 ? usefulTokens / trainingSeconds : 0,
        peakMemoryBytes: peakMemory,
        seconds: (Date.now() - started) / 1000,
      },
      adapter: { rank: info.rank, alpha: info.alpha, sizeBytes: statSync(spec.adapterPath).size },
    });
  } catch (error) {
    const data = toAppErrorData(asTrainingError(error, completedStep, existsSync(spec.checkpointPath)));
    try {
      await saveCheckpoint();
    } catch {
      // The failure may be the disk itself; the previous checkpoint stays.
    }
    post({ type: 'failed', error: data, checkpoint: checkpointed || existsSync(spec.checkpointPath) });
  } finally {
    session?.dispose();
    if (adapter && !adapter.disposed) adapter.dispose();
    if (!model.disposed) model.dispose();
  }
}

/**
 * Where the run trains, with which window, and what that should cost, before the first step. The
 * window and its rows come from planWindow (windowPlan.ts, which the estimate before a run uses
 * too): on a GPU the largest window whose estimate fits in 90 % of the device memory that was free
 * once the weights were loaded. A resumed run keeps the window it started with (its batches and
 * checkpoint depend on it). Fails with UNSUPPORTED when not even the data's own window fits.
 */
function planDevice(
  spec: TrainerSpec,
  addon: TrainerAddon,
  gpu: ReturnType<TrainerAddon['devices']>[number] | null,
  shape: TrainingShape,
  needed: number,
  lengths: readonly number[],
  rowMin: number,
  ownWindow = false,
): TrainingDeviceReport {
  const hp = spec.hyperparams;
  const lora = { shape, rank: hp.rank, targets: hp.targets };
  const planFile = join(spec.runDir, 'window.json');
  const saved = spec.resume && existsSync(planFile) ? readSavedWindow(planFile) : null;
  // Asked again now that the weights are loaded: the free memory is what the run has left.
  const devices = addon.devices();
  const now = gpu ? devices.find((d) => d.name === gpu.name) : null;
  const cpu = devices.find((d) => d.type === 'cpu');
  let windowSize = saved?.windowSize ?? needed;
  let rowSize = saved?.rowSize ?? windowSize;
  if (gpu && now && saved === null && !ownWindow) {
    const atNeeded = estimateTrainingMemory({ ...lora, windowSize: needed, offload: true });
    // The weights are on the device already: what is free now plus them is the budget.
    const gpuBudget = gpuMemoryShare * now.memoryFree + atNeeded.device.weights;
    const best = planWindow({ lora, lengths, needed, rowMin, gpuBudget, batchTokens: hp.batchTokens });
    if (best === null) throw gpuTooSmall(gpu.description, atNeeded.device.total, now.memoryFree, needed);
    ({ windowSize, rowSize } = best);
  } else if (saved === null && !ownWindow) {
    rowSize = planWindow({ lora, lengths, needed, rowMin, gpuBudget: null, batchTokens: hp.batchTokens })!.rowSize;
  }
  const estimate = estimateTrainingMemory({ ...lora, windowSize, rowSize, offload: gpu !== null });
  // a window of its own (a preference run's) is not grown, but must still fit
  if (gpu && now && saved === null && ownWindow) {
    if (estimate.device.total > gpuMemoryShare * now.memoryFree + estimate.device.weights)
      throw gpuTooSmall(gpu.description, estimate.device.total, now.memoryFree, windowSize);
  }
  // The host must hold what stays there; on the CPU that is everything. More than the machine has
  // can only end in the system killing the training process: say so now.
  const hostNeeds = gpu ? estimate.host.total : estimate.device.total;
  if (cpu && cpu.memoryTotal > 0 && hostNeeds > hostMemoryShare * cpu.memoryTotal) {
    throw new AppError(
      'UNSUPPORTED',
      `Training this model needs about ${gib(hostNeeds)} of memory for windows of ${windowSize} tokens, more than ` +
        `this machine has (${gib(cpu.memoryTotal)}). Lower the maximum length or the LoRA rank, or train a smaller ` +
        'or more quantized model.',
      { neededBytes: hostNeeds, totalBytes: cpu.memoryTotal, windowSize },
    );
  }
  if (!saved) writeFileSync(planFile, JSON.stringify({ windowSize, rowSize }));
  return {
    backend: gpu?.name ?? 'CPU',
    description: gpu?.description ?? cpu?.description ?? 'CPU',
    gpu: gpu !== null,
    windowSize,
    rowSize,
    neededWindowSize: needed,
    freeBytes: now?.memoryFree ?? null,
    totalBytes: now?.memoryTotal ?? null,
    estimate,
    measured: null,
    cpuFallbacks: null,
    decomposedOps: null,
  };
}

/** The window (and rows) a run planned; a plan from before rows existed is one row per window. */
function readSavedWindow(file: string): { windowSize: number; rowSize: number } | null {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { windowSize?: unknown; rowSize?: unknown };
    const w = saved.windowSize;
    if (!(typeof w === 'number' && Number.isInteger(w) && w >= 256 && w % 256 === 0)) return null;
    const r = saved.rowSize ?? w;
    return typeof r === 'number' && Number.isInteger(r) && r >= 256 && w % r === 0
      ? { windowSize: w, rowSize: r }
      : null;
  } catch {
    return null;
  }
}

/** The plan with what the first step really allocated, and the nodes a GPU backend left to the CPU. */
function measured(
  plan: TrainingDeviceReport,
  session: TrainingSession,
  gpu: boolean,
  addon: TrainerAddon,
): TrainingDeviceReport {
  const memory = session.memory().map(({ host: _host, ...row }) => row);
  return {
    ...plan,
    measured: memory,
    cpuFallbacks: gpu ? summarizeOps(cpuFallbacks(session.nodePlacement())) : {},
    decomposedOps: addon.backwardDecomposed().map((op) => op.toUpperCase()),
  };
}

function gpuTooSmall(description: string, needed: number, free: number, windowSize: number): AppError {
  return new AppError(
    'UNSUPPORTED',
    `Training this model on ${description} needs about ${gib(needed)} of GPU memory ` +
      `for windows of ${windowSize} tokens, and ${gib(free)} is free after loading the weights. ` +
      'Lower the maximum length or the LoRA rank, close other programs using the GPU, or train a smaller model.',
    { neededBytes: needed, freeBytes: free, windowSize },
  );
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The error of a run whose loss became NaN or blew up at (0-based) `step`. */
function diverged(step: number, loss: number, lastGood: number, hasCheckpoint: boolean): AppError {
  return new AppError(
    'TRAINING_FAILED',
    `The loss ${Number.isFinite(loss) ? 'exploded' : 'became NaN'} at step ${step + 1}; training stopped. ` +
      (hasCheckpoint ? `The last good checkpoint (step ${lastGood}) was kept.` : 'No checkpoint had been saved yet.') +
      ' Try a lower learning rate.',
    { step: step + 1, loss: Number.isFinite(loss) ? loss : null },
  );
}

function asTrainingError(error: unknown, completedStep: number, hasCheckpoint: boolean): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // The addon refuses a non-finite loss itself (in training or evaluation), before it reaches the weights.
  if (/not finite/i.test(message)) return diverged(completedStep, Number.NaN, completedStep, hasCheckpoint);
  if (code === 'LOAD_FAILED')
    return new AppError('INVALID_INPUT', `The base model could not be loaded for training: ${message}`);
  if (code === 'IO') return new AppError('IO_ERROR', message);
  return new AppError('TRAINING_FAILED', message);
}

/** The chat template and tokenizer of the base model, from its GGUF metadata and the addon. */
function modelTemplate(
  info: Awaited<ReturnType<typeof readGgufFileInfo>>,
  model: InstanceType<TrainerAddon['TrainerModel']>,
): { template: TemplateContext; tokenizer: TokenizerPort } {
  const tok = (info.metadata as { tokenizer?: { ggml?: Record<string, unknown> } }).tokenizer;
  const tokens = (tok?.ggml?.tokens as string[] | undefined) ?? [];
  const bosId = typeof tok?.ggml?.bos_token_id === 'number' ? tok.ggml.bos_token_id : null;
  const eosId = typeof tok?.ggml?.eos_token_id === 'number' ? tok.ggml.eos_token_id : null;
  const addBos = tok?.ggml?.add_bos_token === undefined ? bosId !== null : Boolean(tok.ggml.add_bos_token);
  const template: TemplateContext = {
    template: chatTemplateOf(info.metadata),
    bosToken: bosId !== null ? (tokens[bosId] ?? '') : '',
    eosToken: eosId !== null ? (tokens[eosId] ?? '') : '',
  };
  const tokenizer: TokenizerPort = {
    tokenize: (text) => Array.from(model.tokenize(text, false, true)),
    detokenize: (ids) => model.detokenize(Int32Array.from(ids), true),
    bos: bosId,
    addBos,
  };
  return { template, tokenizer };
}
