import { toast } from 'sonner';
import type { ApiError } from './ApiError';
import { errorHints } from './errorHints';

/**
 * Shows a failed call as a toast: the contract's error code as the title, its message (and a
 * hint, where there is one) below. Repeats of the same error fold into one toast.
 */
export function notifyError(error: ApiError): void {
  const hint = errorHints[error.code];
  toast.error(error.code, {
    id: `${error.code}:${error.message}`,
    description: hint ? (
      <>
        <span className="block">{error.message}</span>
        <span className="mt-1 block text-xs opacity-80">{hint}</span>
      </>
    ) : (
      error.message
    ),
  });
}
