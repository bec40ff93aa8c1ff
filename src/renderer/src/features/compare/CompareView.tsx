import { useState } from 'react';
import { ArrowRight, Columns2 } from 'lucide-react';
import type { ContenderInput } from '@shared/compare';
import type { ModelInfo } from '@shared/domain';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { BatchPanel } from './BatchPanel';
import { ComparePanel } from './ComparePanel';
import { defaultContender } from './ContenderPicker';
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
      {tab === 'batch' && <BatchPanel {...shared} datasets={datasets.data ?? []} />}
      {tab === 'results' && <ResultsPanel datasets={datasets.data ?? []} />}
    </Page>
  );
}

/** Until the user picks: the first model's base against its newest fine-tune (or the same base at T 1.0). */
function defaultPair(models: ModelInfo[]): [ContenderInput, ContenderInput] {
  const model = models.find((m) => !m.missing && m.variants.some((v) => v.available)) ?? models.find((m) => !m.missing);
  const first = defaultContender(model);
  const variant = model?.variants.find((v) => v.available);
  const second: ContenderInput = variant
    ? { ...first, adapters: [{ adapterId: variant.adapterId, scale: 1 }] }
    : { ...first, sampling: { ...first.sampling, temperature: 1.0 } };
  return [first, second];
}
