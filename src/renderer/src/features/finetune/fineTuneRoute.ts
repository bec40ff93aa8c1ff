import { hashTarget, useLocationHash } from '../../lib/useHashRoute';

/** What an address of the Fine-tune page preselects: `#/finetune/dataset/<id>`. */
export interface FineTuneTarget {
  datasetId: string | null;
}

/** Reads a Fine-tune address; anything else (another page, unknown segments) preselects nothing. */
export function parseFineTuneHash(hash: string): FineTuneTarget {
  return { datasetId: hashTarget(hash, 'finetune', 'dataset') };
}

/** The address that opens the Fine-tune page with a dataset chosen, for links from other pages. */
export function fineTuneHref(target: { datasetId: string }): string {
  return `#/finetune/dataset/${encodeURIComponent(target.datasetId)}`;
}

/** What the address asks the Fine-tune page to preselect; follows the address as it changes. */
export function useFineTuneRoute(): FineTuneTarget {
  return parseFineTuneHash(useLocationHash());
}
