import { memo, useContext, useState, type KeyboardEvent, type ReactNode } from 'react';
import { toast } from 'sonner';
import {
  AlertTriangle,
  BookmarkCheck,
  BookmarkPlus,
  Brain,
  ChevronDown,
  ChevronLeft,
  ChevronRight,
  Copy,
  Pencil,
  RefreshCw,
  StepForward,
  ThumbsDown,
  ThumbsUp,
} from 'lucide-react';
import type { ThreadMessage } from '@shared/domain';
import { Markdown } from '@renderer/components/Markdown';
import { Button } from '@renderer/components/ui/Button';
import { Textarea } from '@renderer/components/ui/Textarea';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { PreferVersionButton } from '@renderer/features/compare/PreferVersionButton';
import { hintFor } from '@renderer/features/models/modelErrors';
import { cn } from '@renderer/lib/cn';
import { ModelNamesContext, useChatActions } from './ChatActions';
import { useStreamedText, useStreamedThought } from './streamStore';

export interface MessageItemProps {
  message: ThreadMessage;
  /** The conversation is writing an answer: actions that start another one wait. */
  busy: boolean;
  /** The last message of the shown branch (only it can be continued). */
  last?: boolean;
}

/** One message of the thread: a user bubble or an answer with its stats and actions. */
export const MessageItem = memo(function MessageItem({ message, busy, last = false }: MessageItemProps) {
  return message.role === 'user' ? (
    <UserMessage message={message} busy={busy} />
  ) : (
    <AssistantMessage message={message} busy={busy} last={last} />
  );
});

/**
 * An answer the model can go on with: stopped by the user, at its token limit, failed with text, or
 * written (begun) by hand.
 */
function cutShort(message: ThreadMessage): boolean {
  if (message.edited) return true;
  if (message.status === 'stopped') return message.content !== '' || message.reasoning !== null;
  if (message.status === 'failed') return message.content !== '';
  return message.status === 'done' && message.stats?.reachedMaxTokens === true;
}

function UserMessage({ message, busy }: MessageItemProps) {
  const actions = useChatActions();
  const [editing, setEditing] = useState(false);

  return (
    <article
      data-testid="message"
      data-role="user"
      data-message-id={message.id}
      aria-label="Your message"
      className="group/msg flex flex-col items-end gap-1"
    >
      {editing ? (
        <InlineEditor
          className="w-full max-w-[85%]"
          value={message.content}
          label="Edit your message"
          hint="Sends as a new branch"
          saveLabel="Save & send"
          enterSaves
          busy={busy}
          onCancel={() => setEditing(false)}
          onSave={(draft) => {
            setEditing(false);
            const content = draft.trim();
            if (content !== message.content) actions.edit(message.id, content);
          }}
        />
      ) : (
        <div className="max-w-[85%] rounded-2xl rounded-br-md bg-primary/10 px-4 py-2.5 text-sm leading-relaxed whitespace-pre-wrap text-foreground dark:bg-primary/18">
          {message.content}
        </div>
      )}
      {!editing && (
        <div className="flex items-center gap-0.5 text-muted-foreground">
          <BranchNav message={message} busy={busy} />
          <div className="flex items-center gap-0.5 opacity-0 transition-opacity group-focus-within/msg:opacity-100 group-hover/msg:opacity-100">
            <CopyButton text={message.content} />
            <IconAction label="Edit and resend" disabled={busy} onClick={() => setEditing(true)}>
              <Pencil />
            </IconAction>
          </div>
        </div>
      )}
    </article>
  );
}

function AssistantMessage({ message, busy, last }: MessageItemProps) {
  const actions = useChatActions();
  const streamed = useStreamedText(actions.store, message.id);
  const streaming = message.status === 'streaming';
  // The stored text is saved every second while streaming; the streamed one is fresher when
  // this window saw the answer from its start.
  const text =
    streaming && streamed !== undefined && streamed.length >= message.content.length ? streamed : message.content;
  const streamedThought = useStreamedThought(actions.store, message.id)?.trim();
  const stored = message.reasoning ?? '';
  const thought =
    streaming && streamedThought !== undefined && streamedThought.length >= stored.length ? streamedThought : stored;
  const stats = message.stats;
  const names = useContext(ModelNamesContext);
  const author = message.variant ? (names.get(message.variant.modelId) ?? 'A removed model') : 'Assistant';
  const adapters = (message.variant?.adapters ?? []).map((a) => names.get(a.adapterId) ?? 'a removed adapter');
  const [editing, setEditing] = useState(false);

  return (
    <article
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      data-message-id={message.id}
      aria-label="Answer"
      aria-busy={streaming}
      className="group/msg flex flex-col gap-1.5"
    >
      <p className="text-xs font-medium text-muted-foreground" data-testid="message-author">
        {author}
        {adapters.length > 0 && <span className="font-normal"> + {adapters.join(' + ')}</span>}
      </p>
      {message.truncatedContext && (
        <p
          data-testid="truncated-notice"
          className="flex items-center gap-1.5 self-start rounded-md bg-warning/12 px-2 py-1 text-xs text-foreground/80"
        >
          <AlertTriangle aria-hidden className="size-3.5 text-warning" />
          Older turns were left out of the prompt so the conversation fits the model’s context.
        </p>
      )}
      {thought && <Thought text={thought} thinking={streaming && !text} />}
      {editing ? (
        <InlineEditor
          value={message.content}
          label="Edit the answer"
          hint="Saved as a new version: the next turns see it, Continue goes on from it"
          saveLabel="Save version"
          busy={busy}
          onCancel={() => setEditing(false)}
          onSave={(content) => {
            setEditing(false);
            if (content !== message.content) actions.editAnswer(message.id, content);
          }}
        />
      ) : (
        <div data-testid="message-content" className={cn((text || streaming || !thought) && 'min-h-6')}>
          {text ? <Markdown text={text} /> : streaming && !thought ? <TypingDots /> : null}
          {streaming && text && (
            <span aria-hidden className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-primary/60 align-text-bottom" />
          )}
        </div>
      )}
      {!streaming && !editing && message.stats?.reachedMaxTokens && (
        <p data-testid="max-tokens-notice" className="text-xs text-muted-foreground">
          {text ? 'The answer reached' : 'The thought used up'} the token limit
          {message.sampling ? ` (${message.sampling.maxTokens.toLocaleString()})` : ''}.
          {last ? ' Raise Max tokens in the sampling settings if needed, and continue it.' : ''}
        </p>
      )}
      {message.status === 'failed' && message.error && (
        <div role="alert" className="rounded-md border border-destructive/30 bg-destructive/6 px-3 py-2 text-[13px]">
          <p className="font-medium text-destructive">
            {message.error.code}: {message.error.message}
          </p>
          {hintFor(message.error) && <p className="mt-1 text-xs text-muted-foreground">{hintFor(message.error)}</p>}
        </div>
      )}
      <div className="flex min-h-7 flex-wrap items-center gap-x-1 gap-y-1 text-muted-foreground">
        <BranchNav message={message} busy={busy} />
        {!streaming && !editing && (
          <>
            <CopyButton text={message.content} />
            <IconAction label="Edit answer" disabled={busy} onClick={() => setEditing(true)}>
              <Pencil />
            </IconAction>
            <IconAction label="Regenerate" disabled={busy} onClick={() => actions.regenerate(message.id)}>
              <RefreshCw />
            </IconAction>
            {last && cutShort(message) && (
              <Button
                variant="ghost"
                size="sm"
                className="h-7 gap-1 px-2 text-xs"
                disabled={busy}
                onClick={() => actions.continue(message.id)}
              >
                <StepForward />
                Continue
              </Button>
            )}
            <IconAction
              label="Good answer"
              pressed={message.rating === 'up'}
              onClick={() => actions.rate(message.id, message.rating === 'up' ? null : 'up')}
            >
              <ThumbsUp className={cn(message.rating === 'up' && 'fill-current text-primary')} />
            </IconAction>
            <IconAction
              label="Bad answer"
              pressed={message.rating === 'down'}
              onClick={() => actions.rate(message.id, message.rating === 'down' ? null : 'down')}
            >
              <ThumbsDown className={cn(message.rating === 'down' && 'fill-current text-destructive')} />
            </IconAction>
            {message.status !== 'failed' && message.content !== '' && (
              <Button
                variant="ghost"
                size="sm"
                className={cn('h-7 gap-1 px-2 text-xs', message.keptExampleId && 'text-success')}
                onClick={() => actions.keep(message)}
              >
                {message.keptExampleId ? <BookmarkCheck /> : <BookmarkPlus />}
                {message.keptExampleId ? 'In dataset' : 'Add to dataset'}
              </Button>
            )}
          </>
        )}
        <span
          data-testid="message-stats"
          className="ml-auto flex items-center gap-2 text-[11px] tabular-nums"
          title={
            message.sampling && message.sampling.seed !== null
              ? `Sampled with seed ${message.sampling.seed}`
              : undefined
          }
        >
          {message.edited && (
            <span data-testid="edited-badge" title="Written by hand, not by the model" className="font-medium">
              Edited
            </span>
          )}
          {message.status === 'stopped' && <span className="font-medium text-warning">Stopped</span>}
          {stats && (
            <>
              {stats.timeToFirstTokenMs !== null && (
                <span title="Time to first token">{formatMs(stats.timeToFirstTokenMs)} to first token</span>
              )}
              {stats.tokensPerSecond !== null && (
                <span title="Tokens per second">{stats.tokensPerSecond.toFixed(1)} tok/s</span>
              )}
              <span title="Tokens in the answer">{stats.completionTokens} tokens</span>
            </>
          )}
        </span>
      </div>
    </article>
  );
}

/**
 * Edits a message in place: Escape cancels; Enter saves where `enterSaves` (a question; Shift+Enter
 * is a new line), Ctrl/⌘+Enter otherwise (an answer, where Enter is a new line).
 */
function InlineEditor({
  value,
  label,
  hint,
  saveLabel,
  enterSaves = false,
  busy,
  className,
  onCancel,
  onSave,
}: {
  value: string;
  label: string;
  hint: string;
  saveLabel: string;
  enterSaves?: boolean;
  busy: boolean;
  className?: string;
  onCancel: () => void;
  onSave: (draft: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  const save = () => {
    if (draft.trim() && !busy) onSave(draft);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const saves = enterSaves ? !event.shiftKey && !event.nativeEvent.isComposing : event.ctrlKey || event.metaKey;
    if (event.key === 'Enter' && saves) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  };
  return (
    <div className={cn('flex flex-col gap-2 rounded-xl border bg-card p-2 shadow-xs', className)}>
      <Textarea
        autoFocus
        aria-label={label}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        className={cn(
          'resize-y border-0 shadow-none focus-visible:ring-0 dark:bg-transparent',
          enterSaves ? 'min-h-16' : 'min-h-24',
        )}
      />
      <div className="flex items-center justify-end gap-2">
        <span className="mr-auto pl-1 text-xs text-muted-foreground">{hint}</span>
        <Button variant="ghost" size="sm" onClick={onCancel}>
          Cancel
        </Button>
        <Button size="sm" disabled={busy || !draft.trim()} onClick={save}>
          {saveLabel}
        </Button>
      </div>
    </div>
  );
}

function BranchNav({ message, busy }: MessageItemProps) {
  const actions = useChatActions();
  if (message.siblingCount < 2) return null;
  const go = (offset: number) => {
    const id = message.siblingIds[message.siblingIndex + offset];
    if (id) actions.switchBranch(id);
  };
  return (
    <nav aria-label="Versions" className="flex items-center text-xs">
      <IconAction label="Previous version" disabled={busy || message.siblingIndex === 0} onClick={() => go(-1)}>
        <ChevronLeft />
      </IconAction>
      <span data-testid="branch-position" className="min-w-8 text-center tabular-nums">
        {message.siblingIndex + 1}/{message.siblingCount}
      </span>
      <IconAction
        label="Next version"
        disabled={busy || message.siblingIndex >= message.siblingCount - 1}
        onClick={() => go(1)}
      >
        <ChevronRight />
      </IconAction>
      <PreferVersionButton message={message} disabled={busy} />
    </nav>
  );
}

function CopyButton({ text }: { text: string }) {
  return (
    <IconAction
      label="Copy"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => toast.success('Copied'),
          () => toast.error('Could not copy'),
        )
      }
    >
      <Copy />
    </IconAction>
  );
}

function IconAction({
  label,
  onClick,
  disabled,
  pressed,
  children,
}: {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  pressed?: boolean;
  children: ReactNode;
}) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={label}
          aria-pressed={pressed}
          disabled={disabled}
          onClick={onClick}
          className="size-7 [&_svg:not([class*=size-])]:size-3.5"
        >
          {children}
        </Button>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  );
}

/**
 * A reasoning model's thought before its answer: open while it thinks, folded once the answer
 * starts (unless opened or closed by hand).
 */
function Thought({ text, thinking }: { text: string; thinking: boolean }) {
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? thinking;
  const words = text.split(/\s+/).filter(Boolean).length;
  return (
    <section data-testid="message-thought" data-open={open} className="self-start text-[13px]" aria-label="Thought">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setChosen(!open)}
        className="flex items-center gap-1.5 rounded-md px-1.5 py-0.5 text-xs text-muted-foreground hover:bg-accent hover:text-foreground"
      >
        <Brain aria-hidden className={cn('size-3.5', thinking && 'animate-pulse text-primary')} />
        {thinking ? 'Thinking…' : `Thought · ${words.toLocaleString()} ${words === 1 ? 'word' : 'words'}`}
        <ChevronDown aria-hidden className={cn('size-3.5 transition-transform', open && 'rotate-180')} />
      </button>
      {open && (
        <div className="mt-1 ml-2.5 max-h-80 overflow-y-auto border-l-2 pl-3 leading-relaxed whitespace-pre-wrap text-muted-foreground">
          {text}
        </div>
      )}
    </section>
  );
}

function TypingDots() {
  return (
    <span aria-label="Writing" className="inline-flex items-center gap-1 py-2">
      {[0, 1, 2].map((i) => (
        <span
          key={i}
          className="size-1.5 animate-pulse rounded-full bg-muted-foreground/60"
          style={{ animationDelay: `${i * 150}ms` }}
        />
      ))}
    </span>
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
