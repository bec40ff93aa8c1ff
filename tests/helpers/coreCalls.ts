import { expect } from 'vitest';
import type { Core } from '../../src/main/core/createCore';

/** The error of a failed call, as the contract answers it. */
export interface CallError {
  code: string;
  message: string;
  details?: { reason?: string };
}

/**
 * Contract calls against a test core. `core` is read at every call, so a test may restart it.
 * - `call` answers the data, or throws an Error carrying the contract error as `data`;
 * - `failure` answers the error of a call that must fail (and fails the test if it succeeds);
 * - `importModel` imports a GGUF into the library and waits for its hashing job.
 */
export function coreCalls(core: () => Core) {
  async function call<T>(method: string, input: unknown): Promise<T> {
    const result = await core().dispatch(method, input);
    if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.message}`), { data: result.error });
    return result.data as T;
  }
  async function failure(method: string, input: unknown): Promise<CallError> {
    const result = await core().dispatch(method, input);
    expect(result.ok, JSON.stringify(result)).toBe(false);
    return (result as { ok: false; error: CallError }).error;
  }
  async function importModel(path: string): Promise<string> {
    const { job } = await call<{ job: { id: string } }>('models.import', { path });
    const done = await core().jobs.wait(job.id);
    return (done.result as { modelId: string }).modelId;
  }
  return { call, failure, importModel };
}
