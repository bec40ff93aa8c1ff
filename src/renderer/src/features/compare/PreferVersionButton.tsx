import { useState } from 'react';
import { Trophy } from 'lucide-react';
import { toast } from 'sonner';
import type { ThreadMessage } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import type { ApiError } from '@renderer/lib/ApiError';
import { notifyError } from '@renderer/lib/notifyError';
import { useApi } from '@renderer/lib/useApi';

/**
 * "Regenerate, then pick the better" in chat: marks this version of an answer as better than each
 * of its other versions (`chat.preferAlternative`), so the picks join Compare's preference pairs.
 * Versions still being written, failed or empty are left out.
 */
export function PreferVersionButton({ message, disabled }: { message: ThreadMessage; disabled?: boolean }) {
  const api = useApi();
  const [picked, setPicked] = useState(false);
  const others = message.siblingIds.filter((id) => id !== message.id);
  const pick = async () => {
    let recorded = 0;
    for (const rejectedMessageId of others) {
      try {
        await api.call('chat.preferAlternative', { chosenMessageId: message.id, rejectedMessageId });
        recorded++;
      } catch (error) {
        const e = error as ApiError;
        // An unfinished or failed version has nothing to compare with; the others still count.
        if (e.code !== 'CONFLICT') return notifyError(e);
      }
    }
    setPicked(recorded > 0);
    if (recorded > 0) toast.success(`Preferred over ${recorded} other version${recorded === 1 ? '' : 's'}`);
    else toast.info('No other finished version to prefer this one over.');
  };
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label="Best version"
          aria-pressed={picked}
          disabled={disabled || others.length === 0}
          onClick={() => void pick()}
          className="size-7 [&_svg:not([class*=size-])]:size-3.5"
        >
          <Trophy className={picked ? 'text-primary' : undefined} />
        </Button>
      </TooltipTrigger>
      <TooltipContent>Best version: prefer it over the others (preference data)</TooltipContent>
    </Tooltip>
  );
}
