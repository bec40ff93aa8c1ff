import type {
  DatasetExample,
  DatasetInfo,
  ExampleFilter,
  ExampleMessage,
  ExampleSort,
  ExampleSource,
  ExampleSourceRef,
  ExampleSplit,
  ExampleSummary,
  HygieneReport,
} from '../../../shared/datasets';
import { exampleSources, exampleSplits } from '../../../shared/datasets';
import type { Db } from '../db/openDatabase';
import { answerAfterThought } from '../models/thoughtText';

interface DatasetRow {
  id: string;
  name: string;
  description: string;
  tags: string;
  default_max_length: number | null;
  created_at: number;
  updated_at: number;
}

interface ExampleRow {
  seq: number;
  id: string;
  dataset_id: string;
  messages: string;
  rejected: string | null;
  source: ExampleSource;
  source_ref: string | null;
  tags: string;
  split: ExampleSplit;
  note: string;
  char_count: number;
  turn_count: number;
  token_count: number | null;
  token_model: string | null;
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The fields of an example that an edit may change and undo restores. */
export interface ExampleState {
  datasetId: string;
  messages: ExampleMessage[];
  rejected: string | null;
  tags: string[];
  split: ExampleSplit;
  note: string;
  deletedAt: number | null;
}

/** A new example as the repo stores it. */
export interface NewExample {
  id: string;
  datasetId: string;
  messages: ExampleMessage[];
  rejected: string | null;
  source: ExampleSource;
  sourceRef: ExampleSourceRef | null;
  tags: string[];
  split: ExampleSplit;
  note: string;
  createdAt: number;
  /** Only imports: a negative marker that keeps the row hidden until the import is published. */
  stagedMarker?: number;
}

export type HistoryKind = 'edit' | 'tags' | 'split' | 'move' | 'delete' | 'restore' | 'fix';

/** Characters of an example's turns, summed (what the length filter and sort use). */
export function charCount(messages: readonly ExampleMessage[]): number {
  let n = 0;
  for (const m of messages) n += m.content.length;
  return n;
}

/**
 * An FTS5 query from what the user typed: each word becomes a quoted prefix term and all must match.
 * Answers null when there is no word to search for (only punctuation).
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  return words
    .slice(0, 32)
    .map((w) => `"${w}"*`)
    .join(' ');
}

/**
 * The FTS query of a search in one dataset's live examples (or its trash): the typed words in the
 * `text` column, the dataset and `live`/`trash` in the `scope` column (see migration 005).
 */
export function scopedFtsQuery(terms: string, datasetId: string, trash: boolean): string {
  const scope = `d${datasetId.replaceAll('-', '')}`.replaceAll('"', '""');
  return `text : (${terms}) AND scope : ("${scope}" "${trash ? 'trash' : 'live'}")`;
}

/** Whether a filter is a plain search (nothing else narrows it), which the index answers alone. */
function searchOnly(filter: ExampleFilter): boolean {
  return Object.entries(filter).every(
    ([key, value]) => key === 'search' || value === undefined || (Array.isArray(value) && value.length === 0),
  );
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

const toExample = (r: ExampleRow, undoDepth: number, issues: string[]): DatasetExample => ({
  id: r.id,
  datasetId: r.dataset_id,
  messages: JSON.parse(r.messages) as ExampleMessage[],
  rejected: r.rejected,
  source: r.source,
  sourceRef: r.source_ref === null ? null : (JSON.parse(r.source_ref) as ExampleSourceRef),
  tags: JSON.parse(r.tags) as string[],
  split: r.split,
  note: r.note,
  charCount: r.char_count,
  turnCount: r.turn_count,
  tokenCount: r.token_count,
  tokenModel: r.token_model,
  deletedAt: r.deleted_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  undoDepth,
  issues,
});

const toSummary = (r: ExampleRow & { issues: string | null }): ExampleSummary => {
  const messages = JSON.parse(r.messages) as ExampleMessage[];
  const prompt = messages.find((m) => m.role === 'user')?.content ?? messages[0]?.content ?? '';
  const last = messages.findLast((m) => m.role === 'assistant')?.content ?? '';
  const answer = answerAfterThought(last);
  return {
    id: r.id,
    prompt: clip(prompt, 200),
    answer: clip(answer.trimStart(), 200),
    thinks: answer !== last,
    source: r.source,
    split: r.split,
    tags: JSON.parse(r.tags) as string[],
    charCount: r.char_count,
    turnCount: r.turn_count,
    tokenCount: r.token_count,
    hasRejected: r.rejected !== null,
    issues: r.issues ? r.issues.split(',') : [],
    deletedAt: r.deleted_at,
    updatedAt: r.updated_at,
  };
};

const sortColumns: Record<ExampleSort, string> = {
  created: 'e.seq',
  updated: 'e.updated_at',
  chars: 'e.char_count',
  tokens: 'e.token_count',
};

/** Persistence of datasets, their examples, history, trash, search and hygiene reports. */
export class DatasetsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Opens a transaction that stays open across turns of the event loop (imports: see
   * importDataset); other writes meanwhile join it and commit with it. Only when none is open.
   */
  beginLong(): boolean {
    if (this.db.inTransaction) return false;
    this.db.exec('BEGIN');
    return true;
  }

  commitLong(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  /**
   * The search index set for a bulk import, or back to FTS5's defaults. While importing, it neither
   * merges on commit (`automerge` 0) nor merges when a level collects 16 segments (`crisismerge` 64:
   * that merge runs inside the insert that adds the 16th, 250–300 ms measured at 100k examples);
   * the import merges in bounded steps instead (`mergeSearchIndex`). Defaults: 4 and 16.
   */
  setSearchIndexImporting(importing: boolean): void {
    // (a bound JavaScript number is a REAL, which FTS5's integer options refuse)
    const set = this.db.prepare(`INSERT INTO dataset_examples_fts (dataset_examples_fts, rank) VALUES (?, ?)`);
    set.run('automerge', BigInt(importing ? 0 : 4));
    set.run('crisismerge', BigInt(importing ? 64 : 16));
  }

  /**
   * Writes the search index's pending terms out as a segment now (FTS5 `flush`). FTS5 otherwise does
   * it inside whichever insert takes them past 1 MB, which made that batch 60–120 ms instead of 40.
   */
  flushSearchIndex(): void {
    this.db.prepare(`INSERT INTO dataset_examples_fts (dataset_examples_fts) VALUES ('flush')`).run();
  }

  /** One bounded step of merging the search index's segments (about `pages` pages of work); true when it did some. */
  mergeSearchIndex(pages: number): boolean {
    const total = () => (this.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = total();
    this.db
      .prepare(`INSERT INTO dataset_examples_fts (dataset_examples_fts, rank) VALUES ('merge', ?)`)
      .run(BigInt(Math.max(1, Math.round(pages))));
    // FTS5: a difference of 2 or more means the step merged something
    return total() - before >= 2;
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- datasets -------------------------------------------------------------------------------

  insertDataset(d: {
    id: string;
    name: string;
    description: string;
    tags: string[];
    defaultMaxLength: number | null;
    stagingJob?: string | null;
    now: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO datasets (id, name, description, tags, default_max_length, staging_job, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.id, d.name, d.description, JSON.stringify(d.tags), d.defaultMaxLength, d.stagingJob ?? null, d.now, d.now);
  }

  updateDataset(
    id: string,
    patch: { name?: string; description?: string; tags?: string[]; defaultMaxLength?: number | null },
    now: number,
  ): void {
    const sets: string[] = ['updated_at = @now'];
    if (patch.name !== undefined) sets.push('name = @name');
    if (patch.description !== undefined) sets.push('description = @description');
    if (patch.tags !== undefined) sets.push('tags = @tags');
    if (patch.defaultMaxLength !== undefined) sets.push('default_max_length = @max');
    this.db.prepare(`UPDATE datasets SET ${sets.join(', ')} WHERE id = @id`).run({
      id,
      now,
      name: patch.name ?? null,
      description: patch.description ?? null,
      tags: patch.tags ? JSON.stringify(patch.tags) : null,
      max: patch.defaultMaxLength ?? null,
    });
  }

  touchDataset(id: string, now: number): void {
    this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(now, id);
  }

  deleteDataset(id: string): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }

  /** A visible dataset's id by name (case-insensitive), or null. */
  datasetIdByName(name: string): string | null {
    const row = this.db
      .prepare('SELECT id FROM datasets WHERE name = ? COLLATE NOCASE AND staging_job IS NULL')
      .get(name) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** Whether any dataset (staging ones included) has this name. */
  nameTaken(name: string, exceptId?: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM datasets WHERE name = ? COLLATE NOCASE AND id IS NOT ?')
        .get(name, exceptId ?? null) !== undefined
    );
  }

  datasetExists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM datasets WHERE id = ? AND staging_job IS NULL').get(id) !== undefined;
  }

  datasets(): DatasetInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM datasets WHERE staging_job IS NULL ORDER BY updated_at DESC, name')
      .all() as DatasetRow[];
    return rows.map((r) => this.#info(r));
  }

  dataset(id: string): DatasetInfo | null {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ? AND staging_job IS NULL').get(id) as
      DatasetRow | undefined;
    return row ? this.#info(row) : null;
  }

  #info(r: DatasetRow): DatasetInfo {
    const split = Object.fromEntries(exampleSplits.map((s) => [s, 0])) as Record<ExampleSplit, number>;
    const source = Object.fromEntries(exampleSources.map((s) => [s, 0])) as Record<ExampleSource, number>;
    let total = 0;
    const groups = this.db
      .prepare(
        `SELECT split, source, COUNT(*) AS n, SUM(rejected IS NOT NULL AND trim(rejected) <> '') AS pairs
         FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL GROUP BY split, source`,
      )
      .all(r.id) as { split: ExampleSplit; source: ExampleSource; n: number; pairs: number }[];
    let pairs = 0;
    for (const g of groups) {
      pairs += g.pairs;
      split[g.split] += g.n;
      source[g.source] += g.n;
      total += g.n;
    }
    const trash = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM dataset_examples WHERE dataset_id = ? AND deleted_at > 0')
        .get(r.id) as { n: number }
    ).n;
    const withIssues = (
      this.db
        .prepare(
          `SELECT COUNT(DISTINCT i.example_id) AS n FROM example_issues i JOIN dataset_examples e ON e.id = i.example_id
           WHERE i.dataset_id = ? AND e.deleted_at IS NULL`,
        )
        .get(r.id) as { n: number }
    ).n;
    const tokens = this.db
      .prepare(
        `SELECT token_model AS model, COUNT(*) AS counted, MAX(token_count) AS max, AVG(token_count) AS mean
         FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL AND token_count IS NOT NULL
         GROUP BY token_model ORDER BY counted DESC LIMIT 1`,
      )
      .get(r.id) as { model: string; counted: number; max: number; mean: number } | undefined;
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      tags: JSON.parse(r.tags) as string[],
      defaultMaxLength: r.default_max_length,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      counts: { total, trash, split, source, withIssues, pairs },
      tokens: {
        model: tokens?.model ?? null,
        counted: tokens?.counted ?? 0,
        total,
        max: tokens?.max ?? null,
        mean: tokens ? Math.round(tokens.mean * 10) / 10 : null,
      },
    };
  }

  // ---- staging (imports) ----------------------------------------------------------------------

  /** Ids of hidden datasets left by imports that never finished (a crash). */
  stagingDatasets(): string[] {
    return (this.db.prepare('SELECT id FROM datasets WHERE staging_job IS NOT NULL').all() as { id: string }[]).map(
      (r) => r.id,
    );
  }

  /** Hides a dataset (as if staging) under a name no one types, e.g. while its rows are deleted. */
  hideDataset(id: string, hiddenName: string): void {
    this.db.prepare("UPDATE datasets SET staging_job = 'delete', name = ? WHERE id = ?").run(hiddenName, id);
  }

  /** Makes a staging dataset a visible one named `name`. */
  publishStaging(id: string, name: string, now: number): void {
    this.db
      .prepare('UPDATE datasets SET staging_job = NULL, name = ?, created_at = ?, updated_at = ? WHERE id = ?')
      .run(name, now, now, id);
  }

  /**
   * Rows of an import into an existing dataset are written with `deleted_at` = a negative marker:
   * hidden everywhere, but already indexed for search as live rows of that dataset, so making them
   * visible changes one indexed column and never re-indexes their text.
   */
  publishStaged(datasetId: string, marker: number): number {
    return this.db
      .prepare('UPDATE dataset_examples SET deleted_at = NULL WHERE dataset_id = ? AND deleted_at = ?')
      .run(datasetId, marker).changes;
  }

  /** Deletes up to `limit` staged rows of one import; answers how many. */
  deleteSomeStaged(datasetId: string, marker: number, limit: number): number {
    return this.db
      .prepare(
        `DELETE FROM dataset_examples WHERE seq IN
           (SELECT seq FROM dataset_examples WHERE dataset_id = ? AND deleted_at = ? LIMIT ?)`,
      )
      .run(datasetId, marker, limit).changes;
  }

  /** Deletes the staged rows of every import that never finished (a crash). */
  dropAllStaged(): number {
    return this.db.prepare('DELETE FROM dataset_examples WHERE deleted_at < 0').run().changes;
  }

  /** Deletes up to `limit` examples of a dataset (to empty a big one in slices); answers how many. */
  deleteSomeExamples(datasetId: string, limit: number): number {
    return this.db
      .prepare(
        'DELETE FROM dataset_examples WHERE seq IN (SELECT seq FROM dataset_examples WHERE dataset_id = ? LIMIT ?)',
      )
      .run(datasetId, limit).changes;
  }

  // ---- examples -------------------------------------------------------------------------------

  /** A prepared insert for many examples (imports run it in batches). */
  /** The preference pairs (`sourceRef.preferencePairId`) a dataset's live examples came from. */
  preferencePairIds(datasetId: string): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT json_extract(source_ref, '$.preferencePairId') AS pair FROM dataset_examples
         WHERE dataset_id = ? AND deleted_at IS NULL AND json_extract(source_ref, '$.preferencePairId') IS NOT NULL`,
      )
      .all(datasetId) as { pair: string }[];
    return new Set(rows.map((r) => r.pair));
  }

  exampleInserter(): (e: NewExample) => void {
    const insert = this.db.prepare(
      `INSERT INTO dataset_examples (id, dataset_id, messages, rejected, source, source_ref, tags, split, note,
         char_count, turn_count, created_at, updated_at, deleted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return (e) => {
      insert.run(
        e.id,
        e.datasetId,
        JSON.stringify(e.messages),
        e.rejected,
        e.source,
        e.sourceRef === null ? null : JSON.stringify(e.sourceRef),
        JSON.stringify(e.tags),
        e.split,
        e.note,
        charCount(e.messages),
        e.messages.length,
        e.createdAt,
        e.createdAt,
        e.stagedMarker ?? null,
      );
    };
  }

  example(id: string): DatasetExample | null {
    const row = this.db
      .prepare(
        `SELECT e.* FROM dataset_examples e JOIN datasets d ON d.id = e.dataset_id
         WHERE e.id = ? AND d.staging_job IS NULL AND (e.deleted_at IS NULL OR e.deleted_at > 0)`,
      )
      .get(id) as ExampleRow | undefined;
    if (!row) return null;
    const depth = (
      this.db.prepare('SELECT COUNT(*) AS n FROM example_history WHERE example_id = ?').get(id) as {
        n: number;
      }
    ).n;
    const issues = (
      this.db.prepare('SELECT kind FROM example_issues WHERE example_id = ? ORDER BY kind').all(id) as {
        kind: string;
      }[]
    ).map((r) => r.kind);
    return toExample(row, depth, issues);
  }

  /** The newest live example kept from a chat message in a dataset, if any. */
  exampleFromMessage(datasetId: string, messageId: string): string | null {
    const row = this.db
      .prepare(
        `SELECT id FROM dataset_examples WHERE source_message_id = ? AND dataset_id = ? AND deleted_at IS NULL
         ORDER BY seq DESC LIMIT 1`,
      )
      .get(messageId, datasetId) as { id: string } | undefined;
    return row?.id ?? null;
  }

  #where(datasetId: string, filter: ExampleFilter, trash: boolean): { sql: string; params: unknown[] } | null {
    const clauses = ['e.dataset_id = ?', trash ? 'e.deleted_at > 0' : 'e.deleted_at IS NULL'];
    const params: unknown[] = [datasetId];
    if (filter.search !== undefined && filter.search.trim() !== '') {
      const query = ftsQuery(filter.search);
      if (query === null) return null;
      clauses.push('e.seq IN (SELECT rowid FROM dataset_examples_fts WHERE dataset_examples_fts MATCH ?)');
      params.push(scopedFtsQuery(query, datasetId, trash));
    }
    if (filter.tags && filter.tags.length > 0) {
      clauses.push(
        `EXISTS (SELECT 1 FROM json_each(e.tags) t WHERE t.value IN (${filter.tags.map(() => '?').join(', ')}))`,
      );
      params.push(...filter.tags);
    }
    if (filter.sources && filter.sources.length > 0) {
      clauses.push(`e.source IN (${filter.sources.map(() => '?').join(', ')})`);
      params.push(...filter.sources);
    }
    if (filter.splits && filter.splits.length > 0) {
      clauses.push(`e.split IN (${filter.splits.map(() => '?').join(', ')})`);
      params.push(...filter.splits);
    }
    const ranges: [number | undefined, string][] = [
      [filter.minChars, 'e.char_count >= ?'],
      [filter.maxChars, 'e.char_count <= ?'],
      [filter.minTokens, 'e.token_count >= ?'],
      [filter.maxTokens, 'e.token_count <= ?'],
    ];
    for (const [value, clause] of ranges) {
      if (value === undefined) continue;
      clauses.push(clause);
      params.push(value);
    }
    if (filter.issueKind !== undefined) {
      clauses.push('EXISTS (SELECT 1 FROM example_issues i WHERE i.example_id = e.id AND i.kind = ?)');
      params.push(filter.issueKind);
    }
    if (filter.hasIssues !== undefined) {
      clauses.push(
        `${filter.hasIssues ? '' : 'NOT '}EXISTS (SELECT 1 FROM example_issues i WHERE i.example_id = e.id)`,
      );
    }
    return { sql: clauses.join(' AND '), params };
  }

  /** One page of summaries, and how many match in all. */
  listExamples(q: {
    datasetId: string;
    filter: ExampleFilter;
    sort: ExampleSort;
    order: 'asc' | 'desc';
    offset: number;
    limit: number;
    trash: boolean;
  }): { total: number; items: ExampleSummary[] } {
    const where = this.#where(q.datasetId, q.filter, q.trash);
    if (!where) return { total: 0, items: [] };
    if (q.filter.search?.trim() && q.sort === 'created' && searchOnly(q.filter) && !this.#importing(q.datasetId)) {
      return this.#searchPage(q.datasetId, ftsQuery(q.filter.search)!, q);
    }
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM dataset_examples e WHERE ${where.sql}`).get(...where.params) as {
        n: number;
      }
    ).n;
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    // Page through the index first, then read only the page's rows: OFFSET over whole rows would
    // read every skipped example.
    const seqs = (
      this.db
        .prepare(
          `SELECT e.seq FROM dataset_examples e WHERE ${where.sql}
           ORDER BY ${sortColumns[q.sort]} ${dir}, e.seq ${dir} LIMIT ? OFFSET ?`,
        )
        .all(...where.params, q.limit, q.offset) as { seq: number }[]
    ).map((r) => r.seq);
    return { total, items: this.#summaries(seqs) };
  }

  /** Whether an import into this dataset is writing (hidden, but already indexed) rows now. */
  #importing(datasetId: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM dataset_examples WHERE dataset_id = ? AND deleted_at < 0 LIMIT 1')
        .get(datasetId) !== undefined
    );
  }

  /**
   * A plain search in insertion order: the count and the page come from the FTS index alone. Not
   * used while an import into the dataset runs: its hidden rows are indexed as live already.
   */
  #searchPage(
    datasetId: string,
    terms: string,
    q: { order: 'asc' | 'desc'; offset: number; limit: number; trash: boolean },
  ): { total: number; items: ExampleSummary[] } {
    const match = scopedFtsQuery(terms, datasetId, q.trash);
    const total = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM dataset_examples_fts WHERE dataset_examples_fts MATCH ?')
        .get(match) as { n: number }
    ).n;
    const seqs = (
      this.db
        .prepare(
          `SELECT rowid AS seq FROM dataset_examples_fts WHERE dataset_examples_fts MATCH ?
           ORDER BY rowid ${q.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
        )
        .all(match, q.limit, q.offset) as { seq: number }[]
    ).map((r) => r.seq);
    return { total, items: this.#summaries(seqs) };
  }

  #summaries(seqs: readonly number[]): ExampleSummary[] {
    const select = this.db.prepare(
      `SELECT e.*, (SELECT group_concat(i.kind) FROM example_issues i WHERE i.example_id = e.id) AS issues
       FROM dataset_examples e WHERE e.seq = ?`,
    );
    return seqs.map((seq) => toSummary(select.get(seq) as ExampleRow & { issues: string | null }));
  }

  /** Every matching id, in list order (for "select all" with filters). */
  exampleIds(datasetId: string, filter: ExampleFilter, trash: boolean): string[] {
    const where = this.#where(datasetId, filter, trash);
    if (!where) return [];
    return (
      this.db.prepare(`SELECT e.id FROM dataset_examples e WHERE ${where.sql} ORDER BY e.seq`).all(...where.params) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  /** The editable state of examples by id (unknown ids are left out). */
  states(ids: readonly string[]): Map<string, ExampleState & { source: ExampleSource }> {
    const out = new Map<string, ExampleState & { source: ExampleSource }>();
    const select = this.db.prepare(
      `SELECT dataset_id, messages, rejected, tags, split, note, deleted_at, source FROM dataset_examples
       WHERE id = ? AND (deleted_at IS NULL OR deleted_at > 0)`,
    );
    for (const id of ids) {
      const r = select.get(id) as
        | Pick<ExampleRow, 'dataset_id' | 'messages' | 'rejected' | 'tags' | 'split' | 'note' | 'deleted_at' | 'source'>
        | undefined;
      if (!r) continue;
      out.set(id, {
        datasetId: r.dataset_id,
        messages: JSON.parse(r.messages) as ExampleMessage[],
        rejected: r.rejected,
        tags: JSON.parse(r.tags) as string[],
        split: r.split,
        note: r.note,
        deletedAt: r.deleted_at,
        source: r.source,
      });
    }
    return out;
  }

  /** Writes a whole state; when the text changed, also re-indexes it and clears the cached token count. */
  writeState(id: string, state: ExampleState, textChanged: boolean, now: number): void {
    if (!textChanged) {
      // Leaves `messages` and `rejected` out of the SET: the search index is re-written only when the text changes.
      this.db
        .prepare(
          `UPDATE dataset_examples SET dataset_id = @datasetId, tags = @tags, split = @split, note = @note,
             deleted_at = @deletedAt, updated_at = @now
           WHERE id = @id`,
        )
        .run({
          id,
          datasetId: state.datasetId,
          tags: JSON.stringify(state.tags),
          split: state.split,
          note: state.note,
          deletedAt: state.deletedAt,
          now,
        });
      return;
    }
    this.db
      .prepare(
        `UPDATE dataset_examples SET dataset_id = @datasetId, messages = @messages, rejected = @rejected, tags = @tags,
           split = @split, note = @note, deleted_at = @deletedAt, char_count = @chars, turn_count = @turns,
           token_count = NULL, token_model = NULL, updated_at = @now
         WHERE id = @id`,
      )
      .run({
        id,
        datasetId: state.datasetId,
        messages: JSON.stringify(state.messages),
        rejected: state.rejected,
        tags: JSON.stringify(state.tags),
        split: state.split,
        note: state.note,
        deletedAt: state.deletedAt,
        chars: charCount(state.messages),
        turns: state.messages.length,
        now,
      });
  }

  setSourceRef(id: string, ref: ExampleSourceRef): void {
    this.db.prepare('UPDATE dataset_examples SET source_ref = ? WHERE id = ?').run(JSON.stringify(ref), id);
  }

  /** A prepared history writer: records the state an example had before a change. */
  historyWriter(): (exampleId: string, kind: HistoryKind, before: ExampleState, now: number) => void {
    const insert = this.db.prepare(
      'INSERT INTO example_history (example_id, kind, snapshot, created_at) VALUES (?, ?, ?, ?)',
    );
    return (exampleId, kind, before, now) => insert.run(exampleId, kind, JSON.stringify(before), now);
  }

  /** Removes and answers the newest history entry of an example. */
  popHistory(exampleId: string): { kind: HistoryKind; state: ExampleState } | null {
    const row = this.db
      .prepare('SELECT id, kind, snapshot FROM example_history WHERE example_id = ? ORDER BY id DESC LIMIT 1')
      .get(exampleId) as { id: number; kind: HistoryKind; snapshot: string } | undefined;
    if (!row) return null;
    this.db.prepare('DELETE FROM example_history WHERE id = ?').run(row.id);
    return { kind: row.kind, state: JSON.parse(row.snapshot) as ExampleState };
  }

  /** Permanently deletes the trashed examples of a dataset (all, or the given ids); answers how many. */
  emptyTrash(datasetId: string, ids?: readonly string[]): number {
    if (!ids) {
      return this.db.prepare('DELETE FROM dataset_examples WHERE dataset_id = ? AND deleted_at > 0').run(datasetId)
        .changes;
    }
    const del = this.db.prepare('DELETE FROM dataset_examples WHERE id = ? AND dataset_id = ? AND deleted_at > 0');
    let n = 0;
    for (const id of ids) n += del.run(id, datasetId).changes;
    return n;
  }

  // ---- tokens ---------------------------------------------------------------------------------

  /** Live examples of a dataset that have no count for `modelId`, in slices by seq. */
  uncounted(datasetId: string, modelId: string, afterSeq: number, limit: number): ExampleRow[] {
    return this.db
      .prepare(
        `SELECT * FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL AND seq > ?
           AND (token_model IS NOT ? OR token_count IS NULL)
         ORDER BY seq LIMIT ?`,
      )
      .all(datasetId, afterSeq, modelId, limit) as ExampleRow[];
  }

  countUncounted(datasetId: string, modelId: string): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL
             AND (token_model IS NOT ? OR token_count IS NULL)`,
        )
        .get(datasetId, modelId) as { n: number }
    ).n;
  }

  tokenWriter(): (id: string, count: number, modelId: string) => void {
    const update = this.db.prepare('UPDATE dataset_examples SET token_count = ?, token_model = ? WHERE id = ?');
    return (id, count, modelId) => update.run(count, modelId, id);
  }

  /** Cached token counts of a dataset's live examples for one model (null model: any). */
  tokenCounts(datasetId: string, modelId: string | null): { counts: number[]; uncounted: number } {
    const rows = this.db
      .prepare(
        `SELECT token_count AS n FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL
           AND token_count IS NOT NULL AND (? IS NULL OR token_model = ?)`,
      )
      .all(datasetId, modelId, modelId) as { n: number }[];
    const live = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM dataset_examples WHERE dataset_id = ? AND deleted_at IS NULL')
        .get(datasetId) as { n: number }
    ).n;
    return { counts: rows.map((r) => r.n), uncounted: live - rows.length };
  }

  // ---- whole-dataset reads (export, hygiene, training) ----------------------------------------

  /**
   * One slice of a dataset's examples in order, after `afterSeq` (keyset paging: no statement stays
   * open between slices, so other writes on the connection go on meanwhile).
   */
  examplesPage(
    datasetId: string,
    afterSeq: number,
    limit: number,
    includeTrash = false,
  ): (Pick<DatasetExample, 'id' | 'messages' | 'rejected' | 'split' | 'tags' | 'note' | 'tokenCount'> & {
    seq: number;
  })[] {
    const rows = this.db
      .prepare(
        `SELECT seq, id, messages, rejected, split, tags, note, token_count FROM dataset_examples
         WHERE dataset_id = ? AND seq > ? ${includeTrash ? 'AND (deleted_at IS NULL OR deleted_at > 0)' : 'AND deleted_at IS NULL'} ORDER BY seq LIMIT ?`,
      )
      .all(datasetId, afterSeq, limit) as Pick<
      ExampleRow,
      'seq' | 'id' | 'messages' | 'rejected' | 'split' | 'tags' | 'note' | 'token_count'
    >[];
    return rows.map((r) => ({
      seq: r.seq,
      id: r.id,
      messages: JSON.parse(r.messages) as ExampleMessage[],
      rejected: r.rejected,
      split: r.split,
      tags: JSON.parse(r.tags) as string[],
      note: r.note,
      tokenCount: r.token_count,
    }));
  }

  liveCount(datasetId: string, includeTrash = false): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM dataset_examples WHERE dataset_id = ? ${includeTrash ? 'AND (deleted_at IS NULL OR deleted_at > 0)' : 'AND deleted_at IS NULL'}`,
        )
        .get(datasetId) as { n: number }
    ).n;
  }

  // ---- hygiene --------------------------------------------------------------------------------

  saveReport(report: HygieneReport): void {
    this.db
      .prepare(
        `INSERT INTO dataset_reports (dataset_id, report, created_at) VALUES (?, ?, ?)
         ON CONFLICT (dataset_id) DO UPDATE SET report = excluded.report, created_at = excluded.created_at`,
      )
      .run(report.datasetId, JSON.stringify(report), report.createdAt);
    this.db.prepare('DELETE FROM example_issues WHERE dataset_id = ?').run(report.datasetId);
    const flag = this.db.prepare(
      `INSERT OR IGNORE INTO example_issues (example_id, dataset_id, kind)
       SELECT id, dataset_id, ? FROM dataset_examples WHERE id = ? AND dataset_id = ?`,
    );
    for (const group of report.groups) {
      for (const id of group.exampleIds) {
        if (id !== group.keepId) flag.run(group.kind, id, report.datasetId);
      }
    }
  }

  report(datasetId: string): HygieneReport | null {
    const row = this.db.prepare('SELECT report FROM dataset_reports WHERE dataset_id = ?').get(datasetId) as
      { report: string } | undefined;
    return row ? (JSON.parse(row.report) as HygieneReport) : null;
  }

  /** Drops the issue flags of examples (after a fix resolved them). */
  clearIssues(ids: readonly string[], kind: string): void {
    const del = this.db.prepare('DELETE FROM example_issues WHERE example_id = ? AND kind = ?');
    for (const id of ids) del.run(id, kind);
  }
}
