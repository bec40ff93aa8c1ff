import { z } from 'zod';
import {
  hyperparamsSchema,
  jobSchema,
  jobStates,
  themes,
  trainingDataSourceSchema,
  trainingProgressSchema,
  type Adapter,
  type AppInfo,
  type Hyperparams,
  type Job,
  type Settings,
  type TrainingMetricPoint,
  type TrainingRun,
} from './domain';
import type { AppErrorData } from './errors';

/**
 * Declares a method: a zod schema for its input and, as a phantom type, its output.
 * Inputs are always objects and strict, so unknown keys are rejected rather than ignored.
 */
function method<Output>() {
  return <Input extends z.ZodObject>(input: Input) => ({ input, output: undefined as unknown as Output });
}

const id = z.string().min(1).max(200);
const empty = z.object({}).strict();

/** Every method the renderer (or any client) may call, named `domain.verb`. */
export const methods = {
  'app.info': method<AppInfo>()(empty),

  'settings.get': method<Settings>()(empty),
  'settings.update': method<Settings>()(
    z
      .object({
        theme: z.enum(themes).optional(),
        modelsDir: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ),

  'jobs.list': method<Job[]>()(
    z
      .object({
        states: z.array(z.enum(jobStates)).max(jobStates.length).optional(),
        kind: z.string().min(1).max(100).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
  'jobs.get': method<Job>()(z.object({ id }).strict()),
  'jobs.cancel': method<Job>()(z.object({ id }).strict()),
  /** Deletes finished jobs (succeeded, failed, cancelled, interrupted); returns how many. */
  'jobs.clearFinished': method<{ deleted: number }>()(empty),

  /** The hyperparameters a new fine-tune gets unless told otherwise. */
  'training.defaults': method<Hyperparams>()(empty),
  /** Starts a fine-tune in its own process; answers the run (its job id included) at once. */
  'training.start': method<TrainingRun>()(
    z
      .object({
        name: z.string().max(200).optional(),
        /** Absolute path of a GGUF base model on the machine running Lathe. */
        baseModelPath: z.string().min(1).max(4096),
        data: trainingDataSourceSchema,
        hyperparams: hyperparamsSchema.partial().strict().optional(),
      })
      .strict(),
  ),
  'training.cancel': method<TrainingRun>()(z.object({ id }).strict()),
  /** Continues a cancelled, interrupted or failed run from its last checkpoint. */
  'training.resume': method<TrainingRun>()(z.object({ id }).strict()),
  'training.list': method<TrainingRun[]>()(empty),
  /** A run with every recorded step, for the loss chart. */
  'training.get': method<{ run: TrainingRun; metrics: TrainingMetricPoint[] }>()(z.object({ id }).strict()),
  /** Adapters produced by fine-tuning, optionally only those of one base model (by content hash). */
  'adapters.list': method<Adapter[]>()(
    z
      .object({
        baseModelSha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
      })
      .strict(),
  ),
} as const;

/** Every push event, named `domain.noun`, with its payload schema. */
export const events = {
  /** Throttled progress of a running job (at most a few per second per job). */
  'jobs.progress': jobSchema,
  /** A job was created or changed state; never throttled. */
  'jobs.updated': jobSchema,
  /** Per-step progress of the running fine-tune (loss, learning rate, speed, ETA, memory). */
  'training.progress': trainingProgressSchema,
  /** Settings changed (from any window or client). */
  'settings.changed': z.object({ theme: z.enum(themes), modelsDir: z.string() }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Methods[M]['output'];

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What every call answers, over every transport. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: AppErrorData };

/** The client side of the contract, implemented by the IPC bridge and the WebSocket client. */
export interface LatheApi {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodOutput<M>>>;
  /** Subscribes to a push event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Channel names used by the Electron IPC transport. */
export const ipcChannels = { invoke: 'lathe:invoke', event: 'lathe:event' } as const;

/**
 * Browser-mode wire protocol (WebSocket at `/ws`):
 * client → server `{ id, method, input }`; server → client `{ id, result: Envelope }`
 * and pushes `{ event, payload }`.
 */
export type WsRequest = { id: number; method: string; input: unknown };
export type WsResponse = { id: number; result: Envelope<unknown> };
export type WsPush = { event: EventName; payload: unknown };
