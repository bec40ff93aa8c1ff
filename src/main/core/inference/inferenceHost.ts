import type { InferenceStatus } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import { HardwareService } from '../hardware/HardwareService';
import type { Logger, LogLevel } from '../logger';
import type { FromInference, ToInference } from './inferenceProtocol';
import { answerChannels } from './answerChannels';
import { TextCoalescer } from './TextCoalescer';
import {
  emptyCounters,
  InferenceService,
  type AdapterSource,
  type ModelSource,
  type PreparedGeneration,
} from './InferenceService';

export interface HostPort {
  post(message: FromInference): void;
  onMessage(listener: (message: ToInference) => void): void;
}

/**
 * The model runtime process's side: one InferenceService, driven by messages. Models and adapters
 * arrive resolved (the core owns the library); everything else is the in-process service as is.
 */
export function serveInference(port: HostPort): void {
  let service: InferenceService | null = null;
  let hardware: HardwareService | null = null;
  const models = new Map<string, ModelSource>();
  const adapters = new Map<string, AdapterSource>();
  const prepared = new Map<number, { generation: PreparedGeneration; abort: AbortController }>();
  const log =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void =>
      port.post({ type: 'log', level, message, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const counters = () => (service as InferenceService).counters;
  const remember = (model: ModelSource, list: AdapterSource[]): void => {
    models.set(model.id, model);
    for (const a of list) adapters.set(a.adapterId, a);
  };
  const answer = (id: number, work: () => Promise<Extract<FromInference, { type: 'result' }>['value']>): void => {
    work().then(
      (value) => port.post({ type: 'result', id, value, counters: counters() }),
      (error: unknown) => port.post({ type: 'error', id, error: toAppErrorData(error), counters: counters() }),
    );
  };

  port.onMessage((message) => {
    if (message.type === 'init') {
      service ??= new InferenceService({
        config: message.config,
        logger,
        events: {
          emit: (_event, status) =>
            port.post({ type: 'status', status: status as InferenceStatus, counters: counters() }),
        },
        resolveModel: (id) => {
          const model = models.get(id);
          if (!model) throw new AppError('NOT_FOUND', `No model ${id} was sent to the model runtime.`);
          return model;
        },
        resolveAdapters: (_model, refs) =>
          refs.map((ref) => {
            const adapter = adapters.get(ref.adapterId);
            if (!adapter) throw new AppError('NOT_FOUND', `No adapter ${ref.adapterId} was sent to the model runtime.`);
            return { ...adapter, scale: ref.scale };
          }),
      });
      const s = service;
      hardware ??= new HardwareService({
        llama: () => s.llama(),
        resolveModelPath: () => {
          throw new AppError('INTERNAL', 'The model runtime is given paths, not model ids.');
        },
      });
      return;
    }
    if (!service || !hardware) {
      if ('id' in message) {
        const error = { code: 'INTERNAL' as const, message: 'The model runtime was not initialised.' };
        port.post({ type: 'error', id: message.id, error, counters: emptyCounters() });
      }
      return;
    }
    const s = service;
    const h = hardware;
    switch (message.type) {
      case 'load':
        remember(message.model, message.adapters);
        return answer(message.id, () => s.load(message.model.id, message.adapters));
      case 'unload':
        return answer(message.id, () => s.unload());
      case 'release':
        return answer(message.id, async () => {
          await s.release(message.modelId);
          return null;
        });
      case 'prepare':
        remember(message.model, message.adapters);
        return answer(message.id, async () => {
          const generation = await s.prepare({
            owner: message.owner,
            modelId: message.model.id,
            adapters: message.adapters,
            messages: message.messages,
            sampling: message.sampling,
            ...(message.continueFrom ? { continueFrom: message.continueFrom } : {}),
          });
          prepared.set(message.id, { generation, abort: new AbortController() });
          const { promptTokens, droppedMessages, sampling } = generation;
          return { promptTokens, droppedMessages, sampling };
        });
      case 'run': {
        const entry = prepared.get(message.id);
        if (!entry) return answer(message.id, () => Promise.reject(new Error('No such prepared generation.')));
        const text = new TextCoalescer((delta) => port.post({ type: 'text', id: message.id, delta }));
        const thought = new TextCoalescer((delta) => port.post({ type: 'text', id: message.id, delta, thought: true }));
        return answer(message.id, async () => {
          try {
            return await entry.generation.run({ signal: entry.abort.signal, ...answerChannels(text, thought) });
          } finally {
            thought.flush();
            text.flush();
            prepared.delete(message.id);
          }
        });
      }
      case 'abort':
        prepared.get(message.id)?.abort.abort();
        return;
      case 'discard':
        prepared.get(message.id)?.generation.discard();
        prepared.delete(message.id);
        return;
      case 'hardware':
        return answer(message.id, () => h.hardware());
      case 'fit':
        return answer(message.id, () =>
          h.fit({ path: message.path, contextSize: message.contextSize, gpuLayers: message.gpuLayers }),
        );
      case 'close':
        return answer(message.id, async () => {
          await s.close();
          return null;
        });
    }
  });
}
