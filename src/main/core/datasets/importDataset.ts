import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type {
  CsvMapping,
  DatasetFormat,
  ExampleSplit,
  ImportErrorPolicy,
  ImportLineError,
  ImportResult,
} from '../../../shared/datasets';
import { AppError } from '../../../shared/errors';
import type { JobContext } from '../jobs/JobRunner';
import type { DatasetsRepo, NewExample } from './DatasetsRepo';
import { readDatasetFile } from './formats';

export interface ImportArgs {
  path: string;
  /** Import into this dataset… */
  datasetId?: string | undefined;
  /** …or into a new dataset with this name. */
  name?: string | undefined;
  format: DatasetFormat;
  csvMapping?: CsvMapping | undefined;
  onErrors: ImportErrorPolicy;
  /** Split for examples whose record names none (default `auto`). */
  split?: ExampleSplit | undefined;
  /** Tags added to every imported example. */
  tags?: string[] | undefined;
}

export interface ImportOptions {
  /**
   * Rows per insert transaction, fixed. By default the size adapts so that one transaction takes
   * about `targetBatchMs` (search indexing makes a row cost anywhere from 20 µs to a few ms).
   */
  batchSize?: number;
  /** What one insert batch may take, ms, when the batch size adapts (default 40). */
  targetBatchMs?: number;
  /** How often the rows written so far are committed, ms (default 1000). */
  commitEveryMs?: number;
  /** Work of one merge step of the search index between batches, in FTS5 pages (default 64). */
  mergePages?: number;
  /**
   * Awaited after each commit but the last, before the next rows are written: the app's
   * checkpoint, so that the write-ahead log restarts rather than growing with the import.
   */
  afterCommit?: () => Promise<unknown>;
  /** Longest record accepted, bytes (default: the reader's, 16 MiB). */
  maxLineBytes?: number;
  now?: () => number;
}

/** How many bad lines are kept with their reasons (all are counted). */
export const keptLineErrors = 100;

/**
 * Streams a dataset file into a dataset, all or nothing.
 *
 * Rows are written hidden, in batches of prepared inserts, one short transaction per batch (sized
 * to take about 40 ms), with a turn of the event loop between batches: into a hidden staging dataset
 * for a new dataset, or into the target with a negative `deleted_at` marker. At the end one short
 * transaction publishes them (renames the staging dataset, or clears the marker; no text is
 * re-indexed). Cancelling, failing, or `onErrors: 'abort'` with a bad line deletes the hidden rows
 * (in slices), so nothing is ever seen half-imported.
 * Why not one transaction held open across the whole import: the core has a single SQLite
 * connection that chat and the job runner write on meanwhile; their writes would join the import's
 * transaction and vanish with its rollback.
 *
 * Throws AppError: NOT_FOUND (file or dataset), CONFLICT (name taken), INVALID_INPUT (empty file, no
 * valid example, or bad lines with `abort`; `details.errors` has the first 100 as {line, reason}
 * and `details.errorCount` their number), IO_ERROR, CANCELLED.
 */
export async function importDataset(
  repo: DatasetsRepo,
  args: ImportArgs,
  context: Pick<JobContext, 'signal' | 'onProgress' | 'jobId'>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { signal, onProgress } = context;
  const now = options.now ?? Date.now;
  // small at first: the first batches also warm the caches (256 took 110–120 ms)
  let batchSize = options.batchSize ?? 64;
  const targetMs = options.targetBatchMs ?? 40;
  const mergePages = options.mergePages ?? 64;
  const started = now();
  if (args.datasetId !== undefined && !repo.datasetExists(args.datasetId)) {
    throw new AppError('NOT_FOUND', `No dataset with id ${args.datasetId}.`, { id: args.datasetId });
  }
  const name = args.name?.trim();
  if (name !== undefined && repo.nameTaken(name)) {
    throw new AppError('CONFLICT', `A dataset named "${name}" already exists.`, { name, reason: 'name-taken' });
  }

  // A new dataset is filled while hidden (staging) and published by renaming it; rows for an
  // existing dataset go straight into it, hidden by a negative `deleted_at` marker until published.
  const existing = args.datasetId;
  const stagingId = existing ?? randomUUID();
  const marker = existing !== undefined ? -(Date.now() * 1000 + Math.floor(Math.random() * 1000)) : undefined;
  if (existing === undefined) {
    repo.insertDataset({
      id: stagingId,
      name: `.import-${context.jobId}-${stagingId}`,
      description: '',
      tags: [],
      defaultMaxLength: null,
      stagingJob: context.jobId,
      now: started,
    });
  }

  const insert = repo.exampleInserter();
  const tags = args.tags ?? [];
  const errors: ImportLineError[] = [];
  let errorCount = 0;
  let imported = 0;
  let bytes = 0;
  let totalBytes = 0;
  let batch: NewExample[] = [];
  // Commits every `commitEveryMs` rather than every batch: each COMMIT makes SQLite's FTS5 write out
  // its pending index as a new segment (and merge segments), which with one commit per 40 ms batch
  // was a third of the import's time. The open transaction is never rolled back (cancel deletes the
  // hidden rows, then commits), so writes that other parts of Lathe make meanwhile on the same
  // connection are kept; they become durable at the next commit, at most `commitEveryMs` later.
  const commitEveryMs = options.commitEveryMs ?? 1000;
  let openedAt: number | null = null;
  const commitIfDue = (force: boolean): boolean => {
    if (openedAt !== null && (force || performance.now() - openedAt >= commitEveryMs)) {
      repo.commitLong();
      openedAt = null;
      mergeDue = true;
      return true;
    }
    return false;
  };
  // The search index merges its segments in bounded steps, one after each batch, while there is
  // work (automerge is off while importing: a COMMIT merged up to ~400 ms at once, freezing the app;
  // and so are crisis merges, see setSearchIndexImporting).
  let mergeDue = false;
  const mergeStep = () => {
    if (mergeDue) mergeDue = repo.transaction(() => repo.mergeSearchIndex(mergePages));
  };
  const flush = () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (openedAt === null && repo.beginLong()) openedAt = performance.now();
    const t0 = performance.now();
    repo.transaction(() => {
      for (const row of rows) insert(row);
    });
    imported += rows.length;
    if (options.batchSize === undefined) {
      // Aim the next batch at the target time, within 16..8192 rows and at most doubling per step.
      const perRow = Math.max(1e-3, (performance.now() - t0) / rows.length);
      batchSize = Math.max(16, Math.min(8192, batchSize * 2, Math.round(targetMs / perRow)));
    }
  };
  const report = () => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const fraction = totalBytes > 0 ? bytes / totalBytes : 0;
    const rate = (imported + batch.length) / seconds;
    const eta = fraction > 0 ? (seconds * (1 - fraction)) / fraction : null;
    onProgress({
      progress: Math.min(0.99, fraction),
      message:
        `${(imported + batch.length).toLocaleString('en-US')} examples · ${Math.round(rate).toLocaleString('en-US')}/s` +
        (eta !== null ? ` · about ${Math.ceil(eta)} s left` : '') +
        (errorCount > 0 ? ` · ${errorCount} bad lines` : ''),
    });
  };

  repo.setSearchIndexImporting(true);
  try {
    const reader = readDatasetFile(args.path, {
      format: args.format,
      ...(args.csvMapping ? { csvMapping: args.csvMapping } : {}),
      ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}),
      signal,
    });
    let sinceYield = 0;
    for await (const item of reader) {
      bytes = item.bytesRead;
      totalBytes = item.totalBytes;
      if (item.error !== undefined || !item.example) {
        errorCount += 1;
        if (errors.length < keptLineErrors) {
          errors.push({ line: item.line, reason: stripLinePrefix(item.error ?? 'unreadable record') });
        }
        continue;
      }
      // With 'abort', one bad line means nothing is imported: stop storing, keep reading to report them all.
      if (args.onErrors === 'abort' && errorCount > 0) continue;
      const example = item.example;
      batch.push({
        id: randomUUID(),
        datasetId: stagingId,
        ...(marker !== undefined ? { stagedMarker: marker } : {}),
        messages: example.messages,
        rejected: example.rejected ?? null,
        source: 'import',
        sourceRef: { file: args.path, line: item.line },
        tags: mergeTags(example.tags, tags),
        split: example.split ?? args.split ?? 'auto',
        note: example.note ?? '',
        createdAt: now(),
      });
      if (batch.length >= batchSize) {
        // The insert, the search index's flush, the commit and the merge step each take a turn of
        // their own, so that the event loop never waits for two of them (the longest stall of a
        // 100k import: 87–92 ms, against 322 ms with them together; README, datasets bench).
        flush();
        report();
        sinceYield = 0;
        await nextTurn();
        repo.transaction(() => repo.flushSearchIndex());
        mergeDue = true; // the flush wrote a segment
        await nextTurn();
        if (commitIfDue(false)) {
          // a failed checkpoint only leaves the log longer: the import goes on
          if (options.afterCommit) await options.afterCommit().catch(() => undefined);
          else await nextTurn();
        }
        mergeStep();
        await nextTurn();
        if (signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
      } else if (++sinceYield >= batchSize) {
        // Bad lines (or lines being read past an 'abort'): still let the event loop breathe.
        sinceYield = 0;
        report();
        await nextTurn();
      }
    }
    if (signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
    if (args.onErrors === 'abort' && errorCount > 0) {
      throw new AppError(
        'INVALID_INPUT',
        `${errorCount} ${errorCount === 1 ? 'line is' : 'lines are'} not valid ${args.format}; nothing was imported (first: line ${errors[0]!.line}: ${errors[0]!.reason}).`,
        { errors, errorCount },
      );
    }
    flush();
    commitIfDue(true);
    // what is left to merge, in the same bounded steps (each its own commit), with a checkpoint
    // every `commitEveryMs` so that the log restarts here too
    let settledAt = performance.now();
    while (mergeDue && !signal.aborted) {
      mergeStep();
      if (options.afterCommit && performance.now() - settledAt >= commitEveryMs / 4) {
        await options.afterCommit().catch(() => undefined);
        settledAt = performance.now();
      } else await nextTurn();
    }
    if (imported === 0) {
      throw new AppError(
        'INVALID_INPUT',
        errorCount > 0
          ? `No line is a valid ${args.format} example (${errorCount} bad; first: line ${errors[0]!.line}: ${errors[0]!.reason}).`
          : `${args.path} holds no examples.`,
        { errors, errorCount, reason: errorCount > 0 ? 'no-valid-example' : 'empty' },
      );
    }
    const publishStarted = performance.now();
    const datasetId = repo.transaction(() => {
      if (signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
      const at = now();
      if (name !== undefined) {
        if (repo.nameTaken(name, stagingId)) {
          throw new AppError('CONFLICT', `A dataset named "${name}" already exists.`, { name, reason: 'name-taken' });
        }
        repo.publishStaging(stagingId, name, at);
        return stagingId;
      }
      if (!repo.datasetExists(stagingId)) {
        throw new AppError('NOT_FOUND', `The dataset ${stagingId} was deleted during the import.`, { id: stagingId });
      }
      repo.publishStaged(stagingId, marker!);
      repo.touchDataset(stagingId, at);
      return stagingId;
    });
    const publishMs = performance.now() - publishStarted;
    return { datasetId, imported, errorCount, errors, bytes: totalBytes, seconds: (now() - started) / 1000, publishMs };
  } catch (error) {
    commitIfDue(true);
    if (marker !== undefined) {
      while (repo.transaction(() => repo.deleteSomeStaged(stagingId, marker, 5000)) > 0) await nextTurn();
    } else await dropStaging(repo, stagingId);
    throw error;
  } finally {
    repo.setSearchIndexImporting(false);
  }
}

/** Deletes a staging dataset in slices, so a big cancelled import does not freeze the app. */
async function dropStaging(repo: DatasetsRepo, stagingId: string): Promise<void> {
  while (repo.transaction(() => repo.deleteSomeExamples(stagingId, 5000)) > 0) await nextTurn();
  repo.deleteDataset(stagingId);
}

function mergeTags(own: readonly string[] | undefined, extra: readonly string[]): string[] {
  if (!own || own.length === 0) return [...extra];
  return [...new Set([...own, ...extra])];
}

/** The reader says `line N: reason`; the line is reported apart. */
function stripLinePrefix(reason: string): string {
  return reason.replace(/^line \d+: /, '');
}
