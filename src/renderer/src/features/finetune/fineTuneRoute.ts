import { hashTarget, useLocationHash } from '../../lib/useHashRoute';

/** What an address of the Fine-tune page preselects: `#/finetune/dataset/<id>[/dpo]`. */
export interface FineTuneTarget {
  datasetId: string | null;
  /** `/dpo`: the form opens with Method set to Preference (DPO). */
  method: 'dpo' | null;
}

/** Reads a Fine-tune address; anything else (another page, unknown segments) preselects nothing. */
export function parseFineTuneHash(hash: string): FineTuneTarget {
  const datasetId = hashTarget(hash, 'finetune', 'dataset');
  const method = datasetId !== null && hash.replace(/^#\/?/, '').split('/')[3] === 'dpo' ? 'dpo' : null;
  return { datasetId, method };
}

/** The address that opens the Fine-tune page with a dataset (and a method) chosen, for links from other pages. */
export function fineTuneHref(target: { datasetId: string; method?: 'dpo' }): string {
  return `#/finetune/dataset/${encodeURIComponent(target.datasetId)}${target.method === 'dpo' ? '/dpo' : ''}`;
}

/** What the address asks the Fine-tune page to preselect; follows the address as it changes. */
export function useFineTuneRoute(): FineTuneTarget {
  return parseFineTuneHash(useLocationHash());
}
