import { z } from 'zod';

/**
 * The closed set of error codes that can cross the contract. The UI explains each one;
 * adding a code means adding its explanation in the renderer too.
 */
export const errorCodes = [
  /** The input did not match the method's schema; `details.issues` lists each problem. */
  'INVALID_INPUT',
  /** The method name is not part of the contract. */
  'UNKNOWN_METHOD',
  /** A referenced record, file or folder does not exist. */
  'NOT_FOUND',
  /** The operation conflicts with the current state (e.g. cancelling a finished job). */
  'CONFLICT',
  /** Something is already running where only one may run; try again later. */
  'BUSY',
  /** The operation was cancelled by the user. */
  'CANCELLED',
  /** The transport refused the caller (missing or wrong token, foreign origin). */
  'UNAUTHORIZED',
  /** The transport is not connected (browser mode lost its WebSocket). */
  'UNAVAILABLE',
  /** This machine or build cannot do this (missing backend, unsupported architecture). */
  'UNSUPPORTED',
  /** A file or folder could not be read or written. */
  'IO_ERROR',
  /** The database failed a query or a migration. */
  'DB_ERROR',
  /** The database file is damaged or is not a Lathe database. */
  'DB_CORRUPT',
  /** The database was written by a newer Lathe; this version will not touch it. */
  'DB_NEWER_VERSION',
  /** The training process failed, diverged or crashed; `details.stderr` holds its last output. */
  'TRAINING_FAILED',
  /** An unexpected failure; a bug. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const appErrorDataSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.unknown().optional(),
});

/** The serialisable shape of an error as it crosses any transport. */
export interface AppErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** An error that carries a contract code; the only kind of error services throw on purpose. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turns anything thrown into error data; unknown errors become INTERNAL with their message. */
export function toAppErrorData(error: unknown): AppErrorData {
  if (isAppError(error)) return error.toData();
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}
