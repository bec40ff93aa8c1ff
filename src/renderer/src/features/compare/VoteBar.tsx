import { useEffect, useLayoutEffect, useRef } from 'react';
import { Equal, ThumbsDown } from 'lucide-react';
import type { CompareVote } from '@shared/compare';
import { Button } from '@renderer/components/ui/Button';
import { Kbd } from '@renderer/components/ui/Kbd';
import { cn } from '@renderer/lib/cn';

const choices: { vote: CompareVote; key: string; label: string }[] = [
  { vote: 'a', key: '1', label: 'A is better' },
  { vote: 'b', key: '2', label: 'B is better' },
  { vote: 'tie', key: '3', label: 'Tie' },
  { vote: 'both_bad', key: '4', label: 'Both bad' },
];

/** Whether a key press belongs to a text field (where 1–4 are typed, not votes). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable || el.tagName === 'SELECT')
  );
}

/** The four votes as big buttons, also on keys 1–4 (outside text fields). */
export function VoteBar({
  current,
  disabled,
  onVote,
}: {
  current: CompareVote | null;
  disabled: boolean;
  onVote: (vote: CompareVote) => void;
}) {
  // The key listener reads the props of the latest commit: updated in a layout effect, which runs in
  // the same task as the DOM update, so a key pressed as soon as the buttons are enabled is taken
  // (a listener re-registered in a passive effect could still hold the disabled props for a while).
  const latest = useRef({ disabled, onVote });
  useLayoutEffect(() => {
    latest.current = { disabled, onVote };
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (latest.current.disabled || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const choice = choices.find((c) => c.key === e.key);
      if (!choice) return;
      e.preventDefault();
      latest.current.onVote(choice.vote);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="grid grid-cols-2 gap-2 sm:grid-cols-4" role="group" aria-label="Vote">
      {choices.map((c) => (
        <Button
          key={c.vote}
          variant={current === c.vote ? 'default' : 'outline'}
          disabled={disabled}
          aria-pressed={current === c.vote}
          aria-keyshortcuts={c.key}
          className={cn('h-12 justify-between px-4 text-sm font-semibold')}
          onClick={() => onVote(c.vote)}
        >
          <span className="flex items-center gap-2">
            {c.vote === 'tie' && <Equal />}
            {c.vote === 'both_bad' && <ThumbsDown />}
            {c.label}
          </span>
          <Kbd
            className={cn(current === c.vote && 'border-primary-foreground/40 bg-transparent text-primary-foreground')}
          >
            {c.key}
          </Kbd>
        </Button>
      ))}
    </div>
  );
}
