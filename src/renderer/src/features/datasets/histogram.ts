import type { TokenStats } from '@shared/datasets';

export interface HistogramBar {
  from: number;
  to: number;
  count: number;
  x: number;
  width: number;
  y: number;
  height: number;
  /** Every count in the bin is above the max length. */
  over: boolean;
  /** The max length falls inside this bin. */
  straddles: boolean;
}

export interface HistogramGeometry {
  bars: HistogramBar[];
  /** x of the max-length line, or null when there is none or it is off the axis. */
  limitX: number | null;
  /** Token value at the left and right edge of the plot. */
  min: number;
  max: number;
  /** Tallest bar's count (the y axis top). */
  peak: number;
}

/**
 * Lays the bins of `datasets.stats` out over a plot `width` × `height` (px): one bar per bin on a
 * linear token axis, and where the max length falls. Bars wholly past the limit are `over`.
 */
export function histogramGeometry(
  bins: TokenStats['bins'],
  maxLength: number | null,
  width: number,
  height: number,
): HistogramGeometry {
  if (bins.length === 0) return { bars: [], limitX: null, min: 0, max: 0, peak: 0 };
  const min = bins[0]!.from;
  // Keep the limit on the axis even when every example is far below it, so the gap shows.
  const max = Math.max(bins[bins.length - 1]!.to, maxLength !== null ? Math.ceil(maxLength * 1.05) : 0);
  const span = Math.max(1, max - min);
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const x = (v: number) => ((v - min) / span) * width;
  const bars = bins.map((b) => {
    const left = x(b.from);
    const right = x(b.to);
    const h = b.count === 0 ? 0 : Math.max(1.5, (b.count / peak) * height);
    return {
      ...b,
      x: left,
      width: Math.max(1, right - left - 1),
      y: height - h,
      height: h,
      // Bins are [from, to) over whole tokens; "over" means more tokens than the limit.
      over: maxLength !== null && b.from > maxLength,
      straddles: maxLength !== null && b.from <= maxLength && b.to - 1 > maxLength,
    };
  });
  const limitX = maxLength !== null && maxLength >= min && maxLength <= max ? x(maxLength) : null;
  return { bars, limitX, min, max, peak };
}
