import { useCallback, useEffect, useState } from 'react';
import { Boxes, EyeOff, FolderOpen } from 'lucide-react';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { Card } from '@renderer/components/ui/Card';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { useSettings } from '@renderer/features/settings/useSettings';
import { DownloadPanel } from './downloads/DownloadPanel';
import { ImportModelCard } from './ImportModelCard';
import { ModelCard } from './ModelCard';
import { useInferenceStatus, useModels } from './modelQueries';

/** The Models page: import a GGUF by path, and the library with each model's facts and variants. */
export function ModelsView() {
  const settings = useSettings();
  const models = useModels();
  const status = useInferenceStatus();
  const [highlight, setHighlight] = useState<string | null>(null);
  const onImported = useCallback((modelId: string) => setHighlight(modelId), []);

  useEffect(() => {
    if (!highlight) return;
    const timer = setTimeout(() => setHighlight(null), 2500);
    document
      .querySelector(`[data-model-id="${CSS.escape(highlight)}"]`)
      ?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    return () => clearTimeout(timer);
  }, [highlight, models.data]);

  const list = models.data ?? [];

  return (
    <Page title="Models" description="The local GGUF models Lathe can chat with and fine-tune.">
      <div className="mx-auto flex max-w-4xl flex-col gap-5 px-6 py-6">
        <ImportModelCard onImported={onImported} />
        <DownloadPanel onDownloaded={onImported} />
        {models.isPending ? (
          <Skeleton className="h-48 rounded-xl" />
        ) : list.length === 0 ? (
          <Card>
            <EmptyState
              icon={Boxes}
              title="No models yet"
              description="Models are GGUF files kept in your models folder. Import a file you already have, or download one; then it is ready for Chat, Compare and Fine-tune."
              actions={
                <Button asChild variant="secondary">
                  <PageLink to="settings">
                    <FolderOpen />
                    Change models folder
                  </PageLink>
                </Button>
              }
              footnote={
                settings.data ? (
                  <>
                    Models folder: <code className="font-mono text-foreground/80">{settings.data.modelsDir}</code>
                  </>
                ) : null
              }
              className="min-h-64 py-10"
            />
          </Card>
        ) : (
          <section aria-label="Library" className="flex flex-col gap-3">
            <h2 className="text-[13px] font-semibold text-muted-foreground">
              Library · {list.length} model{list.length === 1 ? '' : 's'}
            </h2>
            {status.blindComparison && (
              <p
                role="status"
                className="flex items-center gap-2 rounded-md bg-muted px-3 py-2 text-xs text-muted-foreground"
                data-testid="blind-comparison-notice"
              >
                <EyeOff aria-hidden className="size-3.5 shrink-0" />A blind comparison is writing its answers: which
                model is loaded stays hidden until it is done.
              </p>
            )}
            {list.map((model) => (
              <ModelCard
                key={model.id}
                model={model}
                status={status.data}
                highlight={model.id === highlight}
                blindComparison={status.blindComparison}
              />
            ))}
          </section>
        )}
      </div>
    </Page>
  );
}
