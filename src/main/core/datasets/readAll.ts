import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatasetExample } from '../../../shared/datasets';
import type { DatasetsRepo } from './DatasetsRepo';

export type StoredExampleData = Pick<
  DatasetExample,
  'id' | 'messages' | 'rejected' | 'split' | 'tags' | 'note' | 'tokenCount'
>;

/**
 * A dataset's examples in order, read in slices of `pageSize` with a turn of the event loop between
 * slices (exports, hygiene and token counts read whole datasets without freezing the app).
 */
export async function* readAllExamples(
  repo: DatasetsRepo,
  datasetId: string,
  opts: { includeTrash?: boolean; pageSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<StoredExampleData> {
  let after = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const page = repo.examplesPage(datasetId, after, opts.pageSize ?? 2000, opts.includeTrash ?? false);
    if (page.length === 0) return;
    for (const { seq: _seq, ...example } of page) yield example;
    after = page.at(-1)!.seq;
    await nextTurn();
  }
}
