import { useId, useState } from 'react';
import { toast } from 'sonner';
import { ArrowRight, CheckCircle2, ChevronDown, ShieldCheck, Sparkles, Stethoscope, Wand2 } from 'lucide-react';
import type { DatasetInfo, ExampleFilter, HygieneGroup, HygieneKind, HygieneReport } from '@shared/datasets';
import { hygieneFixes, hygieneKinds } from '@shared/datasets';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Card } from '@renderer/components/ui/Card';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { formatDate, formatDuration } from '@renderer/features/finetune/format';
import { isActive } from '@renderer/features/jobs/upsertJob';
import { cn } from '@renderer/lib/cn';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { formatCount, issueLabels, plural } from './format';
import { JobProgress } from './JobProgress';
import { useTrackedJob } from './useTrackedJob';

/** Groups listed per kind before "Show more". */
const shownGroups = 12;

/** The examples a fix would change: every example but the kept one of a duplicate group, else all. */
function fixTargets(groups: readonly HygieneGroup[]): string[] {
  const ids = new Set<string>();
  for (const g of groups) for (const id of g.exampleIds) if (id !== g.keepId) ids.add(id);
  return [...ids];
}

/**
 * The hygiene report: run it (a job with progress), then each kind of problem with its count, its
 * groups (which copies, how similar, masked secrets) and a one-click fix, or open the affected
 * examples in the list. Near-duplicates have a similarity slider.
 */
export function HygienePanel({
  dataset,
  onShowExamples,
  onOpenExample,
}: {
  dataset: DatasetInfo;
  onShowExamples: (filter: ExampleFilter) => void;
  onOpenExample: (id: string) => void;
}) {
  const sliderId = useId();
  const report = useApiQuery('datasets.report', { datasetId: dataset.id });
  const data = report.data ?? null;
  // The slider starts at the report's threshold; a new report resets it.
  const [moved, setMoved] = useState<{ report: number | null; value: number } | null>(null);
  const reportAt = data?.createdAt ?? null;
  const threshold = moved !== null && moved.report === reportAt ? moved.value : (data?.nearDuplicateThreshold ?? 0.85);
  const setThreshold = (value: number) => setMoved({ report: reportAt, value });

  const tracked = useTrackedJob((job) => {
    if (job.state === 'succeeded') toast.success('Hygiene report ready', { description: dataset.name });
    void report.refetch();
  });
  const run = useApiMutation('datasets.hygiene', { onSuccess: (job) => tracked.track(job) });
  const running = tracked.job !== null && isActive(tracked.job);
  const start = () => run.mutate({ datasetId: dataset.id, nearDuplicateThreshold: threshold });

  return (
    <div className="mx-auto grid w-full max-w-4xl gap-4 p-5" data-testid="hygiene-panel">
      <Card className="grid gap-3 p-5">
        <div className="flex flex-wrap items-start gap-4">
          <div className="min-w-0 flex-1">
            <h2 className="text-[15px] font-semibold">Hygiene report</h2>
            <p className="mt-1 text-[13px] text-muted-foreground">
              {data
                ? `${formatCount(data.examined)} examples checked ${formatDate(data.createdAt)} in ${formatDuration(data.seconds)}.`
                : 'Duplicates, near-duplicates, empty answers, over-length examples, train/eval leakage and likely secrets or personal data.'}
            </p>
          </div>
          <Button onClick={start} disabled={running || run.isPending || dataset.counts.total === 0}>
            <Stethoscope />
            {data ? 'Run again' : 'Run report'}
          </Button>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={sliderId} className="text-xs font-medium text-muted-foreground">
            Near-duplicate similarity
          </label>
          <input
            id={sliderId}
            type="range"
            min={0.5}
            max={1}
            step={0.01}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
            className="w-48 accent-(--primary)"
            aria-valuetext={`${Math.round(threshold * 100)}%`}
          />
          <span className="w-14 text-[13px] font-medium whitespace-nowrap tabular-nums">
            ≥ {Math.round(threshold * 100)}%
          </span>
          {data && threshold < data.nearDuplicateThreshold - 1e-9 && !running && (
            <Button variant="link" size="sm" className="h-7 px-0" onClick={start}>
              Run again to find pairs under {Math.round(data.nearDuplicateThreshold * 100)}%
            </Button>
          )}
        </div>
        {running && tracked.job && <JobProgress job={tracked.job} label="Checking the dataset" />}
      </Card>

      {report.isPending ? (
        <Skeleton className="h-40" />
      ) : !data ? (
        <p className="rounded-xl border border-dashed px-4 py-10 text-center text-[13px] text-muted-foreground">
          No report yet. It reads every example once; 100,000 take a few seconds.
        </p>
      ) : (
        <ReportBody
          report={data}
          datasetId={dataset.id}
          threshold={threshold}
          onShowExamples={onShowExamples}
          onOpenExample={onOpenExample}
        />
      )}
    </div>
  );
}

function ReportBody({
  report,
  datasetId,
  threshold,
  onShowExamples,
  onOpenExample,
}: {
  report: HygieneReport;
  datasetId: string;
  threshold: number;
  onShowExamples: (filter: ExampleFilter) => void;
  onOpenExample: (id: string) => void;
}) {
  const groupsOf = (kind: HygieneKind) =>
    report.groups.filter(
      (g) =>
        g.kind === kind &&
        (kind !== 'near_duplicate' || g.similarity === undefined || g.similarity >= threshold - 1e-9),
    );
  const total = hygieneKinds.reduce((n, k) => n + groupsOf(k).length, 0);
  if (total === 0) {
    return (
      <p
        className="flex items-center justify-center gap-2 rounded-xl border px-4 py-10 text-[13px]"
        data-testid="hygiene-clean"
      >
        <ShieldCheck className="size-4 text-success" />
        No problems found.
      </p>
    );
  }
  return (
    <div className="grid gap-3">
      {hygieneKinds.map((kind) => {
        const groups = groupsOf(kind);
        return (
          <KindSection
            key={kind}
            kind={kind}
            groups={groups}
            count={kind === 'near_duplicate' ? groups.length : report.counts[kind]}
            datasetId={datasetId}
            onShowExamples={onShowExamples}
            onOpenExample={onOpenExample}
          />
        );
      })}
    </div>
  );
}

function KindSection({
  kind,
  groups,
  count,
  datasetId,
  onShowExamples,
  onOpenExample,
}: {
  kind: HygieneKind;
  groups: HygieneGroup[];
  count: number;
  datasetId: string;
  onShowExamples: (filter: ExampleFilter) => void;
  onOpenExample: (id: string) => void;
}) {
  const [open, setOpen] = useState(kind !== 'near_duplicate' || groups.length <= 5);
  const [limit, setLimit] = useState(shownGroups);
  const restore = useApiMutation('datasets.trash.restore');
  const fix = useApiMutation('datasets.fix');
  const empty = groups.length === 0;
  const review = kind === 'sensitive';

  const applyFix = (only?: HygieneGroup[]) => {
    const chosen = only ?? groups;
    // Near-duplicates under the slider and sensitive examples are fixed by id; the rest by kind.
    const byId = only !== undefined || kind === 'near_duplicate' || review;
    const ids = [...new Set(chosen.flatMap((g) => g.exampleIds))];
    const targets = review ? ids : fixTargets(chosen);
    fix.mutate(
      { datasetId, kind, ...(byId ? { exampleIds: ids } : {}) },
      {
        onSuccess: ({ changed }) =>
          toast.success(
            kind === 'leakage'
              ? `${plural(changed, 'example')} moved to train`
              : `${plural(changed, 'example')} moved to the trash`,
            {
              ...(kind !== 'leakage' && changed > 0
                ? { action: { label: 'Undo', onClick: () => restore.mutate({ ids: targets }) } }
                : {}),
            },
          ),
      },
    );
  };

  return (
    <Card
      data-testid="hygiene-kind"
      data-kind={kind}
      data-count={count}
      className={cn('overflow-hidden', empty && 'opacity-70')}
    >
      <div className="flex items-center gap-3 px-4 py-3">
        <button
          type="button"
          disabled={empty}
          aria-expanded={open && !empty}
          onClick={() => setOpen((o) => !o)}
          className="flex min-w-0 flex-1 items-center gap-2 text-left outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          {empty ? (
            <CheckCircle2 className="size-4 shrink-0 text-success" />
          ) : (
            <ChevronDown
              className={cn('size-4 shrink-0 text-muted-foreground transition-transform', !open && '-rotate-90')}
            />
          )}
          <span className="text-[13.5px] font-medium">{issueLabels[kind]}</span>
          <Badge variant={empty ? 'outline' : review ? 'warning' : 'destructive'} data-testid="kind-count">
            {formatCount(count)}
          </Badge>
          {!empty && <span className="truncate text-xs text-muted-foreground">{hygieneFixes[kind]}</span>}
        </button>
        {!empty && (
          <>
            <Button variant="ghost" size="sm" onClick={() => onShowExamples({ issueKind: kind })}>
              Show in list
              <ArrowRight />
            </Button>
            <Button
              size="sm"
              variant={review ? 'outline' : 'default'}
              disabled={fix.isPending}
              onClick={() => applyFix()}
              aria-label={`Fix ${issueLabels[kind].toLowerCase()}`}
            >
              <Wand2 />
              {kind === 'leakage' ? 'Move to train' : review ? 'Trash all flagged' : 'Fix all'}
            </Button>
          </>
        )}
      </div>
      {open && !empty && (
        <ul className="divide-y border-t" aria-label={issueLabels[kind]}>
          {groups.slice(0, limit).map((group, i) => (
            <GroupRow
              key={i}
              group={group}
              onOpenExample={onOpenExample}
              onFix={() => applyFix([group])}
              fixing={fix.isPending}
            />
          ))}
          {groups.length > limit && (
            <li className="px-4 py-2">
              <Button variant="link" size="sm" className="h-6 px-0" onClick={() => setLimit((l) => l + 50)}>
                Show more ({formatCount(groups.length - limit)} left)
              </Button>
            </li>
          )}
        </ul>
      )}
    </Card>
  );
}

function GroupRow({
  group,
  onOpenExample,
  onFix,
  fixing,
}: {
  group: HygieneGroup;
  onOpenExample: (id: string) => void;
  onFix: () => void;
  fixing: boolean;
}) {
  return (
    <li className="grid gap-1.5 px-4 py-2.5" data-testid="hygiene-group">
      <div className="flex items-center gap-2 text-xs">
        {group.similarity !== undefined && (
          <Badge variant="secondary" className="tabular-nums">
            {Math.round(group.similarity * 100)}% similar
          </Badge>
        )}
        <span className="min-w-0 flex-1 truncate text-muted-foreground">{group.detail}</span>
        <Button variant="ghost" size="sm" className="h-6 px-2 text-xs" disabled={fixing} onClick={onFix}>
          <Sparkles />
          {group.fix === 'move_to_train' ? 'Move to train' : group.fix === 'review' ? 'Trash' : 'Fix'}
        </Button>
      </div>
      <ul className="grid gap-1">
        {group.exampleIds.slice(0, 4).map((id) => (
          <ExampleLine key={id} id={id} kept={id === group.keepId} onOpen={() => onOpenExample(id)} />
        ))}
        {group.exampleIds.length > 4 && (
          <li className="text-xs text-muted-foreground">and {plural(group.exampleIds.length - 4, 'more example')}</li>
        )}
      </ul>
      {group.sensitive && group.sensitive.length > 0 && (
        <ul className="flex flex-wrap gap-1.5">
          {group.sensitive.map((s, i) => (
            <li
              key={i}
              className="rounded-md border border-warning/40 bg-warning/8 px-2 py-0.5 font-mono text-[11.5px]"
            >
              <span className="font-sans font-medium text-warning">{s.label}</span> {s.excerpt}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function ExampleLine({ id, kept, onOpen }: { id: string; kept: boolean; onOpen: () => void }) {
  const example = useApiQuery('datasets.examples.get', { id }, { meta: { silent: true }, staleTime: 60_000 });
  const first = example.data?.messages.find((m) => m.role === 'user') ?? example.data?.messages[0];
  return (
    <li className="flex min-w-0 items-center gap-2">
      <button
        type="button"
        onClick={onOpen}
        className="min-w-0 flex-1 truncate rounded text-left text-[13px] outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring/50"
        title="Open in the editor"
      >
        {example.data ? first?.content || '(empty)' : example.isError ? '(no longer here)' : '…'}
      </button>
      {kept && (
        <Badge variant="success" className="shrink-0">
          kept
        </Badge>
      )}
      {example.data && example.data.split !== 'auto' && (
        <Badge variant="outline" className="shrink-0">
          {example.data.split}
        </Badge>
      )}
    </li>
  );
}
