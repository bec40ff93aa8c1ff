import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { CsvMapping, DatasetFormat, ParsedExample } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';
import { csvRowObject, detectDelimiter, resolveCsvHeader } from './csv';
import { parseRecord } from './parseRecord';
import { CsvParser, JsonArraySplitter, LineSplitter, notUtf8, tooLong, type RawRecord } from './splitters';

/** Default limit on one record (a JSONL line, a JSON array element or a CSV row): 16 MiB. */
export const defaultMaxLineBytes = 16 * 1024 * 1024;
/** How much is read from disk at a time. */
const chunkBytes = 1024 * 1024;
/** How often (in records) the abort signal is checked within a chunk. */
const abortEvery = 2048;

export type CsvDelimiter = ',' | ';' | '\t';

export interface ReadDatasetOptions {
  format: DatasetFormat;
  /** For `csv`: which columns hold which turn. Guessed from the header (see `guessCsvMapping`) when absent. */
  csvMapping?: CsvMapping;
  /** For `csv`: the field separator; when absent, tab for `.tsv` files, else detected from the header line. */
  csvDelimiter?: CsvDelimiter;
  /** For JSON formats: JSON Lines or one JSON array; detected from the first character when absent. */
  container?: 'jsonl' | 'json';
  /** Checked between chunks and every few thousand records; aborting throws AppError('CANCELLED'). */
  signal?: AbortSignal;
  /** Longest record accepted, in bytes (default 16 MiB); longer ones are reported and skipped without being buffered. */
  maxLineBytes?: number;
}

/** One record of the file: an example, or the reason it could not be read. */
export interface ReadDatasetItem {
  /** 1-based line where the record starts (the header of a CSV file is line 1). */
  line: number;
  example?: ParsedExample;
  /** `line N: reason`, e.g. `line 12: messages[2].role must be system, user, assistant or tool`. */
  error?: string;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
  totalBytes: number;
}

const throwIfAborted = (signal: AbortSignal | undefined) => {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Reading the dataset file was cancelled.');
};

/** Opens a file's size, turning fs errors into AppErrors. */
export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new AppError('IO_ERROR', `${path} is a folder, not a file.`);
    return info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `The file ${path} does not exist.`);
    throw new AppError('IO_ERROR', `Cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Throws for byte-order marks of encodings other than UTF-8; returns how many BOM bytes to skip. */
export function checkBom(head: Uint8Array, path: string): number {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new AppError('INVALID_INPUT', `${path} is UTF-16 text; save it as UTF-8 and import it again.`);
  }
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
}

/** The first byte that is not whitespace, or -1. */
export function firstNonSpace(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 32 && b !== 10 && b !== 13 && b !== 9) return b;
  }
  return -1;
}

const isBlank = (bytes: Uint8Array) => firstNonSpace(bytes) === -1;

function jsonError(error: unknown): string {
  const message = (error as Error).message;
  return `not valid JSON (${message.length > 160 ? `${message.slice(0, 160)}…` : message})`;
}

/** Decodes and parses one JSON record; the reason when it is not valid UTF-8 or JSON. */
export function decodeJson(raw: RawRecord, maxBytes: number): { value: unknown } | { reason: string } {
  if (raw.error) return { reason: raw.error };
  if (raw.bytes === null) return { reason: tooLong(raw.size, maxBytes) };
  // isUtf8 (simdutf) then toString is the fatal-decoder check at a fraction of TextDecoder's cost.
  if (!isUtf8(raw.bytes)) return { reason: notUtf8 };
  const text = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.length).toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { reason: jsonError(error) };
  }
}

/** A CSV file's delimiter when none is given: tab for `.tsv`, else the most frequent of , ; tab in the header line. */
function csvDelimiterOf(path: string, head: Uint8Array): CsvDelimiter {
  if (/\.tsv$/i.test(path)) return '\t';
  const buf = Buffer.from(head.buffer, head.byteOffset, head.length);
  const nl = buf.indexOf(10);
  return detectDelimiter(buf.subarray(0, nl === -1 ? Math.min(buf.length, 65536) : nl).toString('utf8'));
}

/**
 * Streams a dataset file record by record: JSON Lines, a JSON array, or CSV (header row plus a
 * column mapping). Memory stays bounded by the chunk size and `maxLineBytes`, whatever the
 * file's size or the length of its lines. Blank lines are skipped; a UTF-8 BOM and CRLF line ends
 * are accepted. Every record that cannot be read gives an item with `error` (`line N: reason`)
 * and the reading goes on, so the caller can choose between the valid records and nothing.
 *
 * Throws AppError: NOT_FOUND (no such file), IO_ERROR (unreadable), INVALID_INPUT (empty file,
 * UTF-16, a CSV header without the mapped columns), CANCELLED (signal aborted).
 */
export async function* readDatasetFile(path: string, opts: ReadDatasetOptions): AsyncGenerator<ReadDatasetItem> {
  const { format, signal } = opts;
  const maxBytes = opts.maxLineBytes ?? defaultMaxLineBytes;
  throwIfAborted(signal);
  const totalBytes = await fileSize(path);
  if (totalBytes === 0) throw new AppError('INVALID_INPUT', `${path} is empty.`);

  let splitter: LineSplitter | JsonArraySplitter | CsvParser | null = null;
  let skipped = 0; // BOM bytes, for byte offsets
  let any = false;
  let header: { columns: string[]; mapping: CsvMapping } | null = null;
  let sinceCheck = 0;

  function* handleJson(records: RawRecord[]): Generator<ReadDatasetItem> {
    for (const raw of records) {
      if (++sinceCheck >= abortEvery) {
        sinceCheck = 0;
        throwIfAborted(signal);
      }
      if (raw.bytes !== null && !raw.error && isBlank(raw.bytes)) continue;
      any = true;
      const bytesRead = raw.end + skipped;
      const decoded = decodeJson(raw, maxBytes);
      if ('reason' in decoded) {
        yield { line: raw.line, error: `line ${raw.line}: ${decoded.reason}`, bytesRead, totalBytes };
        continue;
      }
      const parsed = parseRecord(decoded.value, format);
      yield parsed.ok
        ? { line: raw.line, example: parsed.example, bytesRead, totalBytes }
        : { line: raw.line, error: `line ${raw.line}: ${parsed.reason}`, bytesRead, totalBytes };
    }
  }

  function* handleCsv(records: ReturnType<CsvParser['push']>): Generator<ReadDatasetItem> {
    for (const row of records) {
      if (++sinceCheck >= abortEvery) {
        sinceCheck = 0;
        throwIfAborted(signal);
      }
      any = true;
      const bytesRead = row.end + skipped;
      if (!header) {
        if (!row.fields) throw new AppError('INVALID_INPUT', `The header row of ${path} cannot be read: ${row.error}`);
        header = resolveCsvHeader(row.fields, opts.csvMapping, path);
        continue;
      }
      if (!row.fields) {
        yield { line: row.line, error: `line ${row.line}: ${row.error}`, bytesRead, totalBytes };
        continue;
      }
      if (row.fields.length !== header.columns.length) {
        const error = `line ${row.line}: expected ${header.columns.length} fields like the header, found ${row.fields.length}`;
        yield { line: row.line, error, bytesRead, totalBytes };
        continue;
      }
      const parsed = parseRecord(csvRowObject(header.columns, row.fields), 'csv', { csvMapping: header.mapping });
      yield parsed.ok
        ? { line: row.line, example: parsed.example, bytesRead, totalBytes }
        : { line: row.line, error: `line ${row.line}: ${parsed.reason}`, bytesRead, totalBytes };
    }
  }

  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    for await (const buffer of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      let chunk: Uint8Array = buffer;
      if (!splitter) {
        skipped = checkBom(chunk, path);
        chunk = chunk.subarray(skipped);
        if (format === 'csv') {
          splitter = new CsvParser(maxBytes, opts.csvDelimiter ?? csvDelimiterOf(path, chunk));
        } else {
          const container = opts.container ?? (firstNonSpace(chunk) === 91 ? 'json' : 'jsonl');
          splitter = container === 'json' ? new JsonArraySplitter(maxBytes) : new LineSplitter(maxBytes);
        }
      }
      if (splitter instanceof CsvParser) yield* handleCsv(splitter.push(chunk));
      else yield* handleJson(splitter.push(chunk));
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('IO_ERROR', `Cannot read ${path}: ${(error as Error).message}`);
  }
  if (splitter instanceof CsvParser) yield* handleCsv(splitter.end());
  else if (splitter) yield* handleJson(splitter.end());
  if (!any) throw new AppError('INVALID_INPUT', `${path} is empty: it holds no records.`);
  if (format === 'csv' && header === null) throw new AppError('INVALID_INPUT', `${path} has no header row.`);
}
