import { Database, Plus } from 'lucide-react';
import type { DatasetInfo } from '@shared/datasets';
import { Button } from '@renderer/components/ui/Button';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { cn } from '@renderer/lib/cn';
import { compactCount } from './format';

/** The dataset picker: every dataset with its size; the open one is marked. */
export function DatasetSidebar({
  datasets,
  loading,
  selectedId,
  onSelect,
  onCreate,
}: {
  datasets: DatasetInfo[];
  loading: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
  onCreate: () => void;
}) {
  return (
    <aside aria-label="Datasets" className="flex w-56 shrink-0 flex-col border-r bg-sidebar/50">
      <div className="flex items-center justify-between px-3 pt-3 pb-2">
        <h2 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Datasets</h2>
        <Button variant="ghost" size="icon-sm" aria-label="New dataset" onClick={onCreate}>
          <Plus />
        </Button>
      </div>
      <nav aria-label="Dataset list" className="min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {loading ? (
          <div className="flex flex-col gap-2 px-1 pt-1">
            <Skeleton className="h-8" />
            <Skeleton className="h-8" />
          </div>
        ) : (
          <ul className="flex flex-col gap-0.5">
            {datasets.map((d) => (
              <li key={d.id}>
                <button
                  type="button"
                  aria-current={d.id === selectedId ? 'page' : undefined}
                  onClick={() => onSelect(d.id)}
                  className={cn(
                    'flex h-8 w-full items-center gap-2 rounded-md px-2 text-left text-[13px] outline-none hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-ring/50',
                    d.id === selectedId && 'bg-sidebar-accent font-medium',
                  )}
                >
                  <Database aria-hidden className="size-3.5 shrink-0 opacity-60" />
                  <span className="min-w-0 flex-1 truncate">{d.name}</span>
                  <span className="text-[11px] text-muted-foreground tabular-nums">{compactCount(d.counts.total)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
    </aside>
  );
}
