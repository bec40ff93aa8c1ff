import { useId, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { FileInput, FolderOpen, History, LoaderCircle } from 'lucide-react';
import type { Job, ModelImportResult } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Progress } from '@renderer/components/ui/Progress';
import { fileName } from '@renderer/features/finetune/format';
import { readRecent, rememberRecent } from '@renderer/features/finetune/recentValues';
import { isActive, upsertJob } from '@renderer/features/jobs/upsertJob';
import { jobsKey, useJobs } from '@renderer/features/jobs/useJobs';
import type { ApiError } from '@renderer/lib/ApiError';
import { cn } from '@renderer/lib/cn';
import { dragHasFiles, droppedPath } from '@renderer/lib/droppedPath';
import { useApi } from '@renderer/lib/useApi';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { hintFor, notifyModelError } from './modelErrors';
import { modelsKey } from './modelQueries';

const recentKey = 'lathe.models.recentPaths';
export const importJobKind = 'models.import';

interface FieldError {
  code: string;
  message: string;
  hint: string | null;
}

/**
 * Adds a GGUF to the library by its path on the machine running Lathe. The file is checked at
 * once (a bad one is refused with the reason), then hashed in a job whose progress shows here;
 * imports still running after a reload show too, from the jobs list.
 */
export function ImportModelCard({ onImported }: { onImported: (modelId: string) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [path, setPath] = useState('');
  const [recent, setRecent] = useState(() => readRecent(recentKey));
  const [error, setError] = useState<FieldError | null>(null);
  /** Jobs started here, so their outcome can be announced once. */
  const started = useRef(new Set<string>());
  const jobs = useJobs();
  const imports = (jobs.data ?? []).filter((job) => job.kind === importJobKind);
  const running = imports.filter(isActive);

  const importModel = useApiMutation('models.import', {
    meta: { silent: true },
    onSuccess: ({ job }, input) => {
      started.current.add(job.id);
      queryClient.setQueryData<Job[]>(jobsKey, (list) => upsertJob(list, job));
      // A small file may be hashed before this answer arrives.
      const cached = queryClient.getQueryData<Job[]>(jobsKey)?.find((j) => j.id === job.id);
      if (cached) announce(cached);
      rememberRecent(recentKey, input.path);
      setRecent(readRecent(recentKey));
      setPath('');
      setError(null);
    },
    onError: (err: ApiError) => {
      setError({ code: err.code, message: err.message, hint: hintFor(err) });
      notifyModelError(err);
    },
  });

  /** Announces the end of an import started here, once: a toast and the new card, or why it failed. */
  const announce = (job: Job) => {
    if (!started.current.has(job.id) || isActive(job)) return;
    started.current.delete(job.id);
    if (job.state === 'succeeded') {
      const result = job.result as ModelImportResult | undefined;
      void queryClient.invalidateQueries({ queryKey: modelsKey });
      toast.success('Model imported', { description: job.title.replace(/^Import /, '') });
      if (result?.modelId) onImported(result.modelId);
    } else if (job.error) {
      setError({ code: job.error.code, message: job.error.message, hint: hintFor(job.error) });
      notifyModelError(job.error);
    }
  };
  useApiEvent('jobs.updated', announce);

  const [dragging, setDragging] = useState(false);
  const startImport = (value: string) => {
    setPath(value);
    setError(null);
    importModel.mutate({ path: value });
  };
  const browse = async () => {
    const picked = await api.files?.pickPath({
      mode: 'open',
      title: 'Import a GGUF model',
      filters: [{ name: 'GGUF models', extensions: ['gguf'] }],
    });
    if (picked) startImport(picked);
  };
  const dropZone = {
    onDragOver: (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    },
    onDragLeave: (event: DragEvent) => {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
    },
    onDrop: (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      event.preventDefault();
      setDragging(false);
      const dropped = droppedPath(api.files, event.dataTransfer);
      if ('path' in dropped) startImport(dropped.path);
      else setError({ code: 'UNSUPPORTED', message: dropped.error, hint: null });
    },
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = path.trim();
    if (!value) {
      setError({ code: 'INVALID_INPUT', message: 'Enter the absolute path of a .gguf file.', hint: null });
      return;
    }
    importModel.mutate({ path: value });
  };

  const where = api.transport === 'ipc' ? 'this computer' : 'the machine running the Lathe server';
  const errorId = `${id}-error`;

  return (
    <Card
      aria-labelledby={`${id}-title`}
      data-testid="import-model"
      data-dragging={dragging || undefined}
      className={cn(dragging && 'border-primary bg-primary/5 ring-[3px] ring-primary/20')}
      {...dropZone}
    >
      <CardHeader>
        <CardTitle id={`${id}-title`}>Import a model</CardTitle>
        <CardDescription>
          A GGUF file on {where}
          {api.files ? ': browse, drop it here, or paste its path' : ' (type its path)'}. Lathe keeps a reference to it;
          the file stays where it is.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <form onSubmit={submit} noValidate className="flex gap-2" aria-label="Import a model">
          <div className="min-w-0 flex-1">
            <label htmlFor={`${id}-path`} className="sr-only">
              Model file path
            </label>
            <Input
              id={`${id}-path`}
              value={path}
              list={recent.length > 0 ? `${id}-recent` : undefined}
              placeholder="/path/to/model.gguf"
              spellCheck={false}
              autoComplete="off"
              onChange={(event) => {
                setPath(event.target.value);
                setError(null);
              }}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="font-mono text-[13px]"
            />
            {recent.length > 0 && (
              <datalist id={`${id}-recent`}>
                {recent.map((p) => (
                  <option key={p} value={p} />
                ))}
              </datalist>
            )}
          </div>
          {api.files && (
            <Button type="button" variant="outline" onClick={() => void browse()} disabled={importModel.isPending}>
              <FolderOpen />
              Browse…
            </Button>
          )}
          <Button type="submit" disabled={importModel.isPending}>
            {importModel.isPending ? <LoaderCircle className="animate-spin" /> : <FileInput />}
            Import
          </Button>
        </form>

        {error && (
          <div id={errorId} role="alert" className="rounded-md border border-destructive/30 bg-destructive/6 px-3 py-2">
            <p className="text-[13px] text-destructive">{error.message}</p>
            {error.hint && <p className="mt-1 text-xs text-muted-foreground">{error.hint}</p>}
          </div>
        )}

        {running.length > 0 && (
          <ul className="flex flex-col gap-2" aria-label="Imports in progress">
            {running.map((job) => (
              <ImportProgress key={job.id} job={job} />
            ))}
          </ul>
        )}

        {recent.length > 0 && (
          <div className="flex min-w-0 flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
            <History aria-hidden className="size-3.5" />
            <span>Recent:</span>
            {recent.slice(0, 4).map((p) => (
              <button
                key={p}
                type="button"
                title={p}
                onClick={() => {
                  setPath(p);
                  setError(null);
                }}
                className="max-w-56 truncate rounded-full border px-2 py-0.5 font-mono text-[11px] outline-none hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {fileName(p)}
              </button>
            ))}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function ImportProgress({ job }: { job: Job }) {
  const percent = Math.round(job.progress * 100);
  return (
    <li data-testid="import-job" data-state={job.state} className="rounded-lg border bg-muted/40 px-3 py-2">
      <div className="flex items-center gap-2 text-[13px]">
        <LoaderCircle aria-hidden className="size-3.5 animate-spin text-primary" />
        <span className="min-w-0 flex-1 truncate font-medium">{job.title}</span>
        <span className="text-xs text-muted-foreground tabular-nums">{percent}%</span>
      </div>
      <Progress value={percent} className="mt-2" aria-label={`${job.title} progress`} />
      <p className="mt-1.5 truncate text-xs text-muted-foreground">{job.message || 'Checking the file…'}</p>
    </li>
  );
}
