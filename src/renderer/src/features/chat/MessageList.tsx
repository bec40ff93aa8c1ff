import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ArrowDown } from 'lucide-react';
import type { ThreadMessage } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { MessageItem } from './MessageItem';

/** How close to the bottom (px) still counts as "following" the answer. */
const stickSlack = 48;

/**
 * The thread, scrolled to follow a growing answer unless the person scrolled up to read; then a
 * "Jump to latest" button brings them back.
 */
export function MessageList({ messages, busy }: { messages: ThreadMessage[]; busy: boolean }) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [away, setAway] = useState(false);

  const toBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // Follow growth (new messages, streamed text, highlighted code) while stuck to the bottom.
  useEffect(() => {
    const el = content.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (stick.current) toBottom();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // A new message (sending one included) brings the view to it.
  const count = messages.length;
  useLayoutEffect(() => {
    // Scrolling fires `scroll`, which clears the "Jump to latest" button.
    stick.current = true;
    toBottom();
  }, [count]);

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scroller}
        data-testid="message-scroller"
        className="h-full overflow-y-auto"
        onScroll={(event) => {
          const el = event.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < stickSlack;
          stick.current = atBottom;
          setAway(!atBottom);
        }}
      >
        <div ref={content} className="mx-auto flex max-w-3xl flex-col gap-4 px-6 py-6" aria-live="off">
          {messages.map((message, i) => (
            <MessageItem key={message.id} message={message} busy={busy} last={i === messages.length - 1} />
          ))}
        </div>
      </div>
      {away && (
        <Button
          variant="secondary"
          size="sm"
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full shadow-md"
          onClick={() => {
            stick.current = true;
            setAway(false);
            toBottom();
          }}
        >
          <ArrowDown />
          Jump to latest
        </Button>
      )}
    </div>
  );
}
