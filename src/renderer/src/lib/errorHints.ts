import type { ErrorCode } from '@shared/errors';

/**
 * What a person can do about each contract error code, shown under the error's own message.
 * Null where the message already says everything. A `Record`, so a new code needs a decision here.
 */
export const errorHints: Record<ErrorCode, string | null> = {
  INVALID_INPUT: null,
  UNKNOWN_METHOD: 'This window and the Lathe core are different versions; restart Lathe.',
  NOT_FOUND: null,
  CONFLICT: null,
  BUSY: 'Try again when the running job finishes.',
  CANCELLED: null,
  UNAUTHORIZED: 'Open Lathe with the full address the server printed, token included.',
  UNAVAILABLE: 'Lathe reconnects by itself; try again in a moment.',
  UNSUPPORTED: null,
  IO_ERROR: 'Check that the disk has space and the folder can be written.',
  DB_ERROR: null,
  DB_CORRUPT: 'Restore the data folder from a backup, or start Lathe with a new one.',
  DB_NEWER_VERSION: 'Update Lathe to open this data.',
  TRAINING_FAILED: 'Check the training settings and the dataset, then try again.',
  INTERNAL: 'This is a bug in Lathe; the log has the details.',
};
