/**
 * Dataset hygiene checks: exact and near-duplicates (MinHash + LSH), empty answers, over-length
 * examples, train/eval leakage and likely secrets or personal data. Pure functions over examples
 * in memory; `runHygiene` runs them all as one cancellable, progress-reporting pass.
 */
export { runHygiene, type RunHygieneOptions } from './runHygiene';
export { findExactDuplicates, exactKey, exactHash, exactHashes } from './exactDuplicates';
export {
  findNearDuplicates,
  findLeakage,
  nearDuplicateText,
  defaultNearThreshold,
  type NearDuplicateOptions,
} from './nearDuplicates';
export { chooseBands, type MinHashOptions } from './minhash';
export { findEmptyAnswers, findOverLength, exampleTokens } from './simpleChecks';
export { findSensitive, scanText, mask, luhn } from './sensitive';
export {
  sensitiveKinds,
  type HygieneExample,
  type HygieneFinding,
  type HygieneFindings,
  type HygieneFixKind,
  type SensitiveFinding,
  type SensitiveKind,
} from './types';
