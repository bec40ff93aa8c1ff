import { useQueryClient } from '@tanstack/react-query';
import { History } from 'lucide-react';
import type { Comparison, CompareVote } from '@shared/compare';
import { Badge } from '@renderer/components/ui/Badge';
import { cn } from '@renderer/lib/cn';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';

const voteText: Record<CompareVote, string> = { a: 'A won', b: 'B won', tie: 'Tie', both_bad: 'Both bad' };
const input = { limit: 12 } as const;

/** The latest single comparisons (not batch ones), to reopen, re-vote or add to a dataset later. */
export function RecentComparisons({
  currentId,
  onOpen,
}: {
  currentId: string | null;
  onOpen: (c: Comparison) => void;
}) {
  const queryClient = useQueryClient();
  const recent = useApiQuery('compare.list', input);
  useApiEvent('compare.updated', (c) => {
    const finished = !['pending', 'streaming'].includes(c.a.status) && !['pending', 'streaming'].includes(c.b.status);
    if (c.batchId === null && finished)
      void queryClient.invalidateQueries({ queryKey: apiQueryKey('compare.list', input) });
  });
  const items = recent.data ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-label="Recent comparisons" className="flex flex-col gap-1.5">
      <h2 className="flex items-center gap-1.5 text-xs font-medium text-muted-foreground">
        <History className="size-3.5" />
        Recent comparisons
      </h2>
      <ul className="flex flex-col divide-y rounded-lg border bg-card shadow-xs">
        {items.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              data-testid="recent-comparison"
              onClick={() => onOpen(c)}
              className={cn(
                'flex w-full items-center gap-3 px-3 py-2 text-left text-[13px] outline-none hover:bg-accent focus-visible:bg-accent',
                c.id === currentId && 'bg-accent/60',
              )}
            >
              <span className="min-w-0 flex-1 truncate">{c.messages.at(-1)?.content}</span>
              {c.blind && c.vote === null && <Badge variant="outline">blind</Badge>}
              {c.datasetExampleIds.length > 0 && <Badge variant="success">in dataset</Badge>}
              <Badge variant={c.vote ? 'default' : 'secondary'}>{c.vote ? voteText[c.vote] : 'Not voted'}</Badge>
              <span className="w-28 shrink-0 text-right text-xs text-muted-foreground tabular-nums">
                {new Date(c.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
