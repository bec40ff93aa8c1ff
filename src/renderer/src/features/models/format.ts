/** Formatting of model facts for people. */

/** A parameter count the way model cards write it: `125M`, `3.2B`, `7B`. */
export function formatParams(count: number | null | undefined): string {
  if (count === null || count === undefined || !(count > 0)) return '—';
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (count >= size) {
      const value = count / size;
      return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(value >= 10 ? 3 : 2))}${unit}`;
    }
  }
  return String(count);
}

/** A context length in tokens: `2,048`, `128k`. */
export function formatContext(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !(tokens > 0)) return '—';
  if (tokens >= 10_000 && tokens % 1024 === 0) return `${tokens / 1024}k`;
  return new Intl.NumberFormat().format(tokens);
}
