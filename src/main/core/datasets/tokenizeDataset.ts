import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Llama } from 'node-llama-cpp';
import type { ExampleMessage } from '../../../shared/datasets';
import type { ChatMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { JobContext } from '../jobs/JobRunner';
import { renderTrainingChat } from '../models/reasoning';
import { renderChat, type TemplateContext } from '../training/chatTemplate';
import { chatTemplateOf } from '../models/chatFormat';
import type { DatasetsRepo } from './DatasetsRepo';

/** Counts the tokens an example takes for one model: its chat template, rendered and tokenized. */
export interface TokenCounter {
  count(messages: readonly ExampleMessage[]): number;
  dispose(): Promise<void>;
}

export type OpenTokenCounter = (modelPath: string) => Promise<TokenCounter>;

/**
 * Token counters from node-llama-cpp: the model is loaded vocabulary-only (no weights, a few MB),
 * the conversation rendered with the GGUF's chat template exactly as training renders it, and
 * tokenized with special tokens parsed; BOS is counted when the model adds one. An example the
 * template refuses (e.g. tool turns a template does not know) is counted as its plain text.
 */
export function llamaTokenCounter(getLlama: () => Promise<Llama>): OpenTokenCounter {
  return async (modelPath) => {
    const llama = await getLlama();
    const model = await llama.loadModel({ modelPath, vocabOnly: true }).catch((error: unknown) => {
      throw new AppError('INVALID_INPUT', `The model's vocabulary could not be loaded: ${(error as Error).message}`);
    });
    const bosId = model.tokens.bos;
    const template: TemplateContext = {
      template: chatTemplateOf(model.fileInfo.metadata),
      bosToken: model.tokens.bosString ?? '',
      eosToken: model.tokens.eosString ?? '',
    };
    const addBos = model.tokens.shouldPrependBosToken && bosId !== null;
    return {
      count(messages) {
        let text: string;
        try {
          // What training tokenizes: folded system prompts, the last answer in its prompt's context.
          text = renderTrainingChat(template, messages as ChatMessage[]).text;
        } catch {
          try {
            text = renderChat(template, messages as ChatMessage[], false);
          } catch {
            text = messages.map((m) => m.content).join('\n');
          }
        }
        const ids = model.tokenize(text, true);
        return ids.length + (addBos && ids[0] !== bosId ? 1 : 0);
      },
      dispose: () => model.dispose(),
    };
  };
}

export interface TokenizeArgs {
  datasetId: string;
  modelId: string;
}

/**
 * Counts and caches the tokens of every live example of a dataset that has no count for this model
 * yet, a slice at a time (one transaction per slice, a turn of the event loop between slices).
 * Answers how many were counted now and how many are counted in all.
 */
export async function tokenizeDataset(
  repo: DatasetsRepo,
  counter: TokenCounter,
  args: TokenizeArgs,
  context: Pick<JobContext, 'signal' | 'onProgress'>,
): Promise<{ counted: number; total: number; seconds: number }> {
  const started = Date.now();
  const todo = repo.countUncounted(args.datasetId, args.modelId);
  const write = repo.tokenWriter();
  let after = 0;
  let counted = 0;
  for (;;) {
    if (context.signal.aborted) throw new AppError('CANCELLED', 'Token counting was cancelled.');
    const rows = repo.uncounted(args.datasetId, args.modelId, after, 500);
    if (rows.length === 0) break;
    const counts = rows.map((r) => counter.count(JSON.parse(r.messages) as ExampleMessage[]));
    repo.transaction(() => rows.forEach((r, i) => write(r.id, counts[i]!, args.modelId)));
    counted += rows.length;
    after = rows.at(-1)!.seq;
    const seconds = (Date.now() - started) / 1000;
    const rate = counted / Math.max(seconds, 0.001);
    context.onProgress({
      progress: Math.min(0.99, counted / Math.max(todo, 1)),
      message: `${counted} of ${todo} examples · ${Math.round(rate)}/s · about ${Math.ceil((todo - counted) / Math.max(rate, 1))} s left`,
    });
    await nextTurn();
  }
  return { counted, total: repo.liveCount(args.datasetId), seconds: (Date.now() - started) / 1000 };
}
