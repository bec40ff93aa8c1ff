import { cn } from '@renderer/lib/cn';

export interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
  className?: string;
}

/** A tiny line of `values` (oldest first), scaled to fit; decorative, so hidden from screen readers. */
export function Sparkline({ values, width = 96, height = 24, className }: SparklineProps) {
  if (values.length < 2) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const pad = 2;
  const points = values.map((v, i) => [
    pad + (i / (values.length - 1)) * (width - 2 * pad),
    pad + (1 - (v - lo) / span) * (height - 2 * pad),
  ]);
  const path = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x!.toFixed(1)},${y!.toFixed(1)}`).join('');
  const [lastX, lastY] = points[points.length - 1]!;
  return (
    <svg aria-hidden width={width} height={height} className={cn('overflow-visible', className)}>
      <path d={path} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={lastX} cy={lastY} r={2} fill="currentColor" />
    </svg>
  );
}
