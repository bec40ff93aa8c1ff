import type { HandlerMap } from '../dispatch';
import type { JobRunner } from './JobRunner';

export function jobsHandlers(
  jobs: JobRunner,
): HandlerMap<'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.clearFinished'> {
  return {
    'jobs.list': (filter) => jobs.list(filter),
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.clearFinished': () => ({ deleted: jobs.clearFinished() }),
  };
}
