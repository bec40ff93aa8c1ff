import type { HandlerMap } from '../dispatch';
import type { ModelsService } from './ModelsService';

export function modelsHandlers(
  models: ModelsService,
): HandlerMap<'models.import' | 'models.list' | 'models.get' | 'models.rename' | 'models.delete' | 'models.variants'> {
  return {
    'models.import': (input) => models.import(input),
    'models.list': () => models.list(),
    'models.get': ({ id }) => models.get(id),
    'models.rename': ({ id, name }) => models.rename(id, name),
    'models.delete': ({ id, deleteFile }) => models.delete(id, deleteFile ?? false),
    'models.variants': ({ modelId }) => models.variants(modelId),
  };
}
