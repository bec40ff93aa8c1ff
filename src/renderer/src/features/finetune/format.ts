/** Formatting of training numbers for people: losses, learning rates, speeds, sizes and durations. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A loss with three decimals, or an em dash when there is none yet. */
export function formatLoss(loss: number | null | undefined): string {
  return loss === null || loss === undefined || !Number.isFinite(loss) ? '—' : loss.toFixed(3);
}

/** A learning rate the way people write it: `2e-4`, `1.5e-5`, `0.01`. */
export function formatLearningRate(lr: number | null | undefined): string {
  if (lr === null || lr === undefined || !Number.isFinite(lr)) return '—';
  if (lr === 0) return '0';
  if (lr >= 0.001) return String(Number(lr.toPrecision(3)));
  const [mantissa = '0', exponent = '0'] = lr.toExponential(2).split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** Tokens per second, rounded; thousands get a `k`. */
export function formatSpeed(tokensPerSecond: number | null | undefined): string {
  if (tokensPerSecond === null || tokensPerSecond === undefined || !(tokensPerSecond > 0)) return '—';
  if (tokensPerSecond >= 10_000) return `${(tokensPerSecond / 1000).toFixed(1)}k tok/s`;
  return `${integer.format(tokensPerSecond)} tok/s`;
}

/** Bytes in binary units: `512 KB`, `48.3 MB`, `1.25 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !(bytes >= 0)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A duration in seconds: `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 || s >= 600 ? `${Math.round(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An epoch count with at most two decimals: `0.45`, `2`. */
export function formatEpoch(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined || !Number.isFinite(epoch)) return '—';
  return String(Math.round(epoch * 100) / 100);
}

/** A timestamp (ms since the epoch) as a local date and time. */
export function formatDate(ms: number): string {
  return dateTime.format(ms);
}

/** A timestamp's local time of day only, where the date is shown nearby. */
export function formatTime(ms: number): string {
  return time.format(ms);
}

/** The last segment of a path, whichever separator the machine running Lathe uses. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** "2048-token windows", with the rows when there are several: "2048-token windows in 4 rows of 512". */
export function windowPhrase(plan: { windowSize: number; rowSize: number }): string {
  const rows = Math.round(plan.windowSize / plan.rowSize);
  return `${plan.windowSize}-token windows${rows > 1 ? ` in ${rows} rows of ${plan.rowSize}` : ''}`;
}

const backendNames = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' } as const;

/**
 * What to say when this machine has a GPU the trainer build cannot use: where the run would train
 * instead, and the command that builds the trainer for that GPU.
 */
export function unusedGpuHint(gpu: { backend: 'cuda' | 'vulkan' | 'metal'; name: string }): {
  text: string;
  command: string;
} {
  return {
    text: `Trains on the CPU: this trainer was built without ${backendNames[gpu.backend]}, which ${gpu.name} needs. To train on it, rebuild the trainer and restart Lathe:`,
    command: `LATHE_GPU=${gpu.backend} npm run build:native`,
  };
}
