import { Brain } from 'lucide-react';
import type { ContenderInput } from '@shared/compare';
import type { ModelInfo, Sampling, SamplingPresetName } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Input } from '@renderer/components/ui/Input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { presetLabels, presets } from '@renderer/features/chat/sampling';
import { cn } from '@renderer/lib/cn';

const baseVariant = 'base';

export interface ContenderPickerProps {
  /** "A" / "B", or "1" / "2" in blind mode (where the sides are drawn). */
  name: string;
  value: ContenderInput;
  models: ModelInfo[];
  onChange: (value: ContenderInput) => void;
  className?: string;
}

/** One contender: a model, a variant (base or a fine-tuned adapter), a sampling preset and temperature. */
export function ContenderPicker({ name, value, models, onChange, className }: ContenderPickerProps) {
  const model = models.find((m) => m.id === value.modelId) ?? null;
  const adapterId = value.adapters?.[0]?.adapterId ?? baseVariant;
  const preset = basePreset(value.sampling);
  return (
    <div className={cn('flex flex-wrap items-center gap-2', className)} data-testid={`contender-${name}`}>
      <span className="flex size-7 shrink-0 items-center justify-center rounded-md bg-primary/12 text-[13px] font-semibold text-primary">
        {name}
      </span>
      <Select value={value.modelId} onValueChange={(modelId) => onChange({ ...value, modelId, adapters: [] })}>
        <SelectTrigger aria-label={`Model ${name}`} className="w-44">
          <SelectValue placeholder="Choose a model" />
        </SelectTrigger>
        <SelectContent>
          {models.map((m) => (
            <SelectItem key={m.id} value={m.id} disabled={m.missing}>
              {m.name}
              {m.missing ? ' (file missing)' : ''}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select
        value={adapterId}
        disabled={!model}
        onValueChange={(v) => onChange({ ...value, adapters: v === baseVariant ? [] : [{ adapterId: v, scale: 1 }] })}
      >
        <SelectTrigger aria-label={`Variant ${name}`} className="w-40">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={baseVariant}>Base model</SelectItem>
          {model?.variants.map((v) => (
            <SelectItem key={v.adapterId} value={v.adapterId} disabled={!v.available}>
              {v.name}
              {v.available ? '' : ' (file missing)'}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select
        value={preset ?? 'custom'}
        onValueChange={(p) =>
          p !== 'custom' &&
          onChange({
            ...value,
            sampling: {
              ...presets[p as SamplingPresetName],
              seed: value.sampling.seed,
              ...(value.sampling.thinking !== undefined ? { thinking: value.sampling.thinking } : {}),
            },
          })
        }
      >
        <SelectTrigger aria-label={`Preset ${name}`} className="w-32">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {(Object.keys(presetLabels) as SamplingPresetName[]).map((p) => (
            <SelectItem key={p} value={p}>
              {presetLabels[p]}
            </SelectItem>
          ))}
          <SelectItem value="custom" disabled>
            Custom
          </SelectItem>
        </SelectContent>
      </Select>
      <NumberInput
        label={`Temperature ${name}`}
        short="T"
        value={value.sampling.temperature}
        min={0}
        max={5}
        step={0.05}
        onCommit={(temperature) => onChange({ ...value, sampling: { ...value.sampling, temperature } })}
      />
      <NumberInput
        label={`Max tokens ${name}`}
        short="Max"
        value={value.sampling.maxTokens}
        min={1}
        max={32768}
        step={1}
        integer
        onCommit={(maxTokens) => onChange({ ...value, sampling: { ...value.sampling, maxTokens } })}
      />
      {model?.reasoning === 'switchable' && (
        <Button
          variant="outline"
          size="sm"
          aria-label={`Thinking ${name}`}
          aria-pressed={value.sampling.thinking === true}
          title="Let the model think before it answers; the answers are compared, not the thoughts"
          onClick={() =>
            onChange({ ...value, sampling: { ...value.sampling, thinking: value.sampling.thinking !== true } })
          }
          className={cn(
            'h-8',
            value.sampling.thinking &&
              'border-primary/60 bg-primary/10 text-primary hover:bg-primary/15 hover:text-primary dark:border-primary/60 dark:bg-primary/15',
          )}
        >
          <Brain />
          Think
        </Button>
      )}
    </div>
  );
}

/** A contender on a model's base, with the balanced preset. */
/** The preset the settings start from, whatever the temperature and seed (those are set apart, like the answer length). */
function basePreset(sampling: Sampling): SamplingPresetName | null {
  for (const [name, preset] of Object.entries(presets) as [SamplingPresetName, Sampling][]) {
    const keys = (Object.keys(preset) as (keyof Sampling)[]).filter(
      (k) => k !== 'temperature' && k !== 'seed' && k !== 'maxTokens',
    );
    if (keys.every((k) => preset[k] === sampling[k])) return name;
  }
  return null;
}

/** A small number field committed on blur or Enter; out-of-range or non-numeric input is ignored. */
function NumberInput(props: {
  label: string;
  short: string;
  value: number;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  onCommit: (value: number) => void;
}) {
  const commit = (text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < props.min || v > props.max) return;
    if (props.integer && !Number.isInteger(v)) return;
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <label className="flex items-center gap-1.5 text-xs text-muted-foreground">
      {props.short}
      <Input
        key={props.value}
        aria-label={props.label}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        defaultValue={props.value}
        className="h-8 w-20"
        onBlur={(e) => commit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(e.currentTarget.value);
        }}
      />
    </label>
  );
}
