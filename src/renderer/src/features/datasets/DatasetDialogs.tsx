import { useId, useState, type FormEvent } from 'react';
import { LoaderCircle, Trash2 } from 'lucide-react';
import type { DatasetInfo } from '@shared/datasets';
import { Button } from '@renderer/components/ui/Button';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { Input } from '@renderer/components/ui/Input';
import { Textarea } from '@renderer/components/ui/Textarea';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { plural } from './format';
import { TagInput } from './TagInput';

interface Fields {
  name: string;
  description: string;
  tags: string[];
  maxLength: string;
}

function DatasetFields({
  fields,
  onChange,
  error,
}: {
  fields: Fields;
  onChange: (f: Fields) => void;
  error: string | null;
}) {
  const id = useId();
  return (
    <div className="grid gap-3.5">
      <div className="grid gap-1.5">
        <label htmlFor={`${id}-name`} className="text-[13px] font-medium">
          Name
        </label>
        <Input
          id={`${id}-name`}
          autoFocus
          value={fields.name}
          maxLength={200}
          aria-invalid={error ? true : undefined}
          onChange={(event) => onChange({ ...fields, name: event.target.value })}
        />
        {error && (
          <p role="alert" className="text-xs text-destructive">
            {error}
          </p>
        )}
      </div>
      <div className="grid gap-1.5">
        <label htmlFor={`${id}-description`} className="text-[13px] font-medium">
          Description
        </label>
        <Textarea
          id={`${id}-description`}
          value={fields.description}
          placeholder="What this data teaches the model"
          onChange={(event) => onChange({ ...fields, description: event.target.value })}
          className="min-h-16 text-[13px]"
        />
      </div>
      <div className="grid gap-1.5">
        <span className="text-[13px] font-medium">Tags</span>
        <TagInput label="Dataset tags" value={fields.tags} onChange={(tags) => onChange({ ...fields, tags })} />
      </div>
      <div className="grid gap-1.5">
        <label htmlFor={`${id}-max`} className="text-[13px] font-medium">
          Max length <span className="font-normal text-muted-foreground">(tokens)</span>
        </label>
        <Input
          id={`${id}-max`}
          inputMode="numeric"
          placeholder="e.g. 2048, the training max length"
          value={fields.maxLength}
          onChange={(event) => onChange({ ...fields, maxLength: event.target.value.replace(/[^\d]/g, '') })}
          className="w-48"
        />
        <p className="text-xs text-muted-foreground">
          Examples longer than this are flagged and marked on the histogram.
        </p>
      </div>
    </div>
  );
}

const parseMax = (value: string): number | null => (value.trim() ? Math.max(1, Number(value)) : null);

/** "New dataset": name (unique), description, tags and the max length examples should fit. */
export function CreateDatasetDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (dataset: DatasetInfo) => void;
}) {
  const [fields, setFields] = useState<Fields>({ name: '', description: '', tags: [], maxLength: '' });
  const [error, setError] = useState<string | null>(null);
  const create = useApiMutation('datasets.create', {
    meta: { silent: true },
    onSuccess: (dataset) => {
      onCreated(dataset);
      onOpenChange(false);
      setFields({ name: '', description: '', tags: [], maxLength: '' });
    },
    onError: (err) => setError(err.message),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!fields.name.trim()) return setError('Give the dataset a name.');
    setError(null);
    create.mutate({
      name: fields.name.trim(),
      description: fields.description,
      tags: fields.tags,
      defaultMaxLength: parseMax(fields.maxLength),
    });
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" aria-label="New dataset">
          <DialogHeader
            title="New dataset"
            description="A set of conversations with the answers you want the model to give."
          />
          <DatasetFields fields={fields} onChange={setFields} error={error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending && <LoaderCircle className="animate-spin" />}
              Create
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** A dataset's settings: rename, description, tags, max length, and deleting it (confirmed). */
export function DatasetSettingsDialog({
  dataset,
  open,
  onOpenChange,
  onDeleted,
}: {
  dataset: DatasetInfo;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDeleted: () => void;
}) {
  const [fields, setFields] = useState<Fields>(() => ({
    name: dataset.name,
    description: dataset.description,
    tags: dataset.tags,
    maxLength: dataset.defaultMaxLength?.toString() ?? '',
  }));
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const update = useApiMutation('datasets.update', {
    meta: { silent: true },
    onSuccess: () => onOpenChange(false),
    onError: (err) => setError(err.message),
  });
  const remove = useApiMutation('datasets.delete', {
    onSuccess: () => {
      onOpenChange(false);
      onDeleted();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!fields.name.trim()) return setError('Give the dataset a name.');
    setError(null);
    update.mutate({
      id: dataset.id,
      name: fields.name.trim(),
      description: fields.description,
      tags: fields.tags,
      defaultMaxLength: parseMax(fields.maxLength),
    });
  };
  const everything = dataset.counts.total + dataset.counts.trash;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {confirming ? (
          <div className="grid gap-4">
            <DialogHeader
              title={`Delete “${dataset.name}”?`}
              description={`Its ${plural(everything, 'example')} (trash included) are deleted for good. Export it first if you may want it back.`}
            />
            <DialogFooter>
              <Button variant="outline" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
              <Button
                variant="destructive"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ id: dataset.id })}
              >
                <Trash2 />
                Delete dataset
              </Button>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={submit} className="grid gap-4" aria-label="Dataset settings">
            <DialogHeader title="Dataset settings" />
            <DatasetFields fields={fields} onChange={setFields} error={error} />
            <DialogFooter className="justify-between">
              <Button
                variant="ghost"
                className="mr-auto text-destructive hover:text-destructive"
                onClick={() => setConfirming(true)}
              >
                <Trash2 />
                Delete…
              </Button>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={update.isPending}>
                Save
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
