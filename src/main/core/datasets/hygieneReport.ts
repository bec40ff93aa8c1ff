import { type HygieneReport } from '../../../shared/datasets';
import type { JobContext } from '../jobs/JobRunner';
import type { DatasetsRepo } from './DatasetsRepo';
import { defaultNearThreshold, runHygiene, type HygieneExample } from './hygiene';
import { readAllExamples } from './readAll';

export interface HygieneArgs {
  datasetId: string;
  /** Estimated Jaccard similarity above which two examples are near-duplicates (default 0.8). */
  nearDuplicateThreshold?: number | undefined;
  /** Over-length limit in tokens; cached counts are used, characters estimate the rest (default: the dataset's max length). */
  maxTokens?: number | undefined;
}

/**
 * Reads a dataset's live examples (in slices) and runs the hygiene checks over them: the report the
 * `datasets.hygiene` job stores. Reading is the first 10% of the progress bar.
 */
export async function hygieneReport(
  repo: DatasetsRepo,
  args: HygieneArgs,
  context: Pick<JobContext, 'signal' | 'onProgress'>,
): Promise<HygieneReport> {
  const started = Date.now();
  const total = Math.max(1, repo.liveCount(args.datasetId));
  const examples: HygieneExample[] = [];
  for await (const e of readAllExamples(repo, args.datasetId, { signal: context.signal })) {
    examples.push({ id: e.id, messages: e.messages, split: e.split, tokens: e.tokenCount });
    if (examples.length % 5000 === 0) {
      context.onProgress({
        progress: (0.1 * examples.length) / total,
        message: `Reading ${examples.length} of ${total}`,
      });
    }
  }
  const threshold = args.nearDuplicateThreshold ?? defaultNearThreshold;
  const found = await runHygiene(examples, {
    nearDuplicateThreshold: threshold,
    ...(args.maxTokens !== undefined ? { maxTokens: args.maxTokens } : {}),
    signal: context.signal,
    onProgress: ({ fraction, message }) => context.onProgress({ progress: 0.1 + 0.9 * fraction, message }),
  });
  return {
    datasetId: args.datasetId,
    createdAt: Date.now(),
    nearDuplicateThreshold: threshold,
    maxTokens: args.maxTokens ?? null,
    examined: found.examined,
    counts: found.counts,
    groups: found.groups.map((g) => ({
      kind: g.kind,
      exampleIds: g.exampleIds,
      ...(g.keepId !== undefined ? { keepId: g.keepId } : {}),
      detail: g.detail,
      fix: g.fix,
      ...(g.similarity !== undefined ? { similarity: g.similarity } : {}),
      ...(g.tokens !== undefined ? { tokens: g.tokens } : {}),
      ...(g.estimated !== undefined ? { estimated: g.estimated } : {}),
      ...(g.sensitive !== undefined
        ? { sensitive: g.sensitive.map((s) => ({ kind: s.kind, label: s.label, turn: s.turn, excerpt: s.excerpt })) }
        : {}),
    })),
    seconds: (Date.now() - started) / 1000,
  };
}
