import type { HandlerMap } from '../dispatch';
import type { HardwareService } from './HardwareService';

export function hardwareHandlers(hardware: HardwareService): HandlerMap<'system.hardware' | 'models.fit'> {
  return {
    'system.hardware': () => hardware.hardware(),
    'models.fit': (input) => hardware.fit(input),
  };
}
