import { useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { PackagePlus } from 'lucide-react';
import type { Adapter, Job, MergedModel } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { notifyModelError } from '@renderer/features/models/modelErrors';
import { useStartChat } from '@renderer/features/models/useStartChat';
import { useSettings } from '@renderer/features/settings/useSettings';
import type { ApiError } from '@renderer/lib/ApiError';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { formatBytes } from './format';

/**
 * Announces the end of the merges started from this page: a toast with the file and, when it
 * joined the library, "Chat with it"; or why it failed. Mounted once (the Adapters list).
 */
export function useMergeAnnouncer(): (jobId: string) => void {
  const started = useRef(new Set<string>());
  const startChat = useStartChat();
  useApiEvent('jobs.updated', (job: Job) => {
    if (!started.current.has(job.id) || job.state === 'running' || job.state === 'queued') return;
    started.current.delete(job.id);
    if (job.state === 'succeeded') {
      const merged = job.result as MergedModel;
      toast.success(`Exported ${merged.name}`, {
        description: `${formatBytes(merged.sizeBytes)} · ${merged.path}`,
        ...(merged.modelId
          ? { action: { label: 'Chat with it', onClick: () => startChat.mutate({ modelId: merged.modelId! }) } }
          : {}),
      });
    } else if (job.error && job.state !== 'cancelled') {
      notifyModelError(job.error);
    }
  });
  return (jobId) => started.current.add(jobId);
}

/**
 * Exports a fine-tune as a standalone model: the adapter folded into a copy of its base model, one
 * GGUF that LM Studio, Ollama or llama.cpp load without the adapter. A job (see Activity).
 */
export function ExportMergedDialog({
  adapter,
  baseName,
  open,
  onOpenChange,
  onStarted,
}: {
  adapter: Adapter;
  baseName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onStarted: (jobId: string) => void;
}) {
  const id = useId();
  const settings = useSettings();
  const defaultName = `${baseName} + ${adapter.name}`;
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [addToLibrary, setAddToLibrary] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const merge = useApiMutation('adapters.merge', {
    meta: { silent: true },
    onSuccess: ({ job }) => {
      onStarted(job.id);
      toast(`Exporting ${name.trim() || defaultName}…`, { description: 'Its progress is under Activity.' });
      onOpenChange(false);
    },
    onError: (err: ApiError) => setError(err.message),
  });
  const shownName = name.trim() || defaultName;
  const folder = settings.data?.modelsDir;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setError(null);
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-w-lg">
        <DialogHeader
          title="Export as a standalone model"
          description={`Folds “${adapter.name}” into a copy of ${baseName}: one GGUF that LM Studio, Ollama or llama.cpp load without the adapter. Each weight keeps its type, so the file is the base model's size.`}
        />
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            setError(null);
            merge.mutate({
              adapterId: adapter.id,
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(path.trim() ? { path: path.trim() } : {}),
              addToLibrary,
            });
          }}
        >
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input id={`${id}-name`} value={name} placeholder={defaultName} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-path`}>File (optional)</Label>
            <Input
              id={`${id}-path`}
              value={path}
              className="font-mono text-[13px]"
              placeholder={folder ? `${folder}/${shownName}.gguf` : 'In the models folder'}
              aria-invalid={error !== null}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => {
                setPath(e.target.value);
                setError(null);
              }}
            />
            {error && (
              <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
                {error}
              </p>
            )}
          </div>
          <label className="flex items-center gap-2.5 text-[13px]">
            <Checkbox
              checked={addToLibrary}
              onCheckedChange={(checked) => setAddToLibrary(checked === true)}
              aria-label="Add it to the library"
            />
            Add it to the library, to chat with it and compare it
          </label>
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={merge.isPending}>
              <PackagePlus />
              {merge.isPending ? 'Starting…' : 'Export'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
