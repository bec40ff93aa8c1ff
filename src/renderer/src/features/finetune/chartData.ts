import type { TrainingMetricPoint } from '@shared/domain';

/**
 * One point per optimizer step, ascending. Later sources win for a step seen twice: live events
 * over the fetched history, and a resumed run over the steps it repeats after an interruption.
 */
export function mergeMetrics(
  ...sources: readonly (readonly TrainingMetricPoint[] | undefined)[]
): TrainingMetricPoint[] {
  const byStep = new Map<number, TrainingMetricPoint>();
  for (const source of sources) for (const point of source ?? []) byStep.set(point.step, point);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export interface ChartPoint {
  step: number;
  value: number;
}

/** The train loss of every step that has one. */
export function trainSeries(points: readonly TrainingMetricPoint[]): ChartPoint[] {
  return points.flatMap((p) =>
    p.trainLoss !== null && Number.isFinite(p.trainLoss) ? [{ step: p.step, value: p.trainLoss }] : [],
  );
}

/**
 * The evaluations. Each step reports the latest eval loss, carried over between evaluations, so
 * an evaluation is where the value appears or changes.
 */
export function evalSeries(points: readonly TrainingMetricPoint[]): ChartPoint[] {
  const out: ChartPoint[] = [];
  let last: number | null = null;
  for (const p of points) {
    if (p.evalLoss === null || !Number.isFinite(p.evalLoss)) continue;
    if (p.evalLoss !== last) out.push({ step: p.step, value: p.evalLoss });
    last = p.evalLoss;
  }
  return out;
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled
 * towards zero. `weight` 0 = raw, 0.99 = very smooth.
 */
export function smooth(series: readonly ChartPoint[], weight: number): ChartPoint[] {
  let average = 0;
  return series.map((p, i) => {
    average = average * weight + (1 - weight) * p.value;
    return { step: p.step, value: average / (1 - weight ** (i + 1)) };
  });
}

/**
 * At most two points per pixel column (the lowest and highest, in step order), so a run of
 * thousands of steps draws as fast as a short one without losing its spikes.
 */
export function downsample(series: readonly ChartPoint[], toX: (step: number) => number): ChartPoint[] {
  if (series.length < 800) return [...series];
  const out: ChartPoint[] = [];
  let column = Number.NaN;
  let low: ChartPoint | null = null;
  let high: ChartPoint | null = null;
  const flush = () => {
    if (!low || !high) return;
    if (low === high) out.push(low);
    else if (low.step < high.step) out.push(low, high);
    else out.push(high, low);
  };
  for (const p of series) {
    const x = Math.round(toX(p.step));
    if (x !== column) {
      flush();
      column = x;
      low = high = p;
    } else {
      if (p.value < low!.value) low = p;
      if (p.value > high!.value) high = p;
    }
  }
  flush();
  return out;
}

/** A 1-2-5 step for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  const factor = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10;
  return factor * magnitude;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  /** Decimals that tell the ticks apart. */
  decimals: number;
}

/** A value axis that starts and ends on ticks around `[lo, hi]`. */
export function valueAxis(lo: number, hi: number, count = 4): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return valueAxis(0, 1, count);
  if (hi - lo < 1e-9) return valueAxis(lo - 0.5, hi + 0.5, count);
  const step = niceStep(hi - lo, count);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  return { min, max, ticks: ticksOf(min, max, step), decimals: decimalsOf(step) };
}

/** A step axis over `[0, total]` with whole-number ticks. */
export function stepAxis(total: number, count = 6): Axis {
  const max = Math.max(1, total);
  const step = Math.max(1, Math.round(niceStep(max, count)));
  return { min: 0, max, ticks: ticksOf(0, max, step), decimals: 0 };
}

function ticksOf(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let i = first; i * step <= max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** The index of the point whose step is nearest to `step` (series ascending, not empty). */
export function nearestIndex(series: readonly { step: number }[], step: number): number {
  let lo = 0;
  let hi = series.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]!.step < step) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(series[lo - 1]!.step - step) <= Math.abs(series[lo]!.step - step)) return lo - 1;
  return lo;
}

/** An SVG path through the points, as straight segments. */
export function linePath(series: readonly ChartPoint[], x: (step: number) => number, y: (v: number) => number): string {
  return series.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
}
