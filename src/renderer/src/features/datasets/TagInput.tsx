import { useId, useState, type KeyboardEvent } from 'react';
import { X } from 'lucide-react';
import { cn } from '@renderer/lib/cn';

export interface TagInputProps {
  value: string[];
  onChange: (tags: string[]) => void;
  /** Tags to suggest while typing (e.g. those already used in the dataset). */
  suggestions?: readonly string[];
  label: string;
  placeholder?: string;
  className?: string;
}

/** Tags as removable chips with a field: Enter or comma adds, Backspace on an empty field removes the last. */
export function TagInput({ value, onChange, suggestions = [], label, placeholder, className }: TagInputProps) {
  const id = useId();
  const [text, setText] = useState('');
  const add = (raw: string) => {
    const tag = raw.trim().slice(0, 64);
    if (tag && !value.includes(tag)) onChange([...value, tag]);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      if (text.trim()) add(text);
    } else if (event.key === 'Backspace' && text === '' && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };
  const open = suggestions.filter((s) => !value.includes(s));
  return (
    <div
      className={cn(
        'flex min-h-8 flex-wrap items-center gap-1 rounded-md border border-input bg-background px-1.5 py-1 shadow-xs focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50 dark:bg-input/30',
        className,
      )}
    >
      {value.map((tag) => (
        <span
          key={tag}
          data-testid="tag-chip"
          className="inline-flex items-center gap-0.5 rounded-full bg-secondary py-0.5 pr-0.5 pl-2 text-[11.5px]"
        >
          {tag}
          <button
            type="button"
            aria-label={`Remove tag ${tag}`}
            onClick={() => onChange(value.filter((t) => t !== tag))}
            className="rounded-full p-0.5 text-muted-foreground outline-none hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring/50"
          >
            <X className="size-3" />
          </button>
        </span>
      ))}
      <input
        aria-label={label}
        value={text}
        list={open.length > 0 ? `${id}-tags` : undefined}
        placeholder={value.length === 0 ? placeholder : undefined}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => text.trim() && add(text)}
        className="h-6 min-w-20 flex-1 bg-transparent px-1 text-[13px] outline-none placeholder:text-muted-foreground"
      />
      {open.length > 0 && (
        <datalist id={`${id}-tags`}>
          {open.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
    </div>
  );
}
