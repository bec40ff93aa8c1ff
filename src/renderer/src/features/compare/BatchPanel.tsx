import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ChevronLeft, ChevronRight, ListChecks, LoaderCircle, Play, Trash2, X } from 'lucide-react';
import type { CompareBatch, CompareVote, Comparison, ContenderInput } from '@shared/compare';
import type { DatasetInfo } from '@shared/datasets';
import type { ModelInfo } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { Kbd } from '@renderer/components/ui/Kbd';
import { Progress } from '@renderer/components/ui/Progress';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { Textarea } from '@renderer/components/ui/Textarea';
import { useJobs } from '@renderer/features/jobs/useJobs';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { AnswerPane } from './AnswerPane';
import { ContenderPair } from './ContenderPair';
import { isTyping, VoteBar } from './VoteBar';

export interface BatchPanelProps {
  models: ModelInfo[];
  contenders: [ContenderInput, ContenderInput];
  onContenders: (contenders: [ContenderInput, ContenderInput]) => void;
  blind: boolean;
  onBlind: (blind: boolean) => void;
  datasets: DatasetInfo[];
  /** A dataset whose eval split the new batch takes its prompts from, until the user picks others. */
  initialDatasetId?: string | null;
}

/** Batch review: many prompts through two contenders in the background, then voting through them by keyboard. */
export function BatchPanel(props: BatchPanelProps) {
  const queryClient = useQueryClient();
  const batches = useApiQuery('compare.batch.list', {});
  const [reviewing, setReviewing] = useState<string | null>(null);
  useApiEvent(
    'compare.batch',
    () => void queryClient.invalidateQueries({ queryKey: apiQueryKey('compare.batch.list', {}) }),
  );
  const batch = batches.data?.find((b) => b.id === reviewing) ?? null;
  if (batch) return <BatchReview batch={batch} onClose={() => setReviewing(null)} />;
  return (
    <div className="flex flex-col gap-5 px-6 py-5">
      <NewBatch
        {...props}
        onStarted={(b) =>
          void queryClient.invalidateQueries({ queryKey: apiQueryKey('compare.batch.list', {}) }).then(() => b)
        }
      />
      <section aria-label="Batch reviews" className="flex flex-col gap-2">
        <h2 className="text-sm font-semibold">Batch reviews</h2>
        {batches.data?.length === 0 && (
          <p className="text-[13px] text-muted-foreground">
            No batch reviews yet. Paste a few prompts above to check a fine-tune against its base.
          </p>
        )}
        {batches.data?.map((b) => (
          <BatchRow key={b.id} batch={b} onReview={() => setReviewing(b.id)} />
        ))}
      </section>
    </div>
  );
}

function NewBatch({
  models,
  contenders,
  onContenders,
  blind,
  onBlind,
  datasets,
  initialDatasetId,
  onStarted,
}: BatchPanelProps & { onStarted: (b: CompareBatch) => void }) {
  const [prompts, setPrompts] = useState('');
  const [name, setName] = useState('');
  const [system, setSystem] = useState('');
  const [source, setSource] = useState(initialDatasetId ?? 'pasted');
  const fromDataset = datasets.find((d) => d.id === source) ?? null;
  const lines = fromDataset ? fromDataset.counts.split.eval : prompts.split('\n').filter((l) => l.trim()).length;
  const start = useApiMutation('compare.batch.start', {
    onSuccess: (b) => {
      setPrompts('');
      setName('');
      onStarted(b);
    },
  });
  return (
    <section aria-label="New batch review" className="flex flex-col gap-3 rounded-lg border bg-card p-4 shadow-xs">
      <div>
        <h2 className="text-sm font-semibold">New batch review</h2>
        <p className="text-[13px] text-muted-foreground">
          Both contenders answer every prompt in the background; then you vote through them with keys 1–4.
        </p>
      </div>
      <ContenderPair
        models={models}
        contenders={contenders}
        onContenders={onContenders}
        blind={blind}
        onBlind={onBlind}
        blindAriaLabel="Blind batch"
        blindLabel="Blind (sides drawn per prompt)"
      />
      <Select value={fromDataset ? source : 'pasted'} onValueChange={setSource}>
        <SelectTrigger aria-label="Prompts from" className="w-72">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="pasted">Pasted prompts</SelectItem>
          {datasets.map((d) => (
            <SelectItem key={d.id} value={d.id} disabled={d.counts.split.eval === 0}>
              Eval split of {d.name} ({d.counts.split.eval})
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {!fromDataset && (
        <Textarea
          aria-label="Prompts, one per line"
          placeholder={'One prompt per line, e.g.\nExplain LoRA in two sentences.\nWrite a haiku about rain.'}
          className="min-h-28 font-mono text-[13px]"
          value={prompts}
          onChange={(e) => setPrompts(e.currentTarget.value)}
        />
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Input
          aria-label="Batch name"
          placeholder="Name (optional)"
          className="w-56"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Input
          aria-label="Batch system prompt"
          placeholder="System prompt (optional)"
          className="min-w-48 flex-1"
          value={system}
          onChange={(e) => setSystem(e.currentTarget.value)}
        />
        <Button
          disabled={lines === 0 || !contenders.every((c) => c.modelId) || start.isPending}
          onClick={() =>
            start.mutate({
              ...(fromDataset ? { datasetId: fromDataset.id } : { prompts: prompts.split('\n') }),
              contenders,
              blind,
              ...(name.trim() ? { name } : {}),
              ...(system.trim() ? { systemPrompt: system } : {}),
            })
          }
        >
          <Play />
          Generate {lines || ''} {lines === 1 ? 'comparison' : 'comparisons'}
        </Button>
      </div>
    </section>
  );
}

function BatchRow({ batch, onReview }: { batch: CompareBatch; onReview: () => void }) {
  const job = useJobs().data?.find((j) => j.id === batch.jobId);
  const cancel = useApiMutation('compare.batch.cancel');
  const remove = useApiMutation('compare.batch.delete');
  const queryClient = useQueryClient();
  const generating = batch.state === 'generating';
  return (
    <div className="flex items-center gap-3 rounded-lg border bg-card px-4 py-3 shadow-xs" data-testid="batch-row">
      <ListChecks className="size-4 shrink-0 text-muted-foreground" />
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          <span className="truncate text-[13px] font-medium">{batch.name}</span>
          {batch.blind && <Badge variant="outline">blind</Badge>}
          <Badge variant={batch.state === 'ready' ? 'success' : batch.state === 'generating' ? 'default' : 'secondary'}>
            {batch.state}
          </Badge>
        </div>
        <p className="truncate text-xs text-muted-foreground">
          {batch.contenders.map((c) => c.label).join(' vs ')} · {batch.generated}/{batch.total} generated ·{' '}
          {batch.voted} voted
          {generating && job?.message ? ` · ${job.message}` : ''}
        </p>
        {generating && (
          <Progress className="mt-1.5 h-1.5" value={(job?.progress ?? batch.generated / batch.total) * 100} />
        )}
      </div>
      {generating && (
        <Button size="sm" variant="outline" onClick={() => cancel.mutate({ id: batch.id })}>
          <X />
          Cancel
        </Button>
      )}
      <Button size="sm" disabled={batch.generated === 0} onClick={onReview}>
        {generating && <LoaderCircle className="animate-spin" />}
        Review
      </Button>
      <Button
        size="icon-sm"
        variant="ghost"
        aria-label={`Delete ${batch.name}`}
        onClick={() =>
          remove.mutate(
            { id: batch.id },
            {
              onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiQueryKey('compare.batch.list', {}) }),
            },
          )
        }
      >
        <Trash2 />
      </Button>
    </div>
  );
}

/** Voting through a batch: one comparison at a time; 1–4 vote and move on, ←/→ move. */
function BatchReview({ batch, onClose }: { batch: CompareBatch; onClose: () => void }) {
  const queryClient = useQueryClient();
  const list = useApiQuery('compare.list', { batchId: batch.id, limit: 10_000 });
  const [index, setIndex] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const items = useMemo(() => list.data ?? [], [list.data]);
  const firstOpen = items.findIndex((c) => c.vote === null);
  const at = index ?? (firstOpen === -1 ? 0 : firstOpen);
  const current: Comparison | undefined = items[at];
  const key = apiQueryKey('compare.list', { batchId: batch.id, limit: 10_000 });
  useApiEvent('compare.updated', (c) => {
    if (c.batchId === batch.id)
      queryClient.setQueryData<Comparison[]>(key, (old) => old?.map((x) => (x.id === c.id ? c : x)));
  });
  const vote = useApiMutation('compare.vote', {
    onSuccess: (c) => {
      queryClient.setQueryData<Comparison[]>(key, (old) => old?.map((x) => (x.id === c.id ? c : x)));
      setReason('');
      // On from the comparison just voted. Not from `at`: the vote's `compare.updated` event can
      // arrive first and move an unset index to the next open comparison, and `at + 1` would then
      // skip one.
      const voted = items.findIndex((x) => x.id === c.id);
      setIndex(Math.min((voted === -1 ? at : voted) + 1, items.length - 1));
    },
  });
  const onVote = useCallback(
    (v: CompareVote) => current && !vote.isPending && vote.mutate({ id: current.id, vote: v, reason: reason || null }),
    [current, vote, reason],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      if (e.key === 'ArrowRight') setIndex(Math.min(at + 1, items.length - 1));
      else if (e.key === 'ArrowLeft') setIndex(Math.max(at - 1, 0));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [at, items.length]);
  const voted = items.filter((c) => c.vote !== null).length;
  const writing = current
    ? (['a', 'b'] as const).some((s) => ['pending', 'streaming'].includes(current[s].status))
    : true;
  return (
    <div className="flex flex-col gap-4 px-6 py-5" data-testid="batch-review">
      <div className="flex items-center gap-3">
        <Button size="sm" variant="ghost" onClick={onClose}>
          <ChevronLeft />
          All batches
        </Button>
        <h2 className="min-w-0 flex-1 truncate text-sm font-semibold">{batch.name}</h2>
        <span className="text-[13px] text-muted-foreground tabular-nums" data-testid="review-progress">
          {voted} of {items.length} voted
        </span>
        <Progress className="h-1.5 w-40" value={items.length ? (voted / items.length) * 100 : 0} />
      </div>
      {current && (
        <>
          <div className="flex items-center gap-2">
            <Button
              size="icon-sm"
              variant="outline"
              aria-label="Previous"
              disabled={at === 0}
              onClick={() => setIndex(at - 1)}
            >
              <ChevronLeft />
            </Button>
            <span className="text-[13px] tabular-nums">
              {at + 1} / {items.length}
            </span>
            <Button
              size="icon-sm"
              variant="outline"
              aria-label="Next"
              disabled={at >= items.length - 1}
              onClick={() => setIndex(at + 1)}
            >
              <ChevronRight />
            </Button>
            <p
              className="ml-2 min-w-0 flex-1 truncate rounded-md bg-muted px-3 py-1.5 text-sm"
              data-testid="review-prompt"
            >
              {current.messages.at(-1)?.content}
            </p>
          </div>
          <div className="grid min-h-64 grid-cols-1 gap-3 lg:grid-cols-2">
            {(['a', 'b'] as const).map((side) => (
              <AnswerPane
                key={`${current.id}:${side}`}
                comparison={current}
                side={side}
                text={current[side].content}
                winner={current.vote === side}
              />
            ))}
          </div>
          <VoteBar current={current.vote} disabled={writing || vote.isPending} onVote={onVote} />
          <div className="flex items-center gap-3">
            <Input
              placeholder="Why? (optional)"
              aria-label="Reason"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
            />
            <span className="flex shrink-0 items-center gap-1 text-xs text-muted-foreground">
              <Kbd>←</Kbd>
              <Kbd>→</Kbd> move · <Kbd>1</Kbd>–<Kbd>4</Kbd> vote and go on
            </span>
          </div>
        </>
      )}
    </div>
  );
}
