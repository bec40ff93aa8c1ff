import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvHeader,
  readDatasetFile,
  serializeExample,
  writeDatasetFile,
  type ReadDatasetOptions,
} from '../../../src/main/core/datasets/formats';
import { readExamplesFile } from '../../../src/main/core/training/readExamplesFile';
import type { DatasetFormat, ExampleMessage, ParsedExample } from '../../../src/shared/datasets';
import { AppError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => (dir = tempDir()));
afterAll(() => dir.remove());
let counter = 0;
const nextPath = (ext: string) => join(dir.path, `f${counter++}.${ext}`);

const readAll = async (path: string, opts: ReadDatasetOptions) => {
  const examples: ParsedExample[] = [];
  for await (const item of readDatasetFile(path, opts)) {
    if (item.error) throw new Error(item.error);
    examples.push(item.example!);
  }
  return examples;
};

/** Text with the characters that break naive writers: quotes, commas, newlines, tabs, unicode. */
const tricky = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'z', ' ', '0') },
    { weight: 1, arbitrary: fc.constantFrom('"', ',', ';', '\n', '\r\n', '\t', '\\', '[', ']', '{', '}', "'") },
    { weight: 1, arbitrary: fc.constantFrom('é', '你', '🦙', '\u200b', 'ß', '\u2028') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
  ),
  maxLength: 40,
});
const nonEmpty = tricky.filter((s) => s.trim() !== '');
const meta = fc.record(
  {
    split: fc.constantFrom('train' as const, 'eval' as const),
    tags: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 3 }),
    note: nonEmpty,
  },
  { requiredKeys: [] },
);

/** Optional system, then strictly alternating user/assistant pairs. */
const alternating = (maxPairs: number) =>
  fc
    .tuple(
      fc.option(nonEmpty, { nil: undefined }),
      fc.array(fc.tuple(tricky, tricky), { minLength: 1, maxLength: maxPairs }),
    )
    .map(([system, pairs]) => {
      const messages: ExampleMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
      for (const [user, assistant] of pairs)
        messages.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
      return messages;
    });

/** Alternating turns with tool turns (named like ShareGPT's) before some answers. */
const withTools = alternating(4).chain((messages) =>
  fc.array(fc.tuple(fc.constantFrom('function_call', 'observation', 'tool'), tricky), { maxLength: 2 }).map((tools) => {
    const out = [...messages];
    const at = out.length - 1; // just before the last answer
    out.splice(at, 0, ...tools.map(([name, content]): ExampleMessage => ({ role: 'tool', content, name })));
    return out;
  }),
);

const examples = (messages: fc.Arbitrary<ExampleMessage[]>, rejected = false) =>
  fc.tuple(messages, meta, tricky).map(([m, extra, r]): ParsedExample => ({
    messages: m,
    ...extra,
    ...(rejected ? { rejected: r } : {}),
  }));

const roundTrip = async (format: DatasetFormat, input: ParsedExample[], container: 'jsonl' | 'json' = 'jsonl') => {
  const path = nextPath(format === 'csv' ? 'csv' : container);
  const result = await writeDatasetFile(path, input, format, { container });
  expect(result).toEqual({ written: input.length, skipped: [] });
  return readAll(path, { format });
};

const runs = { numRuns: 40 };

describe('round trip: write then read gives the same examples', () => {
  it('openai, with tool turns, names, splits, tags and notes (JSONL and JSON array)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(examples(withTools), { minLength: 1, maxLength: 5 }), async (input) => {
        expect(await roundTrip('openai', input)).toEqual(input);
        expect(await roundTrip('openai', input, 'json')).toEqual(input);
      }),
      runs,
    );
  });

  it('sharegpt, with system and function_call/observation/tool turns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(examples(withTools), { minLength: 1, maxLength: 5 }), async (input) => {
        expect(await roundTrip('sharegpt', input)).toEqual(input);
      }),
      runs,
    );
  });

  it('alpaca, with system and history', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(examples(alternating(4)), { minLength: 1, maxLength: 5 }), async (input) => {
        expect(await roundTrip('alpaca', input)).toEqual(input);
      }),
      runs,
    );
  });

  it('preference pairs, single-turn (strings) and multi-turn (message lists)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(examples(alternating(3), true), { minLength: 1, maxLength: 5 }), async (input) => {
        expect(await roundTrip('preference', input, 'json')).toEqual(input);
        expect(await roundTrip('preference', input)).toEqual(input);
      }),
      runs,
    );
  });

  it('csv, single-turn with a system column (CRLF inside a cell reads back as LF)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          alternating(1).map((messages): ParsedExample => ({ messages })),
          { minLength: 1, maxLength: 8 },
        ),
        async (input) => {
          const lf = input.map((e) => ({
            messages: e.messages.map((m) => ({ ...m, content: m.content.replaceAll('\r\n', '\n') })),
          }));
          // A row whose user and assistant cells are both blank is not an example; skip those inputs.
          fc.pre(lf.every((e) => e.messages.some((m) => m.role !== 'system' && m.content.trim() !== '')));
          expect(await roundTrip('csv', input)).toEqual(lf);
        },
      ),
      runs,
    );
  });
});

describe('round trip from files in the wild: import, export, import gives the same examples', () => {
  const files: [DatasetFormat, string, string][] = [
    [
      'openai',
      'jsonl',
      [
        {
          messages: [
            { role: 'developer', content: 'd' },
            { role: 'user', content: [{ type: 'text', text: 'q' }] },
            { role: 'assistant', content: 'a' },
          ],
        },
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: null },
            { role: 'function', name: 'f', content: '1' },
            { role: 'assistant', content: 'a' },
          ],
          split: 'auto',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\r\n'),
    ],
    [
      'sharegpt',
      'json',
      JSON.stringify([
        {
          system: 's',
          conversations: [
            { from: 'user', value: 'q' },
            { from: 'function_call', value: '{}' },
            { from: 'observation', value: 'r' },
            { from: 'chatgpt', value: 'a' },
          ],
        },
      ]),
    ],
    [
      'alpaca',
      'json',
      JSON.stringify([
        { instruction: 'Translate', input: 'chat', output: 'cat', history: [['hi', 'hello']], system: 's' },
        { instruction: '', input: 'only input', output: 'o' },
      ]),
    ],
    [
      'preference',
      'jsonl',
      [
        {
          chosen: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'good' },
          ],
          rejected: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'bad' },
          ],
        },
        {
          conversations: [{ from: 'human', value: 'q' }],
          chosen: { from: 'gpt', value: 'good' },
          rejected: { from: 'gpt', value: 'bad' },
        },
        { system: 's', prompt: 'q', chosen: 'good', rejected: 'bad' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    ],
    ['csv', 'csv', '\uFEFFQuestion;Answer;Extra\r\n"a; b";"say ""x""";1\r\nq2;"multi\r\nline";2\r\n'],
  ];

  it.each(files)('%s', async (format, ext, text) => {
    const source = nextPath(ext);
    writeFileSync(source, text);
    // The CSV's ";" delimiter and its Question/Answer mapping are detected.
    const first = await readAll(source, { format });
    expect(first.length).toBeGreaterThan(0);
    const exported = nextPath(format === 'csv' ? 'csv' : 'jsonl');
    await writeDatasetFile(exported, first, format);
    expect(await readAll(exported, { format })).toEqual(first);
  });
});

describe('writeDatasetFile', () => {
  const chat = (n: number): ParsedExample => ({
    messages: [
      { role: 'user', content: `q${n}` },
      { role: 'assistant', content: `a${n}` },
    ],
  });
  const multi: ParsedExample = {
    messages: [...chat(1).messages, ...chat(2).messages],
  };
  const tool: ParsedExample = {
    messages: [
      { role: 'user', content: 'q' },
      { role: 'tool', content: 'r', name: 'calc' },
      { role: 'assistant', content: 'a' },
    ],
  };

  it('skips what a format cannot hold, with the index and a reason', async () => {
    const path = nextPath('csv');
    const result = await writeDatasetFile(path, [chat(0), multi, tool, chat(3)], 'csv');
    expect(result).toEqual({
      written: 2,
      skipped: [
        { index: 1, reason: 'CSV holds single-turn examples only (one user turn and one answer)' },
        { index: 2, reason: 'CSV cannot hold this example: the format has no place for tool turns' },
      ],
    });
    expect(readFileSync(path, 'utf8')).toBe('system,user,assistant\n,q0,a0\n,q3,a3\n');
    const pref = await writeDatasetFile(nextPath('jsonl'), [chat(0), { ...chat(1), rejected: 'no' }], 'preference');
    expect(pref).toEqual({ written: 1, skipped: [{ index: 0, reason: 'a preference pair needs a rejected answer' }] });
  });

  it("writes what Lathe's trainer reads, which readExamplesFile accepts", async () => {
    const path = nextPath('jsonl');
    const input: ParsedExample[] = [
      { ...chat(0), split: 'eval', tags: ['x'], note: 'n' },
      { messages: [{ role: 'system', content: 's' }, ...chat(1).messages] },
      tool,
      // a preference pair keeps its rejected answer: a DPO run trains on it
      { ...chat(2), rejected: 'worse' },
    ];
    const result = await writeDatasetFile(path, input, 'openai', { forTrainer: true });
    expect(result.skipped).toEqual([{ index: 2, reason: "Lathe's trainer takes no tool turns" }]);
    expect(readExamplesFile(path)).toEqual([
      { id: 'line-1', split: 'eval', messages: chat(0).messages },
      { id: 'line-2', messages: [{ role: 'system', content: 's' }, ...chat(1).messages] },
      { id: 'line-3', messages: chat(2).messages, rejected: 'worse' },
    ]);
  });

  it('writes from an async iterable, reports progress, and leaves no file when cancelled', async () => {
    const progress: number[] = [];
    async function* many(n: number) {
      for (let i = 0; i < n; i++) yield chat(i);
    }
    const path = nextPath('jsonl');
    const result = await writeDatasetFile(path, many(20_000), 'openai', {
      onProgress: (p) => progress.push(p.written),
    });
    expect(result.written).toBe(20_000);
    expect(progress.at(-1)).toBe(20_000);
    expect(progress.length).toBeGreaterThan(1);

    const controller = new AbortController();
    const target = nextPath('jsonl');
    async function* abortMidway() {
      for (let i = 0; i < 50_000; i++) {
        if (i === 30_000) controller.abort();
        yield chat(i);
      }
    }
    const before = readdirSync(dir.path).length;
    await expect(
      writeDatasetFile(target, abortMidway(), 'openai', { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(readdirSync(dir.path).length).toBe(before); // neither the target nor a temp file
  });

  it('replaces an existing file only when the new one is complete', async () => {
    const path = nextPath('jsonl');
    writeFileSync(path, 'old\n');
    function* failing() {
      yield chat(0);
      throw new Error('disk on fire');
    }
    await expect(writeDatasetFile(path, failing(), 'openai')).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    await writeDatasetFile(path, [chat(0)], 'openai');
    expect(readFileSync(path, 'utf8')).toBe(`${serializeExample(chat(0), 'openai')}\n`);
  });

  it('refuses a folder that does not exist with IO_ERROR', async () => {
    await expect(writeDatasetFile(join(dir.path, 'no', 'such.jsonl'), [chat(0)], 'openai')).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
  });
});

describe('serializeExample', () => {
  it('writes each format as one line', () => {
    const example: ParsedExample = {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'say "a, b"\nplease' },
        { role: 'assistant', content: 'a, b' },
      ],
      rejected: 'no',
    };
    expect(serializeExample(example, 'csv')).toBe('s,"say ""a, b""\nplease","a, b"');
    expect(
      serializeExample(example, 'csv', { csvMapping: { user: 'u', assistant: 'a', system: 's' }, csvDelimiter: ';' }),
    ).toBe('s;"say ""a, b""\nplease";a, b');
    expect(JSON.parse(serializeExample(example, 'alpaca'))).toEqual({
      instruction: 'say "a, b"\nplease',
      input: '',
      output: 'a, b',
      system: 's',
    });
    expect(JSON.parse(serializeExample(example, 'sharegpt'))).toEqual({
      conversations: [
        { from: 'system', value: 's' },
        { from: 'human', value: 'say "a, b"\nplease' },
        { from: 'gpt', value: 'a, b' },
      ],
    });
    expect(JSON.parse(serializeExample(example, 'preference'))).toEqual({
      prompt: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'say "a, b"\nplease' },
      ],
      chosen: [{ role: 'assistant', content: 'a, b' }],
      rejected: [{ role: 'assistant', content: 'no' }],
    });
    expect(csvHeader({ user: 'the "user"', assistant: 'a,b' })).toBe('"the ""user""","a,b"');
  });

  it('throws INVALID_INPUT for an example the format cannot hold', () => {
    expect(() => serializeExample({ messages: [{ role: 'user', content: 'q' }] }, 'openai')).toThrow(AppError);
    expect(() =>
      serializeExample(
        {
          messages: [
            { role: 'system', content: 's' },
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
        },
        'csv',
        {
          csvMapping: { user: 'u', assistant: 'a' },
        },
      ),
    ).toThrow('the example has a system prompt but the CSV mapping has no system column');
  });
});
