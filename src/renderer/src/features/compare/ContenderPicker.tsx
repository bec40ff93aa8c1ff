import type { ContenderInput } from '@shared/compare';
import type { ModelInfo, Sampling, SamplingPresetName } from '@shared/domain';
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
          onChange({ ...value, sampling: { ...presets[p as SamplingPresetName], seed: value.sampling.seed } })
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
      <label className="flex items-center gap-1.5 text-xs text-muted-foreground">
        T
        <Input
          key={`${value.modelId}:${value.sampling.temperature}`}
          aria-label={`Temperature ${name}`}
          type="number"
          min={0}
          max={5}
          step={0.05}
          defaultValue={value.sampling.temperature}
          className="h-8 w-20"
          onBlur={(e) => {
            const t = Number(e.currentTarget.value);
            if (Number.isFinite(t) && t >= 0 && t <= 5 && t !== value.sampling.temperature) {
              onChange({ ...value, sampling: { ...value.sampling, temperature: t } });
            }
          }}
        />
      </label>
    </div>
  );
}

/** A contender on a model's base, with the balanced preset. */
export function defaultContender(model: ModelInfo | undefined): ContenderInput {
  return { modelId: model?.id ?? '', adapters: [], sampling: { ...presets.balanced } };
}

/** The preset the settings start from, whatever the temperature and seed (those are set apart). */
function basePreset(sampling: Sampling): SamplingPresetName | null {
  for (const [name, preset] of Object.entries(presets) as [SamplingPresetName, Sampling][]) {
    const keys = (Object.keys(preset) as (keyof Sampling)[]).filter((k) => k !== 'temperature' && k !== 'seed');
    if (keys.every((k) => preset[k] === sampling[k])) return name;
  }
  return null;
}
