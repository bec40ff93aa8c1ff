import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { CsvMapping, DatasetFormat, ParsedExample } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';
import { csvEscape, csvHeader, defaultCsvMapping } from './csv';
import { exampleToRecord } from './serializeExample';

export interface WriteDatasetOptions {
  /** CSV only: the columns to write (default `system,user,assistant`). */
  csvMapping?: CsvMapping;
  /** CSV only: the field separator (default `,`). */
  csvDelimiter?: string;
  /** JSON formats: one record per line (default) or a single JSON array. */
  container?: 'jsonl' | 'json';
  /** `openai` only: exactly what Lathe's trainer reads (see `SerializeOptions.forTrainer`). */
  forTrainer?: boolean;
  /** Checked before each example; aborting removes the partial file and throws AppError('CANCELLED'). */
  signal?: AbortSignal;
  /** Called after each flushed chunk (about every 1 MiB) and once at the end. */
  onProgress?: (progress: { written: number; skipped: number }) => void;
}

export interface WriteDatasetResult {
  written: number;
  /** Examples the format cannot hold, by their 0-based position in the input. */
  skipped: { index: number; reason: string }[];
}

const flushChars = 1 << 20;

/**
 * Writes examples to a dataset file in a format, atomically: everything goes to a temporary file
 * beside the target, which is synced and renamed over it only when complete, so a failed or
 * cancelled export never leaves a half-written file. Examples the format cannot hold are skipped
 * with a reason, not fatal. JSON Lines end every line with `\n`; CSV files start with a header row.
 *
 * Throws AppError: IO_ERROR (cannot write), CANCELLED.
 */
export async function writeDatasetFile(
  path: string,
  examples: AsyncIterable<ParsedExample> | Iterable<ParsedExample>,
  format: DatasetFormat,
  opts: WriteDatasetOptions = {},
): Promise<WriteDatasetResult> {
  const { signal, onProgress } = opts;
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const mapping = opts.csvMapping ?? defaultCsvMapping;
  const delimiter = opts.csvDelimiter ?? ',';
  const array = format !== 'csv' && opts.container === 'json';
  const skipped: WriteDatasetResult['skipped'] = [];
  let written = 0;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, 'w');
  } catch (error) {
    throw new AppError('IO_ERROR', `Cannot write ${path}: ${(error as Error).message}`);
  }
  let buffer: string[] = [];
  let bufferChars = 0;
  const flush = async () => {
    if (bufferChars === 0) return;
    await handle.write(buffer.join(''));
    buffer = [];
    bufferChars = 0;
    onProgress?.({ written, skipped: skipped.length });
  };
  const push = async (text: string) => {
    buffer.push(text);
    bufferChars += text.length;
    if (bufferChars >= flushChars) await flush();
  };
  try {
    if (format === 'csv') await push(`${csvHeader(mapping, delimiter)}\n`);
    if (array) await push('[');
    let index = 0;
    for await (const example of examples) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled.');
      const result = exampleToRecord(example, format, { csvMapping: mapping, forTrainer: opts.forTrainer });
      if (!result.ok) skipped.push({ index, reason: result.reason });
      else if (format === 'csv') {
        await push(`${(result.record as string[]).map((cell) => csvEscape(cell, delimiter)).join(delimiter)}\n`);
        written++;
      } else {
        await push(
          `${array && written > 0 ? ',\n' : array ? '\n' : ''}${JSON.stringify(result.record)}${array ? '' : '\n'}`,
        );
        written++;
      }
      index++;
    }
    if (array) await push('\n]\n');
    await flush();
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('IO_ERROR', `Cannot write ${path}: ${(error as Error).message}`);
  }
  onProgress?.({ written, skipped: skipped.length });
  return { written, skipped };
}
