import type { ApiError } from '@renderer/lib/ApiError';
import { fileName } from './format';
import { numericFields, type NumericKey } from './hyperparamFields';

/** The form's fields that an error can point at (`baseModel` and `data`: whichever control gives them). */
export type FieldKey =
  'name' | 'baseModel' | 'initAdapter' | 'data' | 'targets' | 'schedule' | 'overLength' | 'method' | NumericKey;

export type FieldErrors = Partial<Record<FieldKey, string>>;

const numericKeys = new Set<string>(numericFields.map((f) => f.key));

/** What the request named, to recognise in the service's messages: paths and display names. */
export interface StartedWith {
  /** The base model's path and, for a library model, its name. */
  baseModel: readonly string[];
  /** The data file's path, or the dataset's name. */
  data: readonly string[];
}

/**
 * Which fields a failed `training.start` is about, so the message can show next to them as well
 * as in the toast: schema issues name their path; the service's messages name the file, the
 * model or the dataset.
 */
export function fieldErrorsOf(error: ApiError, input: StartedWith): FieldErrors {
  const fromIssues: FieldErrors = {};
  for (const issue of issuesOf(error.details)) {
    const key = fieldOfPath(issue.path);
    if (key && !fromIssues[key]) fromIssues[key] = issue.message;
  }
  if (Object.keys(fromIssues).length > 0) return fromIssues;
  if (error.code === 'BUSY' || error.code === 'UNAVAILABLE' || error.code === 'INTERNAL') return {};

  const message = error.message;
  const details = (error.details ?? {}) as { reason?: unknown; datasetId?: unknown; modelId?: unknown };
  const names = (values: readonly string[]) =>
    values
      .map((v) => v.trim())
      .filter(Boolean)
      .flatMap((v) => [v, fileName(v)]);
  if (
    details.datasetId !== undefined ||
    names(input.data).some((v) => message.includes(v)) ||
    /data file|dataset/i.test(message)
  ) {
    return { data: message };
  }
  if (
    error.code === 'UNSUPPORTED' ||
    details.modelId !== undefined ||
    details.reason === 'missing' ||
    names(input.baseModel).some((v) => message.includes(v)) ||
    /base model|GGUF|architecture|model with id/i.test(message)
  ) {
    return { baseModel: message };
  }
  return {};
}

function issuesOf(details: unknown): { path: string; message: string }[] {
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is { path: string; message: string } =>
      typeof (i as { path?: unknown }).path === 'string' && typeof (i as { message?: unknown }).message === 'string',
  );
}

function fieldOfPath(path: string): FieldKey | null {
  const [head, second] = path.split('.');
  if (head === 'baseModelPath' || head === 'baseModelId') return 'baseModel';
  if (head === 'data') return 'data';
  if (head === 'name') return 'name';
  if (head === 'hyperparams' && second) {
    if (second === 'targets' || second === 'schedule' || second === 'overLength' || second === 'method') return second;
    if (numericKeys.has(second)) return second as NumericKey;
  }
  return null;
}
