import type { AppInfo } from '../../../shared/domain';
import type { HandlerMap } from '../dispatch';

export function appHandlers(info: () => AppInfo): HandlerMap<'app.info'> {
  return { 'app.info': () => info() };
}
