import { memo, type MouseEvent } from 'react';
import { AlertTriangle, Brain, Columns2, FileInput, MessageSquare, PenLine, type LucideIcon } from 'lucide-react';
import type { ExampleSource, ExampleSummary } from '@shared/datasets';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { cn } from '@renderer/lib/cn';
import { compactCount, issueLabel, sourceLabels, splitLabels } from './format';

/** Height of one row, px: fixed, so the virtualizer never measures and scrolling stays cheap. */
export const rowHeight = 60;

const sourceIcons: Record<ExampleSource, LucideIcon> = {
  manual: PenLine,
  chat: MessageSquare,
  import: FileInput,
  comparison: Columns2,
};

export interface ExampleRowProps {
  index: number;
  example: ExampleSummary | undefined;
  selected: boolean;
  active: boolean;
  /** The row is shown in the editor. */
  open: boolean;
  onClick: (index: number, example: ExampleSummary, event: MouseEvent) => void;
  onCheck: (index: number, example: ExampleSummary, shift: boolean) => void;
}

/** One example in the list: prompt and answer on two lines, then split, source, length, tags, issues. */
export const ExampleRow = memo(function ExampleRow({
  index,
  example,
  selected,
  active,
  open,
  onClick,
  onCheck,
}: ExampleRowProps) {
  if (!example) {
    return (
      <div aria-hidden className="flex h-full items-center gap-3 border-b px-3" data-testid="example-row-loading">
        <Skeleton className="size-4 rounded-[4px]" />
        <div className="flex min-w-0 flex-1 flex-col gap-1.5">
          <Skeleton className="h-3 w-2/3" />
          <Skeleton className="h-3 w-1/2" />
        </div>
      </div>
    );
  }
  const SourceIcon = sourceIcons[example.source];
  return (
    <div
      role="row"
      aria-selected={selected}
      aria-rowindex={index + 1}
      data-testid="example-row"
      data-id={example.id}
      data-active={active || undefined}
      onClick={(event) => onClick(index, example, event)}
      className={cn(
        'group flex h-full cursor-default items-center gap-3 border-b px-3 select-none',
        'hover:bg-accent/50',
        selected && 'bg-primary/8 hover:bg-primary/12',
        open && 'bg-accent',
        active && 'shadow-[inset_2px_0_0_var(--primary)]',
      )}
    >
      <div role="gridcell" onClick={(event) => event.stopPropagation()} className="flex items-center">
        <Checkbox
          checked={selected}
          aria-label={`Select example ${index + 1}`}
          onClick={(event) => {
            event.preventDefault();
            onCheck(index, example, event.shiftKey);
          }}
        />
      </div>
      <div role="gridcell" className="flex min-w-0 flex-1 flex-col gap-0.5">
        <p className="truncate text-[13px] leading-5 font-medium" data-testid="example-prompt">
          {example.prompt || <span className="text-muted-foreground italic">No user turn</span>}
        </p>
        <p className="flex min-w-0 items-center gap-1 text-[12.5px] leading-5 text-muted-foreground">
          {example.thinks && (
            <Brain
              aria-label="Thinks first"
              data-testid="example-thinks"
              className="size-3.5 shrink-0 text-primary/80"
            />
          )}
          <span className="truncate">
            {example.answer || <span className="text-destructive/80 italic">Empty answer</span>}
          </span>
        </p>
      </div>
      <div role="gridcell" className="hidden shrink-0 items-center gap-1 lg:flex">
        {example.tags.slice(0, 2).map((tag) => (
          <span
            key={tag}
            className="max-w-24 truncate rounded-full border px-1.5 py-px text-[10.5px] text-muted-foreground"
            data-testid="example-tag"
          >
            {tag}
          </span>
        ))}
        {example.tags.length > 2 && (
          <span className="text-[10.5px] text-muted-foreground">+{example.tags.length - 2}</span>
        )}
      </div>
      <div
        role="gridcell"
        className="flex w-40 shrink-0 items-center justify-end gap-2 text-[11px] text-muted-foreground"
      >
        {example.issues.length > 0 && (
          <span title={example.issues.map(issueLabel).join(', ')} className="text-warning">
            <AlertTriangle aria-label={`Issues: ${example.issues.map(issueLabel).join(', ')}`} className="size-3.5" />
          </span>
        )}
        {example.turnCount > 2 && <span title={`${example.turnCount} turns`}>{example.turnCount}t</span>}
        <span
          className="w-12 text-right tabular-nums"
          data-testid="example-length"
          title={
            example.tokenCount !== null
              ? `${example.tokenCount} tokens, ${example.charCount} characters`
              : `${example.charCount} characters (count tokens to see tokens)`
          }
        >
          {example.tokenCount !== null
            ? `${compactCount(example.tokenCount)} tok`
            : `${compactCount(example.charCount)} ch`}
        </span>
        <span
          className={cn(
            'w-11 rounded px-1 py-px text-center text-[10.5px] font-medium',
            example.split === 'train' && 'bg-primary/10 text-primary',
            example.split === 'eval' && 'bg-warning/15 text-warning',
            example.split === 'auto' && 'bg-muted text-muted-foreground',
          )}
        >
          {splitLabels[example.split]}
        </span>
        <SourceIcon aria-label={sourceLabels[example.source]} className="size-3.5 shrink-0" />
      </div>
    </div>
  );
});
