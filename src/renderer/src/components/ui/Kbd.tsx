import type { ComponentProps } from 'react';
import { cn } from '@renderer/lib/cn';

/** A keyboard key or shortcut, e.g. `<Kbd>Ctrl 1</Kbd>`. */
export function Kbd({ className, ...props }: ComponentProps<'kbd'>) {
  return (
    <kbd
      data-slot="kbd"
      className={cn(
        'inline-flex h-5 min-w-5 items-center justify-center rounded border bg-background/60 px-1 font-sans text-[10px] font-medium text-muted-foreground',
        className,
      )}
      {...props}
    />
  );
}
