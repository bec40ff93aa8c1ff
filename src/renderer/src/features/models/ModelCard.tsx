import { memo, useState, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import {
  AlertTriangle,
  Check,
  Cpu,
  Layers,
  LoaderCircle,
  Merge,
  MessageSquarePlus,
  Pencil,
  Power,
  Trash2,
  X,
} from 'lucide-react';
import type { InferenceStatus, ModelInfo } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { FitBadge } from './downloads/FitBadge';
import { Button } from '@renderer/components/ui/Button';
import { Card } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { fileName, formatBytes, formatDate } from '@renderer/features/finetune/format';
import { cn } from '@renderer/lib/cn';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { DeleteModelDialog } from './DeleteModelDialog';
import { formatContext, formatParams } from './format';
import { modelReasonHints, notifyModelError } from './modelErrors';
import { inferenceStatusKey, modelsKey } from './modelQueries';
import { useStartChat } from './useStartChat';

export interface ModelCardProps {
  model: ModelInfo;
  status: InferenceStatus | undefined;
  /** Just imported: draw the eye to it. */
  highlight?: boolean;
  /** A blind comparison is writing: the memory state is hidden and loading waits until it is done. */
  blindComparison?: boolean;
}

/** One model of the library: its facts, variants, memory state and what can be done with it. */
export const ModelCard = memo(function ModelCard({ model, status, highlight, blindComparison }: ModelCardProps) {
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const startChat = useStartChat();
  const setStatus = (next: InferenceStatus) => queryClient.setQueryData(inferenceStatusKey, next);
  const load = useApiMutation('inference.load', {
    meta: { silent: true },
    onSuccess: setStatus,
    onError: notifyModelError,
  });
  const unload = useApiMutation('inference.unload', { onSuccess: setStatus });

  const inMemory = status?.modelId === model.id;
  const memoryState = inMemory ? status.state : 'idle';
  const generating = inMemory && status.generating.length > 0;

  const facts: [string, string][] = [
    ['Architecture', model.architecture],
    ['Parameters', formatParams(model.parameterCount)],
    ['Quantization', model.fileType ?? '—'],
    ['Context', formatContext(model.contextLength)],
    [
      'Size',
      model.files > 1 ? `${formatBytes(model.sizeBytes)} in ${model.files} files` : formatBytes(model.sizeBytes),
    ],
  ];

  return (
    <Card
      data-testid="model-card"
      data-model-id={model.id}
      aria-label={model.name}
      className={cn('flex flex-col transition-shadow', highlight && 'ring-2 ring-primary/50')}
    >
      <div className="flex items-start gap-3 px-5 pt-4">
        <div className="mt-0.5 flex size-9 shrink-0 items-center justify-center rounded-lg border bg-muted/50">
          <Cpu aria-hidden className="size-4.5 text-primary" strokeWidth={1.75} />
        </div>
        <div className="min-w-0 flex-1">
          {renaming ? (
            <RenameField model={model} onDone={() => setRenaming(false)} />
          ) : (
            <div className="flex min-w-0 items-center gap-2">
              <h3 className="truncate text-[15px] font-semibold" title={model.name}>
                {model.name}
              </h3>
              <Tooltip>
                <TooltipTrigger asChild>
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    className="size-6 text-muted-foreground"
                    aria-label={`Rename ${model.name}`}
                    onClick={() => setRenaming(true)}
                  >
                    <Pencil className="size-3.5" />
                  </Button>
                </TooltipTrigger>
                <TooltipContent>Rename</TooltipContent>
              </Tooltip>
            </div>
          )}
          <p className="mt-0.5 truncate font-mono text-[11px] text-muted-foreground" title={model.path}>
            {fileName(model.path)}
          </p>
          {model.mergedFrom && (
            <p
              className="mt-1 flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground"
              data-testid="merged-from"
            >
              <Merge aria-hidden className="size-3.5 shrink-0" />
              <span className="truncate">
                Merged from {model.mergedFrom.base} + {model.mergedFrom.adapter}
              </span>
            </p>
          )}
        </div>
        <div className="flex shrink-0 flex-wrap items-center justify-end gap-1.5">
          {model.missing && (
            <Badge variant="destructive" data-testid="missing-badge" title={modelReasonHints.missing}>
              <AlertTriangle className="size-3" />
              File missing
            </Badge>
          )}
          {!model.hasChatTemplate && (
            <Badge variant="warning" title="The GGUF has no chat template; Lathe chats and fine-tunes it in ChatML.">
              No chat template
            </Badge>
          )}
          {memoryState === 'ready' && (
            <Badge variant="success" data-testid="loaded-badge">
              {generating ? 'Generating' : 'Loaded'}
            </Badge>
          )}
          {memoryState === 'loading' && (
            <Badge variant="default">
              <LoaderCircle className="size-3 animate-spin" />
              Loading {Math.round((status?.loadProgress ?? 0) * 100)}%
            </Badge>
          )}
          {memoryState === 'failed' && <Badge variant="destructive">Load failed</Badge>}
          {!model.missing && <FitBadge modelId={model.id} />}
        </div>
      </div>

      <dl className="mx-5 mt-3 grid grid-cols-5 gap-2 rounded-lg border bg-muted/30 px-3 py-2">
        {facts.map(([label, value]) => (
          <div key={label} className="min-w-0">
            <dt className="text-[11px] text-muted-foreground">{label}</dt>
            <dd className="truncate text-[13px] font-medium tabular-nums" title={value}>
              {value}
            </dd>
          </div>
        ))}
      </dl>

      {model.missing && (
        <p className="mx-5 mt-3 text-xs text-destructive">
          Nothing at <span className="font-mono break-all">{model.path}</span>: {modelReasonHints.missing}
        </p>
      )}

      <section aria-label={`Variants of ${model.name}`} className="mx-5 mt-3">
        <h4 className="flex items-center gap-1.5 text-xs font-medium text-muted-foreground">
          <Layers aria-hidden className="size-3.5" />
          Variants
          <span className="font-normal">
            · {model.variants.length === 0 ? 'none yet; fine-tune this model to add one' : model.variants.length}
          </span>
        </h4>
        {model.variants.length > 0 && (
          <ul className="mt-1.5 flex flex-col divide-y rounded-lg border">
            {model.variants.map((v) => (
              <li key={v.adapterId} data-testid="variant" className="flex items-center gap-2 px-3 py-1.5 text-[13px]">
                <span className="min-w-0 flex-1 truncate font-medium">{v.name}</span>
                {!v.available && <Badge variant="destructive">File missing</Badge>}
                <span className="shrink-0 text-xs text-muted-foreground tabular-nums">
                  r {v.rank} · α {v.alpha} · {formatBytes(v.sizeBytes)}
                </span>
                <Button
                  variant="ghost"
                  size="sm"
                  className="h-7"
                  disabled={!v.available || model.missing || startChat.isPending}
                  onClick={() =>
                    startChat.mutate({ modelId: model.id, adapters: [{ adapterId: v.adapterId, scale: 1 }] })
                  }
                >
                  Chat
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="mt-4 flex flex-wrap items-center gap-2 border-t px-5 py-3">
        <Button
          size="sm"
          disabled={model.missing || startChat.isPending}
          onClick={() => startChat.mutate({ modelId: model.id })}
        >
          <MessageSquarePlus />
          Chat with this
        </Button>
        {inMemory && memoryState !== 'idle' ? (
          <Button
            size="sm"
            variant="outline"
            disabled={unload.isPending || generating || memoryState === 'loading'}
            onClick={() => unload.mutate({})}
          >
            <Power />
            Unload
          </Button>
        ) : (
          <Button
            size="sm"
            variant="outline"
            disabled={model.missing || load.isPending || blindComparison}
            title={
              blindComparison ? 'A blind comparison is writing its answers; load a model when it is done.' : undefined
            }
            onClick={() => load.mutate({ modelId: model.id })}
          >
            {load.isPending ? <LoaderCircle className="animate-spin" /> : <Power />}
            Load
          </Button>
        )}
        <span className="ml-auto text-xs text-muted-foreground">Added {formatDate(model.createdAt)}</span>
        <Tooltip>
          <TooltipTrigger asChild>
            <Button
              variant="ghost"
              size="icon-sm"
              className="text-muted-foreground hover:text-destructive"
              aria-label={`Remove ${model.name}`}
              onClick={() => setDeleting(true)}
            >
              <Trash2 />
            </Button>
          </TooltipTrigger>
          <TooltipContent>Remove from library</TooltipContent>
        </Tooltip>
      </div>
      <DeleteModelDialog model={model} open={deleting} onOpenChange={setDeleting} />
    </Card>
  );
});

function RenameField({ model, onDone }: { model: ModelInfo; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(model.name);
  const rename = useApiMutation('models.rename', {
    onSuccess: (updated) => {
      queryClient.setQueryData<ModelInfo[]>(modelsKey, (list) => list?.map((m) => (m.id === updated.id ? updated : m)));
      onDone();
    },
  });
  const save = () => {
    const trimmed = name.trim();
    if (!trimmed || trimmed === model.name) return onDone();
    rename.mutate({ id: model.id, name: trimmed });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') save();
    if (event.key === 'Escape') {
      event.stopPropagation();
      onDone();
    }
  };
  return (
    <div className="flex items-center gap-1">
      <Input
        autoFocus
        aria-label="Model name"
        value={name}
        maxLength={200}
        onChange={(event) => setName(event.target.value)}
        onKeyDown={onKeyDown}
        className="h-7 text-[14px] font-semibold"
      />
      <Button variant="ghost" size="icon-sm" aria-label="Save name" disabled={rename.isPending} onClick={save}>
        <Check />
      </Button>
      <Button variant="ghost" size="icon-sm" aria-label="Cancel renaming" onClick={onDone}>
        <X />
      </Button>
    </div>
  );
}
