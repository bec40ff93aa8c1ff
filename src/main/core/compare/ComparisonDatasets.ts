import { randomUUID } from 'node:crypto';
import type { CompareSide } from '../../../shared/compare';
import { exampleMessagesSchema, type DatasetExample, type ExampleMessage } from '../../../shared/datasets';
import type { ChatMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/openDatabase';
import type { DatasetsRepo } from '../datasets/DatasetsRepo';
import type { DatasetsService } from '../datasets/DatasetsService';
import type { ComparisonRecord } from './CompareRepo';

/** What a comparison's answer becomes in a dataset, and which answer it was. */
export interface ToDatasetInput {
  datasetId: string;
  /** Which answer to keep; default the ideal answer, else the voted winner. */
  answer?: 'ideal' | CompareSide | undefined;
}

/**
 * Comparisons into instruction datasets, through the datasets service and its repo: the chosen (or
 * edited) answer after the comparison's context, the losing answer as `rejected` when the vote
 * named a winner, `source: 'comparison'` and `sourceRef.comparisonId` linking back. Adding the
 * same comparison to the same dataset again updates that example (its old version goes to the
 * example's history, so it can be undone).
 */
export class ComparisonDatasets {
  constructor(
    private readonly o: {
      db: Db;
      service: Pick<DatasetsService, 'get' | 'example' | 'changed' | 'updateExample' | 'exampleIds'>;
      repo: Pick<DatasetsRepo, 'transaction' | 'exampleInserter' | 'touchDataset'>;
    },
  ) {}

  add(c: ComparisonRecord, input: ToDatasetInput): DatasetExample {
    const { chosen, rejected } = pick(c, input.answer);
    const parsed = exampleMessagesSchema.safeParse([...c.messages, { role: 'assistant', content: chosen }]);
    if (!parsed.success) {
      throw new AppError('INVALID_INPUT', 'This comparison cannot become an example.', { reason: 'bad-messages' });
    }
    const messages: ExampleMessage[] = parsed.data;
    this.o.service.get(input.datasetId);
    const existing = this.#linked(c.id, input.datasetId);
    if (existing) return this.o.service.updateExample(existing, { messages, rejected });
    const id = randomUUID();
    this.o.repo.transaction(() => {
      const now = Date.now();
      this.o.repo.exampleInserter()({
        id,
        datasetId: input.datasetId,
        messages,
        rejected,
        source: 'comparison',
        sourceRef: { comparisonId: c.id },
        tags: [],
        split: 'auto',
        note: c.reason ?? '',
        createdAt: now,
      });
      this.o.repo.touchDataset(input.datasetId, now);
    });
    this.o.service.changed(input.datasetId, 'examples');
    return this.o.service.example(id);
  }

  /** Live examples made from a comparison, oldest first. */
  examplesOf(comparisonId: string): string[] {
    return (
      this.o.db
        .prepare(
          `SELECT id FROM dataset_examples WHERE source = 'comparison' AND deleted_at IS NULL
             AND json_extract(source_ref, '$.comparisonId') = ? ORDER BY seq`,
        )
        .all(comparisonId) as { id: string }[]
    ).map((r) => r.id);
  }

  /**
   * The prompts of a dataset's eval split for a batch review: each example's turns up to its last
   * user turn (system prompt included). Examples without a user turn are skipped.
   */
  evalPrompts(datasetId: string): { exampleId: string; messages: ChatMessage[] }[] {
    const { ids } = this.o.service.exampleIds({ datasetId, filter: { splits: ['eval'] } });
    const prompts: { exampleId: string; messages: ChatMessage[] }[] = [];
    for (const id of ids.slice(0, 1000)) {
      const turns = this.o.service.example(id).messages;
      const last = turns.map((m) => m.role).lastIndexOf('user');
      if (last < 0) continue;
      const messages = turns
        .slice(0, last + 1)
        .filter(
          (m): m is ExampleMessage & { role: ChatMessage['role'] } => m.role !== 'tool' && m.content.trim() !== '',
        )
        .map((m) => ({ role: m.role, content: m.content }));
      if (messages.at(-1)?.role === 'user') prompts.push({ exampleId: id, messages });
    }
    return prompts;
  }

  #linked(comparisonId: string, datasetId: string): string | null {
    const row = this.o.db
      .prepare(
        `SELECT id FROM dataset_examples WHERE dataset_id = ? AND source = 'comparison' AND deleted_at IS NULL
           AND json_extract(source_ref, '$.comparisonId') = ? ORDER BY seq DESC LIMIT 1`,
      )
      .get(datasetId, comparisonId) as { id: string } | undefined;
    return row?.id ?? null;
  }
}

function pick(c: ComparisonRecord, answer: ToDatasetInput['answer']): { chosen: string; rejected: string | null } {
  const winner = c.vote === 'a' || c.vote === 'b' ? c.vote : null;
  const loserText = winner ? c.answers[winner === 'a' ? 'b' : 'a'].content : null;
  const usable = (t: string | null | undefined): t is string => !!t && t.trim().length > 0;
  if (answer === 'a' || answer === 'b') {
    const text = c.answers[answer].content;
    if (!usable(text))
      throw new AppError('CONFLICT', `Answer ${answer.toUpperCase()} is empty.`, { reason: 'empty-answer' });
    const other = c.answers[answer === 'a' ? 'b' : 'a'].content;
    return { chosen: text, rejected: winner === answer && usable(other) ? other : null };
  }
  if (usable(c.idealAnswer)) return { chosen: c.idealAnswer, rejected: usable(loserText) ? loserText : null };
  if (answer === 'ideal')
    throw new AppError('CONFLICT', 'There is no ideal answer to add.', { reason: 'no-ideal-answer' });
  if (winner && usable(c.answers[winner].content)) {
    return { chosen: c.answers[winner].content, rejected: usable(loserText) ? loserText : null };
  }
  throw new AppError('CONFLICT', 'Vote for an answer or edit one into the ideal answer first.', {
    reason: 'no-chosen-answer',
  });
}
