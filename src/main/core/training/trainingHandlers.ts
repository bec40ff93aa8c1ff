import type { HandlerMap } from '../dispatch';
import type { TrainingService } from './TrainingService';

export function trainingHandlers(
  training: TrainingService,
): HandlerMap<
  | 'training.defaults'
  | 'training.start'
  | 'training.estimate'
  | 'training.cancel'
  | 'training.resume'
  | 'training.list'
  | 'training.get'
  | 'adapters.list'
> {
  return {
    'training.defaults': () => training.defaults(),
    'training.start': (input) => training.start(input),
    'training.estimate': (input) => training.estimate(input),
    'training.cancel': ({ id }) => training.cancel(id),
    'training.resume': ({ id }) => training.resume(id),
    'training.list': () => training.list(),
    'training.get': ({ id }) => training.get(id),
    'adapters.list': (filter) => training.adapters(filter),
  };
}
