import { useEffect, useId, useRef, useState, type MutableRefObject } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import {
  ArrowDown,
  ArrowUp,
  Columns2,
  Eye,
  FileInput,
  LoaderCircle,
  MessageSquare,
  Pencil,
  Plus,
  Save,
  Trash2,
  Undo2,
  X,
} from 'lucide-react';
import type { DatasetExample, ExampleMessage, ExampleRole, ExampleSplit } from '@shared/datasets';
import { exampleSplits } from '@shared/datasets';
import { Markdown } from '@renderer/components/Markdown';
import { Button } from '@renderer/components/ui/Button';
import { Kbd } from '@renderer/components/ui/Kbd';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { Textarea } from '@renderer/components/ui/Textarea';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { fileName } from '@renderer/features/finetune/format';
import { cn } from '@renderer/lib/cn';
import { shortcutLabel } from '@renderer/lib/platform';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { splitLabels } from './format';
import { TagInput } from './TagInput';

/** What the page asks the editor before it moves away: run `action`, or hold it until the draft is saved or dropped. */
export type EditorGuard = (action: () => void) => void;

interface Draft {
  system: string | null;
  turns: ExampleMessage[];
  rejected: string | null;
  tags: string[];
  split: ExampleSplit;
  note: string;
}

function toDraft(example: DatasetExample): Draft {
  const first = example.messages[0];
  const hasSystem = first?.role === 'system';
  return {
    system: hasSystem ? first.content : null,
    turns: hasSystem ? example.messages.slice(1) : example.messages,
    rejected: example.rejected,
    tags: example.tags,
    split: example.split,
    note: example.note,
  };
}

function messagesOf(draft: Draft): ExampleMessage[] {
  return draft.system !== null ? [{ role: 'system', content: draft.system }, ...draft.turns] : draft.turns;
}

const sameDraft = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);
const turnRoles: Exclude<ExampleRole, 'system'>[] = ['user', 'assistant', 'tool'];
const roleLabels: Record<ExampleRole, string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

export interface ExampleEditorProps {
  exampleId: string;
  /** "3 of 1,204", shown in the header. */
  position?: string;
  tagSuggestions: readonly string[];
  onClose: () => void;
  /** Lets the page check for unsaved changes before it moves to another example or closes. */
  guardRef: MutableRefObject<EditorGuard | null>;
}

/**
 * Edits one example: system prompt, user/assistant (and tool) turns that can be added, removed and
 * reordered, a markdown preview, the rejected answer of a preference pair, tags, split and note.
 * Ctrl/⌘+S saves; Undo brings back the previous version the core keeps (the last 20 changes).
 */
export function ExampleEditor({ exampleId, position, tagSuggestions, onClose, guardRef }: ExampleEditorProps) {
  const queryClient = useQueryClient();
  const query = useApiQuery('datasets.examples.get', { id: exampleId });
  const example = query.data;
  const [draft, setDraft] = useState<Draft | null>(null);
  const [base, setBase] = useState<Draft | null>(null);
  const [preview, setPreview] = useState(false);
  const [pending, setPending] = useState<(() => void) | null>(null);
  const root = useRef<HTMLElement>(null);

  // A new version from the core (after save, undo, or a change elsewhere) resets the draft, unless
  // the person is editing it. The page mounts one editor per example (`key`), so state starts fresh.
  const [seen, setSeen] = useState<number | null>(null);
  if (example && example.updatedAt !== seen) {
    setSeen(example.updatedAt);
    const next = toDraft(example);
    const editing = draft !== null && base !== null && !sameDraft(draft, base);
    setBase(next);
    if (!editing) setDraft(next);
  }

  const dirty = draft !== null && base !== null && !sameDraft(draft, base);
  const apply = (updated: DatasetExample) => {
    queryClient.setQueryData(apiQueryKey('datasets.examples.get', { id: updated.id }), updated);
    const next = toDraft(updated);
    setBase(next);
    setDraft(next);
  };
  const update = useApiMutation('datasets.examples.update', {
    onSuccess: (updated) => {
      apply(updated);
      toast.success('Example saved', { id: 'example-saved' });
      const then = pending;
      setPending(null);
      then?.();
    },
  });
  const undo = useApiMutation('datasets.examples.undo', {
    onSuccess: (updated) => {
      apply(updated);
      toast.success('Change undone', { id: 'example-undone' });
    },
  });
  const remove = useApiMutation('datasets.examples.bulk');
  const restore = useApiMutation('datasets.trash.restore');

  const save = () => {
    if (!draft || !dirty || update.isPending) return;
    update.mutate({
      id: exampleId,
      messages: messagesOf(draft),
      rejected: draft.rejected,
      tags: draft.tags,
      split: draft.split,
      note: draft.note,
    });
  };
  const saveRef = useRef(save);
  useEffect(() => {
    saveRef.current = save;
  });

  const dirtyRef = useRef(dirty);
  useEffect(() => {
    dirtyRef.current = dirty;
  });
  useEffect(() => {
    guardRef.current = (action) => {
      if (!dirtyRef.current) action();
      else setPending(() => action);
    };
    return () => {
      guardRef.current = null;
    };
  }, [guardRef]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const trash = () =>
    remove.mutate(
      { ids: [exampleId], action: { kind: 'delete' } },
      {
        onSuccess: () => {
          onClose();
          toast.success('Example moved to the trash', {
            action: { label: 'Undo', onClick: () => restore.mutate({ ids: [exampleId] }) },
          });
        },
      },
    );

  if (!example || !draft) {
    return (
      <aside aria-label="Example editor" className="flex w-[min(46%,560px)] shrink-0 flex-col gap-3 border-l p-4">
        {query.isError ? (
          <p className="text-sm text-muted-foreground">This example could not be loaded ({query.error.code}).</p>
        ) : (
          <>
            <Skeleton className="h-6 w-40" />
            <Skeleton className="h-24 w-full" />
            <Skeleton className="h-32 w-full" />
          </>
        )}
      </aside>
    );
  }

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const setTurn = (index: number, patch: Partial<ExampleMessage>) =>
    set({ turns: draft.turns.map((t, i) => (i === index ? { ...t, ...patch } : t)) });
  const moveTurn = (index: number, by: -1 | 1) => {
    const turns = [...draft.turns];
    const [turn] = turns.splice(index, 1);
    turns.splice(index + by, 0, turn!);
    set({ turns });
  };
  const lastRole = draft.turns[draft.turns.length - 1]?.role;
  const nextRole: ExampleRole = lastRole === 'user' ? 'assistant' : 'user';
  const invalid = draft.turns.length === 0;

  return (
    <aside
      ref={root}
      aria-label="Example editor"
      data-testid="example-editor"
      data-dirty={dirty || undefined}
      className="flex w-[min(46%,560px)] shrink-0 flex-col border-l bg-card/30"
    >
      <header className="flex h-11 shrink-0 items-center gap-1 border-b pr-2 pl-4">
        <h2 className="min-w-0 flex-1 truncate text-[13px] font-semibold">
          Example {position && <span className="font-normal text-muted-foreground">{position}</span>}
          {dirty && (
            <span className="ml-2 text-[11px] font-normal text-warning" data-testid="unsaved">
              ● Unsaved
            </span>
          )}
        </h2>
        <ToggleGroup
          type="single"
          variant="segmented"
          aria-label="Editor mode"
          value={preview ? 'preview' : 'edit'}
          onValueChange={(v) => v && setPreview(v === 'preview')}
        >
          <ToggleGroupItem value="edit" aria-label="Edit" className="px-2">
            <Pencil className="size-3.5" />
          </ToggleGroupItem>
          <ToggleGroupItem value="preview" aria-label="Preview" className="px-2">
            <Eye className="size-3.5" />
          </ToggleGroupItem>
        </ToggleGroup>
        <IconAction
          label={`Undo last change${example.undoDepth > 0 ? ` (${example.undoDepth} kept)` : ''}`}
          disabled={example.undoDepth === 0 || undo.isPending || dirty}
          onClick={() => undo.mutate({ id: exampleId })}
        >
          <Undo2 />
        </IconAction>
        <IconAction label="Move to the trash (Delete)" disabled={remove.isPending} onClick={trash}>
          <Trash2 />
        </IconAction>
        <IconAction label="Close (Esc)" onClick={() => guardRef.current?.(onClose)}>
          <X />
        </IconAction>
      </header>

      {pending && (
        <div role="alert" className="flex items-center gap-2 border-b bg-warning/10 px-4 py-2 text-[13px]">
          <span className="flex-1">This example has unsaved changes.</span>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              const then = pending;
              setPending(null);
              setDraft(base);
              then();
            }}
          >
            Discard
          </Button>
          <Button size="sm" onClick={save} disabled={invalid || update.isPending}>
            Save
          </Button>
        </div>
      )}

      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto px-4 py-4">
        <Source example={example} />

        {draft.system !== null ? (
          <Turn
            role="system"
            content={draft.system}
            preview={preview}
            onContent={(content) => set({ system: content })}
            onRemove={() => set({ system: null })}
          />
        ) : (
          !preview && (
            <Button variant="ghost" size="sm" className="text-muted-foreground" onClick={() => set({ system: '' })}>
              <Plus />
              System prompt
            </Button>
          )
        )}

        {draft.turns.map((turn, i) => (
          <Turn
            key={i}
            role={turn.role}
            name={turn.name}
            content={turn.content}
            preview={preview}
            index={i}
            count={draft.turns.length}
            onRole={(role) => setTurn(i, { role })}
            onContent={(content) => setTurn(i, { content })}
            onMove={(by) => moveTurn(i, by)}
            onRemove={() => set({ turns: draft.turns.filter((_, j) => j !== i) })}
          />
        ))}
        {invalid && (
          <p className="text-[13px] text-destructive">An example needs at least one user or assistant turn.</p>
        )}
        {!preview && (
          <Button
            variant="outline"
            size="sm"
            onClick={() => set({ turns: [...draft.turns, { role: nextRole, content: '' }] })}
          >
            <Plus />
            Add {roleLabels[nextRole].toLowerCase()} turn
          </Button>
        )}

        {draft.rejected !== null && (
          <Field label="Rejected answer" hint="The worse answer of this preference pair.">
            <Textarea
              aria-label="Rejected answer"
              value={draft.rejected}
              onChange={(event) => set({ rejected: event.target.value })}
              className="field-sizing-content max-h-80 min-h-16 font-mono text-[12.5px]"
            />
          </Field>
        )}

        <div className="grid gap-4 border-t pt-4">
          <Field label="Split">
            <ToggleGroup
              type="single"
              variant="segmented"
              aria-label="Split"
              value={draft.split}
              onValueChange={(v) => v && set({ split: v as ExampleSplit })}
            >
              {exampleSplits.map((s) => (
                <ToggleGroupItem key={s} value={s}>
                  {splitLabels[s]}
                </ToggleGroupItem>
              ))}
            </ToggleGroup>
          </Field>
          <Field label="Tags">
            <TagInput
              label="Add a tag"
              placeholder="Add a tag and press Enter"
              value={draft.tags}
              onChange={(tags) => set({ tags })}
              suggestions={tagSuggestions}
            />
          </Field>
          <Field label="Note">
            <Textarea
              aria-label="Note"
              placeholder="Why this example is here, what to check…"
              value={draft.note}
              onChange={(event) => set({ note: event.target.value })}
              className="field-sizing-content min-h-14 text-[13px]"
            />
          </Field>
        </div>
      </div>

      <footer className="flex h-12 shrink-0 items-center gap-2 border-t px-4">
        <p className="flex-1 truncate text-[11.5px] text-muted-foreground">
          <Kbd>{shortcutLabel('S')}</Kbd> save · <Kbd>Esc</Kbd> close · <Kbd>j</Kbd>/<Kbd>k</Kbd> next/previous
        </p>
        <Button size="sm" onClick={save} disabled={!dirty || invalid || update.isPending}>
          {update.isPending ? <LoaderCircle className="animate-spin" /> : <Save />}
          Save
        </Button>
      </footer>
    </aside>
  );
}

function Field({ label, hint, children }: { label: string; hint?: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <div role="group" aria-labelledby={id} className="flex flex-col gap-1.5">
      <div className="flex items-baseline gap-2">
        <span id={id} className="text-xs font-medium text-muted-foreground">
          {label}
        </span>
        {hint && <span className="text-[11px] text-muted-foreground/80">{hint}</span>}
      </div>
      {children}
    </div>
  );
}

function IconAction({
  label,
  disabled,
  onClick,
  children,
}: {
  label: string;
  disabled?: boolean;
  onClick: () => void;
  children: React.ReactNode;
}) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={label} disabled={disabled} onClick={onClick}>
          {children}
        </Button>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  );
}

function Turn({
  role,
  name,
  content,
  preview,
  index,
  count,
  onRole,
  onContent,
  onMove,
  onRemove,
}: {
  role: ExampleRole;
  name?: string | undefined;
  content: string;
  preview: boolean;
  index?: number;
  count?: number;
  onRole?: (role: ExampleRole) => void;
  onContent: (content: string) => void;
  onMove?: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const label = `${roleLabels[role]} turn${index !== undefined ? ` ${index + 1}` : ''}`;
  return (
    <section
      aria-label={label}
      data-testid="editor-turn"
      data-role={role}
      className={cn(
        'group/turn rounded-lg border bg-background',
        role === 'assistant' && 'border-primary/25',
        role === 'system' && 'border-dashed',
      )}
    >
      <div className="flex h-8 items-center gap-1 border-b px-2">
        {onRole && !preview ? (
          <Select value={role} onValueChange={(r) => onRole(r as ExampleRole)}>
            <SelectTrigger
              aria-label={`Role of turn ${(index ?? 0) + 1}`}
              className="h-6 w-28 border-0 px-1.5 text-xs font-medium shadow-none"
            >
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {turnRoles.map((r) => (
                <SelectItem key={r} value={r}>
                  {roleLabels[r]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        ) : (
          <span className="px-1.5 text-xs font-medium">{roleLabels[role]}</span>
        )}
        {name && <span className="text-[11px] text-muted-foreground">{name}</span>}
        <span className="flex-1" />
        {!preview && (
          <div className="flex items-center opacity-60 group-focus-within/turn:opacity-100 group-hover/turn:opacity-100">
            {onMove && index !== undefined && count !== undefined && (
              <>
                <Button
                  variant="ghost"
                  size="icon-sm"
                  className="size-6"
                  aria-label={`Move ${label} up`}
                  disabled={index === 0}
                  onClick={() => onMove(-1)}
                >
                  <ArrowUp className="size-3.5" />
                </Button>
                <Button
                  variant="ghost"
                  size="icon-sm"
                  className="size-6"
                  aria-label={`Move ${label} down`}
                  disabled={index === count - 1}
                  onClick={() => onMove(1)}
                >
                  <ArrowDown className="size-3.5" />
                </Button>
              </>
            )}
            <Button variant="ghost" size="icon-sm" className="size-6" aria-label={`Remove ${label}`} onClick={onRemove}>
              <X className="size-3.5" />
            </Button>
          </div>
        )}
      </div>
      {preview ? (
        <div className="px-3 py-2.5">
          {content.trim() ? (
            <Markdown text={content} />
          ) : (
            <p className="text-[13px] text-muted-foreground italic">Empty</p>
          )}
        </div>
      ) : (
        <textarea
          aria-label={label}
          value={content}
          onChange={(event) => onContent(event.target.value)}
          placeholder={
            role === 'system'
              ? 'How the assistant should behave…'
              : role === 'user'
                ? 'What the user asks…'
                : 'The answer you want…'
          }
          className="field-sizing-content block max-h-[60vh] min-h-14 w-full resize-none rounded-b-lg bg-transparent px-3 py-2 text-[13px] leading-relaxed outline-none placeholder:text-muted-foreground focus-visible:bg-accent/20"
        />
      )}
    </section>
  );
}

function Source({ example }: { example: DatasetExample }) {
  const ref = example.sourceRef;
  let body: React.ReactNode;
  if (example.source === 'chat') {
    body = (
      <>
        <MessageSquare className="size-3.5" />
        Kept from chat{ref?.edited ? ' (edited)' : ''}
        {ref?.conversationId && (
          <a
            className="font-medium text-primary hover:underline"
            href={`#/chat/${encodeURIComponent(ref.conversationId)}`}
          >
            Open conversation
          </a>
        )}
      </>
    );
  } else if (example.source === 'comparison') {
    body = (
      <>
        <Columns2 className="size-3.5" />
        From a comparison
        <a className="font-medium text-primary hover:underline" href="#/compare">
          Open Compare
        </a>
      </>
    );
  } else if (example.source === 'import') {
    body = (
      <>
        <FileInput className="size-3.5" />
        <span className="truncate" title={ref?.file}>
          Imported from {ref?.file ? fileName(ref.file) : 'a file'}
          {ref?.line !== undefined ? `, line ${ref.line}` : ''}
        </span>
      </>
    );
  } else {
    body = (
      <>
        <Pencil className="size-3.5" />
        Written here
      </>
    );
  }
  return (
    <p data-testid="example-source" className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
      {body}
      <span className="ml-auto shrink-0">
        {example.tokenCount !== null ? `${example.tokenCount} tokens · ` : ''}
        {example.charCount} chars
      </span>
    </p>
  );
}
