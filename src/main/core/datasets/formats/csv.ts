import type { CsvMapping } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';

const userNames = ['user', 'prompt', 'instruction', 'question', 'input', 'query', 'human'];
const assistantNames = ['assistant', 'response', 'output', 'answer', 'completion', 'gpt', 'reply', 'chosen'];
const systemNames = ['system', 'system_prompt', 'system prompt', 'systemprompt'];

/**
 * Guesses which columns hold the system prompt, the user's turn and the assistant's answer from
 * common header names (case-insensitive): user/prompt/instruction/question/input, assistant/
 * response/output/answer/completion, system/system_prompt. Null when no user or assistant column
 * can be found; the import dialog then asks.
 */
export function guessCsvMapping(columns: string[]): CsvMapping | null {
  const lower = columns.map((c) => c.trim().toLowerCase());
  const find = (names: string[], taken: number[]) => {
    for (const name of names) {
      const i = lower.indexOf(name);
      if (i !== -1 && !taken.includes(i)) return i;
    }
    return -1;
  };
  const user = find(userNames, []);
  const assistant = find(assistantNames, [user]);
  if (user === -1 || assistant === -1) return null;
  const system = find(systemNames, [user, assistant]);
  return {
    ...(system === -1 ? {} : { system: columns[system]! }),
    user: columns[user]!,
    assistant: columns[assistant]!,
  };
}

/** Checks a CSV header against the mapping (or guesses one); throws INVALID_INPUT naming what is missing. */
export function resolveCsvHeader(
  fields: string[],
  mapping: CsvMapping | undefined,
  path: string,
): { columns: string[]; mapping: CsvMapping } {
  const columns = fields.map((f) => f.trim());
  const chosen = mapping ?? guessCsvMapping(columns);
  const list = columns.map((c) => `"${c}"`).join(', ');
  if (!chosen) {
    throw new AppError(
      'INVALID_INPUT',
      `Choose which columns of ${path} hold the user's turn and the answer; its columns are ${list}.`,
      { columns },
    );
  }
  for (const column of [chosen.system, chosen.user, chosen.assistant]) {
    if (column !== undefined && !columns.includes(column)) {
      throw new AppError('INVALID_INPUT', `${path} has no column "${column}"; its columns are ${list}.`, { columns });
    }
  }
  return { columns, mapping: chosen };
}

/** A CSV row as `{column: cell}`; the first of two same-named columns wins. */
export function csvRowObject(columns: string[], fields: string[]): Record<string, string> {
  const row: Record<string, string> = {};
  for (let i = columns.length - 1; i >= 0; i--) row[columns[i]!] = fields[i] ?? '';
  return row;
}

/** Quotes a cell when it holds the delimiter, a quote, a line break or edge spaces (RFC 4180). */
export function csvEscape(value: string, delimiter = ','): string {
  const needs =
    value.includes('"') ||
    value.includes(delimiter) ||
    value.includes('\n') ||
    value.includes('\r') ||
    (value.length > 0 && (value[0] === ' ' || value[value.length - 1] === ' '));
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The header row (without a line end) for a mapping: `system,user,assistant` or `user,assistant`. */
export function csvHeader(mapping: CsvMapping, delimiter = ','): string {
  const columns =
    mapping.system !== undefined
      ? [mapping.system, mapping.user, mapping.assistant]
      : [mapping.user, mapping.assistant];
  return columns.map((c) => csvEscape(c, delimiter)).join(delimiter);
}

/** The mapping Lathe writes when the caller gives none. */
export const defaultCsvMapping: CsvMapping = { system: 'system', user: 'user', assistant: 'assistant' };

/** The most frequent of `,`, `;` and tab in a header line, outside quotes; `,` on a tie. */
export function detectDelimiter(firstLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts['\t'] > counts[','] && counts['\t'] >= counts[';']) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}
