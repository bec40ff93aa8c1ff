import type { ReactNode } from 'react';
import { EyeOff } from 'lucide-react';
import type { ContenderInput } from '@shared/compare';
import type { ModelInfo } from '@shared/domain';
import { Checkbox } from '@renderer/components/ui/Checkbox';
import { cn } from '@renderer/lib/cn';
import { ContenderPicker } from './ContenderPicker';

export interface ContenderPairProps {
  models: ModelInfo[];
  contenders: [ContenderInput, ContenderInput];
  onContenders: (contenders: [ContenderInput, ContenderInput]) => void;
  blind: boolean;
  onBlind: (blind: boolean) => void;
  /** What the blind checkbox says, and its accessible name. */
  blindLabel: ReactNode;
  blindAriaLabel: string;
  className?: string;
}

/** The two contenders (named 1 and 2 while blind, A and B otherwise) and the blind toggle. */
export function ContenderPair({
  models,
  contenders,
  onContenders,
  blind,
  onBlind,
  blindLabel,
  blindAriaLabel,
  className,
}: ContenderPairProps) {
  return (
    <>
      <ContenderPicker
        name={blind ? '1' : 'A'}
        value={contenders[0]}
        models={models}
        onChange={(c) => onContenders([c, contenders[1]])}
      />
      <ContenderPicker
        name={blind ? '2' : 'B'}
        value={contenders[1]}
        models={models}
        onChange={(c) => onContenders([contenders[0], c])}
      />
      <label className={cn('flex w-fit items-center gap-2 text-[13px]', className)}>
        <Checkbox checked={blind} onCheckedChange={(v) => onBlind(v === true)} aria-label={blindAriaLabel} />
        <EyeOff className="size-3.5 text-muted-foreground" />
        {blindLabel}
      </label>
    </>
  );
}
