import type {
  CsvMapping,
  DatasetFormat,
  ExampleMessage,
  ExampleRole,
  ParsedExample,
} from '../../../../shared/datasets';
import { thoughtField, withThought } from '../../models/thoughtText';

/** The longest turn an example may hold, as in `exampleMessageSchema` (characters). */
export const maxContentChars = 2_000_000;
/** The longest speaker or tool name kept, as in `exampleMessageSchema` (characters). */
const maxNameChars = 200;
/** At most this many tags are kept per example, each at most `maxTagChars` characters. */
const maxTags = 100;
const maxTagChars = 200;

export type ParseResult = { ok: true; example: ParsedExample } | { ok: false; reason: string };

export interface ParseRecordOptions {
  /** For `csv` records (objects keyed by header name): which columns hold which turn. */
  csvMapping?: CsvMapping;
}

type Rec = Record<string, unknown>;

/** Thrown inside the parsers to stop at the first problem; turned into `{ ok: false }` at the top. */
class RecordError extends Error {}
const fail = (reason: string): never => {
  throw new RecordError(reason);
};

const isObject = (value: unknown): value is Rec => typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;

/**
 * Turns one parsed record (a JSON value, or a CSV row as `{column: cell}`) into an example in the
 * given format. Never throws: a record the format cannot read gives `{ ok: false, reason }` with a
 * specific reason such as `messages[2].role must be system, user, assistant or tool` (callers add
 * the line number). Optional `split` ("train" | "eval" | "auto"), `tags` and `note` keys are read
 * for every JSON format.
 *
 * Accepted shapes:
 * - `openai`: `{"messages": [{"role", "content", "name"?}]}`; content may also be a list of text parts.
 * - `sharegpt`: `{"conversations": [{"from", "value"}], "system"?}`; `human`/`user` → user,
 *   `gpt`/`assistant`/`model`/`chatgpt` → assistant, `system` → system, and `function_call`,
 *   `observation`, `tool` → a `tool` turn named after its `from`.
 * - `alpaca`: `{"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant]...]}`;
 *   a non-empty input is appended to the instruction after a blank line.
 * - `preference`: `{"prompt"?, "chosen", "rejected", "system"?}` where prompt is a string or a
 *   message list (or ShareGPT `conversations` / OpenAI `messages`), and chosen/rejected are strings,
 *   single messages or message lists (the last turn is the answer). Without a prompt, `chosen` must
 *   be a whole conversation (TRL's implicit prompt).
 * - `csv`: `{column: cell}` read through `csvMapping`.
 */
export function parseRecord(record: unknown, format: DatasetFormat, opts: ParseRecordOptions = {}): ParseResult {
  try {
    if (!isObject(record)) return { ok: false, reason: `expected a JSON object, found ${describe(record)}` };
    let example: ParsedExample;
    switch (format) {
      case 'openai':
        example = { messages: parseOpenAi(record) };
        break;
      case 'sharegpt':
        example = { messages: parseShareGpt(record) };
        break;
      case 'alpaca':
        example = { messages: parseAlpaca(record) };
        break;
      case 'preference':
        example = parsePreference(record);
        break;
      case 'csv':
        return { ok: true, example: { messages: parseCsvRow(record, opts.csvMapping) } };
    }
    checkConversation(example.messages);
    readMeta(record, example);
    return { ok: true, example };
  } catch (error) {
    if (error instanceof RecordError) return { ok: false, reason: error.message };
    throw error;
  }
}

function text(value: unknown, where: string): string {
  if (typeof value === 'string') {
    if (value.length > maxContentChars)
      fail(`${where} is longer than ${maxContentChars.toLocaleString('en-US')} characters`);
    return value;
  }
  // OpenAI's multimodal shape: [{"type": "text", "text": "..."}]. Only text parts can be kept.
  if (Array.isArray(value)) {
    let joined = '';
    for (let i = 0; i < value.length; i++) {
      const part: unknown = value[i];
      if (typeof part === 'string') joined += part;
      else if (isObject(part) && typeof part.text === 'string') joined += part.text;
      else fail(`${where}[${i}] must be a text part ({"type": "text", "text": "..."})`);
    }
    return text(joined, where);
  }
  return fail(`${where} must be a string, found ${describe(value)}`);
}

function optionalName(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return fail(`${where} must be a string, found ${describe(value)}`);
  return value.slice(0, maxNameChars) || undefined;
}

const openAiRoles: Record<string, ExampleRole> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

function parseMessageList(value: unknown, where: string): ExampleMessage[] {
  if (!Array.isArray(value)) return fail(`${where} must be a list of messages, found ${describe(value)}`);
  return value.map((item, i) => parseMessage(item, `${where}[${i}]`));
}

function parseMessage(item: unknown, where: string): ExampleMessage {
  if (!isObject(item)) return fail(`${where} must be an object with role and content, found ${describe(item)}`);
  // A ShareGPT turn inside an otherwise OpenAI-shaped record (LLaMA-Factory preference data).
  if (item.role === undefined && item.from !== undefined) return shareGptTurn(item, where);
  const role = typeof item.role === 'string' ? openAiRoles[item.role] : undefined;
  if (!role) return fail(`${where}.role must be system, user, assistant or tool`);
  // Assistant turns that only call tools carry `content: null`.
  const answer = item.content === null && role !== 'user' ? '' : text(item.content, `${where}.content`);
  // A reasoning model's thought in its own field (`reasoning_content` …) goes before the answer.
  const content = role === 'assistant' ? withThought(answer, thoughtField(item)) : answer;
  const name = optionalName(item.name, `${where}.name`);
  return name === undefined ? { role, content } : { role, content, name };
}

function parseOpenAi(record: Rec): ExampleMessage[] {
  if (record.messages === undefined) fail('missing "messages" (expected {"messages": [{"role", "content"}...]})');
  return parseMessageList(record.messages, 'messages');
}

const shareGptRoles: Record<string, ExampleRole> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  model: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  function_call: 'tool',
  observation: 'tool',
  tool: 'tool',
  function: 'tool',
};

function shareGptTurn(item: unknown, where: string): ExampleMessage {
  if (!isObject(item)) return fail(`${where} must be an object with from and value, found ${describe(item)}`);
  const from = item.from;
  const role = typeof from === 'string' ? shareGptRoles[from] : undefined;
  if (!role || typeof from !== 'string') {
    return fail(`${where}.from must be system, human, gpt, function_call, observation or tool`);
  }
  const content = text(item.value, `${where}.value`);
  return role === 'tool' ? { role, content, name: from } : { role, content };
}

function parseShareGpt(record: Rec): ExampleMessage[] {
  const list = record.conversations ?? record.conversation;
  if (list === undefined) fail('missing "conversations" (expected {"conversations": [{"from", "value"}...]})');
  if (!Array.isArray(list)) return fail(`conversations must be a list, found ${describe(list)}`);
  const messages = list.map((item, i) => shareGptTurn(item, `conversations[${i}]`));
  return withSystem(record, messages);
}

/** LLaMA-Factory and others put the system prompt in a top-level `system` key. */
function withSystem(record: Rec, messages: ExampleMessage[]): ExampleMessage[] {
  if (record.system === undefined || record.system === null || record.system === '') return messages;
  const system = text(record.system, 'system');
  if (messages[0]?.role === 'system') fail('both a "system" key and a system turn');
  return [{ role: 'system', content: system }, ...messages];
}

function parseAlpaca(record: Rec): ExampleMessage[] {
  if (record.instruction === undefined) fail('missing "instruction" (expected {"instruction", "input"?, "output"})');
  if (record.output === undefined) fail('missing "output"');
  const instruction = text(record.instruction, 'instruction');
  const input = record.input === undefined || record.input === null ? '' : text(record.input, 'input');
  const output = text(record.output, 'output');
  const messages: ExampleMessage[] = [];
  if (record.history !== undefined && record.history !== null) {
    if (!Array.isArray(record.history))
      fail(`history must be a list of [user, assistant] pairs, found ${describe(record.history)}`);
    (record.history as unknown[]).forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`history[${i}] must be a [user, assistant] pair`);
      const [user, assistant] = pair as unknown[];
      messages.push({ role: 'user', content: text(user, `history[${i}][0]`) });
      messages.push({ role: 'assistant', content: text(assistant, `history[${i}][1]`) });
    });
  }
  messages.push({
    role: 'user',
    content: input === '' ? instruction : instruction === '' ? input : `${instruction}\n\n${input}`,
  });
  messages.push({ role: 'assistant', content: output });
  return withSystem(record, messages);
}

/** A chosen or rejected answer: a string, one message, or a list whose last turn is the answer. */
function answerTurns(value: unknown, where: string): ExampleMessage[] {
  if (typeof value === 'string') return [{ role: 'assistant', content: text(value, where) }];
  if (isObject(value)) return [parseMessage(value, where)];
  if (Array.isArray(value)) {
    if (value.length === 0) fail(`${where} is an empty list`);
    return parseMessageList(value, where);
  }
  return fail(`${where} must be a string or a list of messages, found ${describe(value)}`);
}

function parsePreference(record: Rec): ParsedExample {
  if (record.chosen === undefined) fail('missing "chosen" (expected {"prompt"?, "chosen", "rejected"})');
  if (record.rejected === undefined) fail('missing "rejected"');
  const chosen = answerTurns(record.chosen, 'chosen');
  const rejected = answerTurns(record.rejected, 'rejected');
  let prompt: ExampleMessage[];
  let answer: ExampleMessage[];
  const promptValue = record.prompt ?? record.question ?? record.conversations ?? record.messages;
  if (promptValue !== undefined && promptValue !== null) {
    prompt =
      typeof promptValue === 'string'
        ? [{ role: 'user', content: text(promptValue, 'prompt') }]
        : parseMessageList(
            promptValue,
            record.prompt !== undefined ? 'prompt' : record.conversations !== undefined ? 'conversations' : 'messages',
          );
    // Some exports repeat the prompt inside chosen; keep only what follows it.
    const samePrefix =
      chosen.length > prompt.length &&
      prompt.every((m, i) => chosen[i]!.role === m.role && chosen[i]!.content === m.content);
    answer = samePrefix ? chosen.slice(prompt.length) : chosen;
  } else {
    // TRL's implicit prompt: chosen and rejected are whole conversations sharing the prompt.
    if (chosen.length < 2) fail('without a "prompt", "chosen" must be a whole conversation ending with the answer');
    prompt = chosen.slice(0, -1);
    answer = chosen.slice(-1);
  }
  const rejectedAnswer = rejected[rejected.length - 1];
  if (!rejectedAnswer || rejectedAnswer.role !== 'assistant')
    fail("the rejected answer's last turn must be the assistant's");
  if (answer.length !== 1) fail('"chosen" must hold one answer after the prompt');
  const messages = withSystem(record, [...prompt, ...answer]);
  return { messages, rejected: rejectedAnswer!.content };
}

function parseCsvRow(row: Rec, mapping: CsvMapping | undefined): ExampleMessage[] {
  if (!mapping) return fail('no column mapping was given for the CSV file');
  const cell = (column: string): string => {
    const value = row[column];
    if (value === undefined) return fail(`no column "${column}"`);
    return text(value, `column "${column}"`);
  };
  const user = cell(mapping.user);
  const assistant = cell(mapping.assistant);
  const system = mapping.system !== undefined ? cell(mapping.system) : '';
  if (user.trim() === '' && assistant.trim() === '')
    fail(`the user column "${mapping.user}" and the assistant column "${mapping.assistant}" are both empty`);
  const messages: ExampleMessage[] = system === '' ? [] : [{ role: 'system', content: system }];
  messages.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
  return messages;
}

/** The rules every example obeys, whatever its source format. */
function checkConversation(messages: ExampleMessage[]): void {
  if (messages.length === 0) fail('empty conversation');
  let users = 0;
  for (let i = 0; i < messages.length; i++) {
    const role = messages[i]!.role;
    if (role === 'system' && i > 0)
      fail(`turn ${i + 1} is a system turn; only the first turn may be the system prompt`);
    if (role === 'user') users++;
  }
  if (users === 0) fail('no user turn');
  if (messages[messages.length - 1]!.role !== 'assistant') fail("the last turn must be the assistant's");
}

function readMeta(record: Rec, example: ParsedExample): void {
  const split = record.split;
  if (split !== undefined && split !== null && split !== 'auto') {
    if (split !== 'train' && split !== 'eval')
      fail(`split must be train, eval or auto, found ${JSON.stringify(split)}`);
    example.split = split as 'train' | 'eval';
  }
  const tags = record.tags;
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) fail('tags must be a list of strings');
    const kept = [...new Set((tags as string[]).map((t) => t.trim().slice(0, maxTagChars)).filter((t) => t !== ''))];
    if (kept.length > 0) example.tags = kept.slice(0, maxTags);
  }
  const note = record.note;
  if (note !== undefined && note !== null && note !== '') {
    if (typeof note !== 'string') fail(`note must be a string, found ${describe(note)}`);
    example.note = note as string;
  }
}
