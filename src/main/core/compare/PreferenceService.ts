import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  ChatPreference,
  PreferenceFormat,
  PreferencePair,
  PreferenceSource,
  PreferenceSummary,
} from '../../../shared/compare';
import { preferenceSources } from '../../../shared/compare';
import type { Conversation, StoredMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { CompareRepo, VotedFilter } from './CompareRepo';
import { chatPairs, comparisonPairs } from './preferencePairs';
import { preferenceRecord } from './preferenceRecords';

export interface PreferenceServiceOptions {
  repo: CompareRepo;
  /** Where `toDataset` adds pairs (DatasetsService); absent in hosts without datasets. */
  datasets?: {
    /** NOT_FOUND when there is no such dataset. */
    get(id: string): unknown;
    addPreferencePairs(datasetId: string, pairs: readonly PreferencePair[]): { added: number; skipped: number };
  };
  /** Read access to chat: a conversation and its messages (creation order). */
  chat: {
    conversation(id: string): Conversation | null;
    messages(conversationId: string): StoredMessage[];
    message(id: string): StoredMessage | null;
  };
}

export interface PairFilter extends VotedFilter {
  sources?: readonly PreferenceSource[] | undefined;
}

/**
 * The one preference store every kind of feedback lands in: votes in Compare, picks between two
 * regenerated answers in chat, and thumbs up over thumbs down on sibling answers. Pairs are derived
 * from where each vote lives (a comparison, a chat pick, a message's rating), so clearing a rating
 * or changing a vote changes the exports too.
 */
export class PreferenceService {
  readonly #o: PreferenceServiceOptions;

  constructor(options: PreferenceServiceOptions) {
    this.#o = options;
  }

  /**
   * "Regenerate, then pick the better": records that `chosenMessageId` is better than its sibling
   * `rejectedMessageId` (both finished answers to the same user message). Picking the same two
   * again, either way round, replaces the earlier pick.
   */
  preferAlternative(input: {
    chosenMessageId: string;
    rejectedMessageId: string;
    reason?: string | null | undefined;
  }): ChatPreference {
    const chosen = this.#answer(input.chosenMessageId);
    const rejected = this.#answer(input.rejectedMessageId);
    if (chosen.id === rejected.id) {
      throw new AppError('INVALID_INPUT', 'Pick between two different answers.', { reason: 'same-message' });
    }
    if (chosen.conversationId !== rejected.conversationId || chosen.parentId !== rejected.parentId) {
      throw new AppError('CONFLICT', 'Both answers must reply to the same message (regenerations of one another).', {
        reason: 'not-siblings',
      });
    }
    return this.#o.repo.upsertChatPreference({
      id: randomUUID(),
      conversationId: chosen.conversationId,
      chosenMessageId: chosen.id,
      rejectedMessageId: rejected.id,
      reason: input.reason?.trim() ? input.reason.trim() : null,
      createdAt: Date.now(),
    });
  }

  /** Every preference pair matching `filter`, oldest first. A dataset or batch filter keeps only comparisons. */
  pairs(filter: PairFilter = {}): PreferencePair[] {
    const sources = new Set(filter.sources ?? preferenceSources);
    const pairs: PreferencePair[] = [];
    if (sources.has('comparison')) for (const c of this.#o.repo.voted(filter)) pairs.push(...comparisonPairs(c));
    const chatToo = filter.datasetId === undefined && filter.batchId === undefined;
    if (chatToo && (sources.has('chat-pick') || sources.has('chat-rating'))) {
      const picks = this.#o.repo.chatPreferences();
      const conversations = new Set([...picks.map((p) => p.conversationId), ...this.#o.repo.ratedConversations()]);
      for (const id of conversations) {
        const conversation = this.#o.chat.conversation(id);
        if (!conversation) continue;
        const found = chatPairs(
          conversation,
          this.#o.chat.messages(id),
          picks.filter((p) => p.conversationId === id),
        );
        for (const pair of found) {
          if (!sources.has(pair.source)) continue;
          if (filter.since !== undefined && pair.createdAt < filter.since) continue;
          if (filter.until !== undefined && pair.createdAt > filter.until) continue;
          pairs.push(pair);
        }
      }
    }
    return pairs.sort((x, y) => x.createdAt - y.createdAt);
  }

  /**
   * Adds the pairs matching `filter` to the dataset `targetDatasetId` as examples with a rejected
   * answer (a DPO run's data); pairs it already holds are skipped.
   */
  toDataset(input: PairFilter & { targetDatasetId: string }): { added: number; skipped: number; datasetId: string } {
    if (!this.#o.datasets) throw new AppError('UNSUPPORTED', 'Datasets are not available.');
    const { targetDatasetId, ...filter } = input;
    this.#o.datasets.get(targetDatasetId);
    const pairs = this.pairs(filter);
    if (pairs.length === 0) {
      throw new AppError(
        'INVALID_INPUT',
        'No preference pair matches: vote in Compare or pick the better answer in chat first.',
        {
          reason: 'no-pairs',
        },
      );
    }
    return { ...this.#o.datasets.addPreferencePairs(targetDatasetId, pairs), datasetId: targetDatasetId };
  }

  summary(filter: PairFilter & { limit?: number | undefined }): PreferenceSummary {
    const all = this.pairs(filter);
    const bySource = Object.fromEntries(preferenceSources.map((s) => [s, 0])) as Record<PreferenceSource, number>;
    for (const p of all) bySource[p.source]++;
    return { total: all.length, bySource, pairs: all.slice(-(filter.limit ?? 20)).reverse() };
  }

  /**
   * Writes the pairs as JSONL in `format` to `path` (on the machine running Lathe) through a
   * temporary file, so a failed write never leaves half a file. NOT_FOUND when the folder does not
   * exist; CONFLICT when the file exists and `overwrite` is not set; INVALID_INPUT with nothing to write.
   */
  export(input: PairFilter & { path: string; format: PreferenceFormat; overwrite?: boolean | undefined }): {
    path: string;
    count: number;
    bySource: Record<PreferenceSource, number>;
  } {
    const folder = dirname(input.path);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new AppError('NOT_FOUND', `The folder ${folder} does not exist.`, { path: folder });
    }
    if (existsSync(input.path)) {
      if (statSync(input.path).isDirectory()) {
        throw new AppError('CONFLICT', `${input.path} is a folder; give a file name.`, { path: input.path });
      }
      if (!input.overwrite) {
        throw new AppError('CONFLICT', `${input.path} already exists.`, { reason: 'exists', path: input.path });
      }
    }
    const pairs = this.pairs(input);
    if (pairs.length === 0) {
      throw new AppError(
        'INVALID_INPUT',
        'There are no preference pairs to export yet: vote in Compare or pick between answers in chat.',
        {
          reason: 'empty',
        },
      );
    }
    const bySource = Object.fromEntries(preferenceSources.map((s) => [s, 0])) as Record<PreferenceSource, number>;
    for (const p of pairs) bySource[p.source]++;
    const text = pairs.map((p) => JSON.stringify(preferenceRecord(p, input.format))).join('\n') + '\n';
    const temporary = `${input.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, text, 'utf8');
      renameSync(temporary, input.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new AppError('IO_ERROR', `Could not write ${input.path}: ${(error as Error).message}`, {
        path: input.path,
      });
    }
    return { path: input.path, count: pairs.length, bySource };
  }

  #answer(id: string): StoredMessage {
    const message = this.#o.chat.message(id);
    if (!message) throw new AppError('NOT_FOUND', `No message with id ${id}.`, { id });
    if (message.role !== 'assistant')
      throw new AppError('CONFLICT', 'Only answers can be compared.', { id, reason: 'not-an-answer' });
    if (message.status === 'streaming' || message.status === 'failed' || message.content.trim() === '') {
      throw new AppError('CONFLICT', 'Pick between finished answers.', { id, reason: 'not-finished' });
    }
    return message;
  }
}
