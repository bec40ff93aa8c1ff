import { useId, useMemo, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { TrainingMetricPoint } from '@shared/domain';
import { cn } from '@renderer/lib/cn';
import {
  downsample,
  evalSeries,
  linePath,
  nearestIndex,
  smooth,
  stepAxis,
  trainSeries,
  valueAxis,
  type ChartPoint,
} from './chartData';
import { formatEpoch, formatLearningRate, formatLoss } from './format';
import { useElementWidth } from './useElementWidth';

export interface LossChartProps {
  /** Every recorded step, ascending. */
  metrics: readonly TrainingMetricPoint[];
  /** The run's planned steps: the x axis spans them from the start, so the line grows across it. */
  totalSteps: number;
  /** Still training: the empty chart says it is waiting, and the latest point is marked. */
  live?: boolean;
  height?: number;
  className?: string;
}

const margin = { top: 12, right: 14, bottom: 28, left: 46 };
/** From this many steps on, the raw train loss is drawn faint under a smoothed line. */
const smoothFrom = 30;

/**
 * Train loss (a line) and eval loss (points joined by a dashed line) over optimizer steps, in
 * hand-rolled SVG: axes with ticks, a hover or keyboard cursor with a tooltip, any width, and the
 * theme's colours.
 */
export function LossChart({ metrics, totalSteps, live = false, height = 240, className }: LossChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const [cursor, setCursor] = useState<number | null>(null);
  const [keyboard, setKeyboard] = useState(false);

  /** The steps the cursor can visit: those with a train loss. */
  const rows = useMemo(() => metrics.filter((p) => p.trainLoss !== null && Number.isFinite(p.trainLoss)), [metrics]);
  const train = useMemo(() => trainSeries(metrics), [metrics]);
  const evals = useMemo(() => evalSeries(metrics), [metrics]);
  const smoothed = useMemo(() => (train.length >= smoothFrom ? smooth(train, 0.6) : null), [train]);

  const lastStep = metrics.length > 0 ? metrics[metrics.length - 1]!.step : 0;
  const xAxis = stepAxis(Math.max(totalSteps, lastStep), Math.max(2, Math.floor(width / 90)));
  const values = [...train, ...evals].map((p) => p.value);
  const yAxis = values.length > 0 ? valueAxis(Math.min(...values), Math.max(...values)) : valueAxis(0, 4);

  const plotWidth = Math.max(1, width - margin.left - margin.right);
  const plotHeight = height - margin.top - margin.bottom;
  const x = (step: number) => margin.left + ((step - xAxis.min) / (xAxis.max - xAxis.min)) * plotWidth;
  const y = (v: number) => margin.top + (1 - (v - yAxis.min) / (yAxis.max - yAxis.min)) * plotHeight;
  const bottom = margin.top + plotHeight;

  const index = cursor === null || rows.length === 0 ? null : Math.min(cursor, rows.length - 1);
  const hovered = index === null ? null : rows[index]!;
  const hoveredEval = hovered ? evals.find((p) => p.step === hovered.step) : undefined;
  const latest = train[train.length - 1];
  /** Where the drawn line ends: the smoothed one, when it is drawn. */
  const lineEnd = smoothed ? smoothed[smoothed.length - 1] : latest;

  const onPointerMove = (event: PointerEvent<SVGRectElement>) => {
    if (rows.length === 0) return;
    const box = event.currentTarget.getBoundingClientRect();
    const step = xAxis.min + ((event.clientX - box.left) / box.width) * (xAxis.max - xAxis.min);
    setKeyboard(false);
    setCursor(nearestIndex(rows, step));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const last = rows.length - 1;
    const current = index ?? last;
    const jump = event.shiftKey ? 10 : 1;
    const next =
      event.key === 'ArrowLeft'
        ? Math.max(0, current - jump)
        : event.key === 'ArrowRight'
          ? Math.min(last, current + jump)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    if (event.key === 'Escape') {
      setCursor(null);
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    setKeyboard(true);
    setCursor(next);
  };

  const summary =
    train.length === 0
      ? live
        ? 'No steps yet; the chart fills in as training runs.'
        : 'No steps were recorded.'
      : `Train loss ${formatLoss(train[0]!.value)} at step ${train[0]!.step}, ${formatLoss(latest!.value)} at step ${latest!.step}` +
        (evals.length > 0
          ? `; eval loss ${formatLoss(evals[evals.length - 1]!.value)} at step ${evals[evals.length - 1]!.step}.`
          : '.') +
        ' Use the arrow keys to read each step.';

  const tooltipText = hovered
    ? `Step ${hovered.step}: train loss ${formatLoss(hovered.trainLoss)}` +
      (hoveredEval ? `, eval loss ${formatLoss(hoveredEval.value)}` : '') +
      `, learning rate ${formatLearningRate(hovered.learningRate)}`
    : '';

  const drawnTrain = downsample(train, x);
  const area = drawnTrain.length > 1 ? areaPath(smoothed ? downsample(smoothed, x) : drawnTrain, x, y, bottom) : '';
  const flipTooltip = hovered ? x(hovered.step) > margin.left + plotWidth * 0.62 : false;

  return (
    <div
      ref={ref}
      role="group"
      aria-roledescription="chart"
      aria-label="Loss by step"
      aria-describedby={`${uid}-summary`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onBlur={() => keyboard && setCursor(null)}
      data-testid="loss-chart"
      data-train-points={train.length}
      data-eval-points={evals.length}
      data-last-step={lastStep}
      className={cn(
        'relative w-full rounded-md outline-none select-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
        className,
      )}
      style={{ height }}
    >
      <p id={`${uid}-summary`} className="sr-only">
        {summary}
      </p>
      <p aria-live="polite" className="sr-only">
        {keyboard ? tooltipText : ''}
      </p>
      {width > 0 && (
        <svg aria-hidden width={width} height={height} className="block overflow-visible">
          <defs>
            <linearGradient id={`${uid}-fill`} x1="0" x2="0" y1="0" y2="1">
              <stop offset="0%" style={{ stopColor: 'var(--primary)', stopOpacity: 0.16 }} />
              <stop offset="100%" style={{ stopColor: 'var(--primary)', stopOpacity: 0 }} />
            </linearGradient>
          </defs>

          {yAxis.ticks.map((tick) => (
            <g key={`y${tick}`}>
              <line
                x1={margin.left}
                x2={margin.left + plotWidth}
                y1={y(tick)}
                y2={y(tick)}
                className="stroke-border"
                strokeDasharray={tick === yAxis.min ? undefined : '2 3'}
              />
              <text
                x={margin.left - 8}
                y={y(tick)}
                textAnchor="end"
                dominantBaseline="middle"
                className="fill-muted-foreground text-[10px] tabular-nums"
              >
                {tick.toFixed(yAxis.decimals)}
              </text>
            </g>
          ))}
          {xAxis.ticks.map((tick) => (
            <g key={`x${tick}`}>
              <line x1={x(tick)} x2={x(tick)} y1={bottom} y2={bottom + 4} className="stroke-border" />
              <text
                x={x(tick)}
                y={bottom + 15}
                textAnchor={tick === xAxis.min ? 'start' : 'middle'}
                className="fill-muted-foreground text-[10px] tabular-nums"
              >
                {formatStep(tick)}
              </text>
            </g>
          ))}
          <text
            x={margin.left + plotWidth}
            y={bottom + 26}
            textAnchor="end"
            className="fill-muted-foreground/80 text-[10px]"
          >
            step
          </text>

          <g>
            {area && <path d={area} fill={`url(#${uid}-fill)`} />}
            {drawnTrain.length > 0 && (
              <path
                d={linePath(drawnTrain, x, y)}
                fill="none"
                className="stroke-primary"
                strokeOpacity={smoothed ? 0.3 : 1}
                strokeWidth={smoothed ? 1.25 : 2}
                strokeLinejoin="round"
                strokeLinecap="round"
                data-series="train"
              />
            )}
            {smoothed && (
              <path
                d={linePath(downsample(smoothed, x), x, y)}
                fill="none"
                className="stroke-primary"
                strokeWidth={2}
                strokeLinejoin="round"
                strokeLinecap="round"
              />
            )}
            {evals.length > 1 && (
              <path
                d={linePath(evals, x, y)}
                fill="none"
                className="stroke-orange-500 dark:stroke-orange-400"
                strokeWidth={1.5}
                strokeDasharray="4 3"
              />
            )}
            {evals.map((p) => (
              <circle
                key={p.step}
                cx={x(p.step)}
                cy={y(p.value)}
                r={3.5}
                className="fill-card stroke-orange-500 dark:stroke-orange-400"
                strokeWidth={2}
                data-series="eval"
              />
            ))}
            {live && lineEnd && !hovered && (
              <circle
                cx={x(lineEnd.step)}
                cy={y(lineEnd.value)}
                r={3.5}
                className="fill-primary stroke-card"
                strokeWidth={2}
              />
            )}
          </g>

          {hovered && (
            <g>
              <line
                x1={x(hovered.step)}
                x2={x(hovered.step)}
                y1={margin.top}
                y2={bottom}
                className="stroke-muted-foreground/50"
                strokeDasharray="3 3"
              />
              <circle
                cx={x(hovered.step)}
                cy={y(hovered.trainLoss!)}
                r={4}
                className="fill-primary stroke-card"
                strokeWidth={2}
              />
              {hoveredEval && (
                <circle
                  cx={x(hoveredEval.step)}
                  cy={y(hoveredEval.value)}
                  r={4.5}
                  className="fill-orange-500 dark:fill-orange-400 stroke-card"
                  strokeWidth={2}
                />
              )}
            </g>
          )}

          <rect
            x={margin.left}
            y={margin.top}
            width={plotWidth}
            height={plotHeight}
            fill="transparent"
            onPointerMove={onPointerMove}
            onPointerLeave={() => setCursor(null)}
          />
        </svg>
      )}

      {train.length === 0 && (
        <div
          className="pointer-events-none absolute flex items-center justify-center text-[13px] text-muted-foreground"
          style={{ left: margin.left, right: margin.right, top: margin.top, height: plotHeight }}
        >
          {live ? 'Waiting for the first step…' : 'No steps recorded.'}
        </div>
      )}

      {hovered && (
        <div
          role="presentation"
          data-testid="loss-chart-tooltip"
          className="pointer-events-none absolute z-10 min-w-36 rounded-md border bg-popover px-2.5 py-2 text-xs text-popover-foreground shadow-md"
          style={{
            top: margin.top + 4,
            left: x(hovered.step),
            transform: flipTooltip ? 'translateX(calc(-100% - 12px))' : 'translateX(12px)',
          }}
        >
          <div className="mb-1.5 font-medium">
            Step {hovered.step}
            <span className="font-normal text-muted-foreground"> · epoch {formatEpoch(hovered.epoch)}</span>
          </div>
          <TooltipRow swatch="bg-primary" label="Train loss" value={formatLoss(hovered.trainLoss)} />
          {hoveredEval && (
            <TooltipRow
              swatch="bg-orange-500 dark:bg-orange-400"
              label="Eval loss"
              value={formatLoss(hoveredEval.value)}
            />
          )}
          <TooltipRow label="Learning rate" value={formatLearningRate(hovered.learningRate)} />
        </div>
      )}
    </div>
  );
}

function TooltipRow({ swatch, label, value }: { swatch?: string; label: string; value: string }) {
  return (
    <div className="flex items-center gap-2 py-px">
      <span aria-hidden className={cn('size-2 rounded-full', swatch ?? 'bg-transparent')} />
      <span className="flex-1 text-muted-foreground">{label}</span>
      <span className="font-medium tabular-nums">{value}</span>
    </div>
  );
}

/** The chart's legend: what each mark means. */
export function LossChartLegend({ smoothed, className }: { smoothed?: boolean; className?: string }) {
  return (
    <div className={cn('flex items-center gap-4 text-xs text-muted-foreground', className)}>
      <span className="flex items-center gap-1.5">
        <span aria-hidden className="h-0.5 w-4 rounded-full bg-primary" />
        Train loss{smoothed ? ' (smoothed)' : ''}
      </span>
      <span className="flex items-center gap-1.5">
        <span aria-hidden className="size-2.5 rounded-full border-2 border-orange-500 dark:border-orange-400 bg-card" />
        Eval loss
      </span>
    </div>
  );
}

export function isSmoothed(metrics: readonly TrainingMetricPoint[]): boolean {
  return trainSeries(metrics).length >= smoothFrom;
}

function areaPath(
  series: readonly ChartPoint[],
  x: (step: number) => number,
  y: (v: number) => number,
  bottom: number,
): string {
  const first = series[0]!;
  const last = series[series.length - 1]!;
  return `${linePath(series, x, y)}L${x(last.step).toFixed(1)},${bottom}L${x(first.step).toFixed(1)},${bottom}Z`;
}

function formatStep(step: number): string {
  return step >= 10_000 ? `${Number((step / 1000).toFixed(1))}k` : String(step);
}
