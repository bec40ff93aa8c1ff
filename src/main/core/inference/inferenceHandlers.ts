import type { HandlerMap } from '../dispatch';
import type { InferenceService } from './InferenceService';

export function inferenceHandlers(
  inference: InferenceService,
): HandlerMap<'inference.status' | 'inference.load' | 'inference.unload'> {
  return {
    'inference.status': () => inference.status(),
    'inference.load': ({ modelId, adapters }) => inference.load(modelId, adapters ?? []),
    'inference.unload': () => inference.unload(),
  };
}
