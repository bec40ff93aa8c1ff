import type { DatasetFormat } from '../../../../shared/datasets';

export interface DetectedFormat {
  /** The format most sample records look like (`openai` when none is recognised; see `confidence`). */
  format: DatasetFormat;
  /** Share of the sample's records that look like `format`, 0..1; 0 when nothing was recognised. */
  confidence: number;
  /** One sentence for the confirmation dialog, e.g. "48 of 50 records have messages with role and content". */
  reason: string;
  /** True when the sample holds records of two or more recognised formats. */
  mixed: boolean;
  /** How many sample records looked like each format (unrecognised ones are not counted). */
  counts: Partial<Record<DatasetFormat, number>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Which format one record looks like, from its keys only (cheap, no validation). */
export function recordShape(record: unknown): DatasetFormat | null {
  if (!isObject(record)) return null;
  if ('chosen' in record && 'rejected' in record) return 'preference';
  if (Array.isArray(record.messages)) return 'openai';
  if (Array.isArray(record.conversations) || Array.isArray(record.conversation)) return 'sharegpt';
  if ('instruction' in record && 'output' in record) return 'alpaca';
  return null;
}

const describeShape: Record<DatasetFormat, string> = {
  openai: 'have "messages" with role and content (OpenAI)',
  sharegpt: 'have "conversations" with from and value (ShareGPT)',
  alpaca: 'have "instruction" and "output" (Alpaca)',
  preference: 'have "chosen" and "rejected" answers (preference pairs)',
  csv: 'are CSV rows',
};

/**
 * Guesses a dataset's format from a sample of parsed records (JSON values; CSV files are
 * recognised by their container in `sniffFile`, not here). The majority wins; `mixed` tells the
 * caller to warn that the other records will be reported as errors.
 */
export function detectFormat(records: unknown[]): DetectedFormat {
  const counts: Partial<Record<DatasetFormat, number>> = {};
  for (const record of records) {
    const shape = recordShape(record);
    if (shape) counts[shape] = (counts[shape] ?? 0) + 1;
  }
  const ranked = (Object.entries(counts) as [DatasetFormat, number][]).sort((a, b) => b[1] - a[1]);
  const total = records.length;
  const best = ranked[0];
  if (!best || total === 0) {
    return {
      format: 'openai',
      confidence: 0,
      reason:
        total === 0
          ? 'the file holds no records'
          : 'no record looks like OpenAI messages, ShareGPT conversations, Alpaca instructions or preference pairs',
      mixed: false,
      counts,
    };
  }
  const [format, count] = best;
  const others = ranked.slice(1).map(([f, n]) => `${n} look like ${f}`);
  const reason =
    `${count} of ${total} sampled records ${describeShape[format]}` + (others.length ? `; ${others.join(', ')}` : '');
  return { format, confidence: count / total, reason, mixed: ranked.length > 1, counts };
}
