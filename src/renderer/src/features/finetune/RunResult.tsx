import { useState } from 'react';
import {
  Brain,
  CircleCheck,
  Columns2,
  ListChecks,
  LoaderCircle,
  MessageSquarePlus,
  PackagePlus,
  Plus,
  Scale,
} from 'lucide-react';
import type { Job, TrainingRun } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { compareHref } from '@renderer/features/compare/compareRoute';
import { useDatasets } from '@renderer/features/datasets/datasetQueries';
import { isActive } from '@renderer/features/jobs/upsertJob';
import { notifyModelError } from '@renderer/features/models/modelErrors';
import { useModels } from '@renderer/features/models/modelQueries';
import { useStartChat } from '@renderer/features/models/useStartChat';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { adapterPlace } from './adapterPlace';
import { ExportMergedDialog, useMergeAnnouncer } from './ExportMergedDialog';
import { fileName } from './format';

/**
 * A finished run's result: what it trained on, and the next step of the loop — chat with the
 * fine-tune, or compare it with its base. A base model outside the library can be added from here.
 */
export function RunResult({ run }: { run: TrainingRun }) {
  const models = useModels();
  const datasets = useDatasets();
  const adapters = useApiQuery('adapters.list', {}, { staleTime: 0 });
  const [exporting, setExporting] = useState(false);
  const announceMerge = useMergeAnnouncer();
  const startChat = useStartChat();
  const [importing, setImporting] = useState<string | null>(null);
  const importModel = useApiMutation('models.import', {
    meta: { silent: true },
    onSuccess: ({ job }) => setImporting(isActive(job) ? job.id : null),
    onError: notifyModelError,
  });
  useApiEvent('jobs.updated', (job: Job) => {
    if (job.id !== importing || isActive(job)) return;
    setImporting(null);
    if (job.error) notifyModelError(job.error);
  });

  const summary = run.summary;
  const adapter = adapters.data?.find((a) => a.id === summary?.adapterId) ?? null;
  // A dataset with examples held out for evaluation: the fine-tune can be reviewed on them, blind.
  const source = run.dataSource;
  const evalDataset =
    source.kind === 'dataset'
      ? (datasets.data?.find((d) => d.id === source.datasetId && d.counts.split.eval > 0) ?? null)
      : null;
  if (!summary) return null;
  const place = models.data ? adapterPlace(models.data, run) : null;
  const thinks = (summary.thinkingExamples ?? 0) > 0;
  const preference = summary.preference ?? null;
  const skipped = summary.skippedTooLong > 0 ? ` · ${summary.skippedTooLong} skipped as too long` : '';

  return (
    <section
      aria-label="Result"
      data-testid="run-result"
      data-place={place?.kind ?? 'none'}
      className="flex flex-col gap-2.5 rounded-lg border border-success/30 bg-success/6 px-3.5 py-3 text-[13px]"
    >
      <p className="flex items-start gap-2">
        <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-success" />
        <span>
          Trained on {summary.trainExamples} {preference ? 'preference pair' : 'example'}
          {summary.trainExamples === 1 ? '' : 's'}
          {summary.evalExamples > 0 ? `, evaluated on ${summary.evalExamples}` : ', none held out for evaluation'}
          {skipped}
          {preference && preference.withoutRejected > 0
            ? ` · ${preference.withoutRejected} example${preference.withoutRejected === 1 ? '' : 's'} without a rejected answer left out`
            : ''}
          . The adapter is listed under its base model below.
        </span>
      </p>
      {preference && preference.evalRewardAccuracy !== null && (
        <p data-testid="run-preference" className="flex items-start gap-2">
          <Scale aria-hidden className="mt-0.5 size-4 shrink-0 text-primary" />
          <span>
            On the held-out pairs the fine-tune prefers the chosen answer more than{' '}
            {run.hyperparams.initAdapterId ? 'the fine-tune it started from' : 'its base'} does in{' '}
            <strong className="font-medium">{Math.round(preference.evalRewardAccuracy * 100)} %</strong>
            {preference.evalRewardMargin !== null
              ? ` (mean reward margin ${preference.evalRewardMargin.toFixed(2)})`
              : ''}
            . Compare it with the base to judge its answers.
          </span>
        </p>
      )}
      {thinks && (
        <p data-testid="run-thinking" className="flex items-start gap-2">
          <Brain aria-hidden className="mt-0.5 size-4 shrink-0 text-primary" />
          <span>
            {summary.thinkingExamples} of them taught thinking (their answers open with a thought): chats and
            comparisons from here open with Think on, the way the fine-tune learned to answer.
          </span>
        </p>
      )}
      {place && (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 pl-6">
          {place.kind === 'ready' && (
            <>
              <span className="text-muted-foreground">Try the fine-tune:</span>
              <Button
                size="sm"
                disabled={startChat.isPending}
                onClick={() =>
                  startChat.mutate({
                    modelId: place.model.id,
                    adapters: [{ adapterId: place.adapterId, scale: 1 }],
                    // A fine-tune that learned to think is asked the way it learned: Think on.
                    ...(thinks && place.model.reasoning === 'switchable' ? { sampling: { thinking: true } } : {}),
                  })
                }
              >
                <MessageSquarePlus />
                Chat with it
              </Button>
              <Button size="sm" variant="outline" asChild>
                <a href={compareHref({ adapterId: place.adapterId, thinking: thinks })}>
                  <Columns2 />
                  Compare with the base
                </a>
              </Button>
              {adapter && (
                <>
                  <Button size="sm" variant="outline" onClick={() => setExporting(true)}>
                    <PackagePlus />
                    Export as a model
                  </Button>
                  <ExportMergedDialog
                    adapter={adapter}
                    baseName={place.model.name}
                    open={exporting}
                    onOpenChange={setExporting}
                    onStarted={announceMerge}
                  />
                </>
              )}
              {evalDataset && (
                <Button size="sm" variant="outline" asChild>
                  <a href={compareHref({ adapterId: place.adapterId, datasetId: evalDataset.id, thinking: thinks })}>
                    <ListChecks />
                    Review on its eval split ({evalDataset.counts.split.eval})
                  </a>
                </Button>
              )}
            </>
          )}
          {place.kind === 'not-in-library' && (
            <>
              <span className="min-w-0 text-muted-foreground">
                To chat with the fine-tune or compare it, add its base model{' '}
                <span className="font-medium text-foreground" title={run.baseModelPath}>
                  {fileName(run.baseModelPath)}
                </span>{' '}
                to the library.
              </span>
              <Button
                size="sm"
                variant="outline"
                disabled={importing !== null || importModel.isPending}
                onClick={() => importModel.mutate({ path: run.baseModelPath })}
              >
                {importing !== null || importModel.isPending ? <LoaderCircle className="animate-spin" /> : <Plus />}
                {importing !== null || importModel.isPending ? 'Adding…' : 'Add to library'}
              </Button>
            </>
          )}
          {place.kind === 'model-missing' && (
            <span className="text-muted-foreground">
              The base model “{place.model.name}” is missing from its folder; put it back to chat with the fine-tune.
            </span>
          )}
          {place.kind === 'adapter-missing' && (
            <span className="text-muted-foreground">
              The adapter file is gone, so the fine-tune cannot be loaded; train it again with Reuse settings.
            </span>
          )}
          {place.kind === 'model-changed' && (
            <span className="text-muted-foreground">
              The library’s “{place.model.name}” at this path is no longer the file this run trained, so the adapter
              does not fit it.
            </span>
          )}
        </div>
      )}
    </section>
  );
}
