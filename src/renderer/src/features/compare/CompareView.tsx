import { useState } from 'react';
import { ArrowRight, Columns2 } from 'lucide-react';
import type { ContenderInput } from '@shared/compare';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { BatchPanel } from './BatchPanel';
import { ComparePanel } from './ComparePanel';
import { adapterPair, defaultPair } from './pairs';
import { useCompareRoute } from './compareRoute';
import { ResultsPanel } from './ResultsPanel';

const tabs = { compare: 'Compare', batch: 'Batch review', results: 'Results' } as const;
type Tab = keyof typeof tabs;

/** The Compare page: A/B answers side by side, batch reviews, and the results of every vote. */
export function CompareView() {
  const models = useApiQuery('models.list', {});
  const datasets = useApiQuery('datasets.list', {});
  const [tab, setTab] = useState<Tab>('compare');
  const [blind, setBlind] = useState(true);
  const [contenders, setContenders] = useState<[ContenderInput, ContenderInput] | null>(null);
  const list = models.data ?? [];
  // An address naming a fine-tune (the Fine-tune page's "Compare with the base") sets the pair once.
  const target = useCompareRoute();
  const targetKey =
    target.adapterId === null ? null : `${target.adapterId}/${target.datasetId ?? ''}/${target.thinking}`;
  const [appliedTarget, setAppliedTarget] = useState<string | null>(null);
  if (targetKey !== null && targetKey !== appliedTarget && models.isSuccess) {
    setAppliedTarget(targetKey);
    const pair = adapterPair(list, target.adapterId!, { thinking: target.thinking });
    if (pair) {
      setContenders(pair);
      // With a dataset: a batch review on its eval split; else one prompt at a time.
      setTab(target.datasetId ? 'batch' : 'compare');
    }
  }

  if (models.isSuccess && list.length === 0) {
    return (
      <Page title="Compare" description="Put two answers side by side and pick the better one.">
        <EmptyState
          icon={Columns2}
          title="Nothing to compare yet"
          description="Compare answers A/B: the same prompt through two models, or a base model against its fine-tune, and record which answer wins. You need at least one model first."
          actions={
            <Button asChild>
              <PageLink to="models">
                Go to Models
                <ArrowRight />
              </PageLink>
            </Button>
          }
          footnote="Your picks become preference data for the next fine-tune."
        />
      </Page>
    );
  }

  const shared = {
    models: list,
    contenders: contenders ?? defaultPair(list),
    onContenders: setContenders,
    blind,
    onBlind: setBlind,
  } as const;

  return (
    <Page
      title="Compare"
      description="Two answers side by side; every vote becomes preference data."
      actions={
        <ToggleGroup
          type="single"
          variant="segmented"
          aria-label="Compare sections"
          value={tab}
          onValueChange={(t) => t && setTab(t as Tab)}
        >
          {(Object.keys(tabs) as Tab[]).map((t) => (
            <ToggleGroupItem key={t} value={t}>
              {tabs[t]}
            </ToggleGroupItem>
          ))}
        </ToggleGroup>
      }
    >
      {tab === 'compare' && <ComparePanel {...shared} />}
      {tab === 'batch' && (
        <BatchPanel
          key={appliedTarget ?? 'batch'}
          {...shared}
          datasets={datasets.data ?? []}
          initialDatasetId={target.datasetId}
        />
      )}
      {tab === 'results' && <ResultsPanel datasets={datasets.data ?? []} />}
    </Page>
  );
}
