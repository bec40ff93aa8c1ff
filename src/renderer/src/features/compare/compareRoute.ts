import { hashTarget, useLocationHash } from '../../lib/useHashRoute';

/**
 * What an address of the Compare page preselects: `#/compare/adapter/<id>`, a fine-tune against
 * its base; `…/dataset/eval/<id>` adds a batch review on that dataset's eval split; a last `/think`
 * asks both sides with thinking on (a fine-tune that learned to think).
 */
export interface CompareTarget {
  adapterId: string | null;
  datasetId: string | null;
  thinking: boolean;
}

/** Reads a Compare address; anything else (another page, unknown segments) preselects nothing. */
export function parseCompareHash(hash: string): CompareTarget {
  const segments = hash.replace(/^#\/?/, '').split('/');
  const thinking = segments.length > 3 && segments.at(-1) === 'think';
  const path = thinking ? segments.slice(0, -1) : segments;
  const adapterId = hashTarget(path.join('/'), 'compare', 'adapter');
  if (adapterId === null) return { adapterId: null, datasetId: null, thinking: false };
  return { adapterId, datasetId: hashTarget(path.slice(3).join('/'), 'dataset', 'eval'), thinking };
}

/** The address that opens the Compare page with a fine-tune (its adapter) against its base model. */
export function compareHref(target: { adapterId: string; datasetId?: string; thinking?: boolean }): string {
  const base = `#/compare/adapter/${encodeURIComponent(target.adapterId)}`;
  const withData = target.datasetId ? `${base}/dataset/eval/${encodeURIComponent(target.datasetId)}` : base;
  return target.thinking ? `${withData}/think` : withData;
}

/** What the address asks the Compare page to preselect; follows the address as it changes. */
export function useCompareRoute(): CompareTarget {
  return parseCompareHash(useLocationHash());
}
