import type { Hyperparams, TargetModule } from '@shared/domain';

/** Hyperparameters typed into a number field. */
export type NumericKey = {
  [K in keyof Hyperparams]-?: NonNullable<Hyperparams[K]> extends number ? K : never;
}[keyof Hyperparams];

export interface NumericField {
  key: NumericKey;
  label: string;
  /** One line under the field. */
  hint: string;
  /** Whole numbers only. */
  integer?: boolean;
  /** May be left empty: the engine picks (e.g. max length from the data). */
  optional?: boolean;
  /** Shown in an empty optional field. */
  placeholder?: string;
}

/** The fields shown at once, in reading order on a 3-column grid: what people tune most. */
export const basicFields: readonly NumericField[] = [
  { key: 'rank', label: 'Rank', hint: 'LoRA rank r: the capacity of the adapter', integer: true },
  { key: 'alpha', label: 'Alpha', hint: 'The update is scaled by alpha ÷ rank' },
  { key: 'epochs', label: 'Epochs', hint: 'Passes over the data; fractions allowed' },
  { key: 'learningRate', label: 'Learning rate', hint: 'Peak learning rate, reached after warmup' },
  {
    key: 'maxLength',
    label: 'Max length',
    hint: 'Longest example in tokens; Auto = the longest in the data, up to 2048',
    integer: true,
    optional: true,
    placeholder: 'Auto',
  },
];

/** Behind the Advanced disclosure. */
export const advancedFields: readonly NumericField[] = [
  { key: 'warmupRatio', label: 'Warmup', hint: 'Share of steps, 0–0.5' },
  { key: 'batchTokens', label: 'Batch tokens', hint: 'Tokens per optimizer step', integer: true },
  { key: 'evalFraction', label: 'Eval fraction', hint: 'Examples held out, 0–0.5' },
  { key: 'evalEvery', label: 'Eval every', hint: 'Steps; 0 = about 10 times', integer: true },
  { key: 'maxGradNorm', label: 'Gradient clipping', hint: 'Max norm; 0 = off' },
  { key: 'weightDecay', label: 'Weight decay', hint: 'AdamW, 0–1' },
  { key: 'seed', label: 'Seed', hint: 'Same seed, same run', integer: true },
  {
    key: 'threads',
    label: 'CPU threads',
    hint: 'Empty = all cores',
    integer: true,
    optional: true,
    placeholder: 'All',
  },
];

/** Shown with the Preference (DPO) method only. */
export const dpoBetaField: NumericField = {
  key: 'dpoBeta',
  label: 'DPO β',
  hint: 'How closely the fine-tune keeps to its base while it learns the preferences (TRL: 0.1)',
};

export const numericFields: readonly NumericField[] = [...basicFields, dpoBetaField, ...advancedFields];

export const methodLabels: Record<Hyperparams['method'], string> = {
  sft: 'Instruction (SFT)',
  dpo: 'Preference (DPO)',
};

export const methodHints: Record<Hyperparams['method'], string> = {
  sft: 'Learns the answers of your examples.',
  dpo: 'Learns from examples with a rejected answer: to prefer each answer over its rejected one, more than the base model does.',
};

/** A Record, so a target module added to the domain without a label here does not compile. */
export const targetLabels: Record<TargetModule, string> = {
  q: 'Attention query projection',
  k: 'Attention key projection',
  v: 'Attention value projection',
  o: 'Attention output projection',
  gate: 'MLP gate projection',
  up: 'MLP up projection',
  down: 'MLP down projection',
};
export const targetOrder = Object.keys(targetLabels) as TargetModule[];

export const scheduleLabels: Record<Hyperparams['schedule'], string> = {
  cosine: 'Cosine',
  linear: 'Linear',
  constant: 'Constant',
};

export const overLengthLabels: Record<Hyperparams['overLength'], string> = {
  skip: 'Skip',
  truncate: 'Truncate',
};

/** A number as a person would type it: `0.0002` shows as `2e-4`. */
export function formatNumberInput(value: number | undefined): string {
  if (value === undefined) return '';
  if (value !== 0 && Math.abs(value) < 0.001) {
    const [mantissa = '0', exponent = '0'] = value.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(6))}e${Number(exponent)}`;
  }
  return String(value);
}

/** Parses a typed number; `null` for an empty field, an error message for nonsense. */
export function parseNumberInput(text: string, field: NumericField): number | null | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: 'Enter a number.' };
  if (field.integer && !Number.isInteger(value)) return { error: 'Enter a whole number.' };
  return value;
}
