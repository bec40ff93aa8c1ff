import { hygieneKinds, type HygieneKind } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';
import { exactHashes, findExactDuplicates } from './exactDuplicates';
import { defaultNearThreshold, leakageSteps, nearGroupSteps, signSteps, type Steps } from './nearDuplicates';
import { findEmptyAnswers, findOverLength } from './simpleChecks';
import { findSensitive } from './sensitive';
import type { HygieneExample, HygieneFinding, HygieneFindings, SensitiveFinding } from './types';

export interface RunHygieneOptions {
  /** Estimated Jaccard similarity (0..1] for near-duplicates and leakage (default 0.8). */
  nearDuplicateThreshold?: number;
  /** Token limit for the over-length check; the check is skipped when absent. */
  maxTokens?: number;
  /** Word shingle size and signature length of the MinHash (defaults 5 and 128). */
  shingleSize?: number;
  numPerm?: number;
  /** Checked between slices of work; aborting throws AppError('CANCELLED'). */
  signal?: AbortSignal;
  /** `fraction` 0..1 of the whole run, with a message naming the current check. */
  onProgress?: (progress: { fraction: number; message: string }) => void;
}

/** Share of the progress bar each phase takes (signatures and LSH dominate). */
const phases = { basic: 0.05, sensitive: 0.15, sign: 0.45, leakage: 0.1, near: 0.25 } as const;

const pct = (s: number) => `${Math.round(s * 100)}% similar`;
const numberFormat = new Intl.NumberFormat('en-US');
const count = (n: number) => numberFormat.format(n);

/**
 * Runs every hygiene check over a dataset's examples and returns the findings with a suggested
 * fix each: exact duplicates and near-duplicates (`delete_duplicates`, keeping the first), empty
 * answers (`delete`), examples over `maxTokens` (`delete`), train/eval leakage (`move_to_train`)
 * and likely secrets or personal data (`review`). Near-duplicate groups leave out the copies that
 * exact duplicates already report. Yields to the event loop between slices so a job stays
 * cancellable; the signatures are computed once for near-duplicates and leakage.
 */
export async function runHygiene(
  examples: readonly HygieneExample[],
  opts: RunHygieneOptions = {},
): Promise<HygieneFindings> {
  const { signal, onProgress } = opts;
  const threshold = opts.nearDuplicateThreshold ?? defaultNearThreshold;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new AppError(
      'INVALID_INPUT',
      `The near-duplicate threshold must be above 0 and at most 1, not ${threshold}.`,
    );
  }
  const minhash = { threshold, shingleSize: opts.shingleSize, numPerm: opts.numPerm };
  const timings = Object.fromEntries(hygieneKinds.map((k) => [k, 0])) as Record<HygieneKind, number>;
  const groups: Record<HygieneKind, HygieneFinding[]> = {
    exact_duplicate: [],
    near_duplicate: [],
    empty_answer: [],
    over_length: [],
    leakage: [],
    sensitive: [],
  };
  let done = 0;
  const cancelled = () => new AppError('CANCELLED', 'The hygiene check was cancelled.');
  const pause = async (fraction: number, message: string) => {
    onProgress?.({ fraction: Math.min(1, fraction), message });
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw cancelled();
  };
  const run = async <T>(steps: Steps<T>, from: number, share: number, message: string): Promise<T> => {
    let last = Date.now();
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      // Pause every ~50 ms: responsive to cancel without paying a macrotask per slice.
      if (Date.now() - last >= 50) {
        await pause(from + share * next.value, message);
        last = Date.now();
      }
    }
  };
  const timed = <T>(kind: HygieneKind, work: () => T): T => {
    const started = performance.now();
    const result = work();
    timings[kind] += performance.now() - started;
    return result;
  };
  if (signal?.aborted) throw cancelled();

  await pause(0, 'Looking for exact duplicates and empty answers');
  const hashes = timed('exact_duplicate', () => exactHashes(examples));
  const exact = timed('exact_duplicate', () => findExactDuplicates(examples, hashes));
  for (const g of exact) {
    groups.exact_duplicate.push({
      kind: 'exact_duplicate',
      exampleIds: [g.keep, ...g.duplicates],
      keepId: g.keep,
      fix: 'delete_duplicates',
      detail:
        g.duplicates.length === 1 ? '2 identical examples' : `${count(g.duplicates.length + 1)} identical examples`,
      similarity: 1,
    });
  }
  for (const id of timed('empty_answer', () => findEmptyAnswers(examples))) {
    groups.empty_answer.push({
      kind: 'empty_answer',
      exampleIds: [id],
      fix: 'delete',
      detail: 'an empty or missing answer (or only a thought)',
    });
  }
  if (opts.maxTokens !== undefined) {
    const max = opts.maxTokens;
    for (const o of timed('over_length', () => findOverLength(examples, max))) {
      groups.over_length.push({
        kind: 'over_length',
        exampleIds: [o.id],
        fix: 'delete',
        detail: `${o.estimated ? 'about ' : ''}${count(o.tokens)} tokens, over ${count(max)}`,
        tokens: o.tokens,
        estimated: o.estimated,
      });
    }
  }
  done += phases.basic;

  // Secrets: scanned in slices so a large dataset stays cancellable.
  const sensitive: SensitiveFinding[] = [];
  const slice = 2000;
  for (let from = 0; from < examples.length; from += slice) {
    const part = examples.slice(from, from + slice);
    sensitive.push(...timed('sensitive', () => findSensitive(part)));
    await pause(
      done + (phases.sensitive * Math.min(examples.length, from + slice)) / examples.length,
      'Looking for secrets and personal data',
    );
  }
  const byExample = new Map<string, SensitiveFinding[]>();
  for (const f of sensitive) {
    const list = byExample.get(f.id);
    if (list) list.push(f);
    else byExample.set(f.id, [f]);
  }
  for (const [id, findings] of byExample) {
    const labels = [...new Set(findings.map((f) => f.label))];
    groups.sensitive.push({
      kind: 'sensitive',
      exampleIds: [id],
      fix: 'review',
      detail: `looks like ${labels.join(', ')}: ${findings[0]!.excerpt}`,
      sensitive: findings,
    });
  }
  done += phases.sensitive;

  let started = performance.now();
  const sigs = await run(signSteps(examples, minhash), done, phases.sign, 'Comparing examples (signatures)');
  const signMs = performance.now() - started;
  done += phases.sign;

  started = performance.now();
  const leaks = await run(
    leakageSteps(examples, sigs, minhash, hashes),
    done,
    phases.leakage,
    'Looking for train/eval leakage',
  );
  timings.leakage += performance.now() - started;
  for (const l of leaks) {
    groups.leakage.push({
      kind: 'leakage',
      exampleIds: [l.evalId, l.trainId],
      keepId: l.trainId,
      fix: 'move_to_train',
      detail:
        l.similarity === 1
          ? 'the eval example is also in train'
          : `the eval example is ${pct(l.similarity)} to a train example`,
      similarity: l.similarity,
    });
  }
  done += phases.leakage;

  // Copies that exact duplicates already report are left out of near-duplicate groups.
  const index = new Map(examples.map((e, i) => [e.id, i]));
  for (const g of exact) for (const id of g.duplicates) sigs.hasSignature[index.get(id)!] = 0;
  started = performance.now();
  const near = await run(nearGroupSteps(examples, sigs, minhash), done, phases.near, 'Looking for near-duplicates');
  timings.near_duplicate += performance.now() - started + signMs;
  for (const g of near) {
    groups.near_duplicate.push({
      kind: 'near_duplicate',
      exampleIds: g.ids,
      keepId: g.ids[0]!,
      fix: 'delete_duplicates',
      detail: `${count(g.ids.length)} examples, at least ${pct(g.similarity)}`,
      similarity: g.similarity,
    });
  }
  onProgress?.({ fraction: 1, message: 'Done' });

  const all = hygieneKinds.flatMap((k) => groups[k]);
  const counts = Object.fromEntries(hygieneKinds.map((k) => [k, groups[k].length])) as Record<HygieneKind, number>;
  const affected = Object.fromEntries(
    hygieneKinds.map((k) => [
      k,
      groups[k].reduce(
        (n, g) =>
          n +
          (g.fix === 'delete_duplicates'
            ? g.exampleIds.length - 1
            : g.fix === 'move_to_train'
              ? 1
              : g.exampleIds.length),
        0,
      ),
    ]),
  ) as Record<HygieneKind, number>;
  return { examined: examples.length, counts, affected, groups: all, timings };
}
