import type { ApiError } from '@renderer/lib/ApiError';
import { fileName } from './format';
import { numericFields, type NumericKey } from './hyperparamFields';

/** The form's fields that an error can point at. */
export type FieldKey = 'name' | 'baseModelPath' | 'dataPath' | 'targets' | 'schedule' | 'overLength' | NumericKey;

export type FieldErrors = Partial<Record<FieldKey, string>>;

const numericKeys = new Set<string>(numericFields.map((f) => f.key));

/**
 * Which fields a failed `training.start` is about, so the message can show next to them as well
 * as in the toast: schema issues name their path; the service's messages name the file.
 */
export function fieldErrorsOf(error: ApiError, input: { baseModelPath: string; dataPath: string }): FieldErrors {
  const fromIssues: FieldErrors = {};
  for (const issue of issuesOf(error.details)) {
    const key = fieldOfPath(issue.path);
    if (key && !fromIssues[key]) fromIssues[key] = issue.message;
  }
  if (Object.keys(fromIssues).length > 0) return fromIssues;
  if (error.code === 'BUSY' || error.code === 'UNAVAILABLE' || error.code === 'INTERNAL') return {};

  const message = error.message;
  const data = input.dataPath.trim();
  const base = input.baseModelPath.trim();
  if ((data && message.includes(data)) || /data file/i.test(message)) return { dataPath: message };
  if (
    error.code === 'UNSUPPORTED' ||
    (base && (message.includes(base) || message.includes(fileName(base)))) ||
    /base model|GGUF|architecture/i.test(message)
  ) {
    return { baseModelPath: message };
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
  if (head === 'baseModelPath') return 'baseModelPath';
  if (head === 'data') return 'dataPath';
  if (head === 'name') return 'name';
  if (head === 'hyperparams' && second) {
    if (second === 'targets' || second === 'schedule' || second === 'overLength') return second;
    if (numericKeys.has(second)) return second as NumericKey;
  }
  return null;
}
