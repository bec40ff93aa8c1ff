import { Select as SelectPrimitive } from 'radix-ui';
import { Check, ChevronDown } from 'lucide-react';
import { cn } from '@renderer/lib/cn';

/** One entry of a {@link ChoiceSelect}: a name, a line of facts, and why it cannot be chosen. */
export interface ChoiceOption {
  id: string;
  label: string;
  /** Facts under the name, e.g. `llama · Q8_0 · 12 MB`. */
  meta: string;
  /** Set when the entry is shown but cannot be chosen; shown instead of being hidden. */
  disabledReason: string | null;
}

export interface ChoiceSelectProps {
  id: string;
  value: string | null;
  options: readonly ChoiceOption[];
  placeholder: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (id: string) => void;
  /** `data-testid` of the trigger. */
  testId?: string;
}

/**
 * A select whose entries have two lines (name, then facts) in the list and in the closed trigger;
 * unusable entries stay listed, disabled, with the reason. Labelled by a `<label htmlFor={id}>`.
 */
export function ChoiceSelect({
  id,
  value,
  options,
  placeholder,
  invalid,
  describedBy,
  onChange,
  testId,
}: ChoiceSelectProps) {
  const chosen = options.find((o) => o.id === value) ?? null;
  return (
    <SelectPrimitive.Root value={value ?? ''} onValueChange={onChange}>
      <SelectPrimitive.Trigger
        id={id}
        data-testid={testId}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        className={cn(
          'flex min-h-11 w-full min-w-0 items-center justify-between gap-2 rounded-md border border-input bg-background px-2.5 py-1.5 text-left text-[13px] shadow-xs outline-none dark:bg-input/30',
          'focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:cursor-not-allowed disabled:opacity-50',
          'aria-invalid:border-destructive aria-invalid:ring-destructive/20 dark:aria-invalid:ring-destructive/40',
        )}
      >
        <SelectPrimitive.Value placeholder={<span className="text-muted-foreground">{placeholder}</span>}>
          {chosen && <OptionLines option={chosen} />}
        </SelectPrimitive.Value>
        <SelectPrimitive.Icon asChild>
          <ChevronDown className="size-4 shrink-0 opacity-60" />
        </SelectPrimitive.Icon>
      </SelectPrimitive.Trigger>
      <SelectPrimitive.Portal>
        <SelectPrimitive.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-(--radix-select-content-available-height) w-(--radix-select-trigger-width) overflow-hidden rounded-lg border bg-popover text-popover-foreground shadow-lg animate-in-fade"
        >
          <SelectPrimitive.Viewport className="p-1">
            {options.map((option) => (
              <SelectPrimitive.Item
                key={option.id}
                value={option.id}
                disabled={option.disabledReason !== null}
                className="relative flex cursor-default items-center rounded-md py-1.5 pr-8 pl-2 text-[13px] outline-none select-none data-[disabled]:pointer-events-none data-[highlighted]:bg-accent"
              >
                <div className="min-w-0 flex-1">
                  <SelectPrimitive.ItemText asChild>
                    <div className={cn('truncate font-medium', option.disabledReason && 'text-muted-foreground')}>
                      {option.label}
                    </div>
                  </SelectPrimitive.ItemText>
                  <div className="truncate text-xs text-muted-foreground">
                    {option.disabledReason ? (
                      <>
                        <span className="text-destructive">{option.disabledReason}</span>
                        {option.meta && <span aria-hidden> · </span>}
                        {option.meta}
                      </>
                    ) : (
                      option.meta
                    )}
                  </div>
                </div>
                <span className="absolute right-2 flex size-4 items-center justify-center">
                  <SelectPrimitive.ItemIndicator>
                    <Check className="size-4" />
                  </SelectPrimitive.ItemIndicator>
                </span>
              </SelectPrimitive.Item>
            ))}
          </SelectPrimitive.Viewport>
        </SelectPrimitive.Content>
      </SelectPrimitive.Portal>
    </SelectPrimitive.Root>
  );
}

function OptionLines({ option }: { option: ChoiceOption }) {
  return (
    <span className="flex min-w-0 flex-col">
      <span className="truncate font-medium">{option.label}</span>
      <span className="truncate text-xs text-muted-foreground">
        {option.disabledReason ? (
          <span className="text-destructive">
            {option.disabledReason}
            {option.meta ? ' · ' : ''}
          </span>
        ) : null}
        {option.meta}
      </span>
    </span>
  );
}
