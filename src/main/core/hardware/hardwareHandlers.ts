import type { HandlerMap } from '../dispatch';
import type { Hardware } from './HardwareService';

export function hardwareHandlers(hardware: Hardware): HandlerMap<'system.hardware' | 'models.fit'> {
  return {
    'system.hardware': () => hardware.hardware(),
    'models.fit': (input) => hardware.fit(input),
  };
}
