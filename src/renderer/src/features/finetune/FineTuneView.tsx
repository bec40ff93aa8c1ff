import { useRef, useState } from 'react';
import type { TrainingRun } from '@shared/domain';
import { Page } from '@renderer/components/Page';
import { Card } from '@renderer/components/ui/Card';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { AdaptersCard } from './AdaptersCard';
import { useFineTuneRoute } from './fineTuneRoute';
import { FineTuneEmptyState } from './FineTuneEmptyState';
import { NewRunCard, type RunPreset } from './NewRunCard';
import { RunHistory } from './RunHistory';
import { RunPanel } from './RunPanel';
import { isActiveRun } from './trainingQueries';
import { useTrainingEvents } from './useTrainingEvents';
import { useTrainingRuns } from './useTrainingRuns';

/**
 * The Fine-tune page: the New fine-tune form beside the chosen run (live while it trains),
 * every run below it, and the adapters they produced.
 */
export function FineTuneView() {
  useTrainingEvents();
  const runs = useTrainingRuns();
  const route = useFineTuneRoute();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  /** Bumped by "Reuse settings" so the form starts over from the preset. */
  const [preset, setPreset] = useState<{ version: number; value: RunPreset | null }>({ version: 0, value: null });

  const runColumn = useRef<HTMLDivElement>(null);
  const list = runs.data ?? [];
  const active = list.find(isActiveRun) ?? null;
  const selected: TrainingRun | null = list.find((r) => r.id === selectedId) ?? active ?? list[0] ?? null;

  return (
    <Page title="Fine-tune" description="Train a LoRA adapter that makes a model answer your way.">
      <div className="mx-auto grid max-w-7xl items-start gap-5 px-6 py-6 lg:grid-cols-[minmax(0,400px)_minmax(0,1fr)]">
        <div className="flex min-w-0 flex-col gap-5">
          <NewRunCard
            // A new preset or a dataset chosen from another page starts the form over.
            key={`${preset.version}:${route.datasetId ?? ''}:${route.method ?? ''}`}
            preset={preset.value}
            datasetId={route.datasetId}
            method={route.method}
            busy={active !== null}
            onStarted={(run) => {
              setSelectedId(run.id);
              // Starting is at the bottom of a long form; the run it started is at the top.
              requestAnimationFrame(() =>
                runColumn.current?.scrollIntoView({ block: 'start', behavior: scrollBehavior() }),
              );
            }}
          />
        </div>
        <div ref={runColumn} className="flex min-w-0 scroll-mt-6 flex-col gap-5">
          {runs.isPending ? (
            <Skeleton className="h-96 rounded-xl" />
          ) : selected === null ? (
            <Card>
              <FineTuneEmptyState />
            </Card>
          ) : (
            <>
              <RunPanel
                key={selected.id}
                run={selected}
                onReuse={(value) => {
                  setPreset((p) => ({ version: p.version + 1, value }));
                  requestAnimationFrame(() =>
                    runColumn.current?.parentElement?.scrollIntoView({ block: 'start', behavior: scrollBehavior() }),
                  );
                }}
              />
              <RunHistory runs={list} selectedId={selected.id} onSelect={setSelectedId} />
              <AdaptersCard />
            </>
          )}
        </div>
      </div>
    </Page>
  );
}

function scrollBehavior(): ScrollBehavior {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
}
