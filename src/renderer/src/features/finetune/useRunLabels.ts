import type { TrainingRun } from '@shared/domain';
import { useDatasets } from '@renderer/features/datasets/datasetQueries';
import { useModels } from '@renderer/features/models/modelQueries';
import { fileName } from './format';
import { modelOfRun } from './trainingChoices';

type RunSources = Pick<TrainingRun, 'baseModelPath' | 'baseModelSha256' | 'dataSource'>;

/**
 * How a run's base model and data are named for people: a library model by its name (found by
 * content, else by path: the hash is known only once the run has checked the file), a dataset by
 * its name, files by their file names.
 */
export function useRunLabels(): { baseName: (run: RunSources) => string; dataName: (run: RunSources) => string } {
  const models = useModels().data ?? [];
  const datasets = useDatasets().data;
  return {
    baseName: (run) => {
      const id = modelOfRun(models, run);
      return models.find((m) => m.id === id)?.name ?? fileName(run.baseModelPath);
    },
    dataName: ({ dataSource: source }) => {
      if (source.kind === 'file') return fileName(source.path);
      if (!datasets) return 'dataset';
      return datasets.find((d) => d.id === source.datasetId)?.name ?? 'a deleted dataset';
    },
  };
}
