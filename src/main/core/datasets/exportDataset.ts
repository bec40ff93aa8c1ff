import { basename, dirname, extname, join } from 'node:path';
import type { CsvMapping, DatasetFormat, ExportResult, ParsedExample } from '../../../shared/datasets';
import { AppError } from '../../../shared/errors';
import type { JobContext } from '../jobs/JobRunner';
import type { DatasetsRepo } from './DatasetsRepo';
import { writeDatasetFile } from './formats';
import { readAllExamples, type StoredExampleData } from './readAll';

export interface ExportArgs {
  datasetId: string;
  format: DatasetFormat;
  /** Absolute path of the file to write (the folder must exist). */
  path: string;
  /**
   * `together`: one file; `separate`: `<name>.train.<ext>` and `<name>.eval.<ext>` beside `path`
   * (examples with split `auto` go to train, where the trainer would draw its own eval share).
   */
  splits: 'together' | 'separate';
  includeTrash?: boolean | undefined;
  csvMapping?: CsvMapping | undefined;
  /** `openai` only: exactly what Lathe's trainer reads. */
  forTrainer?: boolean | undefined;
}

/** Where the two files of a `separate` export go: `out/data.jsonl` → `out/data.train.jsonl`, `out/data.eval.jsonl`. */
export function splitPaths(path: string): { train: string; eval: string } {
  const ext = extname(path);
  const stem = basename(path, ext);
  const dir = dirname(path);
  return { train: join(dir, `${stem}.train${ext}`), eval: join(dir, `${stem}.eval${ext}`) };
}

const toParsed = (e: StoredExampleData): ParsedExample => ({
  messages: e.messages,
  ...(e.rejected !== null ? { rejected: e.rejected } : {}),
  ...(e.split !== 'auto' ? { split: e.split } : {}),
  ...(e.tags.length > 0 ? { tags: e.tags } : {}),
  ...(e.note !== '' ? { note: e.note } : {}),
});

/**
 * Writes a dataset to one file or to a train and an eval file, each atomically (see
 * writeDatasetFile); progress counts examples. Throws NOT_FOUND, IO_ERROR, CANCELLED.
 */
export async function exportDataset(
  repo: DatasetsRepo,
  args: ExportArgs,
  context: Pick<JobContext, 'signal' | 'onProgress'>,
): Promise<ExportResult> {
  if (!repo.datasetExists(args.datasetId)) {
    throw new AppError('NOT_FOUND', `No dataset with id ${args.datasetId}.`, { id: args.datasetId });
  }
  const { signal, onProgress } = context;
  const total = Math.max(1, repo.liveCount(args.datasetId, args.includeTrash ?? false));
  const options = {
    ...(args.csvMapping ? { csvMapping: args.csvMapping } : {}),
    ...(args.forTrainer ? { forTrainer: true } : {}),
    signal,
  };
  const files: ExportResult['files'] = [];
  const read = () => readAllExamples(repo, args.datasetId, { includeTrash: args.includeTrash ?? false, signal });

  if (args.splits === 'together') {
    let seen = 0;
    const examples = async function* () {
      for await (const e of read()) {
        seen += 1;
        if (seen % 1000 === 0) onProgress({ progress: seen / total, message: `${seen} of ${total} examples` });
        yield toParsed(e);
      }
    };
    const result = await writeDatasetFile(args.path, examples(), args.format, options);
    files.push({ path: args.path, split: 'all', written: result.written, skipped: result.skipped.length });
    return { files };
  }

  const paths = splitPaths(args.path);
  for (const [i, split] of (['train', 'eval'] as const).entries()) {
    let seen = 0;
    const examples = async function* () {
      for await (const e of read()) {
        seen += 1;
        if (seen % 1000 === 0) {
          onProgress({ progress: (i + seen / total) / 2, message: `${split}: ${seen} of ${total} examples read` });
        }
        const inSplit = split === 'eval' ? e.split === 'eval' : e.split !== 'eval';
        if (inSplit) yield toParsed(e);
      }
    };
    const result = await writeDatasetFile(paths[split], examples(), args.format, options);
    files.push({ path: paths[split], split, written: result.written, skipped: result.skipped.length });
  }
  return { files };
}
