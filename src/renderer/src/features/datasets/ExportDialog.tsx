import { useId, useState, type FormEvent } from 'react';
import { CheckCircle2, Download, XCircle } from 'lucide-react';
import type { DatasetFormat, DatasetInfo, ExportResult } from '@shared/datasets';
import type { Job } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { formatCount, plural } from './format';
import { JobProgress } from './JobProgress';
import { PathField } from './PathField';
import { useTrackedJob } from './useTrackedJob';

/** Export choices; `trainer` is OpenAI messages exactly as Lathe's trainer reads them. */
const choices = {
  trainer: { label: "OpenAI messages (Lathe's trainer)", format: 'openai', ext: 'jsonl' },
  openai: { label: 'OpenAI messages (with tool turns)', format: 'openai', ext: 'jsonl' },
  sharegpt: { label: 'ShareGPT conversations', format: 'sharegpt', ext: 'jsonl' },
  alpaca: { label: 'Alpaca instructions', format: 'alpaca', ext: 'jsonl' },
  preference: { label: 'Preference pairs (chosen/rejected)', format: 'preference', ext: 'jsonl' },
  csv: { label: 'CSV (system, user, assistant)', format: 'csv', ext: 'csv' },
} as const satisfies Record<string, { label: string; format: DatasetFormat; ext: string }>;
type Choice = keyof typeof choices;

const slug = (name: string) =>
  name
    .trim()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase() || 'dataset';

/** Export a dataset: format, one file or train and eval apart, the path, progress, and what was written. */
export function ExportDialog({
  open,
  onOpenChange,
  dataset,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  dataset: DatasetInfo;
}) {
  const id = useId();
  const [choice, setChoice] = useState<Choice>('trainer');
  const [splits, setSplits] = useState<'together' | 'separate'>('together');
  const [path, setPath] = useState('');
  const [pathError, setPathError] = useState<string | null>(null);
  const [finished, setFinished] = useState<Job | null>(null);
  const tracked = useTrackedJob(setFinished);
  const start = useApiMutation('datasets.export', { onSuccess: (job) => tracked.track(job) });
  const { format, ext } = choices[choice];
  const running = tracked.job !== null && finished === null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const p = path.trim();
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p))
      return setPathError('Give the full (absolute) path of the file to write.');
    setPathError(null);
    setFinished(null);
    start.mutate({
      datasetId: dataset.id,
      format,
      path: p,
      splits,
      ...(choice === 'trainer' ? { forTrainer: true } : {}),
    });
  };
  const reset = () => {
    setFinished(null);
    tracked.reset();
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next && !running) reset();
      }}
    >
      <DialogContent className="max-w-xl">
        <form onSubmit={submit} className="grid min-w-0 gap-4" aria-label="Export the dataset">
          <DialogHeader
            title={`Export “${dataset.name}”`}
            description={`${plural(dataset.counts.total, 'example')} (the trash is left out). Files are written whole or not at all.`}
          />
          {!tracked.job && (
            <>
              <div className="grid gap-1.5">
                <span className="text-[13px] font-medium">Format</span>
                <Select value={choice} onValueChange={(c) => setChoice(c as Choice)}>
                  <SelectTrigger aria-label="Export format" className="h-9">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    {(Object.keys(choices) as Choice[]).map((c) => (
                      <SelectItem key={c} value={c}>
                        {choices[c].label}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              </div>
              <div className="grid gap-1.5">
                <span className="text-[13px] font-medium">Train and eval</span>
                <ToggleGroup
                  type="single"
                  variant="segmented"
                  aria-label="Splits"
                  value={splits}
                  onValueChange={(v) => v && setSplits(v as 'together' | 'separate')}
                >
                  <ToggleGroupItem value="together">One file</ToggleGroupItem>
                  <ToggleGroupItem value="separate">Separate files</ToggleGroupItem>
                </ToggleGroup>
                {splits === 'separate' && (
                  <p className="text-xs text-muted-foreground">
                    Writes <code>name.train.{ext}</code> and <code>name.eval.{ext}</code> beside the path; Auto examples
                    go to train.
                  </p>
                )}
              </div>
              <PathField
                id={`${id}-path`}
                label="Save to"
                value={path}
                onChange={setPath}
                pick={{
                  mode: 'save',
                  title: 'Export the dataset',
                  defaultName: `${slug(dataset.name)}.${ext}`,
                  filters: [{ name: ext.toUpperCase(), extensions: [ext] }],
                }}
                placeholder={`/path/to/${slug(dataset.name)}.${ext}`}
                error={pathError}
              />
            </>
          )}
          {running && tracked.job && <JobProgress job={tracked.job} label="Exporting" />}
          {finished && <ExportOutcome job={finished} />}
          <DialogFooter>
            {finished ? (
              <>
                <Button variant="outline" onClick={reset}>
                  Export again
                </Button>
                <DialogClose asChild>
                  <Button>Done</Button>
                </DialogClose>
              </>
            ) : running ? (
              <DialogClose asChild>
                <Button variant="outline">Hide (keeps running)</Button>
              </DialogClose>
            ) : (
              <>
                <DialogClose asChild>
                  <Button variant="outline">Cancel</Button>
                </DialogClose>
                <Button type="submit" disabled={start.isPending || dataset.counts.total === 0}>
                  <Download />
                  Export
                </Button>
              </>
            )}
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function ExportOutcome({ job }: { job: Job }) {
  const result = job.result as ExportResult | undefined;
  if (job.state !== 'succeeded' || !result) {
    return (
      <p className="flex items-start gap-2 text-[13px]" data-testid="export-outcome" data-state={job.state}>
        <XCircle className="mt-0.5 size-4 shrink-0 text-destructive" />
        {job.state === 'cancelled'
          ? 'Export cancelled; no file was written.'
          : `${job.error?.code}: ${job.error?.message}`}
      </p>
    );
  }
  return (
    <div className="grid gap-2" data-testid="export-outcome" data-state={job.state}>
      <p className="flex items-center gap-2 text-[13px]">
        <CheckCircle2 className="size-4 text-success" />
        Exported
      </p>
      <ul className="grid gap-1 rounded-lg border p-2 text-[12.5px]">
        {result.files.map((f) => (
          <li key={f.path} className="flex min-w-0 items-baseline gap-3">
            <span className="w-10 shrink-0 text-xs text-muted-foreground capitalize">
              {f.split === 'all' ? 'All' : f.split}
            </span>
            <code className="min-w-0 flex-1 truncate" title={f.path} data-testid="export-path">
              {f.path}
            </code>
            <span className="shrink-0 tabular-nums">{formatCount(f.written)} written</span>
            {f.skipped > 0 && (
              <span className="shrink-0 text-warning tabular-nums" title="Examples this format cannot hold">
                {formatCount(f.skipped)} skipped
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
