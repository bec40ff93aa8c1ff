import { exactHashes, exactKey } from './exactDuplicates';
import { chooseBands, lshBand, lshCrossBand, MinHashSignatures, UnionFind, type MinHashOptions } from './minhash';
import type { HygieneExample } from './types';

export type NearDuplicateOptions = MinHashOptions;

/** Default similarity threshold for near-duplicates and leakage. */
export const defaultNearThreshold = 0.8;

/**
 * The text compared for near-duplicates: every turn but the system prompt. Datasets often give
 * every example the same long system prompt, which would make unrelated examples look alike.
 */
export function nearDuplicateText(example: Pick<HygieneExample, 'messages'>): string {
  let text = '';
  for (const m of example.messages) if (m.role !== 'system') text += `${m.content}\n`;
  return text;
}

/** How often (in documents) the step generators pause for progress and cancellation. */
const stepEvery = 2000;

/** Work that pauses now and then (yielding its progress, 0..1) and finally returns a result. */
export type Steps<T> = Generator<number, T, void>;

/** Runs steps to the end synchronously. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

function checkThreshold(threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
}

/** Computes every example's signature. */
export function* signSteps(examples: readonly HygieneExample[], opts: MinHashOptions): Steps<MinHashSignatures> {
  const sigs = new MinHashSignatures(examples.length, opts);
  for (let i = 0; i < examples.length; i++) {
    sigs.sign(i, nearDuplicateText(examples[i]!));
    if (i % stepEvery === stepEvery - 1) yield (i + 1) / examples.length;
  }
  return sigs;
}

function bandsFor(sigs: MinHashSignatures, opts: MinHashOptions, threshold: number) {
  if (opts.bands === undefined) return chooseBands(threshold, sigs.numPerm);
  const bands = Math.max(1, Math.min(sigs.numPerm, Math.floor(opts.bands)));
  return { bands, rows: Math.floor(sigs.numPerm / bands) };
}

/**
 * Groups of near-duplicates among the documents with signatures: LSH candidates verified by
 * estimated Jaccard ≥ threshold, joined transitively. Ids in input order; groups by first member.
 */
export function* nearGroupSteps(
  examples: readonly HygieneExample[],
  sigs: MinHashSignatures,
  opts: MinHashOptions,
): Steps<{ ids: string[]; similarity: number }[]> {
  const threshold = opts.threshold ?? defaultNearThreshold;
  checkThreshold(threshold);
  const { bands, rows } = bandsFor(sigs, opts, threshold);
  const sets = new UnionFind(sigs.n);
  const next = new Int32Array(sigs.n);
  for (let band = 0; band < bands; band++) {
    lshBand(sigs, band, rows, threshold, sets, next);
    yield (band + 1) / bands;
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < sigs.n; i++) {
    if (!sigs.hasSignature[i]) continue;
    const root = sets.find(i);
    const list = groups.get(root);
    if (list) list.push(i);
    else groups.set(root, [i]);
  }
  const out: { first: number; ids: string[]; similarity: number }[] = [];
  for (const [root, members] of groups) {
    if (members.length < 2) continue;
    out.push({ first: members[0]!, ids: members.map((i) => examples[i]!.id), similarity: sets.weakest[root]! });
  }
  return out.sort((a, b) => a.first - b.first).map(({ ids, similarity }) => ({ ids, similarity }));
}

/** Eval examples with a near or exact copy on the train side ("train" and "auto"); best match each. */
export function* leakageSteps(
  examples: readonly HygieneExample[],
  sigs: MinHashSignatures,
  opts: MinHashOptions,
  hashes?: Float64Array,
): Steps<{ trainId: string; evalId: string; similarity: number }[]> {
  const threshold = opts.threshold ?? defaultNearThreshold;
  checkThreshold(threshold);
  const n = examples.length;
  const isEval = new Uint8Array(n);
  const best = new Int32Array(n).fill(-1);
  const bestSim = new Float64Array(n);
  let evalCount = 0;
  examples.forEach((e, i) => {
    if (e.split === 'eval') {
      isEval[i] = 1;
      evalCount++;
    }
  });
  if (evalCount === 0 || evalCount === n) return [];
  // Exact copies first: they need no signature (an answer of punctuation only has no words).
  const exact = hashes ?? exactHashes(examples);
  const trainHashes = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!isEval[i] && !trainHashes.has(exact[i]!)) trainHashes.set(exact[i]!, i);
  examples.forEach((e, i) => {
    if (!isEval[i]) return;
    const j = trainHashes.get(exact[i]!);
    if (j !== undefined && exactKey(e) === exactKey(examples[j]!)) {
      best[i] = j;
      bestSim[i] = 1;
    }
  });
  yield 0.1;
  const { bands, rows } = bandsFor(sigs, opts, threshold);
  const next = new Int32Array(n);
  for (let band = 0; band < bands; band++) {
    lshCrossBand(sigs, band, rows, threshold, isEval, best, bestSim, next);
    yield 0.1 + (0.9 * (band + 1)) / bands;
  }
  const out: { trainId: string; evalId: string; similarity: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (isEval[i] && best[i] !== -1)
      out.push({ trainId: examples[best[i]!]!.id, evalId: examples[i]!.id, similarity: bestSim[i]! });
  }
  return out;
}

/**
 * Near-duplicate groups by MinHash over word 5-gram shingles with LSH banding (see minhash.ts):
 * every pair joined has an estimated Jaccard similarity ≥ `threshold` (default 0.8); groups are
 * transitive, and `similarity` is a group's weakest link. System prompts are not compared. Exact
 * duplicates are near-duplicates too (similarity 1). Deterministic.
 */
export function findNearDuplicates(
  examples: readonly HygieneExample[],
  opts: NearDuplicateOptions = {},
): { ids: string[]; similarity: number }[] {
  const sigs = drain(signSteps(examples, opts));
  return drain(nearGroupSteps(examples, sigs, opts));
}

/**
 * Train/eval leakage: each eval example that has an exact or near copy (estimated Jaccard ≥
 * `threshold`, default 0.8) among the examples that may be trained on (split "train" or "auto"),
 * with its most similar one. Fixing it means moving the eval example to train.
 */
export function findLeakage(
  examples: readonly HygieneExample[],
  opts: NearDuplicateOptions = {},
): { trainId: string; evalId: string; similarity: number }[] {
  const sigs = drain(signSteps(examples, opts));
  return drain(leakageSteps(examples, sigs, opts));
}
