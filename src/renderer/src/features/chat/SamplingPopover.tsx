import { useState } from 'react';
import { SlidersHorizontal } from 'lucide-react';
import type { Sampling, SamplingPresetName } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { Popover, PopoverContent, PopoverTrigger } from '@renderer/components/ui/Popover';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { presetLabels, presetOf, samplingFields, type SamplingField } from './sampling';

export interface SamplingPopoverProps {
  sampling: Sampling;
  onPreset: (preset: SamplingPresetName) => void;
  onChange: (patch: Partial<Sampling>) => void;
}

/** The sampling settings of the conversation: a preset, or each value by hand (saved on blur). */
export function SamplingPopover({ sampling, onPreset, onChange }: SamplingPopoverProps) {
  const preset = presetOf(sampling);
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm" aria-label="Sampling settings">
          <SlidersHorizontal />
          {preset ? presetLabels[preset] : 'Custom'}
        </Button>
      </PopoverTrigger>
      <PopoverContent align="end" className="w-80 p-4">
        <h2 className="text-sm font-semibold">Sampling</h2>
        <p className="mt-0.5 text-xs text-muted-foreground">Used by the next answers of this conversation.</p>
        <ToggleGroup
          type="single"
          variant="segmented"
          className="mt-3 w-full"
          aria-label="Preset"
          value={preset ?? ''}
          onValueChange={(value) => value && onPreset(value as SamplingPresetName)}
        >
          {(Object.keys(presetLabels) as SamplingPresetName[]).map((name) => (
            <ToggleGroupItem key={name} value={name} className="flex-1">
              {presetLabels[name]}
            </ToggleGroupItem>
          ))}
        </ToggleGroup>
        <div className="mt-4 grid grid-cols-2 gap-x-3 gap-y-3">
          {samplingFields.map((field) => (
            <NumberField
              key={`${field.key}:${sampling[field.key]}`}
              field={field}
              value={sampling[field.key]}
              onCommit={(value) => onChange({ [field.key]: value })}
            />
          ))}
          <SeedField key={`seed:${sampling.seed}`} seed={sampling.seed} onCommit={(seed) => onChange({ seed })} />
        </div>
      </PopoverContent>
    </Popover>
  );
}

function NumberField({
  field,
  value,
  onCommit,
}: {
  field: SamplingField;
  value: number;
  onCommit: (value: number) => void;
}) {
  const [draft, setDraft] = useState(String(value));
  const parsed = Number(draft);
  const valid =
    draft.trim() !== '' &&
    Number.isFinite(parsed) &&
    parsed >= field.min &&
    parsed <= field.max &&
    (!field.integer || Number.isInteger(parsed));
  const commit = () => {
    if (valid && parsed !== value) onCommit(parsed);
    else if (!valid) setDraft(String(value));
  };
  const id = `sampling-${field.key}`;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium">
        {field.label}
      </label>
      <Input
        id={id}
        inputMode="decimal"
        value={draft}
        aria-invalid={valid ? undefined : true}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => event.key === 'Enter' && commit()}
        className="h-8 tabular-nums"
      />
      <span className="text-[11px] text-muted-foreground">
        {valid ? field.hint : `${field.min} to ${field.max}${field.integer ? ', whole' : ''}`}
      </span>
    </div>
  );
}

function SeedField({ seed, onCommit }: { seed: number | null; onCommit: (seed: number | null) => void }) {
  const [draft, setDraft] = useState(seed === null ? '' : String(seed));
  const trimmed = draft.trim();
  const parsed = Number(trimmed);
  const valid = trimmed === '' || (Number.isInteger(parsed) && parsed >= 0 && parsed <= 2 ** 31 - 1);
  const commit = () => {
    if (!valid) return setDraft(seed === null ? '' : String(seed));
    const next = trimmed === '' ? null : parsed;
    if (next !== seed) onCommit(next);
  };
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor="sampling-seed" className="text-xs font-medium">
        Seed
      </label>
      <Input
        id="sampling-seed"
        inputMode="numeric"
        placeholder="Random"
        value={draft}
        aria-invalid={valid ? undefined : true}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => event.key === 'Enter' && commit()}
        className="h-8 tabular-nums"
      />
      <span className="text-[11px] text-muted-foreground">Empty = random</span>
    </div>
  );
}
