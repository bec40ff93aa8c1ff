import { useState } from 'react';
import { AlertTriangle, Check, Copy, LoaderCircle, PencilLine, Square } from 'lucide-react';
import type { CompareSide, Comparison } from '@shared/compare';
import { Markdown } from '@renderer/components/Markdown';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Textarea } from '@renderer/components/ui/Textarea';
import { cn } from '@renderer/lib/cn';

export interface AnswerPaneProps {
  comparison: Comparison;
  side: CompareSide;
  text: string;
  /** Highlighted as the voted winner. */
  winner: boolean;
  onStop?: () => void;
  /** Called with the edited text when the user saves it as the ideal answer. */
  onIdeal?: (text: string) => void;
}

const statusText = {
  pending: 'Waiting',
  streaming: 'Writing',
  done: 'Done',
  stopped: 'Stopped',
  failed: 'Failed',
} as const;

/** One side of a comparison: its label (hidden while blind), the streaming answer, stats, stop and edit. */
export function AnswerPane({ comparison, side, text, winner, onStop, onIdeal }: AnswerPaneProps) {
  const answer = comparison[side];
  const [editing, setEditing] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const letter = side.toUpperCase();
  const writing = answer.status === 'streaming' || answer.status === 'pending';
  return (
    <section
      aria-label={`Answer ${letter}`}
      data-testid={`answer-${side}`}
      className={cn(
        'flex min-h-0 min-w-0 flex-col rounded-lg border bg-card shadow-xs transition-colors',
        winner && 'border-primary/60 ring-2 ring-primary/25',
      )}
    >
      <header className="flex min-h-11 items-center gap-2 border-b px-3 py-2">
        <span className="flex size-6 shrink-0 items-center justify-center rounded bg-muted text-xs font-semibold">
          {letter}
        </span>
        <span className="min-w-0 flex-1 truncate text-[13px] font-medium" data-testid={`label-${side}`}>
          {answer.contender ? answer.contender.label : comparison.blind ? 'Hidden until you vote' : ''}
        </span>
        {answer.status === 'streaming' && <LoaderCircle className="size-3.5 animate-spin text-muted-foreground" />}
        <Badge
          variant={answer.status === 'failed' ? 'destructive' : 'secondary'}
          className="shrink-0"
          data-testid={`status-${side}`}
        >
          {statusText[answer.status]}
        </Badge>
        {writing && onStop && (
          <Button size="icon-sm" variant="ghost" aria-label={`Stop ${letter}`} onClick={onStop}>
            <Square />
          </Button>
        )}
        {!writing && text && (
          <Button
            size="icon-sm"
            variant="ghost"
            aria-label={`Copy ${letter}`}
            onClick={() => {
              void navigator.clipboard?.writeText(text);
              setCopied(true);
              setTimeout(() => setCopied(false), 1200);
            }}
          >
            {copied ? <Check /> : <Copy />}
          </Button>
        )}
        {!writing && onIdeal && editing === null && (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setEditing(text)}
            aria-label={`Edit ${letter} into the ideal answer`}
          >
            <PencilLine />
            Edit
          </Button>
        )}
      </header>
      <div className="min-h-40 flex-1 overflow-y-auto px-4 py-3 text-sm">
        {editing !== null ? (
          <div className="flex h-full flex-col gap-2">
            <Textarea
              aria-label={`Ideal answer from ${letter}`}
              className="min-h-48 flex-1 font-mono text-[13px]"
              value={editing}
              autoFocus
              onChange={(e) => setEditing(e.currentTarget.value)}
            />
            <div className="flex justify-end gap-2">
              <Button size="sm" variant="ghost" onClick={() => setEditing(null)}>
                Cancel
              </Button>
              <Button
                size="sm"
                disabled={!editing.trim()}
                onClick={() => {
                  onIdeal?.(editing);
                  setEditing(null);
                }}
              >
                Use as ideal answer
              </Button>
            </div>
          </div>
        ) : text ? (
          <Markdown text={text} />
        ) : answer.status === 'pending' ? (
          <p className="text-muted-foreground">
            {comparison.mode === 'sequential' && side === 'b'
              ? `Running ${letter} after A: ${comparison.modeReason ?? 'one at a time'}.`
              : 'Waiting for the model…'}
          </p>
        ) : answer.status === 'streaming' ? (
          <p className="text-muted-foreground">Thinking…</p>
        ) : null}
        {answer.error && (
          <p
            role="alert"
            className="mt-2 flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/8 px-3 py-2 text-[13px] text-destructive"
          >
            <AlertTriangle className="mt-0.5 size-4 shrink-0" />
            {answer.error.message}
          </p>
        )}
      </div>
      {answer.stats && (
        <footer
          className="border-t px-3 py-1.5 text-[11px] text-muted-foreground tabular-nums"
          data-testid={`stats-${side}`}
        >
          {answer.stats.completionTokens} tokens
          {answer.stats.tokensPerSecond !== null && ` · ${answer.stats.tokensPerSecond} tok/s`}
          {answer.stats.timeToFirstTokenMs !== null && ` · first token ${answer.stats.timeToFirstTokenMs} ms`}
        </footer>
      )}
    </section>
  );
}
