import { hashTarget, useLocationHash } from '../../lib/useHashRoute';

/** What an address of the Compare page preselects: `#/compare/adapter/<id>`, a fine-tune against its base. */
export interface CompareTarget {
  adapterId: string | null;
}

/** Reads a Compare address; anything else (another page, unknown segments) preselects nothing. */
export function parseCompareHash(hash: string): CompareTarget {
  return { adapterId: hashTarget(hash, 'compare', 'adapter') };
}

/** The address that opens the Compare page with a fine-tune (its adapter) against its base model. */
export function compareHref(target: { adapterId: string }): string {
  return `#/compare/adapter/${encodeURIComponent(target.adapterId)}`;
}

/** What the address asks the Compare page to preselect; follows the address as it changes. */
export function useCompareRoute(): CompareTarget {
  return parseCompareHash(useLocationHash());
}
