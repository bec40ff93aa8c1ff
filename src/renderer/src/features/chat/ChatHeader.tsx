import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Brain, Download, FileJson, FileText, LoaderCircle, ScrollText } from 'lucide-react';
import type {
  Conversation,
  ExportFormat,
  InferenceStatus,
  ModelInfo,
  Sampling,
  SamplingPresetName,
} from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogHeader } from '@renderer/components/ui/Dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@renderer/components/ui/DropdownMenu';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { Textarea } from '@renderer/components/ui/Textarea';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { notifyModelError } from '@renderer/features/models/modelErrors';
import type { ApiError } from '@renderer/lib/ApiError';
import { cn } from '@renderer/lib/cn';
import { useApi } from '@renderer/lib/useApi';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { applyConversation } from './chatQueries';
import { SamplingPopover } from './SamplingPopover';

const baseVariant = 'base';

/** The conversation's header: its title, the model and variant that answer, sampling, system prompt, export. */
export function ChatHeader({
  conversation,
  models,
  status,
}: {
  conversation: Conversation;
  models: ModelInfo[];
  status: InferenceStatus | undefined;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [promptOpen, setPromptOpen] = useState(false);
  const update = useApiMutation('chat.conversations.update', {
    meta: { silent: true },
    onSuccess: (c) => applyConversation(queryClient, c),
    onError: notifyModelError,
  });
  const patch = (input: {
    modelId?: string | null;
    adapters?: { adapterId: string; scale: number }[];
    preset?: SamplingPresetName;
    sampling?: Partial<Sampling>;
    systemPrompt?: string;
  }) => update.mutate({ id: conversation.id, ...input });

  const model = models.find((m) => m.id === conversation.modelId) ?? null;
  const adapterId = conversation.adapters[0]?.adapterId ?? baseVariant;
  const loaded = status?.modelId === conversation.modelId && conversation.modelId !== null;

  const download = async (format: ExportFormat) => {
    try {
      const file = await api.call('chat.export', { conversationId: conversation.id, format });
      const url = URL.createObjectURL(new Blob([file.text], { type: file.mimeType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notifyModelError(error as ApiError);
    }
  };

  return (
    <header className="@container flex min-h-14 shrink-0 flex-wrap items-center gap-2 border-b px-4 py-2.5">
      {/* Narrow: the title and its status take the first row, the controls the second. */}
      <div className="mr-auto min-w-0 flex-1 basis-40 @max-[56rem]:basis-full">
        <h1 className="truncate text-[15px] leading-tight font-semibold" title={conversation.title}>
          {conversation.title}
        </h1>
        <p className="mt-0.5 flex items-center gap-1.5 truncate text-xs text-muted-foreground">
          {loaded && status?.state === 'loading' ? (
            <>
              <LoaderCircle className="size-3 animate-spin" /> Loading model {Math.round(status.loadProgress * 100)}%
            </>
          ) : loaded && status?.state === 'ready' ? (
            <>
              <span className="size-1.5 rounded-full bg-success" /> Model loaded
              {status.contextSize ? ` · ${status.contextSize.toLocaleString()} token context` : ''}
            </>
          ) : model ? (
            'Loads with the first message'
          ) : (
            'Choose a model to start'
          )}
        </p>
      </div>

      <Select value={conversation.modelId ?? ''} onValueChange={(modelId) => patch({ modelId, adapters: [] })}>
        <SelectTrigger aria-label="Model" className="w-48">
          <SelectValue placeholder="Choose a model" />
        </SelectTrigger>
        <SelectContent>
          {models.map((m) => (
            <SelectItem key={m.id} value={m.id} disabled={m.missing}>
              {m.name}
              {m.missing ? ' (file missing)' : ''}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>

      {model && model.variants.length > 0 && (
        <Select
          value={adapterId}
          onValueChange={(value) => patch({ adapters: value === baseVariant ? [] : [{ adapterId: value, scale: 1 }] })}
        >
          <SelectTrigger aria-label="Variant" className="w-40">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={baseVariant}>Base model</SelectItem>
            {model.variants.map((v) => (
              <SelectItem key={v.adapterId} value={v.adapterId} disabled={!v.available}>
                {v.name} · r{v.rank}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      )}

      {model?.reasoning === 'switchable' && (
        <Tooltip>
          <TooltipTrigger asChild>
            <Button
              variant="outline"
              size="sm"
              aria-label="Thinking"
              aria-pressed={conversation.sampling.thinking === true}
              onClick={() => patch({ sampling: { thinking: conversation.sampling.thinking !== true } })}
              className={cn(
                conversation.sampling.thinking &&
                  'border-primary/60 bg-primary/10 text-primary hover:bg-primary/15 hover:text-primary dark:border-primary/60 dark:bg-primary/15',
              )}
            >
              <Brain />
              Think
            </Button>
          </TooltipTrigger>
          <TooltipContent className="max-w-64">
            {conversation.sampling.thinking
              ? 'The model thinks before it answers (shown apart, not kept as data). Click to turn off.'
              : 'Let the model think before it answers. Fine-tunes learn answers with thinking off.'}
          </TooltipContent>
        </Tooltip>
      )}

      <SamplingPopover
        sampling={conversation.sampling}
        onPreset={(preset) => patch({ preset })}
        onChange={(sampling) => patch({ sampling })}
      />

      <Button variant="outline" size="sm" onClick={() => setPromptOpen(true)} aria-label="System prompt">
        <ScrollText />
        System
        {conversation.systemPrompt.trim() && <Badge className="ml-0.5 px-1.5">on</Badge>}
      </Button>

      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" aria-label="Export">
            <Download />
            Export
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => void download('markdown')}>
            <FileText />
            Markdown
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => void download('json')}>
            <FileJson />
            JSON
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>

      <Dialog open={promptOpen} onOpenChange={setPromptOpen}>
        {promptOpen && (
          <SystemPromptForm
            value={conversation.systemPrompt}
            onSave={(systemPrompt) => {
              patch({ systemPrompt });
              setPromptOpen(false);
            }}
          />
        )}
      </Dialog>
    </header>
  );
}

function SystemPromptForm({ value, onSave }: { value: string; onSave: (value: string) => void }) {
  const [draft, setDraft] = useState(value);
  return (
    <DialogContent className="max-w-xl">
      <DialogHeader
        title="System prompt"
        description="Instructions the model reads before every turn of this conversation: a role, a tone, rules."
      />
      <Textarea
        aria-label="System prompt"
        autoFocus
        value={draft}
        placeholder="You are a concise assistant…"
        onChange={(event) => setDraft(event.target.value)}
        className="min-h-40"
      />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button onClick={() => onSave(draft)}>Save</Button>
      </DialogFooter>
    </DialogContent>
  );
}
