import type { HandlerMap } from '../dispatch';
import type { DatasetsService } from './DatasetsService';

export function datasetsHandlers(
  datasets: DatasetsService,
): HandlerMap<
  | 'datasets.list'
  | 'datasets.get'
  | 'datasets.create'
  | 'datasets.update'
  | 'datasets.delete'
  | 'datasets.examples.list'
  | 'datasets.examples.ids'
  | 'datasets.examples.get'
  | 'datasets.examples.create'
  | 'datasets.examples.update'
  | 'datasets.examples.undo'
  | 'datasets.examples.bulk'
  | 'datasets.trash.restore'
  | 'datasets.trash.empty'
  | 'datasets.sniff'
  | 'datasets.import'
  | 'datasets.export'
  | 'datasets.tokenize'
  | 'datasets.stats'
  | 'datasets.hygiene'
  | 'datasets.report'
  | 'datasets.fix'
> {
  return {
    'datasets.list': () => datasets.list(),
    'datasets.get': ({ id }) => datasets.get(id),
    'datasets.create': (input) => datasets.create(input),
    'datasets.update': ({ id, ...patch }) => datasets.update(id, patch),
    'datasets.delete': ({ id }) => datasets.delete(id),
    'datasets.examples.list': (input) => datasets.examples(input),
    'datasets.examples.ids': (input) => datasets.exampleIds(input),
    'datasets.examples.get': ({ id }) => datasets.example(id),
    'datasets.examples.create': (input) => datasets.createExample(input),
    'datasets.examples.update': ({ id, ...patch }) => datasets.updateExample(id, patch),
    'datasets.examples.undo': ({ id }) => datasets.undo(id),
    'datasets.examples.bulk': ({ ids, action }) => datasets.bulk(ids, action),
    'datasets.trash.restore': ({ ids }) => datasets.restore(ids),
    'datasets.trash.empty': ({ datasetId, ids }) => datasets.emptyTrash(datasetId, ids),
    'datasets.sniff': ({ path }) => datasets.sniff(path),
    'datasets.import': (input) => datasets.startImport(input),
    'datasets.export': (input) => datasets.startExport(input),
    'datasets.tokenize': (input) => datasets.startTokenize(input),
    'datasets.stats': (input) => datasets.stats(input),
    'datasets.hygiene': (input) => datasets.startHygiene(input),
    'datasets.report': ({ datasetId }) => datasets.report(datasetId),
    'datasets.fix': (input) => datasets.fix(input),
  };
}
