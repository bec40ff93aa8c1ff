import { hashTarget, useLocationHash } from '../../lib/useHashRoute';

/**
 * What an address of the Compare page preselects: `#/compare/adapter/<id>`, a fine-tune against
 * its base; `…/dataset/<id>` adds a batch review on that dataset's eval split.
 */
export interface CompareTarget {
  adapterId: string | null;
  datasetId: string | null;
}

/** Reads a Compare address; anything else (another page, unknown segments) preselects nothing. */
export function parseCompareHash(hash: string): CompareTarget {
  const adapterId = hashTarget(hash, 'compare', 'adapter');
  const rest = hash.replace(/^#\/?/, '').split('/').slice(3).join('/');
  return { adapterId, datasetId: adapterId === null ? null : hashTarget(rest, 'dataset', 'eval') };
}

/** The address that opens the Compare page with a fine-tune (its adapter) against its base model. */
export function compareHref(target: { adapterId: string; datasetId?: string }): string {
  const base = `#/compare/adapter/${encodeURIComponent(target.adapterId)}`;
  return target.datasetId ? `${base}/dataset/eval/${encodeURIComponent(target.datasetId)}` : base;
}

/** What the address asks the Compare page to preselect; follows the address as it changes. */
export function useCompareRoute(): CompareTarget {
  return parseCompareHash(useLocationHash());
}
