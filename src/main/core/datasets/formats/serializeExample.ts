import type { CsvMapping, DatasetFormat, ExampleMessage, ParsedExample } from '../../../../shared/datasets';
import { AppError } from '../../../../shared/errors';
import { csvEscape, defaultCsvMapping } from './csv';

export interface SerializeOptions {
  /** CSV only: the columns to write (default `system,user,assistant`). */
  csvMapping?: CsvMapping;
  /** CSV only: the field separator (default `,`). */
  csvDelimiter?: string;
  /**
   * OpenAI only: write exactly what Lathe's trainer reads (system, user and assistant turns and
   * the split; no names, tags or notes). Examples with tool turns cannot be held.
   */
  forTrainer?: boolean;
}

export type ToRecordResult = { ok: true; record: unknown } | { ok: false; reason: string };

const shareGptFrom = { system: 'system', user: 'human', assistant: 'gpt' } as const;
const shareGptToolNames = new Set(['function_call', 'observation', 'tool']);

function meta(example: ParsedExample): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (example.split) out.split = example.split;
  if (example.tags && example.tags.length > 0) out.tags = example.tags;
  if (example.note) out.note = example.note;
  return out;
}

const plain = (m: ExampleMessage) =>
  m.name === undefined ? { role: m.role, content: m.content } : { role: m.role, content: m.content, name: m.name };

/** Splits off a leading system turn. */
function splitSystem(messages: ExampleMessage[]): { system: string | undefined; rest: ExampleMessage[] } {
  return messages[0]?.role === 'system'
    ? { system: messages[0].content, rest: messages.slice(1) }
    : { system: undefined, rest: messages };
}

/** User/assistant pairs when the conversation strictly alternates (after an optional system turn). */
function pairs(rest: ExampleMessage[]): [string, string][] | string {
  if (rest.some((m) => m.role === 'tool')) return 'the format has no place for tool turns';
  if (rest.length === 0 || rest.length % 2 !== 0)
    return 'it must alternate user and assistant turns, ending with the assistant';
  const out: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const user = rest[i]!;
    const assistant = rest[i + 1]!;
    if (user.role !== 'user' || assistant.role !== 'assistant') {
      return 'it must alternate user and assistant turns, ending with the assistant';
    }
    out.push([user.content, assistant.content]);
  }
  return out;
}

/**
 * The record (a JSON value, or CSV cells in column order) that represents an example in a format,
 * or the reason the format cannot hold it: tool turns in Alpaca, CSV or the trainer's format, a
 * multi-turn chat in CSV, no rejected answer for a preference pair, an example not ending with the
 * assistant's turn. `parseRecord` reads every record this writes back to an equivalent example.
 */
export function exampleToRecord(
  example: ParsedExample,
  format: DatasetFormat,
  opts: SerializeOptions = {},
): ToRecordResult {
  const messages = example.messages;
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant') return { ok: false, reason: "the last turn is not the assistant's" };
  switch (format) {
    case 'openai': {
      if (opts.forTrainer) {
        if (messages.some((m) => m.role === 'tool'))
          return { ok: false, reason: "Lathe's trainer takes no tool turns" };
        const record: Record<string, unknown> = {
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
        };
        if (example.split) record.split = example.split;
        // a preference (DPO) run learns the answer over this one
        if (example.rejected !== undefined) record.rejected = example.rejected;
        return { ok: true, record };
      }
      return { ok: true, record: { messages: messages.map(plain), ...meta(example) } };
    }
    case 'sharegpt': {
      const conversations = messages.map((m) => ({
        from:
          m.role === 'tool'
            ? m.name !== undefined && shareGptToolNames.has(m.name)
              ? m.name
              : 'observation'
            : shareGptFrom[m.role],
        value: m.content,
      }));
      return { ok: true, record: { conversations, ...meta(example) } };
    }
    case 'alpaca': {
      const { system, rest } = splitSystem(messages);
      const turns = pairs(rest);
      if (typeof turns === 'string') return { ok: false, reason: `Alpaca cannot hold this example: ${turns}` };
      const [instruction, output] = turns[turns.length - 1]!;
      const record: Record<string, unknown> = { instruction, input: '', output };
      if (system !== undefined) record.system = system;
      if (turns.length > 1) record.history = turns.slice(0, -1);
      return { ok: true, record: { ...record, ...meta(example) } };
    }
    case 'preference': {
      if (example.rejected === undefined) return { ok: false, reason: 'a preference pair needs a rejected answer' };
      const prompt = messages.slice(0, -1);
      const chosen = last.content;
      const rejected = example.rejected;
      // The plain-string shape when the prompt is one user turn; message lists otherwise (TRL's conversational shape).
      const record =
        prompt.length === 1 && prompt[0]!.role === 'user' && prompt[0]!.name === undefined
          ? { prompt: prompt[0]!.content, chosen, rejected }
          : {
              prompt: prompt.map(plain),
              chosen: [{ role: 'assistant', content: chosen }],
              rejected: [{ role: 'assistant', content: rejected }],
            };
      return { ok: true, record: { ...record, ...meta(example) } };
    }
    case 'csv': {
      const mapping = opts.csvMapping ?? defaultCsvMapping;
      const { system, rest } = splitSystem(messages);
      const turns = pairs(rest);
      if (typeof turns === 'string') return { ok: false, reason: `CSV cannot hold this example: ${turns}` };
      if (turns.length !== 1)
        return { ok: false, reason: 'CSV holds single-turn examples only (one user turn and one answer)' };
      if (system !== undefined && system !== '' && mapping.system === undefined) {
        return { ok: false, reason: 'the example has a system prompt but the CSV mapping has no system column' };
      }
      const [user, assistant] = turns[0]!;
      return { ok: true, record: mapping.system !== undefined ? [system ?? '', user, assistant] : [user, assistant] };
    }
  }
}

/**
 * One example as one line of the format, without the line end: a JSON object for the JSON
 * formats, a CSV row (cells escaped, in the mapping's column order) for `csv`.
 * Throws AppError('INVALID_INPUT') when the format cannot hold the example (see `exampleToRecord`).
 */
export function serializeExample(example: ParsedExample, format: DatasetFormat, opts: SerializeOptions = {}): string {
  const result = exampleToRecord(example, format, opts);
  if (!result.ok) throw new AppError('INVALID_INPUT', result.reason);
  if (format === 'csv') {
    const delimiter = opts.csvDelimiter ?? ',';
    return (result.record as string[]).map((cell) => csvEscape(cell, delimiter)).join(delimiter);
  }
  return JSON.stringify(result.record);
}
