import type { Sampling, SamplingPresetName } from '@shared/domain';

/**
 * The contract's sampling presets (`samplingPresets` in @shared/domain), repeated here because
 * importing values from there would pull zod into the renderer bundle; the type keeps them honest.
 */
export const presets: Record<SamplingPresetName, Sampling> = {
  precise: { temperature: 0.2, topP: 0.9, topK: 40, minP: 0.05, repeatPenalty: 1.05, maxTokens: 1024, seed: null },
  balanced: { temperature: 0.7, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 1024, seed: null },
  creative: { temperature: 1.0, topP: 0.98, topK: 100, minP: 0.02, repeatPenalty: 1.15, maxTokens: 2048, seed: null },
};

export const presetLabels: Record<SamplingPresetName, string> = {
  precise: 'Precise',
  balanced: 'Balanced',
  creative: 'Creative',
};

/** The preset the settings equal, or null when they were changed by hand. */
export function presetOf(sampling: Sampling): SamplingPresetName | null {
  for (const [name, preset] of Object.entries(presets) as [SamplingPresetName, Sampling][]) {
    if ((Object.keys(preset) as (keyof Sampling)[]).every((k) => preset[k] === sampling[k])) return name;
  }
  return null;
}

export interface SamplingField {
  key: Exclude<keyof Sampling, 'seed' | 'thinking'>;
  label: string;
  hint: string;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
}

export const samplingFields: SamplingField[] = [
  { key: 'temperature', label: 'Temperature', hint: '0 = greedy', min: 0, max: 5, step: 0.05 },
  { key: 'topP', label: 'Top P', hint: '1 = off', min: 0, max: 1, step: 0.01 },
  { key: 'topK', label: 'Top K', hint: '0 = off', min: 0, max: 1000, step: 1, integer: true },
  { key: 'minP', label: 'Min P', hint: '0 = off', min: 0, max: 1, step: 0.01 },
  { key: 'repeatPenalty', label: 'Repeat penalty', hint: '1 = off', min: 1, max: 3, step: 0.01 },
  { key: 'maxTokens', label: 'Max tokens', hint: 'Longest answer', min: 1, max: 32768, step: 1, integer: true },
];
