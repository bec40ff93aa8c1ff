import { useId, useState } from 'react';
import { toast } from 'sonner';
import { ArrowRight, BarChart3, Hash } from 'lucide-react';
import type { DatasetInfo, ExampleFilter } from '@shared/datasets';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { useModels } from '@renderer/features/models/modelQueries';
import { isActive } from '@renderer/features/jobs/upsertJob';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { formatCount, plural } from './format';
import { JobProgress } from './JobProgress';
import { TokenHistogram } from './TokenHistogram';
import { useTrackedJob } from './useTrackedJob';

/**
 * Token counts with a chosen model's tokenizer and chat template: a job with progress, then the
 * histogram of lengths against the max length, and a way to list the examples over it.
 */
export function TokensPanel({
  dataset,
  onShowExamples,
}: {
  dataset: DatasetInfo;
  onShowExamples: (filter: ExampleFilter) => void;
}) {
  const id = useId();
  const models = useModels();
  const available = (models.data ?? []).filter((m) => !m.missing);
  const [picked, setModelId] = useState<string | null>(null);
  // Until the person picks: the model the dataset was counted with, else the newest model.
  const modelId = picked ?? dataset.tokens.model ?? available[0]?.id ?? null;
  const [maxText, setMaxText] = useState(dataset.defaultMaxLength?.toString() ?? '');
  const maxLength = maxText.trim() ? Math.max(1, Number(maxText)) : undefined;

  const stats = useApiQuery(
    'datasets.stats',
    { datasetId: dataset.id, bins: 40, ...(modelId ? { modelId } : {}), ...(maxLength ? { maxLength } : {}) },
    { placeholderData: (previous) => previous, enabled: modelId !== null },
  );
  const tracked = useTrackedJob((job) => {
    if (job.state === 'succeeded') toast.success('Tokens counted', { description: dataset.name });
    void stats.refetch();
  });
  const tokenize = useApiMutation('datasets.tokenize', { onSuccess: (job) => tracked.track(job) });
  const update = useApiMutation('datasets.update', {
    onSuccess: () => toast.success('Max length saved', { description: `${formatCount(maxLength ?? 0)} tokens` }),
  });
  const running = tracked.job !== null && isActive(tracked.job);

  if (models.isSuccess && available.length === 0) {
    return (
      <EmptyState
        icon={Hash}
        title="Add a model to count tokens"
        description="Token counts use a model's own tokenizer and chat template, exactly as training will see the examples."
        actions={
          <Button asChild>
            <PageLink to="models">
              Go to Models
              <ArrowRight />
            </PageLink>
          </Button>
        }
      />
    );
  }

  const s = stats.data;
  return (
    <div className="mx-auto grid w-full max-w-4xl gap-4 p-5">
      <Card>
        <CardHeader>
          <CardTitle>Token lengths</CardTitle>
          <CardDescription>
            Counted with the model&apos;s tokenizer and chat template. Examples longer than the max length are cut or
            dropped in training.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="flex flex-wrap items-end gap-3">
            <div className="grid gap-1.5">
              <span className="text-xs font-medium text-muted-foreground">Model</span>
              <Select value={modelId ?? undefined} onValueChange={setModelId}>
                <SelectTrigger aria-label="Tokenizer model" className="h-9 w-64">
                  <SelectValue placeholder="Choose a model" />
                </SelectTrigger>
                <SelectContent>
                  {available.map((m) => (
                    <SelectItem key={m.id} value={m.id}>
                      {m.name}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <div className="grid gap-1.5">
              <label htmlFor={`${id}-max`} className="text-xs font-medium text-muted-foreground">
                Max length (tokens)
              </label>
              <div className="flex gap-1.5">
                <Input
                  id={`${id}-max`}
                  inputMode="numeric"
                  value={maxText}
                  placeholder="none"
                  onChange={(e) => setMaxText(e.target.value.replace(/[^\d]/g, ''))}
                  className="h-9 w-28"
                />
                {maxLength !== undefined && maxLength !== dataset.defaultMaxLength && (
                  <Button
                    variant="ghost"
                    size="sm"
                    className="h-9"
                    onClick={() => update.mutate({ id: dataset.id, defaultMaxLength: maxLength })}
                  >
                    Save as default
                  </Button>
                )}
              </div>
            </div>
            <span className="flex-1" />
            <Button
              disabled={!modelId || running || tokenize.isPending}
              onClick={() => modelId && tokenize.mutate({ datasetId: dataset.id, modelId })}
            >
              <BarChart3 />
              {s && s.counted > 0 && s.uncounted > 0 ? `Count ${formatCount(s.uncounted)} more` : 'Count tokens'}
            </Button>
          </div>
          {running && tracked.job && <JobProgress job={tracked.job} label="Counting tokens" />}
          {tracked.job?.state === 'failed' && tracked.job.error && (
            <p role="alert" className="text-[13px] text-destructive">
              {tracked.job.error.code}: {tracked.job.error.message}
            </p>
          )}

          {!s ? (
            <Skeleton className="h-56" />
          ) : s.counted === 0 ? (
            <p className="rounded-lg border border-dashed px-4 py-10 text-center text-[13px] text-muted-foreground">
              No counts for this model yet: Count tokens to see the histogram.
            </p>
          ) : (
            <>
              <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5" data-testid="token-summary">
                <Stat
                  label="Counted"
                  value={formatCount(s.counted)}
                  hint={s.uncounted > 0 ? `${formatCount(s.uncounted)} not yet` : undefined}
                />
                <Stat label="Mean" value={s.mean !== null ? formatCount(Math.round(s.mean)) : '—'} />
                <Stat label="Shortest" value={formatCount(s.min)} />
                <Stat label="Longest" value={formatCount(s.max)} />
                <Stat
                  label="Over the max"
                  value={s.maxLength !== null ? formatCount(s.overMax) : '—'}
                  tone={s.overMax > 0 ? 'bad' : undefined}
                />
              </dl>
              <TokenHistogram stats={s} />
              {s.maxLength !== null && s.overMax > 0 && (
                <Button
                  variant="outline"
                  size="sm"
                  className="justify-self-start"
                  onClick={() => onShowExamples({ minTokens: s.maxLength! + 1 })}
                >
                  Show the {plural(s.overMax, 'example')} over {formatCount(s.maxLength)} tokens
                  <ArrowRight />
                </Button>
              )}
            </>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function Stat({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value: string;
  hint?: string | undefined;
  tone?: 'bad' | undefined;
}) {
  return (
    <div className="rounded-lg border px-3 py-2">
      <dt className="text-[11px] text-muted-foreground">{label}</dt>
      <dd
        className={
          tone === 'bad' ? 'text-lg font-semibold text-destructive tabular-nums' : 'text-lg font-semibold tabular-nums'
        }
      >
        {value}
      </dd>
      {hint && <dd className="text-[11px] text-muted-foreground">{hint}</dd>}
    </div>
  );
}
