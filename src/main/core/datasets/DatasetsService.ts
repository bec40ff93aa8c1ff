import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type {
  BulkAction,
  DatasetExample,
  DatasetInfo,
  ExampleFilter,
  ExampleMessage,
  ExampleSort,
  ExampleSplit,
  ExampleSummary,
  ExportResult,
  HygieneKind,
  ImportResult,
  ParsedExample,
  SniffResult,
  HygieneReport,
  TokenStats,
} from '../../../shared/datasets';
import { exampleMessagesSchema } from '../../../shared/datasets';
import type { ChatMessage, Job } from '../../../shared/domain';
import type { PreferencePair } from '../../../shared/compare';
import { AppError } from '../../../shared/errors';
import type { EventBus } from '../EventBus';
import type { JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import type { DatasetsRepo, ExampleState, HistoryKind } from './DatasetsRepo';
import type { ModelsService } from '../models/ModelsService';
import { exportDataset, type ExportArgs } from './exportDataset';
import { parseRecord, sniffFile } from './formats';
import { hygieneReport, type HygieneArgs } from './hygieneReport';
import { importDataset, type ImportArgs } from './importDataset';
import { tokenHistogram } from './tokenCounts';
import { tokenizeDataset, type OpenTokenCounter, type TokenizeArgs } from './tokenizeDataset';

/** Name of the dataset chat's "Add to dataset" fills when no dataset is chosen. */
export const keptFromChatName = 'Kept from chat';

export interface DatasetsServiceOptions {
  repo: DatasetsRepo;
  jobs: JobRunner;
  events: EventBus;
  logger: Logger;
  /** Finds a library model's file (token counts). */
  models: Pick<ModelsService, 'resolve'>;
  /** Opens a token counter for a model file (node-llama-cpp in the app; see llamaTokenCounter). */
  openTokenCounter: OpenTokenCounter;
  /**
   * Copies the write-ahead log into the database off the main thread (Checkpointer.checkpoint):
   * an import awaits it after each commit, so the log restarts instead of growing with the import.
   */
  checkpoint?: () => Promise<unknown>;
}

export interface DatasetPatch {
  name?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  defaultMaxLength?: number | null | undefined;
}

export interface ExamplePatch {
  messages?: ExampleMessage[] | undefined;
  rejected?: string | null | undefined;
  tags?: string[] | undefined;
  split?: ExampleSplit | undefined;
  note?: string | undefined;
}

/** What chat hands over when an answer is kept. */
export interface KeepFromChat {
  datasetId?: string | undefined;
  conversationId: string;
  messageId: string;
  messages: ExampleMessage[];
  edited: boolean;
}

const dedupe = (tags: readonly string[]) => [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];

/**
 * Datasets and their examples: every write is one transaction, records the previous state for
 * undo (the newest 20 per example) and announces `datasets.changed`; deletes go to the trash.
 * Long work (import, export, token counts, hygiene) runs as jobs registered by the job modules.
 */
export class DatasetsService {
  readonly #o: DatasetsServiceOptions;
  #deleting: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: DatasetsServiceOptions) {
    this.#o = options;
    this.#cleanStaging();
    this.#registerJobs();
  }

  get repo(): DatasetsRepo {
    return this.#o.repo;
  }

  /** Announces a change so lists refresh. */
  changed(datasetId: string | null, change: 'created' | 'updated' | 'deleted' | 'examples'): void {
    this.#o.events.emit('datasets.changed', { datasetId, change });
  }

  // ---- datasets -------------------------------------------------------------------------------

  list(): DatasetInfo[] {
    return this.#o.repo.datasets();
  }

  get(id: string): DatasetInfo {
    const dataset = this.#o.repo.dataset(id);
    if (!dataset) throw new AppError('NOT_FOUND', `No dataset with id ${id}.`, { id });
    return dataset;
  }

  create(input: {
    name: string;
    description?: string | undefined;
    tags?: string[] | undefined;
    defaultMaxLength?: number | null | undefined;
  }): DatasetInfo {
    const name = input.name.trim();
    const id = randomUUID();
    this.#o.repo.transaction(() => {
      this.#assertNameFree(name);
      this.#o.repo.insertDataset({
        id,
        name,
        description: input.description ?? '',
        tags: dedupe(input.tags ?? []),
        defaultMaxLength: input.defaultMaxLength ?? null,
        now: Date.now(),
      });
    });
    this.changed(id, 'created');
    return this.get(id);
  }

  update(id: string, patch: DatasetPatch): DatasetInfo {
    this.#o.repo.transaction(() => {
      this.#assertDataset(id);
      const name = patch.name?.trim();
      if (name !== undefined) this.#assertNameFree(name, id);
      this.#o.repo.updateDataset(
        id,
        {
          ...(name !== undefined ? { name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.tags !== undefined ? { tags: dedupe(patch.tags) } : {}),
          ...(patch.defaultMaxLength !== undefined ? { defaultMaxLength: patch.defaultMaxLength } : {}),
        },
        Date.now(),
      );
    });
    this.changed(id, 'updated');
    return this.get(id);
  }

  /**
   * Deletes a dataset with all its examples (not through the trash: the UI confirms first). The
   * dataset disappears at once (hidden, its name freed); its rows are removed in slices after, so a
   * 100k-example dataset does not freeze the app; what a crash leaves is removed at the next start.
   */
  delete(id: string): { deleted: boolean } {
    this.#assertDataset(id);
    this.#o.repo.hideDataset(id, `.deleting-${id}`);
    this.changed(id, 'deleted');
    this.#deleting = this.#deleting
      .then(() => this.#drop(id))
      .catch((error: unknown) => {
        this.#o.logger.error('could not remove a deleted dataset', { id, error });
      });
    return { deleted: true };
  }

  /** Resolves once every deleted dataset's rows are gone. */
  settled(): Promise<void> {
    return this.#deleting;
  }

  /** Stops removing deleted datasets (the next start finishes it); resolves when the current slice is done. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#deleting;
  }

  async #drop(id: string): Promise<void> {
    while (!this.#closed && this.#o.repo.transaction(() => this.#o.repo.deleteSomeExamples(id, 2000)) > 0) {
      await nextTurn();
    }
    if (!this.#closed) this.#o.repo.deleteDataset(id);
  }

  #assertDataset(id: string): void {
    if (!this.#o.repo.datasetExists(id)) throw new AppError('NOT_FOUND', `No dataset with id ${id}.`, { id });
  }

  #assertNameFree(name: string, exceptId?: string): void {
    if (this.#o.repo.nameTaken(name, exceptId)) {
      throw new AppError('CONFLICT', `A dataset named "${name}" already exists.`, { name, reason: 'name-taken' });
    }
  }

  // ---- examples -------------------------------------------------------------------------------

  examples(q: {
    datasetId: string;
    filter?: ExampleFilter | undefined;
    sort?: ExampleSort | undefined;
    order?: 'asc' | 'desc' | undefined;
    offset?: number | undefined;
    limit?: number | undefined;
    trash?: boolean | undefined;
  }): { total: number; offset: number; items: ExampleSummary[] } {
    this.#assertDataset(q.datasetId);
    const offset = q.offset ?? 0;
    const page = this.#o.repo.listExamples({
      datasetId: q.datasetId,
      filter: q.filter ?? {},
      sort: q.sort ?? 'created',
      order: q.order ?? 'asc',
      offset,
      limit: q.limit ?? 100,
      trash: q.trash ?? false,
    });
    return { ...page, offset };
  }

  exampleIds(q: { datasetId: string; filter?: ExampleFilter | undefined; trash?: boolean | undefined }): {
    ids: string[];
  } {
    this.#assertDataset(q.datasetId);
    return { ids: this.#o.repo.exampleIds(q.datasetId, q.filter ?? {}, q.trash ?? false) };
  }

  example(id: string): DatasetExample {
    const example = this.#o.repo.example(id);
    if (!example) throw new AppError('NOT_FOUND', `No example with id ${id}.`, { id });
    return example;
  }

  createExample(input: {
    datasetId: string;
    messages: ExampleMessage[];
    rejected?: string | null | undefined;
    tags?: string[] | undefined;
    split?: ExampleSplit | undefined;
    note?: string | undefined;
  }): DatasetExample {
    const messages = this.#validMessages(input.messages);
    const id = randomUUID();
    this.#o.repo.transaction(() => {
      this.#assertDataset(input.datasetId);
      const now = Date.now();
      this.#o.repo.exampleInserter()({
        id,
        datasetId: input.datasetId,
        messages,
        rejected: input.rejected ?? null,
        source: 'manual',
        sourceRef: null,
        tags: dedupe(input.tags ?? []),
        split: input.split ?? 'auto',
        note: input.note ?? '',
        createdAt: now,
      });
      this.#o.repo.touchDataset(input.datasetId, now);
    });
    this.changed(input.datasetId, 'examples');
    return this.example(id);
  }

  /**
   * Adds preference pairs as examples ending in the chosen answer with the rejected one beside it
   * (what a DPO run learns from), in one transaction, tagged `preference`. A pair the dataset holds
   * live already (by its pair id) is skipped, so adding the same pairs again adds only new ones.
   */
  addPreferencePairs(datasetId: string, pairs: readonly PreferencePair[]): { added: number; skipped: number } {
    let added = 0;
    let skipped = 0;
    this.#o.repo.transaction(() => {
      this.#assertDataset(datasetId);
      const have = this.#o.repo.preferencePairIds(datasetId);
      const insert = this.#o.repo.exampleInserter();
      const now = Date.now();
      for (const pair of pairs) {
        if (have.has(pair.id)) {
          skipped++;
          continue;
        }
        const comparisonId = pair.source === 'comparison' ? pair.id.split(':')[1] : undefined;
        insert({
          id: randomUUID(),
          datasetId,
          messages: this.#validMessages([
            ...pair.prompt.map((m) => ({ role: m.role, content: m.content })),
            { role: 'assistant', content: pair.chosen },
          ]),
          rejected: pair.rejected,
          source: pair.source === 'comparison' ? 'comparison' : 'chat',
          sourceRef: { preferencePairId: pair.id, ...(comparisonId ? { comparisonId } : {}) },
          tags: ['preference'],
          split: 'auto',
          note: pair.reason ?? '',
          createdAt: now,
        });
        have.add(pair.id);
        added++;
      }
      if (added > 0) this.#o.repo.touchDataset(datasetId, now);
    });
    if (added > 0) this.changed(datasetId, 'examples');
    return { added, skipped };
  }

  /** Edits an example; its previous state goes to its history, so `undo` can bring it back. */
  updateExample(id: string, patch: ExamplePatch): DatasetExample {
    const messages = patch.messages ? this.#validMessages(patch.messages) : undefined;
    const datasetId = this.#o.repo.transaction(() => {
      const before = this.#state(id);
      const after: ExampleState = {
        ...before,
        ...(messages ? { messages } : {}),
        ...(patch.rejected !== undefined ? { rejected: patch.rejected } : {}),
        ...(patch.tags !== undefined ? { tags: dedupe(patch.tags) } : {}),
        ...(patch.split !== undefined ? { split: patch.split } : {}),
        ...(patch.note !== undefined ? { note: patch.note } : {}),
      };
      const now = Date.now();
      const kind: HistoryKind =
        messages || patch.rejected !== undefined || patch.note !== undefined ? 'edit' : patch.tags ? 'tags' : 'split';
      this.#o.repo.historyWriter()(id, kind, before, now);
      this.#o.repo.writeState(id, after, textChanged(before, after), now);
      this.#o.repo.touchDataset(before.datasetId, now);
      return before.datasetId;
    });
    this.changed(datasetId, 'examples');
    return this.example(id);
  }

  /** Restores the example's previous version (edit, tags, split, move, delete or restore). */
  undo(id: string): DatasetExample {
    const datasets = this.#o.repo.transaction(() => {
      const current = this.#state(id);
      const previous = this.#o.repo.popHistory(id);
      if (!previous)
        throw new AppError('CONFLICT', 'This example has no earlier version to go back to.', {
          id,
          reason: 'no-history',
        });
      if (!this.#o.repo.datasetExists(previous.state.datasetId)) {
        // The dataset it came from is gone: stay where it is, restore the rest.
        previous.state.datasetId = current.datasetId;
      }
      const now = Date.now();
      this.#o.repo.writeState(id, previous.state, textChanged(current, previous.state), now);
      this.#o.repo.touchDataset(previous.state.datasetId, now);
      return new Set([current.datasetId, previous.state.datasetId]);
    });
    for (const d of datasets) this.changed(d, 'examples');
    return this.example(id);
  }

  /** One change to many examples, in one transaction; answers how many changed. */
  bulk(ids: readonly string[], action: BulkAction): { changed: number } {
    if (action.kind === 'move' && !this.#o.repo.datasetExists(action.datasetId)) {
      throw new AppError('NOT_FOUND', `No dataset with id ${action.datasetId}.`, { id: action.datasetId });
    }
    const touched = new Set<string>();
    const changedCount = this.#o.repo.transaction(() => {
      const states = this.#o.repo.states(ids);
      const missing = ids.filter((id) => !states.has(id));
      if (missing.length > 0) {
        throw new AppError('NOT_FOUND', `${missing.length} of the examples no longer exist.`, {
          ids: missing.slice(0, 100),
        });
      }
      const record = this.#o.repo.historyWriter();
      const now = Date.now();
      let n = 0;
      for (const [id, before] of states) {
        const after = applyBulk(before, action, now);
        if (after === null) continue;
        record(id, historyKindOf(action), before, now);
        this.#o.repo.writeState(id, after, false, now);
        touched.add(before.datasetId).add(after.datasetId);
        n += 1;
      }
      for (const d of touched) this.#o.repo.touchDataset(d, now);
      return n;
    });
    for (const d of touched) this.changed(d, 'examples');
    return { changed: changedCount };
  }

  /** Brings examples back from the trash (recorded, so undo sends them back). */
  restore(ids: readonly string[]): { restored: number } {
    const touched = new Set<string>();
    const restored = this.#o.repo.transaction(() => {
      const states = this.#o.repo.states(ids);
      const record = this.#o.repo.historyWriter();
      const now = Date.now();
      let n = 0;
      for (const [id, before] of states) {
        if (before.deletedAt === null) continue;
        record(id, 'restore', before, now);
        this.#o.repo.writeState(id, { ...before, deletedAt: null }, false, now);
        touched.add(before.datasetId);
        n += 1;
      }
      return n;
    });
    for (const d of touched) this.changed(d, 'examples');
    return { restored };
  }

  /** Deletes trashed examples for good: all of a dataset's, or only `ids`. */
  emptyTrash(datasetId: string, ids?: readonly string[]): { removed: number } {
    this.#assertDataset(datasetId);
    const removed = this.#o.repo.transaction(() => this.#o.repo.emptyTrash(datasetId, ids));
    this.changed(datasetId, 'examples');
    return { removed };
  }

  // ---- chat -----------------------------------------------------------------------------------

  /**
   * Stores an answer kept from chat in `datasetId` (default: "Kept from chat", created on demand).
   * Keeping the same message again in the same dataset replaces the example (the old version goes to
   * its history).
   */
  keepFromChat(input: KeepFromChat): DatasetExample {
    const messages = this.#validMessages(input.messages);
    const { id, datasetId } = this.#o.repo.transaction(() => {
      const now = Date.now();
      let datasetId = input.datasetId;
      if (datasetId !== undefined) this.#assertDataset(datasetId);
      else {
        datasetId = this.#o.repo.datasetIdByName(keptFromChatName) ?? randomUUID();
        if (!this.#o.repo.datasetExists(datasetId)) {
          this.#o.repo.insertDataset({
            id: datasetId,
            name: keptFromChatName,
            description: 'Answers kept from chat with "Add to dataset".',
            tags: [],
            defaultMaxLength: null,
            now,
          });
        }
      }
      const sourceRef = { conversationId: input.conversationId, messageId: input.messageId, edited: input.edited };
      const existing = this.#o.repo.exampleFromMessage(datasetId, input.messageId);
      if (existing) {
        const before = this.#state(existing);
        this.#o.repo.historyWriter()(existing, 'edit', before, now);
        this.#o.repo.writeState(existing, { ...before, messages }, textChanged(before, { ...before, messages }), now);
        this.#o.repo.setSourceRef(existing, sourceRef);
        this.#o.repo.touchDataset(datasetId, now);
        return { id: existing, datasetId };
      }
      const id = randomUUID();
      this.#o.repo.exampleInserter()({
        id,
        datasetId,
        messages,
        rejected: null,
        source: 'chat',
        sourceRef,
        tags: [],
        split: 'auto',
        note: '',
        createdAt: now,
      });
      this.#o.repo.touchDataset(datasetId, now);
      return { id, datasetId };
    });
    this.changed(datasetId, 'examples');
    return this.example(id);
  }

  // ---- training -------------------------------------------------------------------------------

  /**
   * A dataset's live examples as the trainer takes them, read now (the run keeps this snapshot):
   * split train/eval kept, `auto` left to the trainer, examples with tool turns left out (the trainer
   * has no tool role). Throws NOT_FOUND, or INVALID_INPUT when nothing is left to train on.
   */
  trainingSnapshot(datasetId: string): {
    name: string;
    examples: { id: string; messages: ChatMessage[]; split?: 'train' | 'eval'; rejected?: string }[];
  } {
    const dataset = this.get(datasetId);
    const examples: { id: string; messages: ChatMessage[]; split?: 'train' | 'eval'; rejected?: string }[] = [];
    let withTools = 0;
    let after = 0;
    for (;;) {
      const page = this.#o.repo.examplesPage(datasetId, after, 5000);
      if (page.length === 0) break;
      after = page.at(-1)!.seq;
      for (const e of page) {
        if (e.messages.some((m) => m.role === 'tool')) {
          withTools += 1;
          continue;
        }
        examples.push({
          id: e.id,
          messages: e.messages.map((m) => ({ role: m.role as ChatMessage['role'], content: m.content })),
          ...(e.split !== 'auto' ? { split: e.split } : {}),
          ...(e.rejected !== null ? { rejected: e.rejected } : {}),
        });
      }
    }
    if (examples.length === 0) {
      throw new AppError(
        'INVALID_INPUT',
        withTools > 0
          ? `The dataset "${dataset.name}" has only examples with tool turns, which the trainer cannot use.`
          : `The dataset "${dataset.name}" has no examples to train on.`,
        { datasetId, reason: 'no-examples' },
      );
    }
    if (withTools > 0)
      this.#o.logger.warn('examples with tool turns left out of training', { datasetId, count: withTools });
    return { name: dataset.name, examples };
  }

  // ---- tokens and hygiene ---------------------------------------------------------------------

  /**
   * The cached token counts of a dataset's live examples for one model, and how many have none
   * (the fine-tune estimate plans its window from them); null for an unknown dataset.
   */
  tokenCounts(datasetId: string, modelId: string): { counts: number[]; uncounted: number } | null {
    if (!this.#o.repo.dataset(datasetId)) return null;
    return this.#o.repo.tokenCounts(datasetId, modelId);
  }

  /** Token-length histogram of the cached counts (see `datasets.tokenize`). */
  stats(input: {
    datasetId: string;
    modelId?: string | undefined;
    maxLength?: number | undefined;
    bins?: number | undefined;
  }): TokenStats {
    const dataset = this.get(input.datasetId);
    const modelId = input.modelId ?? dataset.tokens.model;
    const { counts, uncounted } = this.#o.repo.tokenCounts(input.datasetId, modelId ?? null);
    const maxLength = input.maxLength ?? dataset.defaultMaxLength;
    return { modelId: modelId ?? null, maxLength, uncounted, ...tokenHistogram(counts, maxLength, input.bins ?? 24) };
  }

  report(datasetId: string): HygieneReport | null {
    this.#assertDataset(datasetId);
    return this.#o.repo.report(datasetId);
  }

  /**
   * Applies the one-click fix of a hygiene kind to the report's groups (all of them, or those
   * touching `exampleIds`): duplicates, empty answers, over-length and sensitive examples go to the
   * trash (the kept copy of a duplicate group stays); leaked eval examples move to train.
   * Every change is recorded, so undo or restoring from the trash reverses it.
   */
  fix(input: { datasetId: string; kind: HygieneKind; exampleIds?: string[] | undefined }): { changed: number } {
    const report = this.report(input.datasetId);
    if (!report) {
      throw new AppError('CONFLICT', 'Run the hygiene report first.', {
        datasetId: input.datasetId,
        reason: 'no-report',
      });
    }
    if (input.kind === 'sensitive' && !input.exampleIds) {
      throw new AppError(
        'INVALID_INPUT',
        'Likely secrets and personal data are for review: pass the ids of the examples to move to the trash.',
        { reason: 'review-first' },
      );
    }
    const only = input.exampleIds ? new Set(input.exampleIds) : null;
    const targets: string[] = [];
    for (const group of report.groups) {
      if (group.kind !== input.kind) continue;
      if (only && !group.exampleIds.some((id) => only.has(id))) continue;
      for (const id of group.exampleIds) {
        if (id === group.keepId) continue;
        if (only && input.kind !== 'exact_duplicate' && input.kind !== 'near_duplicate' && !only.has(id)) continue;
        targets.push(id);
      }
    }
    const ids = [...new Set(targets)];
    const changed = this.#o.repo.transaction(() => {
      const states = this.#o.repo.states(ids);
      const record = this.#o.repo.historyWriter();
      const now = Date.now();
      let n = 0;
      for (const [id, before] of states) {
        if (before.datasetId !== input.datasetId || before.deletedAt !== null) continue;
        let after: ExampleState;
        if (input.kind === 'leakage') {
          if (before.split !== 'eval') continue;
          after = { ...before, split: 'train' };
        } else after = { ...before, deletedAt: now };
        record(id, 'fix', before, now);
        this.#o.repo.writeState(id, after, false, now);
        n += 1;
      }
      this.#o.repo.clearIssues([...states.keys()], input.kind);
      this.#o.repo.touchDataset(input.datasetId, now);
      return n;
    });
    this.changed(input.datasetId, 'examples');
    return { changed };
  }

  // ---- jobs -----------------------------------------------------------------------------------

  /** Reads the head of a file: detected format, sample, a parsed preview, CSV columns. */
  async sniff(path: string): Promise<SniffResult> {
    const found = await sniffFile(path);
    const preview: ParsedExample[] = [];
    if (found.format !== null) {
      for (const record of found.sample) {
        const parsed = parseRecord(record, found.format, found.csvMapping ? { csvMapping: found.csvMapping } : {});
        if (parsed.ok) preview.push(parsed.example);
        if (preview.length >= 5) break;
      }
    }
    return { ...found, preview };
  }

  /** Starts an import job (see importDataset); answers the job at once. */
  startImport(args: ImportArgs): Job {
    if (args.datasetId !== undefined) this.#assertDataset(args.datasetId);
    if (args.name !== undefined) this.#assertNameFree(args.name.trim());
    return this.#o.jobs.start('datasets.import', args, `Import ${basename(args.path)}`);
  }

  startExport(args: ExportArgs): Job {
    const dataset = this.get(args.datasetId);
    return this.#o.jobs.start('datasets.export', args, `Export ${dataset.name}`);
  }

  startTokenize(args: TokenizeArgs): Job {
    const dataset = this.get(args.datasetId);
    this.#o.models.resolve(args.modelId);
    return this.#o.jobs.start('datasets.tokenize', args, `Count tokens of ${dataset.name}`);
  }

  startHygiene(args: HygieneArgs): Job {
    const dataset = this.get(args.datasetId);
    return this.#o.jobs.start('datasets.hygiene', args, `Check ${dataset.name}`);
  }

  #registerJobs(): void {
    const { jobs, repo } = this.#o;
    jobs.register<ImportArgs, ImportResult>('datasets.import', async (args, context) => {
      const checkpoint = this.#o.checkpoint;
      const result = await importDataset(repo, args, context, checkpoint ? { afterCommit: checkpoint } : {});
      this.changed(result.datasetId, args.name !== undefined ? 'created' : 'examples');
      return result;
    });
    jobs.register<ExportArgs, ExportResult>('datasets.export', (args, context) => exportDataset(repo, args, context));
    jobs.register<TokenizeArgs, unknown>('datasets.tokenize', async (args, context) => {
      const model = this.#o.models.resolve(args.modelId);
      const counter = await this.#o.openTokenCounter(model.path);
      try {
        return await tokenizeDataset(repo, counter, args, context);
      } finally {
        await counter.dispose();
        this.changed(args.datasetId, 'examples');
      }
    });
    jobs.register<HygieneArgs, HygieneReport>('datasets.hygiene', async (args, context) => {
      const dataset = this.get(args.datasetId);
      const report = await hygieneReport(
        repo,
        { ...args, maxTokens: args.maxTokens ?? dataset.defaultMaxLength ?? undefined },
        context,
      );
      repo.transaction(() => repo.saveReport(report));
      this.changed(args.datasetId, 'examples');
      return report;
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  #state(id: string): ExampleState {
    const state = this.#o.repo.states([id]).get(id);
    if (!state || !this.#o.repo.datasetExists(state.datasetId)) {
      throw new AppError('NOT_FOUND', `No example with id ${id}.`, { id });
    }
    const { source: _source, ...rest } = state;
    return rest;
  }

  #validMessages(messages: ExampleMessage[]): ExampleMessage[] {
    const parsed = exampleMessagesSchema.safeParse(messages);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      throw new AppError(
        'INVALID_INPUT',
        `Invalid example: ${issues[0]?.path ? `${issues[0].path}: ` : ''}${issues[0]?.message}.`,
        {
          issues,
        },
      );
    }
    return parsed.data;
  }

  /** Removes hidden datasets of imports that never finished (Lathe stopped during one), and their settings. */
  #cleanStaging(): void {
    const leftovers = this.#o.repo.stagingDatasets();
    for (const id of leftovers) this.#o.repo.deleteDataset(id);
    const staged = this.#o.repo.dropAllStaged();
    // an import turns the search index's automatic merging off while it runs
    this.#o.repo.setSearchIndexImporting(false);
    if (staged > 0) this.#o.logger.warn('removed the rows of unfinished imports', { count: staged });
    if (leftovers.length > 0)
      this.#o.logger.warn('removed unfinished imports and deletions', { count: leftovers.length });
  }
}

function textChanged(a: ExampleState, b: ExampleState): boolean {
  return a.rejected !== b.rejected || JSON.stringify(a.messages) !== JSON.stringify(b.messages);
}

function historyKindOf(action: BulkAction): HistoryKind {
  switch (action.kind) {
    case 'addTags':
    case 'removeTags':
      return 'tags';
    case 'setSplit':
      return 'split';
    case 'move':
      return 'move';
    case 'delete':
      return 'delete';
  }
}

/** The state after a bulk action, or null when it changes nothing. */
function applyBulk(before: ExampleState, action: BulkAction, now: number): ExampleState | null {
  switch (action.kind) {
    case 'addTags': {
      const tags = dedupe([...before.tags, ...action.tags]);
      return tags.length === before.tags.length ? null : { ...before, tags };
    }
    case 'removeTags': {
      const drop = new Set(action.tags.map((t) => t.trim()));
      const tags = before.tags.filter((t) => !drop.has(t));
      return tags.length === before.tags.length ? null : { ...before, tags };
    }
    case 'setSplit':
      return before.split === action.split ? null : { ...before, split: action.split };
    case 'move':
      return before.datasetId === action.datasetId ? null : { ...before, datasetId: action.datasetId };
    case 'delete':
      return before.deletedAt !== null ? null : { ...before, deletedAt: now };
  }
}
