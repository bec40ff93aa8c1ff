import type { AppErrorData, ErrorCode } from '@shared/errors';

/**
 * A failed call, thrown by `ApiClient.call` so TanStack Query sees it as an error.
 * Carries the contract's error code so the UI can explain it.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(data: AppErrorData) {
    super(data.message);
    this.code = data.code;
    this.details = data.details;
  }

  /** Wraps anything thrown; errors that are not ApiErrors are bugs and become INTERNAL. */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    return new ApiError({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
  }
}
