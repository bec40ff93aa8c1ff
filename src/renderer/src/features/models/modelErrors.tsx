import { toast } from 'sonner';
import type { ModelErrorReason } from '@shared/domain';
import type { AppErrorData } from '@shared/errors';
import { errorHints } from '@renderer/lib/errorHints';

/**
 * What each model problem means and what to do about it, shown under the error's own message.
 * A `Record`, so a new reason in the contract needs an explanation here.
 */
export const modelReasonHints: Record<ModelErrorReason, string> = {
  'not-gguf':
    'Lathe runs models in the GGUF format (files ending in .gguf, as llama.cpp uses). Pick a .gguf file, or convert the model with llama.cpp’s convert_hf_to_gguf.py.',
  corrupt: 'The file looks cut short, perhaps an unfinished download. Download it again and import the new copy.',
  architecture:
    'This version of llama.cpp does not know the model’s architecture. Try another model, or a newer Lathe.',
  missing: 'The file was moved or deleted since it was imported. Put it back, or import it again from its new place.',
  'load-failed': 'llama.cpp could not load the file. It may be damaged or need more memory than this machine has.',
  'prompt-too-long':
    'The system prompt and your message alone are longer than the model’s context. Shorten them, or choose a model with a longer context.',
  'adapter-mismatch': 'An adapter only works on the base model it was trained on. Choose one of this model’s variants.',
  'is-adapter': 'This file is a LoRA adapter, not a model. Import its base model, then pick the adapter as a variant.',
  'split-part':
    'Large models come in several files (…-00001-of-00003.gguf, …). Import the first one; Lathe finds the others beside it.',
  'split-name':
    'llama.cpp finds the parts of a split model by their names. Give them back the names they were downloaded with.',
  'runtime-crashed':
    'The model runs in a process of its own, which stopped (perhaps out of memory, or a fault in llama.cpp). Your chats are safe; send again to start it afresh, or try a smaller model or context.',
};

/** The `details.reason` of a model error, if it has a known one. */
export function modelReasonOf(details: unknown): ModelErrorReason | null {
  const reason = (details as { reason?: unknown } | null | undefined)?.reason;
  return typeof reason === 'string' && reason in modelReasonHints ? (reason as ModelErrorReason) : null;
}

/** What to do about an error: the model reason's explanation, else the code's general hint. */
export function hintFor(error: Pick<AppErrorData, 'code' | 'details'>): string | null {
  const reason = modelReasonOf(error.details);
  return reason ? modelReasonHints[reason] : errorHints[error.code];
}

/**
 * Shows a failed model or chat call as a toast, like `notifyError`, but explaining the model
 * problem (`details.reason`) rather than only the error code. Use with `meta: { silent: true }`.
 */
export function notifyModelError(error: AppErrorData): void {
  const hint = hintFor(error);
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
