import { useEffect, useState } from 'react';
import { RefreshCw, WifiOff } from 'lucide-react';
import { Button } from '@renderer/components/ui/Button';
import { useApi } from '@renderer/lib/useApi';
import { useConnection } from '@renderer/lib/useConnection';

/** A strip over the page while the link to the core is down, with a countdown and "Retry now". */
export function ConnectionBanner() {
  const { connection } = useApi();
  const status = useConnection();
  if (status.state === 'connected' || (status.state === 'connecting' && status.failures === 0)) return null;

  return (
    <div
      role="status"
      data-testid="connection-banner"
      className="flex shrink-0 items-center gap-3 border-b border-warning/30 bg-warning/12 px-6 py-2 text-[13px]"
    >
      <WifiOff aria-hidden className="size-4 shrink-0 text-warning" />
      <p className="flex-1">
        <span className="font-medium">Disconnected — reconnecting</span>
        <span className="text-muted-foreground">
          {status.retryAt === null ? ' now…' : <Countdown key={status.retryAt} at={status.retryAt} />}
        </span>
      </p>
      <Button
        variant="outline"
        size="sm"
        onClick={connection.reconnectNow}
        disabled={status.state === 'connecting'}
        className="h-7"
      >
        <RefreshCw className={status.state === 'connecting' ? 'animate-spin' : undefined} />
        Retry now
      </Button>
    </div>
  );
}

/** Whole seconds until `at` (ms since the Unix epoch), counting down; key it by `at`. */
function Countdown({ at }: { at: number }) {
  const [seconds, setSeconds] = useState(() => secondsUntil(at));
  useEffect(() => {
    const timer = setInterval(() => setSeconds(secondsUntil(at)), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return seconds > 0 ? ` in ${seconds}s…` : '…';
}

function secondsUntil(at: number): number {
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
