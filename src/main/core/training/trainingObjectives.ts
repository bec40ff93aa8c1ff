import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingSession, TrainingWindow as NativeWindow } from '../../../../native/index';
import { AppError } from '../../../shared/errors';
import { fillRatio, packWindows, type TrainingWindow } from './packWindows';
import type { PreparedData, PrepareReport } from './prepareExamples';
import { dpoStep, pairWindows, type PairWindow, type PreparedPairs } from './preference';
import { seededRandom, shuffled } from './random';

/** One optimizer step's forward and backward work, done; the optimizer update is the caller's. */
export interface StepResult {
  /** The step's loss (mean token cross-entropy, or mean DPO loss). */
  loss: number;
  /** Answer tokens processed (useful tokens, for tokens/s). */
  nTokens: number;
  /** Preference runs: share of the step's pairs ranked right. */
  accuracy?: number;
}

export interface Evaluation {
  loss: number;
  accuracy?: number;
  margin?: number;
}

/** What a run optimizes, on windows it packed: instruction answers (SFT) or preference pairs (DPO). */
export interface Objective {
  /** Units a step draws from (windows, or pairs) in one epoch. */
  trainUnits: number;
  /** Units per optimizer step, from the windows the token budget allows. */
  perStep(windows: number): number;
  fill: number;
  hasEval: boolean;
  /** Before the first step: a preference run scores its pairs with the base (or reads that score back). */
  start(
    session: TrainingSession,
    runDir: string,
    fromCheckpoint: boolean,
    onProgress: (done: number, total: number) => void,
  ): Promise<void>;
  /** Forward + backward of step `step` (gradients accumulated in the session), not the update. */
  step(session: TrainingSession, step: number, perStep: number, stepsPerEpoch: number): Promise<StepResult>;
  evaluate(session: TrainingSession): Promise<Evaluation | null>;
}

/** The prepared data of a run, before its window is planned. */
export interface RunData {
  report: PrepareReport;
  /** Token length of every training sequence (for the window plan). */
  trainLengths: number[];
  /** Every sequence's length, both splits (the window must hold the longest). */
  lengths: number[];
  trainCount: number;
  evalCount: number;
  /** A window per sequence (no packing, no rows): preference runs. */
  ownWindow: boolean;
  /** Examples left out for having no rejected answer (preference runs), null otherwise. */
  withoutRejected: number | null;
  objective(windowSize: number, rowSize: number, padToken: number): Objective;
}

/** Supervised fine-tuning: packed windows of chats, every answer token learned. */
export function instructionData(prepared: PreparedData, seed: number): RunData {
  const all = [...prepared.train, ...prepared.eval];
  return {
    report: prepared.report,
    trainLengths: prepared.train.map((e) => e.tokens.length),
    lengths: all.map((e) => e.tokens.length),
    trainCount: prepared.train.length,
    evalCount: prepared.eval.length,
    ownWindow: false,
    withoutRejected: null,
    objective(windowSize, rowSize, padToken) {
      const train = packWindows(prepared.train, { windowSize, rowSize, padToken });
      const evaluation = prepared.eval.length > 0 ? packWindows(prepared.eval, { windowSize, rowSize, padToken }) : [];
      return {
        trainUnits: train.length,
        perStep: (windows) => windows,
        fill: fillRatio(train),
        hasEval: evaluation.length > 0,
        start: async () => {},
        async step(session, step, perStep, stepsPerEpoch) {
          const batch = unitsForStep(train, step, perStep, stepsPerEpoch, seed);
          const r = await session.forwardBackward(batch.map(toNative));
          return { loss: r.nTokens > 0 ? r.lossSum / r.nTokens : 0, nTokens: r.nTokens };
        },
        async evaluate(session) {
          const r = await session.evaluate(evaluation.map(toNative));
          return r.nTokens > 0 ? { loss: r.lossSum / r.nTokens } : null;
        },
      };
    },
  };
}

/**
 * Direct Preference Optimization (preference.ts): a window per pair, its loss NLL(chosen) −
 * NLL(rejected); the addon weighs each pair's gradient by DPO's factor from that loss and the
 * base's. The base model's scores are taken once, before the first step, and kept in the run
 * folder (`references.json`) so that a resumed run goes on against the same reference.
 */
export function preferenceData(pairs: PreparedPairs, beta: number, seed: number): RunData {
  const all = [...pairs.train, ...pairs.eval];
  const pairLength = (p: PreparedPairs['train'][number]) => p.chosen.tokens.length + p.rejected.tokens.length;
  return {
    report: pairs.report,
    trainLengths: pairs.train.map(pairLength),
    lengths: all.map(pairLength),
    trainCount: pairs.train.length,
    evalCount: pairs.eval.length,
    ownWindow: true,
    withoutRejected: pairs.report.withoutRejected,
    objective(windowSize, _rowSize, padToken) {
      const train = pairWindows(pairs.train, windowSize, padToken);
      const evaluation = pairWindows(pairs.eval, windowSize, padToken);
      let refTrain: Float64Array | null = null;
      let refEval: Float64Array | null = null;
      const native = (w: PairWindow) => ({ ...toNative(w), labelWeights: w.labelWeights });
      return {
        trainUnits: train.length,
        perStep: (windows) => windows,
        fill: fillRatio(train),
        hasEval: evaluation.length > 0,
        async start(session, runDir, fromCheckpoint, onProgress) {
          const file = join(runDir, 'references.json');
          const ids = all.map((p) => p.id);
          if (fromCheckpoint) {
            const saved = readReferences(file, ids);
            if (!saved) {
              throw new AppError(
                'CONFLICT',
                "The base model's scores of this run's pairs are missing; start a new run instead.",
              );
            }
            refTrain = saved.subarray(0, train.length);
            refEval = saved.subarray(train.length);
            return;
          }
          // the adapter is fresh (B = 0): the policy is the base, the reference
          const windows = [...train, ...evaluation].map(native);
          const r = await session.evaluate(windows, (p) => onProgress(p.windowsDone, p.windowsTotal));
          writeFileSync(file, JSON.stringify({ version: 2, ids, scores: Array.from(r.losses) }));
          refTrain = r.losses.subarray(0, train.length);
          refEval = r.losses.subarray(train.length);
        },
        async step(session, step, perStep, stepsPerEpoch) {
          const chosen = unitsForStep([...train.keys()], step, perStep, stepsPerEpoch, seed);
          const scale = 1 / chosen.length;
          const r = await session.forwardBackward(
            chosen.map((i) => ({ ...native(train[i]!), preference: { reference: refTrain![i]!, beta, scale } })),
          );
          const dpo = dpoStep(
            r.losses,
            chosen.map((i) => refTrain![i]!),
            beta,
          );
          return { loss: dpo.loss, nTokens: r.nTokens, accuracy: dpo.accuracy };
        },
        async evaluate(session) {
          if (evaluation.length === 0) return null;
          const now = await session.evaluate(evaluation.map(native));
          const dpo = dpoStep(now.losses, refEval!, beta);
          return { loss: dpo.loss, accuracy: dpo.accuracy, margin: dpo.margin };
        },
      };
    },
  };
}

/** The references saved for exactly these pairs (same ids, same order), or null. */
function readReferences(file: string, ids: readonly string[]): Float64Array | null {
  if (!existsSync(file)) return null;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; ids?: unknown; scores?: unknown };
    if (saved.version !== 2 || !Array.isArray(saved.ids) || !Array.isArray(saved.scores)) return null;
    if (saved.ids.length !== ids.length || saved.ids.some((id, i) => id !== ids[i])) return null;
    const scores = saved.scores as unknown[];
    if (scores.length !== ids.length || !scores.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
    return Float64Array.from(scores as number[]);
  } catch {
    return null;
  }
}

/**
 * The units (windows, or pairs) of optimizer step `step`: each epoch visits every unit once in an
 * order drawn from the seed and the epoch number, so a resumed run sees exactly the same batches.
 */
export function unitsForStep<T>(
  units: readonly T[],
  step: number,
  perStep: number,
  stepsPerEpoch: number,
  seed: number,
): T[] {
  const epoch = Math.floor(step / stepsPerEpoch);
  const order = shuffled([...units.keys()], seededRandom(seed + epoch * 7919));
  const start = (step % stepsPerEpoch) * perStep;
  return order.slice(start, start + perStep).map((i) => units[i]!);
}

export function toNative(w: TrainingWindow): NativeWindow {
  return { tokens: w.tokens, labels: w.labels, positions: w.positions, seqIds: w.seqIds };
}
