import {
  isMethodName,
  methods,
  type Envelope,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from '../../shared/contract';
import { AppError, toAppErrorData } from '../../shared/errors';
import type { Logger } from './logger';

/** The implementation of one method: receives input already validated by its schema. */
export type Handler<M extends MethodName> = (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
/** A feature's handlers: a subset of the contract. */
export type HandlerMap<K extends MethodName = MethodName> = { [M in K]: Handler<M> };

export type Dispatch = (method: unknown, input: unknown) => Promise<Envelope<unknown>>;

/**
 * Builds the single entry point every transport calls. It validates the method name and the
 * input against the contract and never throws: every failure comes back as an error envelope.
 */
export function createDispatch(handlers: HandlerMap, logger: Logger): Dispatch {
  return async (method, input) => {
    try {
      if (!isMethodName(method)) {
        throw new AppError('UNKNOWN_METHOD', `Unknown method ${JSON.stringify(String(method)).slice(0, 120)}.`);
      }
      const parsed = methods[method].input.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
        const first = issues[0];
        const where = first?.path ? `${first.path}: ` : '';
        throw new AppError('INVALID_INPUT', `Invalid input for ${method}: ${where}${first?.message ?? 'rejected'}.`, {
          issues,
        });
      }
      const handler = handlers[method] as (input: unknown) => unknown;
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      const data = toAppErrorData(error);
      if (data.code === 'INTERNAL') logger.error('method failed', { method: String(method), error });
      return { ok: false, error: data };
    }
  };
}
