import type { KeyboardEvent } from 'react';
import type { TrainingRun } from '@shared/domain';
import { Card, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { cn } from '@renderer/lib/cn';
import { formatDate, formatLoss } from './format';
import { RunStateBadge } from './RunStateBadge';
import { isActiveRun } from './trainingQueries';
import { useRunLabels } from './useRunLabels';

export interface RunHistoryProps {
  runs: readonly TrainingRun[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** Every run, newest first; choosing one shows its chart above. Up/Down move between runs. */
export function RunHistory({ runs, selectedId, onSelect }: RunHistoryProps) {
  const labels = useRunLabels();
  return (
    <Card aria-labelledby="runs-title">
      <CardHeader className="pb-3">
        <CardTitle id="runs-title">Runs</CardTitle>
        <CardDescription>Choose a run to see its loss chart.</CardDescription>
      </CardHeader>
      <ul className="flex flex-col border-t" aria-labelledby="runs-title" onKeyDown={moveFocus}>
        {runs.map((run) => {
          const selected = run.id === selectedId;
          return (
            <li key={run.id} className="border-b last:border-b-0">
              <button
                type="button"
                data-run-item
                aria-current={selected ? 'true' : undefined}
                onClick={() => onSelect(run.id)}
                className={cn(
                  'relative flex w-full flex-col gap-1 px-5 py-3 text-left outline-none transition-colors last:rounded-b-xl',
                  'hover:bg-accent/60 focus-visible:bg-accent/60 focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:ring-inset',
                  selected && 'bg-accent/70',
                )}
              >
                {selected && <span aria-hidden className="absolute inset-y-2 left-0 w-0.5 rounded-full bg-primary" />}
                <span className="flex min-w-0 items-center gap-2">
                  <span className="min-w-0 flex-1 truncate text-[13px] font-medium">{run.name}</span>
                  <RunStateBadge state={run.state} />
                </span>
                <span className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
                  <span className="min-w-0 truncate" title={run.baseModelPath}>
                    {labels.baseName(run)}
                  </span>
                  <span aria-hidden>·</span>
                  <span className="min-w-0 truncate">{labels.dataName(run)}</span>
                  <span aria-hidden>·</span>
                  <span className="shrink-0 tabular-nums">{resultOf(run)}</span>
                  <span aria-hidden>·</span>
                  <span className="shrink-0">{formatDate(run.createdAt)}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function resultOf(run: TrainingRun): string {
  const won = run.summary?.preference?.evalRewardAccuracy ?? null;
  // a preference run: its DPO loss, and the held-out pairs it wins
  if (run.summary && run.hyperparams.method === 'dpo') {
    const pairs = won !== null ? ` · ${Math.round(won * 100)} % pairs won` : '';
    return `DPO loss ${formatLoss(run.summary.finalTrainLoss)}${pairs}`;
  }
  if (run.summary)
    return `loss ${formatLoss(run.summary.finalTrainLoss)} / eval ${formatLoss(run.summary.finalEvalLoss)}`;
  if (run.totalSteps > 0) return `step ${run.step} of ${run.totalSteps}`;
  return isActiveRun(run) ? 'preparing' : 'no steps';
}

function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const items = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-run-item]')];
  const index = items.indexOf(document.activeElement as HTMLButtonElement);
  if (index === -1) return;
  event.preventDefault();
  const next = event.key === 'ArrowDown' ? Math.min(items.length - 1, index + 1) : Math.max(0, index - 1);
  items[next]?.focus();
}
