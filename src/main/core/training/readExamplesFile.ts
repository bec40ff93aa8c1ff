import { readFileSync } from 'node:fs';
import { chatMessageSchema } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { thoughtField, withThought } from '../models/thoughtText';
import type { SourceExample } from './prepareExamples';

const maxErrors = 20;

/**
 * Reads chat examples from a JSONL file (one `{"messages": [...]}` per line) or a JSON array of
 * such objects, OpenAI's fine-tuning format. An optional `split` ("train" | "eval") is honoured;
 * an optional `rejected` (the rejected answer to the last turn) makes the line a preference pair.
 * Every bad line is reported with its number; any bad line fails the whole read.
 */
export function readExamplesFile(path: string): SourceExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read the data file ${path}: ${(error as Error).message}`);
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new AppError('INVALID_INPUT', `The data file ${path} is empty.`);
  const records: { line: number; value: unknown }[] = [];
  const errors: { line: number; reason: string }[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      (JSON.parse(text) as unknown[]).forEach((value, i) => records.push({ line: i + 1, value }));
    } catch (error) {
      throw new AppError('INVALID_INPUT', `${path} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        records.push({ line: i + 1, value: JSON.parse(raw) as unknown });
      } catch {
        errors.push({ line: i + 1, reason: 'not valid JSON' });
      }
    });
  }
  const examples: SourceExample[] = [];
  for (const { line, value } of records) {
    const raw = (value as { messages?: unknown } | null)?.messages;
    // A reasoning model's thought in its own field (`reasoning_content` …) goes before the answer.
    const messages = Array.isArray(raw)
      ? raw.map((m: unknown) =>
          m !== null && typeof m === 'object' && (m as { role?: unknown }).role === 'assistant'
            ? {
                ...m,
                content: withThought(
                  String((m as { content?: unknown }).content ?? ''),
                  thoughtField(m as Record<string, unknown>),
                ),
              }
            : m,
        )
      : raw;
    const parsed = chatMessageSchema.array().min(1).safeParse(messages);
    if (!parsed.success) {
      errors.push({ line, reason: 'expected {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}' });
      continue;
    }
    const split = (value as { split?: unknown }).split;
    const rejected = (value as { rejected?: unknown }).rejected;
    if (rejected !== undefined && typeof rejected !== 'string') {
      errors.push({ line, reason: '"rejected" must be the rejected answer\'s text' });
      continue;
    }
    examples.push({
      id: String((value as { id?: unknown }).id ?? `line-${line}`),
      messages: parsed.data,
      ...(split === 'train' || split === 'eval' ? { split } : {}),
      ...(typeof rejected === 'string' ? { rejected } : {}),
    });
  }
  if (errors.length > 0) {
    const list = errors
      .slice(0, maxErrors)
      .map((e) => `line ${e.line}: ${e.reason}`)
      .join('; ');
    throw new AppError('INVALID_INPUT', `${errors.length} bad record(s) in ${path}: ${list}`, {
      errors: errors.slice(0, 1000),
    });
  }
  return examples;
}
