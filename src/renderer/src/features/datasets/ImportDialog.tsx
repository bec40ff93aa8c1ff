import { useId, useState, type FormEvent } from 'react';
import { AlertTriangle, CheckCircle2, FileInput, LoaderCircle, XCircle } from 'lucide-react';
import type {
  CsvMapping,
  DatasetFormat,
  ImportLineError,
  ImportResult,
  ParsedExample,
  SniffResult,
} from '@shared/datasets';
import { datasetFormats } from '@shared/datasets';
import type { Job } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import { Input } from '@renderer/components/ui/Input';
import { RadioCard, RadioGroup } from '@renderer/components/ui/RadioGroup';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { fileName, formatBytes, formatDuration } from '@renderer/features/finetune/format';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { formatCount, plural } from './format';
import { JobProgress } from './JobProgress';
import { PathField } from './PathField';
import { useTrackedJob } from './useTrackedJob';

export const formatLabels: Record<DatasetFormat, string> = {
  openai: 'OpenAI messages',
  sharegpt: 'ShareGPT conversations',
  alpaca: 'Alpaca instructions',
  preference: 'Preference pairs',
  csv: 'CSV with a column mapping',
};

type Step = 'pick' | 'confirm' | 'running' | 'done';

/** What a failed or finished import reports about bad lines. */
function lineErrors(job: Job): { errors: ImportLineError[]; errorCount: number } | null {
  if (job.state === 'succeeded') {
    const result = job.result as ImportResult | undefined;
    return result ? { errors: result.errors, errorCount: result.errorCount } : null;
  }
  const details = job.error?.details as { errors?: ImportLineError[]; errorCount?: number } | undefined;
  return details?.errors ? { errors: details.errors, errorCount: details.errorCount ?? details.errors.length } : null;
}

/**
 * Import a dataset file: the path (typed, browsed or dropped), then the detected format with a
 * preview to confirm (or override; CSV columns mapped by hand), the choice between importing the
 * valid rows and importing nothing when a line is bad, a cancellable job with progress, and at the
 * end every bad line with its reason.
 */
export function ImportDialog({
  open,
  onOpenChange,
  datasetId,
  datasetName,
  onImported,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Import into this dataset by default (else into a new one). */
  datasetId: string | null;
  datasetName: string | null;
  onImported: (datasetId: string) => void;
}) {
  const id = useId();
  const [step, setStep] = useState<Step>('pick');
  const [path, setPath] = useState('');
  const [pathError, setPathError] = useState<string | null>(null);
  const [sniffed, setSniffed] = useState<SniffResult | null>(null);
  const [format, setFormat] = useState<DatasetFormat>('openai');
  const [mapping, setMapping] = useState<Partial<CsvMapping>>({});
  const [target, setTarget] = useState<'new' | 'current'>(datasetId ? 'current' : 'new');
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState<'skip' | 'abort'>('skip');
  const [finished, setFinished] = useState<Job | null>(null);

  const tracked = useTrackedJob((job) => {
    setFinished(job);
    setStep('done');
    const result = job.result as ImportResult | undefined;
    if (job.state === 'succeeded' && result) onImported(result.datasetId);
  });

  const sniff = useApiMutation('datasets.sniff', {
    meta: { silent: true },
    onSuccess: (result) => {
      setSniffed(result);
      setFormat(result.format ?? (result.container === 'csv' ? 'csv' : 'openai'));
      setMapping(result.csvMapping ?? {});
      setName((n) => n || fileName(path).replace(/\.(jsonl|json|csv|tsv|txt)$/i, ''));
      setStep('confirm');
    },
    onError: (error) => setPathError(`${error.code}: ${error.message}`),
  });
  const start = useApiMutation('datasets.import', {
    onSuccess: (job) => {
      tracked.track(job);
      setStep('running');
    },
  });

  const reset = () => {
    setStep('pick');
    setSniffed(null);
    setFinished(null);
    setPathError(null);
    tracked.reset();
  };
  const check = (value = path) => {
    const p = value.trim();
    if (!p) return setPathError('Enter the path of a .jsonl, .json or .csv file.');
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p)) return setPathError('Give the full (absolute) path.');
    setPathError(null);
    sniff.mutate({ path: p });
  };
  const csvReady = format !== 'csv' || (mapping.user && mapping.assistant);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step === 'pick') return check();
    if (step !== 'confirm' || !csvReady) return;
    start.mutate({
      path: path.trim(),
      format,
      onErrors: policy,
      ...(format === 'csv' ? { csvMapping: mapping as CsvMapping } : {}),
      ...(target === 'current' && datasetId ? { datasetId } : { name: name.trim() || fileName(path) }),
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next && step !== 'running') reset();
      }}
    >
      <DialogContent className="max-w-2xl" aria-describedby={undefined}>
        <form onSubmit={submit} className="grid min-w-0 gap-4" aria-label="Import a dataset">
          <DialogHeader
            title="Import a dataset"
            description="JSONL, JSON or CSV in OpenAI, ShareGPT, Alpaca or preference-pair shape. The format is detected; you confirm before anything is stored."
          />

          {(step === 'pick' || step === 'confirm') && (
            <PathField
              id={`${id}-path`}
              label="File"
              value={path}
              droppable
              onChange={(v) => {
                setPath(v);
                if (step === 'confirm') setStep('pick');
              }}
              onPicked={(p) => check(p)}
              pick={{
                mode: 'open',
                title: 'Import a dataset',
                filters: [{ name: 'Datasets', extensions: ['jsonl', 'json', 'csv', 'tsv'] }],
              }}
              placeholder="/path/to/data.jsonl"
              error={pathError}
            />
          )}

          {step === 'confirm' && sniffed && (
            <div className="grid min-w-0 gap-4" data-testid="import-confirm">
              <div className="flex flex-wrap items-center gap-2 text-[13px]">
                {sniffed.format ? (
                  <Badge variant="success" data-testid="detected-format">
                    Detected: {formatLabels[sniffed.format]}
                  </Badge>
                ) : (
                  <Badge variant="warning">Format not recognised</Badge>
                )}
                <Badge variant="outline">{sniffed.container.toUpperCase()}</Badge>
                <Badge variant="outline">{formatBytes(sniffed.totalBytes)}</Badge>
                {sniffed.hasBom && <Badge variant="outline">BOM</Badge>}
                {sniffed.lineEnding === 'crlf' && <Badge variant="outline">CRLF</Badge>}
                {sniffed.mixed && <Badge variant="warning">Mixed formats</Badge>}
              </div>
              <p className="text-[13px] text-muted-foreground">{sniffed.reason}</p>

              <div className="grid grid-cols-2 gap-3">
                <div className="grid gap-1.5">
                  <span className="text-[13px] font-medium">Read as</span>
                  <Select value={format} onValueChange={(f) => setFormat(f as DatasetFormat)}>
                    <SelectTrigger aria-label="Format" className="h-9">
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      {datasetFormats.map((f) => (
                        <SelectItem key={f} value={f}>
                          {formatLabels[f]}
                        </SelectItem>
                      ))}
                    </SelectContent>
                  </Select>
                </div>
                <div className="grid gap-1.5">
                  <span className="text-[13px] font-medium">Into</span>
                  <div className="flex gap-2">
                    {datasetId && (
                      <Select value={target} onValueChange={(t) => setTarget(t as 'new' | 'current')}>
                        <SelectTrigger aria-label="Import into" className="h-9 w-36 shrink-0">
                          <SelectValue />
                        </SelectTrigger>
                        <SelectContent>
                          <SelectItem value="current">{datasetName ?? 'This dataset'}</SelectItem>
                          <SelectItem value="new">A new dataset</SelectItem>
                        </SelectContent>
                      </Select>
                    )}
                    {target === 'new' && (
                      <Input aria-label="New dataset name" value={name} onChange={(e) => setName(e.target.value)} />
                    )}
                  </div>
                </div>
              </div>

              {format === 'csv' && (
                <div className="grid grid-cols-3 gap-3" data-testid="csv-mapping">
                  {(['system', 'user', 'assistant'] as const).map((part) => (
                    <div key={part} className="grid gap-1.5">
                      <span className="text-[13px] font-medium capitalize">
                        {part} column
                        {part === 'system' && <span className="font-normal text-muted-foreground"> (optional)</span>}
                      </span>
                      <Select
                        value={mapping[part] ?? '__none'}
                        onValueChange={(c) => setMapping((m) => ({ ...m, [part]: c === '__none' ? undefined : c }))}
                      >
                        <SelectTrigger aria-label={`${part} column`} className="h-9">
                          <SelectValue />
                        </SelectTrigger>
                        <SelectContent>
                          <SelectItem value="__none">—</SelectItem>
                          {(sniffed.csvColumns ?? []).map((c) => (
                            <SelectItem key={c} value={c}>
                              {c}
                            </SelectItem>
                          ))}
                        </SelectContent>
                      </Select>
                    </div>
                  ))}
                </div>
              )}

              <Preview sniffed={sniffed} format={format} />

              <RadioGroup
                value={policy}
                onValueChange={(v) => setPolicy(v as 'skip' | 'abort')}
                aria-label="When a line is bad"
                className="grid-cols-2"
              >
                <RadioCard value="skip" className="p-3">
                  <span className="text-[13px] font-medium">Import the valid rows</span>
                  <span className="text-xs text-muted-foreground">
                    Bad lines are skipped and listed with the reason.
                  </span>
                </RadioCard>
                <RadioCard value="abort" className="p-3">
                  <span className="text-[13px] font-medium">Import nothing if any row is bad</span>
                  <span className="text-xs text-muted-foreground">All or nothing: fix the file and import again.</span>
                </RadioCard>
              </RadioGroup>
            </div>
          )}

          {step === 'running' && tracked.job && <JobProgress job={tracked.job} label={`Importing ${fileName(path)}`} />}

          {step === 'done' && finished && <ImportOutcome job={finished} />}

          <DialogFooter>
            {step === 'done' ? (
              <>
                <Button variant="outline" onClick={reset}>
                  Import another
                </Button>
                <DialogClose asChild>
                  <Button>Done</Button>
                </DialogClose>
              </>
            ) : step === 'running' ? (
              <DialogClose asChild>
                <Button variant="outline">Hide (keeps running)</Button>
              </DialogClose>
            ) : (
              <>
                <DialogClose asChild>
                  <Button variant="outline">Cancel</Button>
                </DialogClose>
                {step === 'pick' ? (
                  <Button type="submit" disabled={sniff.isPending}>
                    {sniff.isPending && <LoaderCircle className="animate-spin" />}
                    Check file
                  </Button>
                ) : (
                  <Button type="submit" disabled={start.isPending || !csvReady}>
                    <FileInput />
                    Import
                  </Button>
                )}
              </>
            )}
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function Preview({ sniffed, format }: { sniffed: SniffResult; format: DatasetFormat }) {
  const parsedAs = sniffed.format === format && sniffed.preview.length > 0;
  return (
    <div className="grid min-w-0 gap-1.5">
      <span className="text-[13px] font-medium">
        First records{' '}
        <span className="font-normal text-muted-foreground">
          {parsedAs ? `as ${formatLabels[format]}` : '(raw; the preview follows the detected format)'}
        </span>
      </span>
      <div className="max-h-40 min-w-0 overflow-auto rounded-lg border bg-muted/30" data-testid="import-preview">
        {parsedAs ? (
          <ol className="divide-y">
            {sniffed.preview.slice(0, 3).map((example, i) => (
              <PreviewExample key={i} example={example} />
            ))}
          </ol>
        ) : (
          <pre className="p-3 font-mono text-[11.5px] leading-relaxed whitespace-pre-wrap">
            {sniffed.sample
              .slice(0, 3)
              .map((s) => JSON.stringify(s))
              .join('\n')}
          </pre>
        )}
      </div>
      {sniffed.sampleErrors.length > 0 && (
        <ul className="grid gap-0.5 text-xs text-warning">
          {sniffed.sampleErrors.slice(0, 3).map((e) => (
            <li key={e.line} className="flex gap-1.5">
              <AlertTriangle className="mt-0.5 size-3 shrink-0" />
              Line {e.line}: {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PreviewExample({ example }: { example: ParsedExample }) {
  return (
    <li className="grid gap-1 px-3 py-2">
      {example.messages.map((m, i) => (
        <p key={i} className="flex min-w-0 gap-2 text-[12.5px]">
          <span className="w-16 shrink-0 text-[11px] font-medium text-muted-foreground uppercase">{m.role}</span>
          <span className="line-clamp-2 min-w-0 break-words">{m.content}</span>
        </p>
      ))}
      {example.rejected !== undefined && (
        <p className="flex min-w-0 gap-2 text-[12.5px]">
          <span className="w-16 shrink-0 text-[11px] font-medium text-destructive uppercase">rejected</span>
          <span className="line-clamp-2 min-w-0 break-words">{example.rejected}</span>
        </p>
      )}
    </li>
  );
}

function ImportOutcome({ job }: { job: Job }) {
  const result = job.result as ImportResult | undefined;
  const bad = lineErrors(job);
  return (
    <div className="grid min-w-0 gap-3" data-testid="import-outcome" data-state={job.state}>
      {job.state === 'succeeded' && result ? (
        <p className="flex items-center gap-2 text-[13px]">
          <CheckCircle2 className="size-4 text-success" />
          Imported {plural(result.imported, 'example')}{' '}
          {result.seconds < 1 ? 'in under a second' : `in ${formatDuration(result.seconds)}`}
          {result.errorCount > 0 && `; skipped ${plural(result.errorCount, 'bad line')}`}.
        </p>
      ) : (
        <div className="flex items-start gap-2 text-[13px]">
          <XCircle className="mt-0.5 size-4 shrink-0 text-destructive" />
          <div>
            <p className="font-medium">
              {job.state === 'cancelled'
                ? 'Import cancelled; nothing was imported.'
                : `Nothing was imported (${job.error?.code}).`}
            </p>
            {job.error && job.state !== 'cancelled' && <p className="text-muted-foreground">{job.error.message}</p>}
          </div>
        </div>
      )}
      {bad && bad.errors.length > 0 && (
        <div className="grid gap-1.5">
          <span className="text-[13px] font-medium">
            {plural(bad.errorCount, 'bad line')}
            {bad.errorCount > bad.errors.length && ` (first ${bad.errors.length} shown)`}
          </span>
          <ol
            className="max-h-56 overflow-y-auto rounded-lg border text-[12.5px]"
            aria-label="Bad lines"
            data-testid="import-errors"
          >
            {bad.errors.map((e) => (
              <li key={e.line} className="flex gap-3 border-b px-3 py-1.5 last:border-b-0">
                <span className="w-16 shrink-0 font-mono text-muted-foreground tabular-nums">
                  line {formatCount(e.line)}
                </span>
                <span className="min-w-0 break-words">{e.reason}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
