import { useId, useMemo, useState } from 'react';
import type { TokenStats } from '@shared/datasets';
import { useElementWidth } from '@renderer/features/finetune/useElementWidth';
import { compactCount, formatCount, plural } from './format';
import { histogramGeometry } from './histogram';

const margin = { top: 16, right: 16, bottom: 26, left: 40 };

/**
 * Token lengths as bars (SVG, any width, the theme's colours) with the max length as a vertical
 * line; bars past it are drawn in the destructive colour. Hover a bar for its range and count.
 */
export function TokenHistogram({ stats, height = 220 }: { stats: TokenStats; height?: number }) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const uid = useId();
  const [hover, setHover] = useState<number | null>(null);
  const plotWidth = Math.max(1, width - margin.left - margin.right);
  const plotHeight = height - margin.top - margin.bottom;
  const geometry = useMemo(
    () => histogramGeometry(stats.bins, stats.maxLength, plotWidth, plotHeight),
    [stats.bins, stats.maxLength, plotWidth, plotHeight],
  );
  const ticks = useMemo(() => {
    const count = Math.max(2, Math.floor(plotWidth / 80));
    const step = Math.max(1, niceStep((geometry.max - geometry.min) / count));
    const list: number[] = [];
    for (let v = Math.ceil(geometry.min / step) * step; v <= geometry.max; v += step) list.push(v);
    return list;
  }, [geometry.min, geometry.max, plotWidth]);
  const x = (v: number) => margin.left + ((v - geometry.min) / Math.max(1, geometry.max - geometry.min)) * plotWidth;
  const hovered = hover !== null ? geometry.bars[hover] : undefined;
  const summary = `Token lengths of ${plural(stats.counted, 'example')}${
    stats.maxLength !== null
      ? `; ${formatCount(stats.overMax)} over the max length of ${formatCount(stats.maxLength)}`
      : ''
  }.`;

  return (
    <div ref={ref} className="relative w-full" data-testid="token-histogram" data-over={stats.overMax}>
      {width > 0 && (
        <svg
          width={width}
          height={height}
          role="img"
          aria-labelledby={`${uid}-desc`}
          className="block overflow-visible"
        >
          <desc id={`${uid}-desc`}>{summary}</desc>
          {/* Grid lines at half and full height; a count label only where it is a whole number. */}
          {[0.5, 1].map((f) => (
            <g key={f}>
              <line
                x1={margin.left}
                x2={margin.left + plotWidth}
                y1={margin.top + plotHeight * (1 - f)}
                y2={margin.top + plotHeight * (1 - f)}
                className="stroke-border"
                strokeDasharray="2 3"
              />
              <text
                x={margin.left - 6}
                y={margin.top + plotHeight * (1 - f)}
                textAnchor="end"
                dominantBaseline="middle"
                className="fill-muted-foreground text-[10px] tabular-nums"
              >
                {Number.isInteger(geometry.peak * f) ? compactCount(geometry.peak * f) : ''}
              </text>
            </g>
          ))}
          <g transform={`translate(${margin.left},${margin.top})`}>
            {geometry.bars.map((bar, i) =>
              bar.count === 0 ? null : (
                <rect
                  key={i}
                  data-testid="histogram-bar"
                  data-over={bar.over || undefined}
                  x={bar.x}
                  y={bar.y}
                  width={bar.width}
                  height={bar.height}
                  rx={1.5}
                  className={
                    bar.over
                      ? 'fill-destructive/85'
                      : bar.straddles
                        ? 'fill-warning/80'
                        : hover === i
                          ? 'fill-primary'
                          : 'fill-primary/70'
                  }
                />
              ),
            )}
            {/* Wide invisible hit areas, so thin bars are easy to hover. */}
            {geometry.bars.map((bar, i) => (
              <rect
                key={`hit-${i}`}
                x={bar.x}
                y={0}
                width={bar.width + 1}
                height={plotHeight}
                fill="transparent"
                onPointerEnter={() => setHover(i)}
                onPointerLeave={() => setHover((h) => (h === i ? null : h))}
              />
            ))}
          </g>
          <line
            x1={margin.left}
            x2={margin.left + plotWidth}
            y1={margin.top + plotHeight}
            y2={margin.top + plotHeight}
            className="stroke-border"
          />
          {ticks.map((t) => (
            <text
              key={t}
              x={x(t)}
              y={height - 8}
              textAnchor="middle"
              className="fill-muted-foreground text-[10px] tabular-nums"
            >
              {compactCount(t)}
            </text>
          ))}
          {geometry.limitX !== null && stats.maxLength !== null && (
            <g data-testid="histogram-limit">
              <line
                x1={margin.left + geometry.limitX}
                x2={margin.left + geometry.limitX}
                y1={margin.top - 6}
                y2={margin.top + plotHeight}
                className="stroke-destructive"
                strokeWidth={1.5}
                strokeDasharray="4 3"
              />
              <text
                x={margin.left + geometry.limitX + (geometry.limitX > plotWidth - 90 ? -5 : 5)}
                y={margin.top - 2}
                textAnchor={geometry.limitX > plotWidth - 90 ? 'end' : 'start'}
                className="fill-destructive text-[10.5px] font-medium"
              >
                max {formatCount(stats.maxLength)}
              </text>
            </g>
          )}
        </svg>
      )}
      {hovered && (
        <div
          className="pointer-events-none absolute top-0 z-10 -translate-x-1/2 rounded-md border bg-popover px-2 py-1 text-xs whitespace-nowrap shadow-md"
          style={{ left: margin.left + hovered.x + hovered.width / 2 }}
        >
          {formatCount(hovered.from)}–{formatCount(hovered.to - 1)} tokens: <b>{formatCount(hovered.count)}</b>
        </div>
      )}
    </div>
  );
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const s of [1, 2, 5, 10]) if (raw <= s * magnitude) return s * magnitude;
  return 10 * magnitude;
}
