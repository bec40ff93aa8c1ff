import type { HandlerMap } from '../dispatch';
import type { Inference } from './InferenceService';

export function inferenceHandlers(
  inference: Inference,
): HandlerMap<'inference.status' | 'inference.load' | 'inference.unload'> {
  return {
    'inference.status': () => inference.status(),
    'inference.load': ({ modelId, adapters }) => inference.load(modelId, adapters ?? []),
    'inference.unload': () => inference.unload(),
  };
}
