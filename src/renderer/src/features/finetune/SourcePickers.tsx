import type { ReactNode } from 'react';
import type { DatasetInfo } from '@shared/datasets';
import { trainableArchitectures, type ModelInfo } from '@shared/domain';
import { PageLink } from '@renderer/app/PageLink';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { formatCount, plural } from '@renderer/features/datasets/format';
import { formatParams } from '@renderer/features/models/format';
import { ChoiceSelect, type ChoiceOption } from './ChoiceSelect';
import { formatBytes } from './format';
import { datasetUnavailableReason, modelUnavailableReason, splitCountsLabel, splitPlan } from './trainingChoices';

const linkClass = 'font-medium text-primary underline-offset-4 hover:underline';

/** The library's models as select entries: name, then architecture, quantization, parameters and size. */
export function modelOptions(models: readonly ModelInfo[]): ChoiceOption[] {
  return models.map((m) => ({
    id: m.id,
    label: m.name,
    meta: [
      m.architecture,
      m.fileType,
      m.parameterCount ? `${formatParams(m.parameterCount)} params` : null,
      formatBytes(m.sizeBytes),
    ]
      .filter(Boolean)
      .join(' · '),
    disabledReason: modelUnavailableReason(m, trainableArchitectures),
  }));
}

/** The datasets as select entries: name, then examples per split and the default max length. */
export function datasetOptions(datasets: readonly DatasetInfo[]): ChoiceOption[] {
  return [...datasets]
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((d) => ({
      id: d.id,
      label: d.name,
      meta: [
        d.counts.total === 0
          ? null
          : d.counts.split.auto === d.counts.total
            ? `${plural(d.counts.total, 'example')} (auto split)`
            : `${plural(d.counts.total, 'example')} (${splitCountsLabel(d.counts.split, formatCount)})`,
        d.defaultMaxLength ? `max ${formatCount(d.defaultMaxLength)} tokens` : null,
      ]
        .filter(Boolean)
        .join(' · '),
      disabledReason: datasetUnavailableReason(d),
    }));
}

export interface PickerProps {
  id: string;
  value: string | null;
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (id: string) => void;
}

/** The base model from the library, or a note that sends people to the Models page. */
export function ModelPicker({ models, ...props }: PickerProps & { models: readonly ModelInfo[] }) {
  if (models.length === 0) {
    return (
      <EmptyChoice id={props.id} testId="no-models">
        No models in the library yet.{' '}
        <PageLink to="models" className={linkClass}>
          Add one on the Models page
        </PageLink>
        , or use a GGUF path.
      </EmptyChoice>
    );
  }
  return <ChoiceSelect {...props} options={modelOptions(models)} placeholder="Choose a model" testId="model-select" />;
}

/** The dataset to train on, or a note that sends people to the Datasets page. */
export function DatasetPicker({ datasets, ...props }: PickerProps & { datasets: readonly DatasetInfo[] }) {
  if (datasets.length === 0) {
    return (
      <EmptyChoice id={props.id} testId="no-datasets">
        No datasets yet.{' '}
        <PageLink to="datasets" className={linkClass}>
          Create or import one on the Datasets page
        </PageLink>
        , or use a JSONL file.
      </EmptyChoice>
    );
  }
  return (
    <ChoiceSelect
      {...props}
      options={datasetOptions(datasets)}
      placeholder="Choose a dataset"
      testId="dataset-select"
    />
  );
}

/** Focusable, so the form can move focus here when the field has an error. */
function EmptyChoice({ id, testId, children }: { id: string; testId: string; children: ReactNode }) {
  return (
    <div
      id={id}
      tabIndex={-1}
      data-testid={testId}
      className="rounded-md border border-dashed px-3 py-2.5 text-[13px] leading-snug text-muted-foreground outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      {children}
    </div>
  );
}

export interface DataSummaryProps {
  dataset: DatasetInfo;
  /** The chosen library model: its token counts are used when the dataset has them. */
  modelId: string | null;
  /** Share held out when the dataset has no eval split (the form's Eval fraction). */
  evalFraction: number;
  /** The max length the run will use; null = the trainer's automatic choice (at most 2048). */
  maxLength: number | null;
  overLength: 'skip' | 'truncate';
  /** A preference (DPO) run trains on the examples with a rejected answer only. */
  method?: 'sft' | 'dpo';
}

/** The trainer's cap on an automatic max length, tokens (see `hyperparamsSchema.maxLength`). */
const autoMaxLength = 2048;

/**
 * What the run will train on: train and eval counts as the trainer will split them, and, when the
 * dataset's tokens are counted, how many examples are longer than the max length.
 */
export function DataSummary({ dataset, modelId, evalFraction, maxLength, overLength, method }: DataSummaryProps) {
  const plan = splitPlan(dataset.counts.split, evalFraction);
  const pairs = dataset.counts.pairs;
  const others = dataset.counts.total - pairs;
  const limit = maxLength ?? autoMaxLength;
  const counted = dataset.tokens.counted > 0;
  // The chosen model's counts when there are some, else those the dataset has the most of.
  const own = useApiQuery(
    'datasets.stats',
    { datasetId: dataset.id, ...(modelId ? { modelId } : {}), maxLength: limit, bins: 1 },
    { enabled: counted },
  );
  const fallback = useApiQuery(
    'datasets.stats',
    { datasetId: dataset.id, maxLength: limit, bins: 1 },
    { enabled: counted && modelId !== null && own.data?.counted === 0 },
  );
  const stats = own.data?.counted ? own.data : fallback.data?.counted ? fallback.data : null;

  return (
    <div
      data-testid="data-summary"
      data-train={plan.train}
      data-eval={plan.eval}
      data-over-max={stats?.overMax ?? ''}
      className="flex flex-col gap-1 rounded-md bg-muted/50 px-3 py-2 text-xs leading-snug text-muted-foreground"
    >
      {method === 'dpo' ? (
        pairs === 0 ? (
          <p data-testid="data-pairs" data-pairs={0} className="text-destructive">
            No example here has a rejected answer, so there is no preference pair to learn from. Vote in Compare and add
            the result to this dataset, or give examples a rejected answer in the editor.
          </p>
        ) : (
          <p data-testid="data-pairs" data-pairs={pairs}>
            Trains on{' '}
            <strong className="font-medium text-foreground tabular-nums">{plural(pairs, 'preference pair')}</strong>{' '}
            (examples with a rejected answer
            {others > 0 ? `; ${plural(others, 'example')} without one ${others === 1 ? 'is' : 'are'} left out` : ''}),
            its eval split or a share of them held out for evaluation.
          </p>
        )
      ) : (
        <p>
          Trains on{' '}
          <strong className="font-medium text-foreground tabular-nums">{plural(plan.train, 'example')}</strong>
          {plan.eval > 0 ? (
            <>
              , evaluates on{' '}
              <strong className="font-medium text-foreground tabular-nums">{formatCount(plan.eval)}</strong>
              {plan.drawn ? ` (drawn at random: the dataset has no eval split)` : ' (its eval split)'}
            </>
          ) : (
            ' (too few to hold any out for evaluation)'
          )}
          .
        </p>
      )}
      {method === 'sft' && pairs > 0 && (
        <p data-testid="data-pairs-hint">
          {pairs === dataset.counts.total
            ? 'All of them have'
            : `${formatCount(pairs)} of them ${pairs === 1 ? 'has' : 'have'}`}{' '}
          a rejected answer: <span className="text-foreground">Preference (DPO)</span> learns from those pairs;
          Instruction (SFT) learns the answers alone.
        </p>
      )}
      {stats ? (
        <p>
          Max length {formatCount(limit)}
          {maxLength === null
            ? ' (automatic, at most)'
            : maxLength === dataset.defaultMaxLength
              ? " (the dataset's)"
              : ''}
          :{' '}
          {stats.overMax === 0 ? (
            'every counted example fits'
          ) : (
            <span className="text-foreground">
              {plural(stats.overMax, 'example')} longer, {overLength === 'skip' ? 'skipped' : 'truncated'}
            </span>
          )}
          {stats.uncounted > 0 ? ` (${formatCount(stats.uncounted)} not counted yet)` : ''}.
        </p>
      ) : (
        <p>
          Token lengths not counted yet: count them under Tokens on{' '}
          <a href={`#/datasets/${encodeURIComponent(dataset.id)}`} className={linkClass}>
            the dataset&apos;s page
          </a>{' '}
          to see what fits.
        </p>
      )}
    </div>
  );
}
