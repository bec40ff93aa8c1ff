import type { ReactNode } from 'react';
import type { LucideIcon } from 'lucide-react';
import { cn } from '@renderer/lib/cn';

export interface EmptyStateProps {
  icon: LucideIcon;
  title: string;
  /** What the page is for and what to do first. */
  description: ReactNode;
  /** The first step, usually a button; the first one is the primary action. */
  actions?: ReactNode;
  /** Small print under the actions, e.g. a hint or what is coming next. */
  footnote?: ReactNode;
  className?: string;
}

/** What a page shows before there is anything on it: its purpose and the first step. */
export function EmptyState({ icon: Icon, title, description, actions, footnote, className }: EmptyStateProps) {
  return (
    <div
      data-testid="empty-state"
      className={cn('flex h-full min-h-80 flex-col items-center justify-center px-6 py-16 text-center', className)}
    >
      <div className="relative mb-5">
        <div aria-hidden className="absolute -inset-3 rounded-3xl bg-primary/8 blur-xl" />
        <div className="relative flex size-14 items-center justify-center rounded-2xl border bg-card shadow-sm">
          <Icon aria-hidden className="size-6 text-primary" strokeWidth={1.75} />
        </div>
      </div>
      <h2 className="text-lg font-semibold tracking-tight">{title}</h2>
      <div className="mt-2 max-w-md text-sm leading-relaxed text-muted-foreground">{description}</div>
      {actions && <div className="mt-6 flex flex-wrap items-center justify-center gap-2">{actions}</div>}
      {footnote && <div className="mt-6 max-w-md text-xs text-muted-foreground/80">{footnote}</div>}
    </div>
  );
}
