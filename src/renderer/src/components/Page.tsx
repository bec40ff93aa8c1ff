import type { ReactNode } from 'react';
import { cn } from '@renderer/lib/cn';

export interface PageProps {
  title: string;
  /** One line under the title saying what the page is for. */
  description?: string;
  /** Buttons on the right of the header. */
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** The frame of every page: a header with the page's `<h1>` and a scrolling body. */
export function Page({ title, description, actions, className, children }: PageProps) {
  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="flex min-h-14 shrink-0 items-center gap-4 border-b px-6 py-3">
        <div className="min-w-0 flex-1">
          <h1 className="truncate text-[15px] leading-tight font-semibold">{title}</h1>
          {description && <p className="mt-0.5 truncate text-[13px] text-muted-foreground">{description}</p>}
        </div>
        {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
      </header>
      <div className={cn('min-h-0 flex-1 overflow-y-auto', className)}>{children}</div>
    </div>
  );
}
