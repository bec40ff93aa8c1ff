import { useId, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Download, LoaderCircle, Pause, Play, Trash2 } from 'lucide-react';
import type { CatalogEntry, Job, ModelDownloadResult } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Progress } from '@renderer/components/ui/Progress';
import { isActive, upsertJob } from '@renderer/features/jobs/upsertJob';
import { jobsKey, useJobs } from '@renderer/features/jobs/useJobs';
import type { ApiError } from '@renderer/lib/ApiError';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';

export const downloadJobKind = 'models.download';

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e9 ? 2 : 1)} GB`;

/**
 * Downloads models: the curated catalog (one button per quantization), a field for any `hf:` source
 * or URL, and the list of downloads with progress, cancel, resume and discard. Self-contained:
 * `onDownloaded` gets the new model's id when a download started here finishes.
 */
export function DownloadPanel({ onDownloaded }: { onDownloaded?: (modelId: string) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const catalog = useApiQuery('models.catalog', {}, { staleTime: Infinity });
  const jobs = useJobs();
  const downloads = (jobs.data ?? []).filter((job) => job.kind === downloadJobKind).slice(0, 8);
  const [source, setSource] = useState('');
  const [error, setError] = useState<string | null>(null);

  const track = ({ job }: { job: Job }) => {
    queryClient.setQueryData<Job[]>(jobsKey, (list) => upsertJob(list, job));
    setError(null);
  };
  const start = useApiMutation('models.download', {
    meta: { silent: true },
    onSuccess: (data) => {
      track(data);
      setSource('');
    },
    onError: (err: ApiError) => setError(err.message),
  });
  const resume = useApiMutation('models.downloadResume', { onSuccess: track });
  const cancel = useApiMutation('jobs.cancel');
  const discard = useApiMutation('models.downloadDiscard');

  useApiEvent('jobs.updated', (job) => {
    if (job.kind !== downloadJobKind || job.state !== 'succeeded') return;
    void queryClient.invalidateQueries({ queryKey: ['models.list'] });
    const result = job.result as ModelDownloadResult | undefined;
    if (result?.modelId) onDownloaded?.(result.modelId);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = source.trim();
    if (!value) setError('Enter hf:<user>/<repo>:<quant>, hf:<user>/<repo>/<file.gguf> or an https URL.');
    else start.mutate({ source: value });
  };

  return (
    <Card aria-labelledby={`${id}-title`} data-testid="download-panel">
      <CardHeader>
        <CardTitle id={`${id}-title`}>Download a model</CardTitle>
        <CardDescription>
          From Hugging Face or any URL, into the models folder. Interrupted downloads continue where they stopped.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form onSubmit={submit} noValidate className="flex gap-2" aria-label="Download from a source">
          <label htmlFor={`${id}-source`} className="sr-only">
            Source
          </label>
          <Input
            id={`${id}-source`}
            value={source}
            placeholder="hf:unsloth/Qwen3-1.7B-GGUF:Q4_K_M"
            spellCheck={false}
            autoComplete="off"
            className="min-w-0 flex-1 font-mono text-[13px]"
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setSource(event.target.value);
              setError(null);
            }}
          />
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? <LoaderCircle className="animate-spin" /> : <Download />}
            Download
          </Button>
        </form>
        {error && (
          <p role="alert" className="text-[13px] text-destructive">
            {error}
          </p>
        )}

        {downloads.length > 0 && (
          <ul className="flex flex-col gap-2" aria-label="Downloads">
            {downloads.map((job) => (
              <DownloadRow
                key={job.id}
                job={job}
                onCancel={() => cancel.mutate({ id: job.id })}
                onResume={() => resume.mutate({ jobId: job.id })}
                onDiscard={() => discard.mutate({ jobId: job.id })}
              />
            ))}
          </ul>
        )}

        {catalog.data && (
          <ul className="grid gap-2 sm:grid-cols-2" aria-label="Suggested models">
            {catalog.data.map((entry) => (
              <CatalogItem key={entry.id} entry={entry} onPick={(s) => start.mutate({ source: s })} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

function CatalogItem({ entry, onPick }: { entry: CatalogEntry; onPick: (source: string) => void }) {
  return (
    <li className="rounded-lg border px-3 py-2" data-testid="catalog-entry">
      <div className="flex items-center gap-2">
        <span className="text-[13px] font-medium">{entry.name}</span>
        <Badge variant="outline" title={entry.licenseNote}>
          {entry.license}
        </Badge>
      </div>
      <p className="mt-1 text-xs text-muted-foreground">{entry.description}</p>
      <p className="mt-1 text-xs text-muted-foreground">Fine-tunes well on: {entry.fineTunesWellOn.join(', ')}.</p>
      <div className="mt-2 flex flex-wrap gap-1.5">
        {entry.files.map((file) => (
          <Button
            key={file.quantization}
            size="sm"
            variant="outline"
            title={`${file.fileName} (size approximate)`}
            onClick={() => onPick(file.source)}
          >
            {file.quantization} · ~{gb(file.approxSizeBytes)}
          </Button>
        ))}
      </div>
    </li>
  );
}

function DownloadRow(props: { job: Job; onCancel: () => void; onResume: () => void; onDiscard: () => void }) {
  const { job } = props;
  const percent = Math.round(job.progress * 100);
  const active = isActive(job);
  const resumable = job.state === 'cancelled' || job.state === 'interrupted' || job.state === 'failed';
  return (
    <li data-testid="download-job" data-state={job.state} className="rounded-lg border bg-muted/40 px-3 py-2">
      <div className="flex items-center gap-2 text-[13px]">
        {active && <LoaderCircle aria-hidden className="size-3.5 animate-spin text-primary" />}
        <span className="min-w-0 flex-1 truncate font-medium">{job.title.replace(/^Download /, '')}</span>
        <span className="text-xs text-muted-foreground tabular-nums">{active ? `${percent}%` : job.state}</span>
        {active && (
          <Button size="icon-sm" variant="ghost" aria-label="Pause download" onClick={props.onCancel}>
            <Pause />
          </Button>
        )}
        {resumable && (
          <>
            <Button size="icon-sm" variant="ghost" aria-label="Resume download" onClick={props.onResume}>
              <Play />
            </Button>
            <Button size="icon-sm" variant="ghost" aria-label="Discard partial download" onClick={props.onDiscard}>
              <Trash2 />
            </Button>
          </>
        )}
      </div>
      {active && <Progress value={percent} className="mt-2" aria-label={`${job.title} progress`} />}
      <p className="mt-1.5 truncate text-xs text-muted-foreground">
        {job.error ? job.error.message : job.message || (active ? 'Starting…' : '')}
      </p>
    </li>
  );
}
