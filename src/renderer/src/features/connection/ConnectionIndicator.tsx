import type { ConnectionStatus } from '@renderer/lib/connection';
import { cn } from '@renderer/lib/cn';
import { useConnection } from '@renderer/lib/useConnection';

const labels: Record<ConnectionStatus['state'], string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected',
};

/** A small dot and word for the sidebar footer: is the core reachable? */
export function ConnectionIndicator({ className }: { className?: string }) {
  const { state } = useConnection();
  return (
    <div
      data-testid="connection-status"
      data-state={state}
      className={cn('flex items-center gap-2 text-xs text-muted-foreground', className)}
    >
      <span aria-hidden className="relative flex size-2">
        {state !== 'connected' && (
          <span className="absolute inline-flex size-full animate-ping rounded-full bg-warning opacity-60" />
        )}
        <span
          className={cn(
            'relative inline-flex size-2 rounded-full',
            state === 'connected' ? 'bg-success' : state === 'connecting' ? 'bg-warning' : 'bg-destructive',
          )}
        />
      </span>
      <span>{labels[state]}</span>
    </div>
  );
}
