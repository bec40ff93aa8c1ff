import type { ExampleSource, ExampleSplit, HygieneKind } from '@shared/datasets';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: `12,480`. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : integer.format(n);
}

/** `1 example`, `2,000 examples`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A compact count for tight places: `980`, `12.5k`, `1.2M`. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${Number((n / 1000).toFixed(n < 10_000 ? 1 : 0))}k`;
  return `${Number((n / 1_000_000).toFixed(1))}M`;
}

export const splitLabels: Record<ExampleSplit, string> = { train: 'Train', eval: 'Eval', auto: 'Auto' };

export const sourceLabels: Record<ExampleSource, string> = {
  manual: 'Manual',
  chat: 'Chat',
  import: 'Import',
  comparison: 'Compare',
};

export const issueLabels: Record<HygieneKind, string> = {
  exact_duplicate: 'Exact duplicates',
  near_duplicate: 'Near duplicates',
  empty_answer: 'Empty answers',
  over_length: 'Over max length',
  leakage: 'Train/eval leakage',
  sensitive: 'Secrets & personal data',
};

/** The label of an issue kind the core reported (unknown kinds show as they are). */
export function issueLabel(kind: string): string {
  return (issueLabels as Record<string, string>)[kind] ?? kind;
}
