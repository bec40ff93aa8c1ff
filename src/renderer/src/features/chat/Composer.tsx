import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ArrowUp, Square } from 'lucide-react';
import { Button } from '@renderer/components/ui/Button';
import { Kbd } from '@renderer/components/ui/Kbd';

export interface ComposerProps {
  streaming: boolean;
  /** Why sending is not possible now (e.g. no model chosen), or null. */
  blocked: string | null;
  onSend: (content: string) => Promise<boolean>;
  onStop: () => void;
}

/** The message box: Enter sends, Shift+Enter adds a line, Esc (anywhere on the page) stops the answer. */
export function Composer({ streaming, blocked, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);

  // Grow with the text, up to a limit.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  // Esc stops from anywhere but an open dialog or menu (they close on Esc themselves).
  useEffect(() => {
    if (!streaming) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.querySelector('[role="dialog"], [role="menu"], [role="listbox"]')) return;
      onStop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [streaming, onStop]);

  const send = async () => {
    const content = text.trim();
    if (!content || streaming || sending || blocked) return;
    setSending(true);
    const ok = await onSend(content);
    setSending(false);
    if (ok) setText('');
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <div className="shrink-0 px-6 pb-4">
      <div className="mx-auto max-w-3xl">
        <div className="flex items-end gap-2 rounded-2xl border bg-card p-2 shadow-sm focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/30">
          <textarea
            ref={input}
            autoFocus
            rows={1}
            aria-label="Message"
            placeholder={blocked ?? 'Message the model…'}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKeyDown}
            className="max-h-60 min-h-9 flex-1 resize-none bg-transparent px-2 py-2 text-sm outline-none placeholder:text-muted-foreground"
          />
          {streaming ? (
            <Button size="icon" variant="secondary" className="rounded-xl" aria-label="Stop" onClick={onStop}>
              <Square className="size-3.5 fill-current" />
            </Button>
          ) : (
            <Button
              size="icon"
              className="rounded-xl"
              aria-label="Send"
              disabled={!text.trim() || sending || blocked !== null}
              onClick={() => void send()}
            >
              <ArrowUp />
            </Button>
          )}
        </div>
        <p className="mt-1.5 flex items-center justify-center gap-1.5 text-[11px] text-muted-foreground">
          {streaming ? (
            <>
              <Kbd>Esc</Kbd> stops the answer
            </>
          ) : (
            <>
              <Kbd>Enter</Kbd> sends · <Kbd>Shift Enter</Kbd> new line
            </>
          )}
        </p>
      </div>
    </div>
  );
}
