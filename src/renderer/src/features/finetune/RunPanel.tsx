import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { CopyPlus, Info, RotateCcw, Square, TriangleAlert } from 'lucide-react';
import type { MethodOutput } from '@shared/contract';
import type { ErrorCode } from '@shared/errors';
import type { TrainingMetricPoint, TrainingProgress, TrainingRun } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Progress } from '@renderer/components/ui/Progress';
import { cn } from '@renderer/lib/cn';
import { errorHints } from '@renderer/lib/errorHints';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatEpoch,
  formatLearningRate,
  formatLoss,
  formatSpeed,
  formatTime,
} from './format';
import { DeviceReport } from './DeviceReport';
import { isSmoothed, LossChart, LossChartLegend } from './LossChart';
import type { RunPreset } from './NewRunCard';
import { RunResult } from './RunResult';
import { phaseLabels, RunStateBadge } from './RunStateBadge';
import { Sparkline } from './Sparkline';
import { isActiveRun, liveKey, runKey, runsKey, type LiveRun } from './trainingQueries';
import { useRunDetail } from './useRunDetail';
import { useRunLabels } from './useRunLabels';

export interface RunPanelProps {
  run: TrainingRun;
  /** Puts this run's model, data and settings into the New fine-tune form. */
  onReuse: (preset: RunPreset) => void;
}

/**
 * One run, live while it trains: state and phase, step X of Y, the numbers that matter (loss,
 * learning rate, useful tokens per second, ETA, memory), the loss chart, and Cancel or Resume.
 */
export function RunPanel({ run: listed, onReuse }: RunPanelProps) {
  const queryClient = useQueryClient();
  const { run, metrics, progress, loading } = useRunDetail(listed);
  const active = isActiveRun(run);
  const labels = useRunLabels();
  const baseName = labels.baseName(run);
  const source = run.dataSource;
  const dataName = labels.dataName(run);
  const last = metrics[metrics.length - 1];

  const store = (updated: TrainingRun) => {
    queryClient.setQueryData<TrainingRun[]>(runsKey, (runs) => runs?.map((r) => (r.id === updated.id ? updated : r)));
    queryClient.setQueryData<MethodOutput<'training.get'>>(runKey(updated.id), (detail) =>
      detail ? { ...detail, run: updated } : detail,
    );
  };
  const cancel = useApiMutation('training.cancel', { onSuccess: store });
  const resume = useApiMutation('training.resume', {
    onSuccess: (updated) => {
      // The old process's last report (its speed, ETA, phase) no longer applies.
      queryClient.setQueryData<LiveRun>(liveKey(updated.id), (live) => (live ? { ...live, progress: null } : live));
      store(updated);
      cancel.reset();
    },
  });

  const step = active ? Math.max(progress?.step ?? 0, run.step, last?.step ?? 0) : Math.max(run.step, last?.step ?? 0);
  const totalSteps = progress?.totalSteps || run.totalSteps;
  const percent = totalSteps > 0 ? Math.min(100, (step / totalSteps) * 100) : 0;
  const phase = active ? (progress?.phase ?? (run.totalSteps > 0 ? 'training' : 'preparing')) : null;
  const learningRates = metrics.map((m) => m.learningRate);
  // A run that stopped before its first step has no numbers or chart to show, only its notice.
  const hasSteps = active || loading || step > 0 || metrics.some((m) => m.trainLoss !== null);

  return (
    <Card aria-labelledby={`run-${run.id}-title`} data-testid="run-panel" data-run-id={run.id}>
      <CardHeader className="flex-row items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex min-w-0 items-center gap-2">
            <CardTitle id={`run-${run.id}-title`} className="truncate">
              {run.name}
            </CardTitle>
            <RunStateBadge state={run.state} phase={phase} />
          </div>
          <p className="mt-1.5 flex flex-wrap items-center gap-x-1.5 text-[13px] text-muted-foreground">
            <span className="max-w-full truncate" title={run.baseModelPath} data-testid="run-base-model">
              {baseName}
            </span>
            <span
              className="max-w-full truncate"
              title={source.kind === 'file' ? source.path : `Dataset ${dataName} (a copy made when the run started)`}
              data-testid="run-data"
            >
              <span aria-hidden className="mr-1.5">
                ·
              </span>
              {dataName}
            </span>
            <span className="whitespace-nowrap">
              <span aria-hidden className="mr-1.5">
                ·
              </span>
              {formatDate(run.createdAt)}
            </span>
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {!active && (
            <Button
              variant="ghost"
              size="sm"
              onClick={() =>
                onReuse({
                  name: '',
                  baseModelPath: run.baseModelPath,
                  baseModelSha256: run.baseModelSha256,
                  data: run.dataSource,
                  hyperparams: run.hyperparams,
                })
              }
            >
              <CopyPlus />
              Reuse settings
            </Button>
          )}
          {active && (
            <Button
              variant="outline"
              size="sm"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ id: run.id })}
            >
              <Square className="fill-current" />
              {cancel.isPending ? 'Stopping…' : 'Cancel'}
            </Button>
          )}
          {!active && run.resumable && (
            <Button size="sm" disabled={resume.isPending} onClick={() => resume.mutate({ id: run.id })}>
              <RotateCcw />
              {resume.isPending ? 'Resuming…' : 'Resume'}
            </Button>
          )}
        </div>
      </CardHeader>

      <CardContent className="flex flex-col gap-4">
        {hasSteps && (
          <div className="flex flex-col gap-2">
            <div className="flex items-baseline justify-between gap-3 text-[13px]">
              <span className="font-medium tabular-nums" data-testid="run-step" data-step={step}>
                {totalSteps > 0 ? `Step ${step} of ${totalSteps}` : active ? 'Preparing the data…' : 'No steps'}
              </span>
              <span className="text-muted-foreground tabular-nums">
                {active && phase && phase !== 'training'
                  ? `${phaseLabels[phase]}${
                      phase === 'scoring' && progress?.phaseProgress
                        ? ` ${progress.phaseProgress.done}/${progress.phaseProgress.total}`
                        : ''
                    }… · `
                  : ''}
                {totalSteps > 0 ? `${Math.floor(percent)}%` : ''}
              </span>
            </div>
            <Progress
              value={active && totalSteps === 0 ? null : percent}
              aria-label="Training progress"
              aria-valuetext={totalSteps > 0 ? `Step ${step} of ${totalSteps}` : 'Preparing'}
              className={cn(run.state === 'succeeded' && '[&>div]:bg-success')}
            />
          </div>
        )}

        {hasSteps && <Stats run={run} progress={progress} last={last} learningRates={learningRates} />}

        {run.device && <DeviceReport device={run.device} />}

        {run.state === 'succeeded' ? (
          <RunResult run={run} />
        ) : (
          <RunNotice run={run} step={step} totalSteps={totalSteps} />
        )}

        {hasSteps && (
          <section aria-labelledby={`run-${run.id}-chart`} className="flex flex-col gap-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h3 id={`run-${run.id}-chart`} className="text-[13px] font-semibold">
                {run.hyperparams.method === 'dpo' ? 'DPO loss' : 'Loss'}
              </h3>
              <LossChartLegend smoothed={isSmoothed(metrics)} />
            </div>
            {loading && metrics.length === 0 && !active ? (
              <div className="h-60 animate-pulse rounded-md bg-muted" />
            ) : (
              <LossChart metrics={metrics} totalSteps={totalSteps} live={active} />
            )}
          </section>
        )}
      </CardContent>
    </Card>
  );
}

function Stats({
  run,
  progress,
  last,
  learningRates,
}: {
  run: TrainingRun;
  progress: TrainingProgress | null;
  last: TrainingMetricPoint | undefined;
  learningRates: number[];
}) {
  const active = isActiveRun(run);
  const summary = run.summary;
  const epochs = `${formatEpoch(progress?.epoch ?? last?.epoch ?? 0)} of ${formatEpoch(run.hyperparams.epochs)}`;
  const lr = progress && progress.phase === 'training' ? progress.learningRate : last?.learningRate;
  const sparkline = <Sparkline values={thin(learningRates, 200)} className="text-primary/70" />;
  // A preference run's loss is DPO's (ln 2 at the start; the chart says so); its first cell says how
  // many held-out pairs the fine-tune ranks right.
  const dpo = run.hyperparams.method === 'dpo';
  const accuracyHint = `Held-out pairs whose answer the fine-tune prefers more than ${
    run.hyperparams.initAdapterId ? 'the fine-tune it started from' : 'its base'
  } does`;

  if (!active && summary) {
    return (
      <StatGrid>
        {dpo ? (
          <Stat
            label="Pairs won"
            value={formatShare(summary.preference?.evalRewardAccuracy ?? null)}
            hint={accuracyHint}
            testId="stat-reward-accuracy"
          />
        ) : (
          <Stat label="Epochs" value={formatEpoch(last?.epoch ?? run.hyperparams.epochs)} />
        )}
        <Stat label="Final train loss" value={formatLoss(summary.finalTrainLoss)} testId="stat-train-loss" />
        <Stat label="Final eval loss" value={formatLoss(summary.finalEvalLoss)} testId="stat-eval-loss" />
        <Stat
          label="Speed"
          value={formatSpeed(summary.usefulTokensPerSecond)}
          hint="Answer tokens learned per second"
        />
        <Stat
          label="Learning rate"
          value={`peak ${formatLearningRate(run.hyperparams.learningRate)}`}
          extra={sparkline}
          wide
        />
        <Stat label="Duration" value={formatDuration(summary.seconds)} />
        <Stat label="Peak memory" value={formatBytes(summary.peakMemoryBytes)} />
      </StatGrid>
    );
  }
  return (
    <StatGrid>
      {dpo ? (
        <Stat
          label="Pairs won"
          value={formatShare(progress?.rewardAccuracy?.eval ?? null)}
          hint={accuracyHint}
          testId="stat-reward-accuracy"
        />
      ) : (
        <Stat label="Epoch" value={epochs} />
      )}
      <Stat label="Train loss" value={formatLoss(progress?.trainLoss ?? last?.trainLoss)} testId="stat-train-loss" />
      <Stat label="Eval loss" value={formatLoss(progress?.evalLoss ?? last?.evalLoss)} testId="stat-eval-loss" />
      <Stat
        label="Speed"
        value={formatSpeed(progress?.tokensPerSecond || last?.tokensPerSecond)}
        hint="Answer tokens learned per second"
      />
      <Stat label="Learning rate" value={formatLearningRate(lr)} extra={sparkline} wide />
      <Stat
        label={active ? 'Time left' : 'Stopped at'}
        value={active ? formatDuration(progress?.etaSeconds) : run.finishedAt ? formatTime(run.finishedAt) : '—'}
      />
      <Stat label="Memory" value={active ? formatBytes(progress?.memoryBytes || null) : '—'} hint="Training process" />
    </StatGrid>
  );
}

/** 0.875 → "88 %"; null → "—". */
function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)} %`;
}

function StatGrid({ children }: { children: ReactNode }) {
  return (
    <dl className="grid grid-cols-2 gap-px overflow-hidden rounded-lg border bg-border sm:grid-cols-4">{children}</dl>
  );
}

function Stat({
  label,
  value,
  hint,
  extra,
  wide,
  testId,
}: {
  label: string;
  value: string;
  hint?: string;
  extra?: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  return (
    <div className={cn('flex min-w-0 flex-col gap-1 bg-card px-3 py-2.5', wide && 'col-span-2')} title={hint}>
      <dt className="truncate text-[11px] font-medium tracking-wide text-muted-foreground uppercase">{label}</dt>
      <dd className="flex min-w-0 items-center justify-between gap-3">
        <span className="truncate text-[15px] font-semibold tabular-nums" data-testid={testId}>
          {value}
        </span>
        {extra}
      </dd>
    </div>
  );
}

/** What happened to a run that is not training, and what to do about it. */
function RunNotice({ run, step, totalSteps }: { run: TrainingRun; step: number; totalSteps: number }) {
  const at = totalSteps > 0 ? `step ${step} of ${totalSteps}` : 'the start';
  const checkpoint = run.resumable
    ? 'A checkpoint was kept: Resume continues from it.'
    : 'No checkpoint was kept; start a new run to try again.';

  if (run.state === 'failed' && run.error) {
    const code = run.error.code;
    const hint = code in errorHints ? errorHints[code as ErrorCode] : null;
    const stderr = stderrOf(run.error);
    return (
      <div role="alert" className="rounded-lg border border-destructive/30 bg-destructive/8 px-3.5 py-3 text-[13px]">
        <div className="flex items-center gap-2">
          <TriangleAlert aria-hidden className="size-4 shrink-0 text-destructive" />
          <span className="font-mono text-xs font-semibold text-destructive" data-testid="run-error-code">
            {code}
          </span>
          <span className="text-xs text-muted-foreground">at {at}</span>
        </div>
        <p className="mt-1.5 leading-relaxed [overflow-wrap:anywhere]">{run.error.message}</p>
        {hint && <p className="mt-1 text-xs text-muted-foreground">{hint}</p>}
        <p className="mt-1 text-xs text-muted-foreground">{checkpoint}</p>
        {stderr && (
          <details className="mt-2">
            <summary className="cursor-default text-xs font-medium text-muted-foreground outline-none hover:text-foreground focus-visible:underline">
              Output of the training process
            </summary>
            <pre className="mt-2 max-h-48 overflow-auto rounded-md bg-muted p-2 font-mono text-[11px] leading-relaxed whitespace-pre-wrap">
              {stderr}
            </pre>
          </details>
        )}
      </div>
    );
  }
  if (run.state === 'cancelled' || run.state === 'interrupted') {
    const what = run.state === 'cancelled' ? 'Cancelled' : 'Interrupted: Lathe stopped while this run was training,';
    return (
      <Notice>
        {what} at {at}. {checkpoint}
      </Notice>
    );
  }
  return null;
}

function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="flex items-start gap-2 rounded-lg bg-muted/60 px-3.5 py-2.5 text-[13px] text-muted-foreground">
      <Info aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>{children}</span>
    </p>
  );
}

/** The training process's last output, when the failure carries it. */
function stderrOf(error: NonNullable<TrainingRun['error']>): string | null {
  const details = (error as { details?: unknown }).details;
  const stderr = (details as { stderr?: unknown } | null | undefined)?.stderr;
  return typeof stderr === 'string' && stderr.trim() ? stderr.trim() : null;
}

/** At most `max` values, evenly picked, for a sparkline. */
function thin(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  return Array.from({ length: max }, (_, i) => values[Math.round((i * (values.length - 1)) / (max - 1))]!);
}
