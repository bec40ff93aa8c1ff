import type { TokenStats } from '../../../shared/datasets';

/** A "nice" bin width (1, 2 or 5 × 10^k) so that `span` fits in about `bins` bins. */
function niceWidth(span: number, bins: number): number {
  const raw = Math.max(1, span / bins);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (raw <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Histogram of token counts: bins of equal, round width from 0 to the largest count (or to
 * `maxLength`, whichever is larger, so the max-length line always falls on the chart), plus how many
 * counts exceed `maxLength`. `bins` is a target (1..200); the result may have a few fewer.
 */
export function tokenHistogram(
  counts: readonly number[],
  maxLength: number | null,
  bins: number,
): Omit<TokenStats, 'modelId' | 'maxLength' | 'uncounted'> {
  if (counts.length === 0) return { counted: 0, overMax: 0, min: null, max: null, mean: null, bins: [] };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let overMax = 0;
  for (const n of counts) {
    if (n < min) min = n;
    if (n > max) max = n;
    sum += n;
    if (maxLength !== null && n > maxLength) overMax += 1;
  }
  const top = Math.max(max, maxLength ?? 0) + 1;
  const width = niceWidth(top, Math.min(200, Math.max(1, bins)));
  const binCount = Math.ceil(top / width);
  const hist = Array.from({ length: binCount }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const n of counts) hist[Math.min(binCount - 1, Math.floor(n / width))]!.count += 1;
  return { counted: counts.length, overMax, min, max, mean: Math.round((sum / counts.length) * 10) / 10, bins: hist };
}
