import type { ChatMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { renderTrainingChat, trainsThought } from '../models/reasoning';
import { endOfTurnMarker, type TemplateContext } from './chatTemplate';
import { packWindows, type TrainingWindow } from './packWindows';
import { emptyReport, splitEval, type PrepareOptions, type PrepareReport, type SourceExample } from './prepareExamples';
import { tokenizeExample, type TokenizedExample, type TokenizerPort } from './tokenizeExample';

/**
 * Preference training (DPO, Rafailov et al. 2023) for LoRA: an example with a rejected answer is a
 * pair, the chat ending in its answer (chosen) and the same chat ending in the rejected one. The
 * reference model is the base itself: a fresh adapter's B is zero, so the policy before the first
 * step is the base, and its log-probabilities of every pair are taken once, then kept.
 *
 * Per pair, with log-probabilities of the answers' tokens (π the fine-tune, ref the base):
 *   Δ = (log π(chosen) − log ref(chosen)) − (log π(rejected) − log ref(rejected))
 *   loss = −log σ(β·Δ)
 * and its gradient is β·σ(−β·Δ) · (∇NLL(chosen) − ∇NLL(rejected)). A pair is one window with
 * both answers, the rejected one's labels weighted −1 (the addon's `labelWeights`): its loss is
 * NLL(chosen) − NLL(rejected), so Δ = reference − loss, and its gradient is the bracket above. The
 * addon weighs that gradient by β·σ(−β·Δ) from the loss it has just computed (`preference`), so a
 * step is one forward + backward pass per pair, as an instruction step is per example.
 */

export interface PreparedPair {
  id: string;
  chosen: TokenizedExample;
  rejected: TokenizedExample;
}

export interface PreparedPairs {
  train: PreparedPair[];
  eval: PreparedPair[];
  report: PrepareReport & {
    /** Examples without a rejected answer, left out of a preference run. */
    withoutRejected: number;
  };
}

/** The chat of `messages` with its last (assistant) turn replaced by `answer`. */
export function withAnswer(messages: readonly ChatMessage[], answer: string): ChatMessage[] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant') throw new Error("the last turn is not the assistant's");
  return [...messages.slice(0, -1), { ...last, content: answer }];
}

/**
 * The preference pairs of `source`: both sides rendered with the model's chat template and
 * tokenized (only the last answer is learned: every earlier turn is context for both), the
 * length policy applied to both, and an eval share drawn when the data has no eval split.
 */
export function preparePairs(
  source: readonly SourceExample[],
  template: TemplateContext,
  tokenizer: TokenizerPort,
  options: PrepareOptions,
): PreparedPairs {
  const report: PreparedPairs['report'] = { ...emptyReport(0), withoutRejected: 0 };
  endOfTurnMarker(template);
  const kept: { pair: PreparedPair; split: SourceExample['split'] }[] = [];
  for (const item of source) {
    if (item.rejected === undefined || item.rejected.trim() === '') {
      report.withoutRejected++;
      continue;
    }
    report.total++;
    let sides: [TokenizedExample, TokenizedExample];
    try {
      const rejected = withAnswer(item.messages, item.rejected);
      sides = [
        lastAnswerOnly(tokenizeExample(renderTrainingChat(template, item.messages), tokenizer)),
        lastAnswerOnly(tokenizeExample(renderTrainingChat(template, rejected), tokenizer)),
      ];
    } catch (error) {
      report.invalid.push({ id: item.id, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const longest = Math.max(sides[0].tokens.length, sides[1].tokens.length);
    if (longest > options.maxLength) {
      if (options.overLength === 'skip') {
        report.tooLong.push({ id: item.id, tokens: longest });
        continue;
      }
      sides = sides.map((s) => ({
        tokens: s.tokens.slice(0, options.maxLength),
        mask: s.mask.slice(0, options.maxLength),
      })) as [TokenizedExample, TokenizedExample];
      report.truncated++;
    }
    // both answers must keep a token to score (position 0 is never a label)
    if (!sides.every((s) => s.mask.subarray(1).some((m) => m === 1))) {
      report.noAnswer.push(item.id);
      continue;
    }
    kept.push({ pair: { id: item.id, chosen: sides[0], rejected: sides[1] }, split: item.split });
    report.lengths.push(sides[0].tokens.length, sides[1].tokens.length);
    if (trainsThought(template, item.messages)) report.thinking++;
  }
  if (kept.length === 0) throw new AppError('INVALID_INPUT', noPairs(report, options.maxLength), { report });

  const { train, evaluation } = splitEval(
    kept.map((k) => ({ item: k.pair, split: k.split })),
    options,
  );
  if (train.length === 0) {
    throw new AppError('INVALID_INPUT', 'Every preference pair is in the eval split: none is left to train on.', {
      report,
    });
  }
  for (const p of train) {
    for (const side of [p.chosen, p.rejected]) {
      report.trainTokens += side.tokens.length;
      report.trainLabels += side.mask.subarray(1).reduce((s, m) => s + m, 0);
    }
  }
  return { train, eval: evaluation, report };
}

/**
 * Keeps the mask on the last answer only: DPO compares the two answers to the same chat, so the
 * earlier answers (the same on both sides) are context, not part of either side's log-probability.
 */
function lastAnswerOnly(example: TokenizedExample): TokenizedExample {
  const mask = example.mask.slice();
  let end = mask.length;
  while (end > 0 && mask[end - 1] === 0) end--;
  let start = end;
  while (start > 0 && mask[start - 1] === 1) start--;
  mask.fill(0, 0, start);
  return { tokens: example.tokens, mask };
}

function noPairs(report: PreparedPairs['report'], maxLength: number): string {
  if (report.total === 0) {
    return report.withoutRejected > 0
      ? `No preference pair to train on: none of the ${report.withoutRejected} examples has a rejected answer. ` +
          'Vote in Compare and add the result to the dataset, or give examples a rejected answer in the editor.'
      : 'No preference pair to train on: the data has none.';
  }
  const n = (count: number, what: string) => `${count} ${count === 1 ? 'is' : 'are'} ${what}`;
  const causes = [
    report.tooLong.length > 0 ? n(report.tooLong.length, `longer than the max length (${maxLength} tokens)`) : '',
    report.noAnswer.length > 0 ? n(report.noAnswer.length, 'without an answer token to score') : '',
    report.invalid.length > 0
      ? `${n(report.invalid.length, 'refused by the chat template')} (${report.invalid[0]!.reason.replace(/\.$/, '')})`
      : '',
  ].filter(Boolean);
  return `No preference pair is left to train on: of ${report.total}, ${causes.join('; ')}.`;
}

/** A pair's window: both answers packed, the rejected one's labels weighted −1 (`labelWeights`). */
export interface PairWindow extends TrainingWindow {
  /** +1 at the chosen answer's labels, −1 at the rejected one's (1 where nothing is labelled). */
  labelWeights: Float32Array;
}

/**
 * One window per pair, both answers in it as two sequences (attention never crosses them), the
 * chosen answer's labels weighted +1 and the rejected one's −1: the window's loss is
 * NLL(chosen) − NLL(rejected), and its gradient ∇NLL(chosen) − ∇NLL(rejected), DPO's direction.
 * `windowSize` must hold the longest pair (both sides).
 */
export function pairWindows(pairs: readonly PreparedPair[], windowSize: number, padToken: number): PairWindow[] {
  return pairs.map((p) => {
    const [w] = packWindows([p.chosen, p.rejected], { windowSize, padToken, maxExamplesPerWindow: 2 });
    if (!w || w.examples.length !== 2) throw new Error(`the pair ${p.id} does not fit a ${windowSize}-token window`);
    // sequence ids follow the packing order: the rejected answer is sequence examples.indexOf(1)
    const rejectedSeq = w.examples.indexOf(1);
    const labelWeights = Float32Array.from(w.seqIds, (s) => (s === rejectedSeq ? -1 : 1));
    return { ...w, labelWeights };
  });
}

export interface DpoStep {
  /** Mean −log σ(β·Δ) over the pairs. */
  loss: number;
  /** Each pair's gradient weight, β·σ(−β·Δ)/pairs (the trainer takes the same from the window's own loss). */
  weights: number[];
  /** Share of pairs with Δ > 0. */
  accuracy: number;
  /** Mean β·Δ. */
  margin: number;
}

/**
 * The DPO loss of pairs whose windows scored `policy` now and `reference` under the base, each
 * NLL(chosen) − NLL(rejected) per pair (a pair window's loss): Δ = reference − policy.
 */
export function dpoStep(policy: ArrayLike<number>, reference: ArrayLike<number>, beta: number): DpoStep {
  if (policy.length !== reference.length || policy.length === 0)
    throw new Error(`dpoStep: ${policy.length} policy and ${reference.length} reference scores do not match`);
  const pairs = policy.length;
  const weights: number[] = [];
  let loss = 0;
  let wins = 0;
  let margin = 0;
  for (let i = 0; i < pairs; i++) {
    const delta = reference[i]! - policy[i]!;
    const z = beta * delta;
    loss += softplus(-z);
    weights.push((beta * sigmoid(-z)) / pairs);
    if (delta > 0) wins++;
    margin += z;
  }
  return { loss: loss / pairs, weights, accuracy: wins / pairs, margin: margin / pairs };
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
