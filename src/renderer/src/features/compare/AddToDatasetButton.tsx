import type { CompareSide, Comparison } from '@shared/compare';

/**
 * "Add to dataset": the chosen or edited answer into an instruction dataset, linked back to the
 * comparison. Shown once datasets exist in the contract (see compare.toDataset).
 */
export function AddToDatasetButton(_props: {
  comparison: Comparison;
  ideal: string | null;
  text: (comparison: Comparison, side: CompareSide) => string;
}) {
  return null;
}
