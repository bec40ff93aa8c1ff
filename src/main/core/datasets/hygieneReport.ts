import {
  hygieneKinds,
  type ExampleMessage,
  type ExampleSplit,
  type HygieneKind,
  type HygieneReport,
} from '../../../shared/datasets';
import type { JobContext } from '../jobs/JobRunner';
import type { DatasetsRepo } from './DatasetsRepo';
import { readAllExamples } from './readAll';

export interface HygieneArgs {
  datasetId: string;
  /** Jaccard similarity above which two examples are near-duplicates (default 0.85). */
  nearDuplicateThreshold?: number | undefined;
  /** Over-length limit in tokens; needs cached token counts (default: the dataset's max length). */
  maxTokens?: number | undefined;
}

export const defaultNearDuplicateThreshold = 0.85;

/**
 * Reads a dataset's live examples (in slices) and runs the hygiene checks over them: the report the
 * `datasets.hygiene` job stores. Reading is 20% of the progress bar, checking the rest.
 */
export async function hygieneReport(
  repo: DatasetsRepo,
  args: HygieneArgs,
  context: Pick<JobContext, 'signal' | 'onProgress'>,
): Promise<HygieneReport> {
  const started = Date.now();
  const total = Math.max(1, repo.liveCount(args.datasetId));
  const examples: { id: string; messages: HygieneInput['messages']; split: HygieneInput['split']; tokens?: number }[] =
    [];
  for await (const e of readAllExamples(repo, args.datasetId, { signal: context.signal })) {
    examples.push({
      id: e.id,
      messages: e.messages,
      split: e.split,
      ...(e.tokenCount !== null ? { tokens: e.tokenCount } : {}),
    });
    if (examples.length % 5000 === 0) {
      context.onProgress({
        progress: (0.2 * examples.length) / total,
        message: `Reading ${examples.length} of ${total}`,
      });
    }
  }
  const threshold = args.nearDuplicateThreshold ?? defaultNearDuplicateThreshold;
  const hygieneModule = './hygiene/index';
  const { runHygiene } = (await import(hygieneModule)) as { runHygiene: RunHygiene };
  const found = await runHygiene(examples, {
    nearDuplicateThreshold: threshold,
    ...(args.maxTokens !== undefined ? { maxTokens: args.maxTokens } : {}),
    signal: context.signal,
    onProgress: (p: { fraction?: number; progress?: number; message?: string }) =>
      context.onProgress({
        progress: 0.2 + 0.8 * (p.fraction ?? p.progress ?? 0),
        ...(p.message !== undefined ? { message: p.message } : {}),
      }),
  });
  const groups: HygieneReport['groups'] = found.groups.map((g) => ({
    kind: g.kind,
    exampleIds: g.exampleIds,
    ...(g.keepId !== undefined ? { keepId: g.keepId } : {}),
    detail: g.detail ?? '',
  }));
  const counts = Object.fromEntries(hygieneKinds.map((k) => [k, 0])) as Record<HygieneKind, number>;
  for (const g of groups) counts[g.kind] += 1;
  return {
    datasetId: args.datasetId,
    createdAt: Date.now(),
    nearDuplicateThreshold: threshold,
    maxTokens: args.maxTokens ?? null,
    examined: examples.length,
    counts,
    groups,
    seconds: (Date.now() - started) / 1000,
  };
}

interface HygieneInput {
  id: string;
  messages: ExampleMessage[];
  split: ExampleSplit;
  tokens?: number;
}
interface HygieneFound {
  groups: { kind: HygieneKind; exampleIds: string[]; keepId?: string; detail?: string }[];
}
type RunHygiene = (
  examples: HygieneInput[],
  options: {
    nearDuplicateThreshold: number;
    maxTokens?: number;
    signal?: AbortSignal;
    onProgress?: (p: { fraction?: number; progress?: number; message?: string }) => void;
  },
) => Promise<HygieneFound> | HygieneFound;
