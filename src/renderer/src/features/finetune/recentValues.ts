/** How many recent values each field remembers. */
const maxRecent = 8;

/** localStorage keys of the remembered paths. */
export const recentKeys = {
  baseModel: 'lathe.finetune.recentBaseModels',
  dataFile: 'lathe.finetune.recentDataFiles',
} as const;

/** localStorage keys of how the base model and the data were last given (library/path, dataset/file). */
export const modeKeys = {
  baseModel: 'lathe.finetune.baseModelMode',
  data: 'lathe.finetune.dataMode',
} as const;

/** The remembered choice among `allowed`, else `fallback`. */
export function readMode<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const value = localStorage.getItem(key);
    return (allowed as readonly (string | null)[]).includes(value) ? (value as T) : fallback;
  } catch {
    return fallback;
  }
}

export function rememberMode(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Without storage the form starts with the library and datasets next time.
  }
}

/** The remembered values, most recent first; empty where storage is unavailable. */
export function readRecent(key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string').slice(0, maxRecent) : [];
  } catch {
    return [];
  }
}

/** Puts `value` first in the list, without duplicates. */
export function rememberRecent(key: string, value: string): void {
  const trimmed = value.trim();
  if (!trimmed) return;
  try {
    const next = [trimmed, ...readRecent(key).filter((v) => v !== trimmed)].slice(0, maxRecent);
    localStorage.setItem(key, JSON.stringify(next));
  } catch {
    // Without storage the form simply starts empty next time.
  }
}
