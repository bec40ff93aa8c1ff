import { createContext, useContext, type ComponentProps } from 'react';
import { ToggleGroup as ToggleGroupPrimitive } from 'radix-ui';
import { cva, type VariantProps } from 'class-variance-authority';
import { cn } from '@renderer/lib/cn';

const groupVariants = cva('flex items-center', {
  variants: {
    variant: {
      /** Separate pill-shaped toggles, e.g. a set of options that can each be on. */
      chips: 'flex-wrap gap-1.5',
      /** One joined control with a raised selected part, e.g. a choice of three. */
      segmented: 'w-fit gap-0.5 rounded-md bg-muted p-0.5',
    },
  },
  defaultVariants: { variant: 'chips' },
});

const itemVariants = cva(
  'inline-flex items-center justify-center gap-1.5 whitespace-nowrap text-[13px] font-medium outline-none transition-[color,background-color,border-color,box-shadow] focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:pointer-events-none disabled:opacity-50',
  {
    variants: {
      variant: {
        chips:
          'h-7 rounded-full border bg-background px-3 text-muted-foreground hover:bg-accent hover:text-foreground data-[state=on]:border-primary/40 data-[state=on]:bg-primary/12 data-[state=on]:text-primary dark:bg-input/30 dark:data-[state=on]:bg-primary/20',
        segmented:
          'h-7 rounded-[5px] px-3 text-muted-foreground hover:text-foreground data-[state=on]:bg-background data-[state=on]:text-foreground data-[state=on]:shadow-xs dark:data-[state=on]:bg-input/60',
      },
    },
    defaultVariants: { variant: 'chips' },
  },
);

type Variant = NonNullable<VariantProps<typeof groupVariants>['variant']>;
const VariantContext = createContext<Variant>('chips');

/** Radix's toggle group (arrow keys move between items), as chips or a segmented control. */
export function ToggleGroup({
  className,
  variant,
  ...props
}: ComponentProps<typeof ToggleGroupPrimitive.Root> & VariantProps<typeof groupVariants>) {
  return (
    <VariantContext.Provider value={variant ?? 'chips'}>
      <ToggleGroupPrimitive.Root
        data-slot="toggle-group"
        className={cn(groupVariants({ variant }), className)}
        {...props}
      />
    </VariantContext.Provider>
  );
}

export function ToggleGroupItem({ className, ...props }: ComponentProps<typeof ToggleGroupPrimitive.Item>) {
  const variant = useContext(VariantContext);
  return (
    <ToggleGroupPrimitive.Item
      data-slot="toggle-group-item"
      className={cn(itemVariants({ variant }), className)}
      {...props}
    />
  );
}
