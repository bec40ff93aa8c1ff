import type { ModelErrorReason } from '../../../shared/domain';
import { AppError, type ErrorCode } from '../../../shared/errors';

/** An AppError whose `details.reason` says which model problem it is (see `modelErrorReasons`). */
export function modelError(
  code: ErrorCode,
  reason: ModelErrorReason,
  message: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(code, message, { reason, ...details });
}
