import { useState } from 'react';
import { DatabaseZap } from 'lucide-react';
import { toast } from 'sonner';
import type { Comparison } from '@shared/compare';
import { Button } from '@renderer/components/ui/Button';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { DatasetSelect } from './DatasetSelect';

/**
 * "Add to dataset": the ideal answer (or the voted winner) into an instruction dataset, linked back
 * to the comparison; the losing answer goes along as the rejected one.
 */
export function AddToDatasetButton({
  comparison,
  onAdded,
}: {
  comparison: Comparison;
  onAdded: (comparison: Comparison) => void;
}) {
  const datasets = useApiQuery('datasets.list', {});
  const [chosen, setChosen] = useState<string | null>(null);
  const datasetId = chosen ?? datasets.data?.[0]?.id ?? '';
  const refresh = useApiMutation('compare.get', { onSuccess: onAdded });
  const add = useApiMutation('compare.toDataset', {
    onSuccess: (example) => {
      const name = datasets.data?.find((d) => d.id === example.datasetId)?.name ?? 'the dataset';
      toast.success(`Added to ${name}`);
      refresh.mutate({ id: comparison.id });
    },
  });
  const ready = comparison.idealAnswer !== null || comparison.vote === 'a' || comparison.vote === 'b';
  const added = comparison.datasetExampleIds.length > 0;
  if (datasets.data?.length === 0) return null;
  return (
    <div className="flex shrink-0 items-center gap-2">
      <DatasetSelect
        datasets={datasets.data ?? []}
        value={datasetId}
        onChange={setChosen}
        label="Dataset for the chosen answer"
        placeholder="Dataset"
        className="w-44"
      />
      <Button
        variant="outline"
        disabled={!ready || !datasetId || add.isPending}
        title={ready ? undefined : 'Vote for an answer or edit one into the ideal answer first'}
        onClick={() => add.mutate({ id: comparison.id, datasetId })}
      >
        <DatabaseZap />
        {added ? 'Update in dataset' : 'Add to dataset'}
      </Button>
    </div>
  );
}
