import { toast } from 'sonner';
import { useState } from 'react';
import { Boxes, Columns2, Copy, MessageSquarePlus, PackagePlus } from 'lucide-react';
import type { Adapter, ModelInfo } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { compareHref } from '@renderer/features/compare/compareRoute';
import { useModels } from '@renderer/features/models/modelQueries';
import { useStartChat } from '@renderer/features/models/useStartChat';
import { ExportMergedDialog, useMergeAnnouncer } from './ExportMergedDialog';
import { fileName, formatBytes, formatDate } from './format';

/** The adapters fine-tuning produced, under the base model each belongs to. */
export function AdaptersCard() {
  const adapters = useApiQuery('adapters.list', {}, { staleTime: 0 });
  const models = useModels().data ?? [];
  const groups = groupByBase(adapters.data ?? []);
  const announceMerge = useMergeAnnouncer();
  // A base model in the library goes by its name there; one outside it by its file name.
  const labelOf = (group: Group) => models.find((m) => m.sha256 === group.sha)?.name ?? fileName(group.path);

  return (
    <Card aria-labelledby="adapters-title" data-testid="adapters">
      <CardHeader className="pb-3">
        <CardTitle id="adapters-title">Adapters</CardTitle>
        <CardDescription>
          What finished runs produced, by base model: chat with one, or compare it with its base.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4 pt-1">
        {adapters.isPending ? (
          <Skeleton className="h-14" />
        ) : groups.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-5 text-center text-[13px] text-muted-foreground">
            No adapters yet. When a run finishes, its adapter appears here under its base model.
          </p>
        ) : (
          groups.map((group) => (
            <section key={group.sha} aria-label={`Adapters of ${labelOf(group)}`} className="flex flex-col gap-2">
              <h3 className="flex min-w-0 items-center gap-2 text-[13px] font-semibold">
                <Boxes aria-hidden className="size-4 shrink-0 text-muted-foreground" />
                <span className="truncate" title={group.path}>
                  {labelOf(group)}
                </span>
                <span className="font-normal text-muted-foreground">
                  {group.adapters.length} adapter{group.adapters.length === 1 ? '' : 's'}
                </span>
              </h3>
              <ul className="flex flex-col divide-y rounded-lg border">
                {group.adapters.map((adapter) => (
                  <AdapterRow
                    key={adapter.id}
                    adapter={adapter}
                    baseName={labelOf(group)}
                    onMergeStarted={announceMerge}
                    model={models.find(
                      (m) => !m.missing && m.variants.some((v) => v.adapterId === adapter.id && v.available),
                    )}
                  />
                ))}
              </ul>
            </section>
          ))
        )}
      </CardContent>
    </Card>
  );
}

/** One adapter; Chat and Compare when its base model is in the library and both files are there. */
function AdapterRow({
  adapter,
  model,
  baseName,
  onMergeStarted,
}: {
  adapter: Adapter;
  model: ModelInfo | undefined;
  baseName: string;
  onMergeStarted: (jobId: string) => void;
}) {
  const startChat = useStartChat();
  const [exporting, setExporting] = useState(false);
  const copy = () =>
    navigator.clipboard.writeText(adapter.path).then(
      () => toast.success('Adapter path copied'),
      () => toast.error('Could not copy the path', { description: adapter.path }),
    );
  return (
    <li className="flex min-w-0 items-center gap-3 px-3 py-2.5" data-testid="adapter">
      <div className="min-w-0 flex-1">
        <div className="flex min-w-0 items-baseline gap-2">
          <span className="truncate text-[13px] font-medium">{adapter.name}</span>
          <span className="shrink-0 text-xs text-muted-foreground tabular-nums">
            r {adapter.rank} · α {adapter.alpha} · {formatBytes(adapter.sizeBytes)}
          </span>
        </div>
        <div className="mt-0.5 flex min-w-0 items-center gap-2 text-xs text-muted-foreground">
          {/* Right-to-left so the ellipsis eats the start of the path and its file name stays. */}
          <span className="min-w-0 truncate text-left font-mono text-[11px] [direction:rtl]" title={adapter.path}>
            <bdi>{adapter.path}</bdi>
          </span>
          <span className="shrink-0">{formatDate(adapter.createdAt)}</span>
        </div>
      </div>
      {model && (
        <>
          <Button
            variant="ghost"
            size="sm"
            className="h-7"
            aria-label={`Chat with ${adapter.name}`}
            disabled={startChat.isPending}
            onClick={() => startChat.mutate({ modelId: model.id, adapters: [{ adapterId: adapter.id, scale: 1 }] })}
          >
            <MessageSquarePlus />
            Chat
          </Button>
          <Button
            variant="ghost"
            size="sm"
            className="h-7"
            aria-label={`Compare ${adapter.name} with its base`}
            asChild
          >
            <a href={compareHref({ adapterId: adapter.id })}>
              <Columns2 />
              Compare
            </a>
          </Button>
        </>
      )}
      <Tooltip>
        <TooltipTrigger asChild>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Export ${adapter.name} as a standalone model`}
            onClick={() => setExporting(true)}
          >
            <PackagePlus />
          </Button>
        </TooltipTrigger>
        <TooltipContent>Export as a standalone model (merged GGUF)</TooltipContent>
      </Tooltip>
      <ExportMergedDialog
        adapter={adapter}
        baseName={baseName}
        open={exporting}
        onOpenChange={setExporting}
        onStarted={onMergeStarted}
      />
      <Tooltip>
        <TooltipTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Copy the path of ${adapter.name}`} onClick={copy}>
            <Copy />
          </Button>
        </TooltipTrigger>
        <TooltipContent>Copy path</TooltipContent>
      </Tooltip>
    </li>
  );
}

interface Group {
  sha: string;
  path: string;
  adapters: Adapter[];
}

/** Adapters grouped by base model (by content, so a moved model keeps its adapters), newest first. */
function groupByBase(adapters: readonly Adapter[]): Group[] {
  const groups = new Map<string, Group>();
  for (const adapter of [...adapters].sort((a, b) => b.createdAt - a.createdAt)) {
    const key = adapter.baseModelSha256 || adapter.baseModelPath;
    const group = groups.get(key) ?? { sha: key, path: adapter.baseModelPath, adapters: [] };
    group.adapters.push(adapter);
    groups.set(key, group);
  }
  return [...groups.values()];
}
