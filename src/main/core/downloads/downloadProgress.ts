/** Decimal units, as download sizes are published. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** "45 s", "3 min", "1 h 20 min"; seconds ≥ 0. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/**
 * Download speed over a sliding window (default 5 s), so the ETA follows the current rate rather
 * than the average since the start. Feed it the total bytes received at each chunk.
 */
export class SpeedMeter {
  readonly #samples: { t: number; bytes: number }[] = [];
  readonly #windowMs: number;

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  add(t: number, bytes: number): void {
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - (this.#samples[1]?.t ?? t) >= this.#windowMs) this.#samples.shift();
  }

  /** Bytes per second; 0 until there are two samples at different times. */
  bytesPerSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}

/** "Downloading 1.20 GB of 2.50 GB · 12.3 MB/s · 2 min left". */
export function downloadMessage(received: number, total: number | null, bytesPerSecond: number): string {
  const parts = [`Downloading ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}`];
  if (bytesPerSecond > 0) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (total) parts.push(`${formatDuration(Math.max(0, total - received) / bytesPerSecond)} left`);
  }
  return parts.join(' · ');
}
