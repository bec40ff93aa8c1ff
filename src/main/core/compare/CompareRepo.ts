import type {
  AnswerStatus,
  BatchState,
  ChatPreference,
  CompareMode,
  CompareSide,
  CompareVote,
  StoredContender,
} from '../../../shared/compare';
import type { ChatMessage, GenerationStats } from '../../../shared/domain';
import type { AppErrorData } from '../../../shared/errors';
import type { Db } from '../db/openDatabase';

/** One side's answer as stored. */
export interface StoredAnswer {
  content: string;
  status: AnswerStatus;
  error: AppErrorData | null;
  stats: GenerationStats | null;
}

/** A comparison as stored, with everything the renderer may or may not see. */
export interface ComparisonRecord {
  id: string;
  batchId: string | null;
  position: number;
  messages: ChatMessage[];
  blind: boolean;
  /** True when side `a` shows the second contender picked. */
  swapped: boolean;
  mode: CompareMode;
  modeReason: string | null;
  contenders: Record<CompareSide, StoredContender>;
  answers: Record<CompareSide, StoredAnswer>;
  vote: CompareVote | null;
  reason: string | null;
  idealAnswer: string | null;
  sourceDatasetId: string | null;
  sourceExampleId: string | null;
  createdAt: number;
  votedAt: number | null;
}

export interface BatchRecord {
  id: string;
  name: string;
  jobId: string | null;
  blind: boolean;
  /** As picked, first and second. */
  contenders: StoredContender[];
  sourceDatasetId: string | null;
  state: BatchState;
  createdAt: number;
}

export interface BatchCounts {
  total: number;
  generated: number;
  voted: number;
}

/** Filters of the results and exports: voted comparisons in a time window, from a dataset or batch. */
export interface VotedFilter {
  datasetId?: string | undefined;
  batchId?: string | undefined;
  /** Inclusive, ms since the epoch, on the vote time. */
  since?: number | undefined;
  until?: number | undefined;
}

interface ComparisonRow {
  id: string;
  batch_id: string | null;
  position: number;
  messages: string;
  blind: number;
  swapped: number;
  mode: CompareMode;
  mode_reason: string | null;
  contender_a: string;
  contender_b: string;
  answer_a: string;
  answer_b: string;
  status_a: AnswerStatus;
  status_b: AnswerStatus;
  error_a: string | null;
  error_b: string | null;
  stats_a: string | null;
  stats_b: string | null;
  vote: CompareVote | null;
  reason: string | null;
  ideal_answer: string | null;
  source_dataset_id: string | null;
  source_example_id: string | null;
  created_at: number;
  voted_at: number | null;
}

interface BatchRow {
  id: string;
  name: string;
  job_id: string | null;
  blind: number;
  contenders: string;
  source_dataset_id: string | null;
  state: BatchState;
  created_at: number;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const text = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

const toRecord = (r: ComparisonRow): ComparisonRecord => ({
  id: r.id,
  batchId: r.batch_id,
  position: r.position,
  messages: JSON.parse(r.messages) as ChatMessage[],
  blind: r.blind === 1,
  swapped: r.swapped === 1,
  mode: r.mode,
  modeReason: r.mode_reason,
  contenders: {
    a: JSON.parse(r.contender_a) as StoredContender,
    b: JSON.parse(r.contender_b) as StoredContender,
  },
  answers: {
    a: { content: r.answer_a, status: r.status_a, error: json(r.error_a), stats: json(r.stats_a) },
    b: { content: r.answer_b, status: r.status_b, error: json(r.error_b), stats: json(r.stats_b) },
  },
  vote: r.vote,
  reason: r.reason,
  idealAnswer: r.ideal_answer,
  sourceDatasetId: r.source_dataset_id,
  sourceExampleId: r.source_example_id,
  createdAt: r.created_at,
  votedAt: r.voted_at,
});

const toBatch = (r: BatchRow): BatchRecord => ({
  id: r.id,
  name: r.name,
  jobId: r.job_id,
  blind: r.blind === 1,
  contenders: JSON.parse(r.contenders) as StoredContender[],
  sourceDatasetId: r.source_dataset_id,
  state: r.state,
  createdAt: r.created_at,
});

/** Persistence of comparisons, batch reviews and chat preferences. */
export class CompareRepo {
  constructor(private readonly db: Db) {}

  insert(records: readonly ComparisonRecord[]): void {
    const statement = this.db.prepare(
      `INSERT INTO comparisons (id, batch_id, position, messages, blind, swapped, mode, mode_reason, contender_a,
         contender_b, answer_a, answer_b, status_a, status_b, error_a, error_b, stats_a, stats_b, vote, reason,
         ideal_answer, source_dataset_id, source_example_id, created_at, voted_at)
       VALUES (@id, @batchId, @position, @messages, @blind, @swapped, @mode, @modeReason, @contenderA, @contenderB,
         @answerA, @answerB, @statusA, @statusB, @errorA, @errorB, @statsA, @statsB, @vote, @reason, @idealAnswer,
         @sourceDatasetId, @sourceExampleId, @createdAt, @votedAt)`,
    );
    this.db.transaction(() => {
      for (const r of records) {
        statement.run({
          id: r.id,
          batchId: r.batchId,
          position: r.position,
          messages: JSON.stringify(r.messages),
          blind: r.blind ? 1 : 0,
          swapped: r.swapped ? 1 : 0,
          mode: r.mode,
          modeReason: r.modeReason,
          contenderA: JSON.stringify(r.contenders.a),
          contenderB: JSON.stringify(r.contenders.b),
          answerA: r.answers.a.content,
          answerB: r.answers.b.content,
          statusA: r.answers.a.status,
          statusB: r.answers.b.status,
          errorA: text(r.answers.a.error),
          errorB: text(r.answers.b.error),
          statsA: text(r.answers.a.stats),
          statsB: text(r.answers.b.stats),
          vote: r.vote,
          reason: r.reason,
          idealAnswer: r.idealAnswer,
          sourceDatasetId: r.sourceDatasetId,
          sourceExampleId: r.sourceExampleId,
          createdAt: r.createdAt,
          votedAt: r.votedAt,
        });
      }
    })();
  }

  get(id: string): ComparisonRecord | null {
    const row = this.db.prepare('SELECT * FROM comparisons WHERE id = ?').get(id) as ComparisonRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Newest first; a batch's comparisons in batch order. */
  list(filter: { batchId?: string | undefined; limit: number }): ComparisonRecord[] {
    const rows =
      filter.batchId !== undefined
        ? this.db
            .prepare('SELECT * FROM comparisons WHERE batch_id = ? ORDER BY position LIMIT ?')
            .all(filter.batchId, filter.limit)
        : this.db
            .prepare('SELECT * FROM comparisons WHERE batch_id IS NULL ORDER BY created_at DESC, rowid DESC LIMIT ?')
            .all(filter.limit);
    return (rows as ComparisonRow[]).map(toRecord);
  }

  /** Voted comparisons matching `filter`, oldest vote first. */
  voted(filter: VotedFilter): ComparisonRecord[] {
    const where = ['vote IS NOT NULL'];
    const params: Record<string, unknown> = {};
    if (filter.datasetId !== undefined) {
      where.push('source_dataset_id = @datasetId');
      params['datasetId'] = filter.datasetId;
    }
    if (filter.batchId !== undefined) {
      where.push('batch_id = @batchId');
      params['batchId'] = filter.batchId;
    }
    if (filter.since !== undefined) {
      where.push('voted_at >= @since');
      params['since'] = filter.since;
    }
    if (filter.until !== undefined) {
      where.push('voted_at <= @until');
      params['until'] = filter.until;
    }
    const rows = this.db
      .prepare(`SELECT * FROM comparisons WHERE ${where.join(' AND ')} ORDER BY voted_at, rowid`)
      .all(params) as ComparisonRow[];
    return rows.map(toRecord);
  }

  /** Updates one side's answer (text, status, error, stats). */
  saveAnswer(id: string, side: CompareSide, answer: Partial<StoredAnswer>): void {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id };
    if (answer.content !== undefined) {
      sets.push(`answer_${side} = @content`);
      params['content'] = answer.content;
    }
    if (answer.status !== undefined) {
      sets.push(`status_${side} = @status`);
      params['status'] = answer.status;
    }
    if (answer.error !== undefined) {
      sets.push(`error_${side} = @error`);
      params['error'] = text(answer.error);
    }
    if (answer.stats !== undefined) {
      sets.push(`stats_${side} = @stats`);
      params['stats'] = text(answer.stats);
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE comparisons SET ${sets.join(', ')} WHERE id = @id`).run(params);
  }

  setMode(id: string, mode: CompareMode, reason: string | null): void {
    this.db.prepare('UPDATE comparisons SET mode = ?, mode_reason = ? WHERE id = ?').run(mode, reason, id);
  }

  vote(id: string, vote: { vote: CompareVote; reason: string | null; idealAnswer: string | null; at: number }): void {
    this.db
      .prepare('UPDATE comparisons SET vote = ?, reason = ?, ideal_answer = ?, voted_at = ? WHERE id = ?')
      .run(vote.vote, vote.reason, vote.idealAnswer, vote.at, id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM comparisons WHERE id = ?').run(id).changes > 0;
  }

  /** Answers left `streaming` or `pending` by a crash or shutdown become `stopped`; returns how many comparisons. */
  stopUnfinished(): number {
    const a = this.db
      .prepare("UPDATE comparisons SET status_a = 'stopped' WHERE status_a IN ('streaming', 'pending')")
      .run().changes;
    const b = this.db
      .prepare("UPDATE comparisons SET status_b = 'stopped' WHERE status_b IN ('streaming', 'pending')")
      .run().changes;
    this.db.prepare("UPDATE compare_batches SET state = 'cancelled' WHERE state = 'generating'").run();
    return Math.max(a, b);
  }

  insertBatch(batch: BatchRecord): void {
    this.db
      .prepare(
        `INSERT INTO compare_batches (id, name, job_id, blind, contenders, source_dataset_id, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.id,
        batch.name,
        batch.jobId,
        batch.blind ? 1 : 0,
        JSON.stringify(batch.contenders),
        batch.sourceDatasetId,
        batch.state,
        batch.createdAt,
      );
  }

  batch(id: string): BatchRecord | null {
    const row = this.db.prepare('SELECT * FROM compare_batches WHERE id = ?').get(id) as BatchRow | undefined;
    return row ? toBatch(row) : null;
  }

  batches(limit: number): BatchRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM compare_batches ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(limit) as BatchRow[]
    ).map(toBatch);
  }

  batchCounts(id: string): BatchCounts {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS total,
           COALESCE(SUM(status_a NOT IN ('pending', 'streaming') AND status_b NOT IN ('pending', 'streaming')), 0) AS generated,
           COALESCE(SUM(vote IS NOT NULL), 0) AS voted
         FROM comparisons WHERE batch_id = ?`,
      )
      .get(id) as BatchCounts;
  }

  updateBatch(id: string, patch: { jobId?: string; state?: BatchState }): void {
    if (patch.jobId !== undefined)
      this.db.prepare('UPDATE compare_batches SET job_id = ? WHERE id = ?').run(patch.jobId, id);
    if (patch.state !== undefined)
      this.db.prepare('UPDATE compare_batches SET state = ? WHERE id = ?').run(patch.state, id);
  }

  deleteBatch(id: string): boolean {
    return this.db.prepare('DELETE FROM compare_batches WHERE id = ?').run(id).changes > 0;
  }

  /** Records (or replaces, whichever way round) the preference between two answers. */
  upsertChatPreference(preference: ChatPreference): ChatPreference {
    const pairKey = [preference.chosenMessageId, preference.rejectedMessageId].sort().join('|');
    this.db
      .prepare(
        `INSERT INTO chat_preferences (id, conversation_id, chosen_message_id, rejected_message_id, pair_key, reason, created_at)
         VALUES (@id, @conversationId, @chosenMessageId, @rejectedMessageId, @pairKey, @reason, @createdAt)
         ON CONFLICT (pair_key) DO UPDATE SET chosen_message_id = excluded.chosen_message_id,
           rejected_message_id = excluded.rejected_message_id, reason = excluded.reason, created_at = excluded.created_at`,
      )
      .run({ ...preference, pairKey });
    return this.chatPreferences({ pairKey })[0] as ChatPreference;
  }

  /** Chat preferences, oldest first, optionally of one pair or created in a time window. */
  chatPreferences(
    filter: { pairKey?: string; since?: number | undefined; until?: number | undefined } = {},
  ): ChatPreference[] {
    const rows = this.db
      .prepare(
        `SELECT id, conversation_id AS conversationId, chosen_message_id AS chosenMessageId,
           rejected_message_id AS rejectedMessageId, reason, created_at AS createdAt
         FROM chat_preferences
         WHERE (@pairKey IS NULL OR pair_key = @pairKey) AND (@since IS NULL OR created_at >= @since)
           AND (@until IS NULL OR created_at <= @until)
         ORDER BY created_at, rowid`,
      )
      .all({ pairKey: filter.pairKey ?? null, since: filter.since ?? null, until: filter.until ?? null });
    return rows as ChatPreference[];
  }

  /** Conversations with at least one rated answer. */
  ratedConversations(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT conversation_id AS id FROM messages WHERE rating IS NOT NULL').all() as {
        id: string;
      }[]
    ).map((r) => r.id);
  }
}
