import { open } from 'node:fs/promises';
import type { CsvMapping, DatasetFormat } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';
import { csvRowObject, detectDelimiter, guessCsvMapping } from './csv';
import { detectFormat } from './detectFormat';
import { parseRecord } from './parseRecord';
import { checkBom, decodeJson, fileSize, firstNonSpace, type CsvDelimiter } from './readDatasetFile';
import { CsvParser, JsonArraySplitter, LineSplitter, type RawRecord } from './splitters';

export interface SniffOptions {
  /** How much of the file's head is read, in bytes (default 256 KiB). */
  headBytes?: number;
  /** At most this many records are sampled (default 100). */
  maxSample?: number;
}

export interface SniffResult {
  /** The detected format, or null when no sampled record looks like a known one. */
  format: DatasetFormat | null;
  container: 'jsonl' | 'json' | 'csv';
  /** Share of the sample that looks like `format` (0..1); 1 for CSV. */
  confidence: number;
  /** True when the sample mixes records of several formats. */
  mixed: boolean;
  /** Why this format, in a sentence for the confirmation dialog. */
  reason: string;
  /** Parsed sample records: JSON values, or CSV rows as `{column: cell}`. */
  sample: unknown[];
  /** Problems in the sampled records when read as `format` (line numbers are the file's). */
  sampleErrors: { line: number; reason: string }[];
  /** CSV only: the header's columns, the guessed delimiter and a guessed mapping (null when unsure). */
  csvColumns?: string[];
  csvDelimiter?: CsvDelimiter;
  csvMapping?: CsvMapping | null;
  totalBytes: number;
  hasBom: boolean;
  lineEnding: 'lf' | 'crlf' | 'none';
}

const defaultHeadBytes = 256 * 1024;

/**
 * Reads only the head of a dataset file and says what it probably is: the container (JSON Lines,
 * a JSON array or CSV), the record format with a confidence, a sample, and for CSV the columns and
 * a guessed mapping. The import dialog shows this for confirmation before `readDatasetFile` runs.
 *
 * Throws AppError: NOT_FOUND, IO_ERROR, INVALID_INPUT (an empty file, UTF-16, or text that is
 * neither JSON nor CSV).
 */
export async function sniffFile(path: string, opts: SniffOptions = {}): Promise<SniffResult> {
  const totalBytes = await fileSize(path);
  if (totalBytes === 0) throw new AppError('INVALID_INPUT', `${path} is empty.`);
  const headSize = Math.min(totalBytes, opts.headBytes ?? defaultHeadBytes);
  const maxSample = opts.maxSample ?? 100;
  const head = Buffer.alloc(headSize);
  const handle = await open(path, 'r').catch((error: Error) => {
    throw new AppError('IO_ERROR', `Cannot read ${path}: ${error.message}`);
  });
  try {
    await handle.read(head, 0, headSize, 0);
  } finally {
    await handle.close();
  }
  const bom = checkBom(head, path);
  const body = head.subarray(bom);
  const whole = headSize === totalBytes;
  const first = firstNonSpace(body);
  if (first === -1) throw new AppError('INVALID_INPUT', `${path} is empty: it holds only whitespace.`);
  const nl = body.indexOf(10);
  const lineEnding = nl === -1 ? 'none' : nl > 0 && body[nl - 1] === 13 ? 'crlf' : 'lf';
  const common = { totalBytes, hasBom: bom > 0, lineEnding } as const;

  if (first === 91 /* [ */ || first === 123 /* { */) {
    const container = first === 91 ? 'json' : 'jsonl';
    const splitter = container === 'json' ? new JsonArraySplitter(headSize) : new LineSplitter(headSize);
    const raws: RawRecord[] = splitter.push(body);
    if (whole) raws.push(...splitter.end());
    const sample: unknown[] = [];
    const lines: number[] = [];
    const sampleErrors: SniffResult['sampleErrors'] = [];
    for (const raw of raws) {
      if (sample.length + sampleErrors.length >= maxSample) break;
      if (raw.bytes && firstNonSpace(raw.bytes) === -1 && !raw.error) continue;
      const decoded = decodeJson(raw, headSize);
      if ('reason' in decoded) sampleErrors.push({ line: raw.line, reason: decoded.reason });
      else {
        sample.push(decoded.value);
        lines.push(raw.line);
      }
    }
    if (sample.length === 0) {
      const reason =
        sampleErrors.length > 0
          ? `the first records cannot be read (line ${sampleErrors[0]!.line}: ${sampleErrors[0]!.reason})`
          : `the first record is longer than the ${Math.round(headSize / 1024)} KiB read to detect the format`;
      return { format: null, container, confidence: 0, mixed: false, reason, sample, sampleErrors, ...common };
    }
    const detected = detectFormat(sample);
    const format = detected.confidence > 0 ? detected.format : null;
    if (format) {
      sample.forEach((value, i) => {
        const parsed = parseRecord(value, format);
        if (!parsed.ok) sampleErrors.push({ line: lines[i]!, reason: parsed.reason });
      });
      sampleErrors.sort((a, b) => a.line - b.line);
    }
    return {
      format,
      container,
      confidence: detected.confidence,
      mixed: detected.mixed,
      reason: detected.reason,
      sample,
      sampleErrors,
      ...common,
    };
  }

  const looksCsv =
    /\.(csv|tsv)$/i.test(path) || /[,;\t]/.test(body.subarray(0, nl === -1 ? body.length : nl).toString('utf8'));
  if (!looksCsv) {
    const start = JSON.stringify(body.subarray(0, 24).toString('utf8'));
    throw new AppError('INVALID_INPUT', `${path} is not JSON Lines, JSON or CSV: it starts with ${start}.`);
  }
  const firstLine = body.subarray(0, nl === -1 ? body.length : nl).toString('utf8');
  const csvDelimiter: CsvDelimiter = /\.tsv$/i.test(path) ? '\t' : detectDelimiter(firstLine);
  const parser = new CsvParser(headSize, csvDelimiter);
  const rows = parser.push(body);
  if (whole) rows.push(...parser.end());
  const headerRow = rows.shift();
  if (!headerRow?.fields) {
    throw new AppError(
      'INVALID_INPUT',
      `The header row of ${path} cannot be read${headerRow?.error ? `: ${headerRow.error}` : ''}.`,
    );
  }
  const csvColumns = headerRow.fields.map((f) => f.trim());
  const csvMapping = guessCsvMapping(csvColumns);
  const sample: unknown[] = [];
  const sampleErrors: SniffResult['sampleErrors'] = [];
  for (const row of rows.slice(0, maxSample)) {
    if (!row.fields) sampleErrors.push({ line: row.line, reason: row.error ?? 'unreadable row' });
    else if (row.fields.length !== csvColumns.length) {
      sampleErrors.push({
        line: row.line,
        reason: `expected ${csvColumns.length} fields like the header, found ${row.fields.length}`,
      });
    } else {
      const record = csvRowObject(csvColumns, row.fields);
      sample.push(record);
      if (csvMapping) {
        const parsed = parseRecord(record, 'csv', { csvMapping });
        if (!parsed.ok) sampleErrors.push({ line: row.line, reason: parsed.reason });
      }
    }
  }
  const reason = csvMapping
    ? `a CSV file with columns ${csvColumns.join(', ')}; "${csvMapping.user}" looks like the user's turn and "${csvMapping.assistant}" like the answer`
    : `a CSV file with columns ${csvColumns.join(', ')}; choose which hold the user's turn and the answer`;
  return {
    format: 'csv',
    container: 'csv',
    confidence: csvMapping ? 1 : 0.5,
    mixed: false,
    reason,
    sample,
    sampleErrors,
    csvColumns,
    csvDelimiter,
    csvMapping,
    ...common,
  };
}
