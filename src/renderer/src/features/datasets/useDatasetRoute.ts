import { useCallback, useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = () => window.location.hash;

/**
 * The open dataset and example, from the address (`#/datasets/<datasetId>/<exampleId>`), so a
 * reload keeps them and other pages can link to a dataset. `open(null)` goes back to `#/datasets`.
 */
export function useDatasetRoute(): {
  /** The address is on the Datasets page (false for a moment while leaving it). */
  inPage: boolean;
  datasetId: string | null;
  exampleId: string | null;
  open: (datasetId: string | null, exampleId?: string | null) => void;
} {
  const hash = useSyncExternalStore(subscribe, getHash);
  const [page, datasetId, exampleId] = hash.replace(/^#\/?/, '').split('/');
  const open = useCallback((nextDataset: string | null, nextExample: string | null = null) => {
    let target = '#/datasets';
    if (nextDataset) target += `/${encodeURIComponent(nextDataset)}`;
    if (nextDataset && nextExample) target += `/${encodeURIComponent(nextExample)}`;
    // Moving between examples replaces the entry: j/k through 500 rows should not fill history.
    if (window.location.hash !== target) {
      window.history.replaceState(window.history.state, '', target);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    }
  }, []);
  const inPage = page === 'datasets';
  return {
    inPage,
    datasetId: inPage && datasetId ? decodeURIComponent(datasetId) : null,
    exampleId: inPage && datasetId && exampleId ? decodeURIComponent(exampleId) : null,
    open,
  };
}
