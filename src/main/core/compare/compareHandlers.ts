import type { HandlerMap } from '../dispatch';
import type { CompareService } from './CompareService';
import type { PreferenceService } from './PreferenceService';

export function compareHandlers(
  compare: CompareService,
  preferences: PreferenceService,
): HandlerMap<
  | 'compare.start'
  | 'compare.get'
  | 'compare.list'
  | 'compare.stop'
  | 'compare.vote'
  | 'compare.delete'
  | 'compare.toDataset'
  | 'compare.batch.start'
  | 'compare.batch.list'
  | 'compare.batch.get'
  | 'compare.batch.cancel'
  | 'compare.batch.delete'
  | 'compare.results'
  | 'chat.preferAlternative'
  | 'feedback.pairs'
  | 'feedback.export'
  | 'feedback.toDataset'
> {
  return {
    'compare.start': (input) => compare.start(input),
    'compare.get': ({ id }) => compare.get(id),
    'compare.list': (input) => compare.list(input),
    'compare.stop': ({ id, side }) => compare.stop(id, side),
    'compare.vote': (input) => compare.vote(input),
    'compare.delete': ({ id }) => compare.delete(id),
    'compare.toDataset': ({ id, ...input }) => compare.toDataset(id, input),
    'compare.batch.start': (input) => compare.startBatch(input),
    'compare.batch.list': () => compare.batches(),
    'compare.batch.get': ({ id }) => compare.batch(id),
    'compare.batch.cancel': ({ id }) => compare.cancelBatch(id),
    'compare.batch.delete': ({ id }) => compare.deleteBatch(id),
    'compare.results': (input) => compare.results(input),
    'chat.preferAlternative': (input) => preferences.preferAlternative(input),
    'feedback.pairs': (input) => preferences.summary(input),
    'feedback.export': (input) => preferences.export(input),
    'feedback.toDataset': (input) => preferences.toDataset(input),
  };
}
