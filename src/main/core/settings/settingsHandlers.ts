import type { HandlerMap } from '../dispatch';
import type { SettingsService } from './SettingsService';

export function settingsHandlers(settings: SettingsService): HandlerMap<'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
  };
}
