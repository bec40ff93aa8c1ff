import type { ExampleMessage, HygieneKind } from '../../../../shared/datasets';

/** What the hygiene checks read of an example. `tokens` is a cached token count when known. */
export interface HygieneExample {
  id: string;
  messages: ExampleMessage[];
  split: 'train' | 'eval' | 'auto';
  tokens?: number | null;
}

/**
 * The one-click fix a finding suggests: trash all but `keepId` (`delete_duplicates`), trash the
 * examples (`delete`), move the eval examples to train (`move_to_train`), or show them to the user
 * (`review`: never fixed automatically).
 */
export type HygieneFixKind = 'delete_duplicates' | 'delete' | 'move_to_train' | 'review';

export const sensitiveKinds = [
  'api_key',
  'private_key',
  'jwt',
  'secret',
  'email',
  'phone',
  'credit_card',
  'ip_address',
] as const;
/** Likely secrets (`api_key`, `private_key`, `jwt`, `secret`) and personal data (the rest). */
export type SensitiveKind = (typeof sensitiveKinds)[number];

export interface SensitiveFinding {
  id: string;
  kind: SensitiveKind;
  /** What matched, e.g. "OpenAI API key", "email address". */
  label: string;
  /** 0-based index of the turn in `messages`. */
  turn: number;
  /** The match in context with the match itself masked, e.g. `key: sk-p••••••••••••7Q here`. */
  excerpt: string;
}

/** One finding of a hygiene report; the shape the datasets service stores (plus details). */
export interface HygieneFinding {
  kind: HygieneKind;
  exampleIds: string[];
  /** Duplicates: the example kept (the first in input order). Leakage: the train example. */
  keepId?: string;
  fix: HygieneFixKind;
  /** One line for the report, e.g. "3 copies", "93% similar", "4,210 tokens, over 4,096". */
  detail: string;
  /** Duplicates and leakage: estimated Jaccard similarity (0..1); a group gives its weakest link. */
  similarity?: number;
  /** Over-length: the token count, and whether it was estimated from characters (no cached count). */
  tokens?: number;
  estimated?: boolean;
  /** Sensitive: every match in the example. */
  sensitive?: SensitiveFinding[];
}

/** What `runHygiene` returns: findings in report order and their counts per kind. */
export interface HygieneFindings {
  examined: number;
  /** Findings per kind (duplicate groups, not duplicate examples). */
  counts: Record<HygieneKind, number>;
  /** Examples involved per kind (for duplicates: the ones the fix would trash). */
  affected: Record<HygieneKind, number>;
  groups: HygieneFinding[];
  /** Milliseconds each check took. */
  timings: Record<HygieneKind, number>;
}
