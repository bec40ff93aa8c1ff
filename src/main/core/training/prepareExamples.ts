import type { ChatMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { renderTrainingChat, trainsThought } from '../models/reasoning';
import { endOfTurnMarker, type TemplateContext } from './chatTemplate';
import { seededRandom, shuffled } from './random';
import { tokenizeExample, type TokenizedExample, type TokenizerPort } from './tokenizeExample';

export interface PrepareOptions {
  /** Longest example in tokens (a window is at least this long). */
  maxLength: number;
  /** What to do with longer examples: skip them (default) or cut them at `maxLength`. */
  overLength: 'skip' | 'truncate';
  /** Share of examples drawn for evaluation when the data has no eval split (0.05 by default). */
  evalFraction?: number;
  seed: number;
}

export interface SourceExample {
  id: string;
  messages: ChatMessage[];
  split?: 'train' | 'eval' | 'auto';
  /** A rejected answer to the last turn: with `messages`, a preference pair (DPO runs). */
  rejected?: string;
}

export interface PreparedExample extends TokenizedExample {
  id: string;
}

export interface PrepareReport {
  total: number;
  /** Examples longer than `maxLength` that were skipped, with their lengths. */
  tooLong: { id: string; tokens: number }[];
  truncated: number;
  /** Examples with no assistant tokens (nothing to learn), skipped. */
  noAnswer: string[];
  /** Examples the chat template refused, skipped, with the reason. */
  invalid: { id: string; reason: string }[];
  trainTokens: number;
  trainLabels: number;
  /** Token length of every kept example, for the length histogram. */
  lengths: number[];
  /** Kept examples that teach thinking (an answer opening with its thought; trained with thinking on). */
  thinking: number;
}

export interface PreparedData {
  train: PreparedExample[];
  eval: PreparedExample[];
  report: PrepareReport;
}

/**
 * Renders every example with the model's chat template, tokenizes it with the model's tokenizer,
 * masks everything but the assistant answers, applies the length policy and splits off an eval
 * set when the data has none.
 */
export function prepareExamples(
  source: readonly SourceExample[],
  template: TemplateContext,
  tokenizer: TokenizerPort,
  options: PrepareOptions,
): PreparedData {
  const report = emptyReport(source.length);
  // A template that does not parse fails every example the same way: say so once, as what it is.
  endOfTurnMarker(template);
  const kept: { example: PreparedExample; split: SourceExample['split'] }[] = [];
  for (const item of source) {
    let tokenized: TokenizedExample;
    try {
      tokenized = tokenizeExample(renderTrainingChat(template, item.messages), tokenizer);
    } catch (error) {
      report.invalid.push({ id: item.id, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    let { tokens, mask } = tokenized;
    if (tokens.length > options.maxLength) {
      if (options.overLength === 'skip') {
        report.tooLong.push({ id: item.id, tokens: tokens.length });
        continue;
      }
      tokens = tokens.slice(0, options.maxLength);
      mask = mask.slice(0, options.maxLength);
      report.truncated++;
    }
    // Position 0 is never a label (nothing precedes it).
    if (!mask.subarray(1).some((m) => m === 1)) {
      report.noAnswer.push(item.id);
      continue;
    }
    kept.push({ example: { id: item.id, tokens, mask }, split: item.split });
    report.lengths.push(tokens.length);
    if (trainsThought(template, item.messages)) report.thinking++;
  }
  if (kept.length === 0) throw new AppError('INVALID_INPUT', nothingLeft(report, options.maxLength), { report });

  const { train, evaluation } = splitEval(
    kept.map((k) => ({ item: k.example, split: k.split })),
    options,
  );
  for (const e of train) {
    report.trainTokens += e.tokens.length;
    report.trainLabels += e.mask.subarray(1).reduce((s, m) => s + m, 0);
  }
  return { train, eval: evaluation, report };
}

/** A report with nothing counted yet. */
export function emptyReport(total: number): PrepareReport {
  return {
    total,
    tooLong: [],
    truncated: 0,
    noAnswer: [],
    invalid: [],
    trainTokens: 0,
    trainLabels: 0,
    lengths: [],
    thinking: 0,
  };
}

/**
 * The kept items by their split; when none is marked eval and there are at least 20, an eval share
 * (`evalFraction`, 5 % by default, at least one) drawn at random with the run's seed.
 */
export function splitEval<T extends { id: string }>(
  kept: readonly { item: T; split: SourceExample['split'] }[],
  options: Pick<PrepareOptions, 'evalFraction' | 'seed'>,
): { train: T[]; evaluation: T[] } {
  let train = kept.filter((k) => k.split !== 'eval').map((k) => k.item);
  let evaluation = kept.filter((k) => k.split === 'eval').map((k) => k.item);
  if (evaluation.length === 0 && kept.length >= 20) {
    const count = Math.max(1, Math.round(train.length * (options.evalFraction ?? 0.05)));
    evaluation = shuffled(train, seededRandom(options.seed ^ 0x5eed)).slice(0, count);
    const chosen = new Set(evaluation.map((e) => e.id));
    train = train.filter((e) => !chosen.has(e.id));
  }
  return { train, evaluation };
}

/** Why no example is left, by cause: "No example is left to train on: of 40, 38 are longer than …". */
function nothingLeft(report: PrepareReport, maxLength: number): string {
  const n = (count: number, what: string) => `${count} ${count === 1 ? 'is' : 'are'} ${what}`;
  const causes = [
    report.tooLong.length > 0 ? n(report.tooLong.length, `longer than the max length (${maxLength} tokens)`) : '',
    report.noAnswer.length > 0 ? n(report.noAnswer.length, 'without an assistant answer to learn') : '',
    report.invalid.length > 0
      ? `${n(report.invalid.length, 'refused by the chat template')} (${report.invalid[0]!.reason.replace(/\.$/, '')})`
      : '',
  ].filter(Boolean);
  if (causes.length === 0) return 'No example is left to train on: the data has none.';
  return `No example is left to train on: of ${report.total}, ${causes.join('; ')}.`;
}
