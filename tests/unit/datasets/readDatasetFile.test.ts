import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readDatasetFile,
  type ReadDatasetItem,
  type ReadDatasetOptions,
} from '../../../src/main/core/datasets/formats';
import { CsvParser, JsonArraySplitter, LineSplitter } from '../../../src/main/core/datasets/formats/splitters';
import { AppError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
const read = async (path: string, opts: ReadDatasetOptions) => {
  const items: ReadDatasetItem[] = [];
  for await (const item of readDatasetFile(path, opts)) items.push(item);
  return items;
};
const summary = (items: ReadDatasetItem[]) => items.map((i) => (i.example ? `${i.line}: ok` : i.error));
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
};

const openaiLine = (answer: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: answer },
    ],
    ...extra,
  });

describe('readDatasetFile: JSON Lines', () => {
  it('reads a BOM, CRLF line ends and blank lines with 1-based line numbers and progress', async () => {
    const text = `\uFEFF${openaiLine('a')}\r\n\r\n   \r\n${openaiLine('b', { split: 'eval' })}\r\n`;
    const path = file('a.jsonl', text);
    const items = await read(path, { format: 'openai' });
    expect(summary(items)).toEqual(['1: ok', '4: ok']);
    expect(items[1]!.example).toMatchObject({ split: 'eval', messages: [{ content: 'q' }, { content: 'b' }] });
    expect(items[1]!.bytesRead).toBe(Buffer.byteLength(text));
    expect(items[0]!.totalBytes).toBe(Buffer.byteLength(text));
    expect(items[0]!.bytesRead).toBeLessThan(items[1]!.bytesRead);
  });

  it('reads a last line without a line end', async () => {
    expect(
      summary(await read(file('a.jsonl', `${openaiLine('a')}\n${openaiLine('b')}`), { format: 'openai' })),
    ).toEqual(['1: ok', '2: ok']);
  });

  it('reports malformed JSON and wrong schemas per line and goes on', async () => {
    const path = file(
      'bad.jsonl',
      [
        openaiLine('a'),
        '{"messages": [',
        JSON.stringify({
          messages: [
            { role: 'user', content: 'q' },
            { role: 'bot', content: 'x' },
          ],
        }),
        '"just a string"',
        openaiLine('d'),
      ].join('\n'),
    );
    const items = await read(path, { format: 'openai' });
    expect(items.map((i) => i.line)).toEqual([1, 2, 3, 4, 5]);
    expect(items[1]!.error).toMatch(/^line 2: not valid JSON \(/);
    expect(items[2]!.error).toBe('line 3: messages[1].role must be system, user, assistant or tool');
    expect(items[3]!.error).toBe('line 4: expected a JSON object, found string');
    expect(items[4]!.example).toBeDefined();
  });

  it('reports invalid UTF-8 on its own line only', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"messages": [{"role": "user", "content": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}]}'),
    ]);
    const path = file(
      'latin1.jsonl',
      Buffer.concat([Buffer.from(`${openaiLine('a')}\n`), bad, Buffer.from(`\n${openaiLine('c')}\n`)]),
    );
    expect(summary(await read(path, { format: 'openai' }))).toEqual([
      '1: ok',
      'line 2: not valid UTF-8 text (was the file saved in another encoding, such as Latin-1 or Windows-1252?)',
      '3: ok',
    ]);
  });

  it('keeps multi-byte characters split across read chunks intact', async () => {
    // 1 MiB chunks: put a 4-byte emoji across the first boundary.
    const pad = 'x'.repeat(1024 * 1024 - 60);
    const path = file('emoji.jsonl', `${openaiLine(`${pad}🦙🦙`)}\n${openaiLine('ünïcödé')}\n`);
    const items = await read(path, { format: 'openai' });
    expect(items[0]!.example!.messages[1]!.content.endsWith('🦙🦙')).toBe(true);
    expect(items[1]!.example!.messages[1]!.content).toBe('ünïcödé');
  });

  it('reports a 50 MB line as too long without buffering it, and reads the lines around it', async () => {
    const path = join(dir.path, 'huge.jsonl');
    const out = createWriteStream(path);
    out.write(`${openaiLine('before')}\n`);
    out.write('{"messages": [{"role": "user", "content": "');
    const block = 'y'.repeat(1024 * 1024);
    for (let i = 0; i < 50; i++) out.write(block);
    out.write('"}]}\n');
    out.write(`${openaiLine('after')}\n`);
    await new Promise((resolve) => out.end(resolve));
    const before = process.memoryUsage().rss;
    const items = await read(path, { format: 'openai' });
    expect(summary(items)).toEqual([
      '1: ok',
      'line 2: the record is 50.0 MiB, more than the 16.0 MiB a record may have',
      '3: ok',
    ]);
    // The reader never held the line: far less than 50 MB more resident memory (generous for GC noise).
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('honours a smaller maxLineBytes', async () => {
    const path = file('a.jsonl', `${openaiLine('x'.repeat(2000))}\n${openaiLine('b')}\n`);
    expect(summary(await read(path, { format: 'openai', maxLineBytes: 1000 }))).toEqual([
      'line 1: the record is 2.0 KiB, more than the 1000 bytes a record may have',
      '2: ok',
    ]);
  });

  it('gives a per-line error for each record of another format in a mixed file', async () => {
    const path = file(
      'mixed.jsonl',
      [
        openaiLine('a'),
        JSON.stringify({ instruction: 'i', output: 'o' }),
        JSON.stringify({
          conversations: [
            { from: 'human', value: 'q' },
            { from: 'gpt', value: 'a' },
          ],
        }),
      ].join('\n'),
    );
    expect(summary(await read(path, { format: 'openai' }))).toEqual([
      '1: ok',
      'line 2: missing "messages" (expected {"messages": [{"role", "content"}...]})',
      'line 3: missing "messages" (expected {"messages": [{"role", "content"}...]})',
    ]);
  });

  it('refuses an empty file, a whitespace-only file, UTF-16 and a missing file with specific errors', async () => {
    expect(await rejection(read(file('e.jsonl', ''), { format: 'openai' }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/is empty\.$/),
    });
    expect(await rejection(read(file('w.jsonl', '\uFEFF\n \r\n'), { format: 'openai' }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/is empty: it holds no records/),
    });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(openaiLine('a'), 'utf16le')]);
    expect(await rejection(read(file('u.jsonl', utf16), { format: 'openai' }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/is UTF-16 text; save it as UTF-8/),
    });
    expect(await rejection(read(join(dir.path, 'nope.jsonl'), { format: 'openai' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await rejection(read(dir.path, { format: 'openai' }))).toMatchObject({ code: 'IO_ERROR' });
  });

  it('throws CANCELLED when the signal is aborted, before or during the read', async () => {
    const path = file('a.jsonl', Array.from({ length: 10_000 }, (_, i) => openaiLine(`a${i}`)).join('\n'));
    const aborted = new AbortController();
    aborted.abort();
    expect(await rejection(read(path, { format: 'openai', signal: aborted.signal }))).toMatchObject({
      code: 'CANCELLED',
    });
    const controller = new AbortController();
    let seen = 0;
    const error = await rejection(
      (async () => {
        for await (const item of readDatasetFile(path, { format: 'openai', signal: controller.signal })) {
          if (item.example && ++seen === 10) controller.abort();
        }
      })(),
    );
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(seen).toBeLessThan(10_000);
  });
});

describe('readDatasetFile: JSON array', () => {
  it('reads elements with the line each starts on, across formats and pretty-printing', async () => {
    const records = [
      { instruction: 'a, [b] {c}', input: '', output: 'say "]" and \\' },
      { instruction: 'x', output: 'y' },
    ];
    const path = file('a.json', `\uFEFF${JSON.stringify(records, null, 2)}\r\n`);
    const items = await read(path, { format: 'alpaca' });
    expect(summary(items)).toEqual(['2: ok', '7: ok']);
    expect(items[0]!.example!.messages[1]!.content).toBe('say "]" and \\');
  });

  it('reports a bad element, a truncated array and text after the array', async () => {
    const good = openaiLine('a');
    expect(summary(await read(file('a.json', `[${good}, {"messages": 1}, ${good}]`), { format: 'openai' }))).toEqual([
      '1: ok',
      'line 1: messages must be a list of messages, found number',
      '1: ok',
    ]);
    expect(summary(await read(file('t.json', `[\n${good},\n${good.slice(0, 20)}`), { format: 'openai' }))).toEqual([
      '2: ok',
      'line 3: the JSON array ends before its closing "]" (is the file truncated?)',
    ]);
    expect(summary(await read(file('x.json', `[${good}]\n{"more": 1}`), { format: 'openai' }))).toEqual([
      '1: ok',
      'line 2: unexpected text after the end of the JSON array',
    ]);
  });

  it('skips an element or a CSV row over maxLineBytes and reads on', async () => {
    const big = openaiLine('x'.repeat(5000));
    const small = openaiLine('b');
    expect(
      summary(await read(file('big.json', `[${small},\n${big},\n${small}]`), { format: 'openai', maxLineBytes: 1000 })),
    ).toEqual(['1: ok', 'line 2: the record is 5.0 KiB, more than the 1000 bytes a record may have', '3: ok']);
    const csv = `user,assistant\nq,"${'y\n'.repeat(3000)}"\nq2,a2\n`;
    expect(summary(await read(file('big.csv', csv), { format: 'csv', maxLineBytes: 1000 }))).toEqual([
      'line 2: the record is 5.9 KiB, more than the 1000 bytes a record may have',
      '3003: ok',
    ]);
  });

  it('refuses an empty array as an empty file', async () => {
    expect(await rejection(read(file('e.json', '[ ]'), { format: 'openai' }))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('readDatasetFile: CSV', () => {
  const mapping = { system: 'system', user: 'prompt', assistant: 'answer' };

  it('reads quoted fields with commas, escaped quotes and newlines inside quotes, CRLF and a BOM', async () => {
    const csv =
      '\uFEFFprompt,answer,system\r\n' +
      '"Say ""hi""","Hi, there",\r\n' +
      '"two\r\nlines","a\nb",be nice\r\n' +
      '\r\n' +
      'plain,text,s\r\n';
    const items = await read(file('a.csv', csv), { format: 'csv', csvMapping: mapping });
    // The second row spans lines 3-5 (two newlines inside quotes), then a blank line 6.
    expect(summary(items)).toEqual(['2: ok', '3: ok', '7: ok']);
    expect(items.map((i) => i.example!.messages)).toEqual([
      [
        { role: 'user', content: 'Say "hi"' },
        { role: 'assistant', content: 'Hi, there' },
      ],
      [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'two\nlines' },
        { role: 'assistant', content: 'a\nb' },
      ],
      [
        { role: 'system', content: 's' },
        { role: 'user', content: 'plain' },
        { role: 'assistant', content: 'text' },
      ],
    ]);
  });

  it('guesses the mapping from common column names and reads tab-separated files', async () => {
    const items = await read(file('a.tsv', 'instruction\tresponse\nq\ta\n'), { format: 'csv' });
    expect(items[0]!.example!.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
  });

  it('reports rows with the wrong field count, invalid UTF-8 and an unclosed quote', async () => {
    const body = Buffer.concat([
      Buffer.from('prompt,answer\nq,a\nq,a,extra\nq,'),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from('\nq,"never closed\n'),
    ]);
    expect(
      summary(await read(file('b.csv', body), { format: 'csv', csvMapping: { user: 'prompt', assistant: 'answer' } })),
    ).toEqual([
      '2: ok',
      'line 3: expected 2 fields like the header, found 3',
      'line 4: not valid UTF-8 text (was the file saved in another encoding, such as Latin-1 or Windows-1252?)',
      'line 5: a quoted field is never closed (a missing " ?)',
    ]);
  });

  it('refuses a header without the mapped columns, naming them', async () => {
    expect(await rejection(read(file('c.csv', 'a,b\n1,2\n'), { format: 'csv', csvMapping: mapping }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/has no column "system"; its columns are "a", "b"/),
    });
    expect(await rejection(read(file('d.csv', 'a,b\n1,2\n'), { format: 'csv' }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/Choose which columns/),
    });
  });
});

describe('splitters at every chunk boundary', () => {
  const feed = <T>(splitter: { push(c: Uint8Array): T[]; end(): T[] }, bytes: Uint8Array, size: number) => {
    const out: T[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(...splitter.push(bytes.subarray(i, i + size)));
    out.push(...splitter.end());
    return out;
  };
  const text = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('utf8') : null);

  it('LineSplitter gives the same lines whatever the chunking', () => {
    const bytes = Buffer.from('a\r\nbé\n\nccc\nlast');
    for (let size = 1; size <= bytes.length; size++) {
      expect(feed(new LineSplitter(100), bytes, size).map((r) => [r.line, text(r.bytes)])).toEqual([
        [1, 'a'],
        [2, 'bé'],
        [3, ''],
        [4, 'ccc'],
        [5, 'last'],
      ]);
    }
  });

  it('JsonArraySplitter gives the same elements whatever the chunking', () => {
    const bytes = Buffer.from('[ {"a": "x,]\\"}"},\n [1, [2]] ,\n"s"\n]');
    for (let size = 1; size <= bytes.length; size++) {
      const records = feed(new JsonArraySplitter(100), bytes, size);
      expect(records.map((r) => [r.line, JSON.parse(text(r.bytes)!) as unknown])).toEqual([
        [1, { a: 'x,]"}' }],
        [2, [1, [2]]],
        [3, 's'],
      ]);
    }
  });

  it('CsvParser gives the same rows whatever the chunking', () => {
    const bytes = Buffer.from('h1,h2\r\n"a ""q"", b","x\r\ny"\r\nplain,é\n');
    for (let size = 1; size <= bytes.length; size++) {
      expect(feed(new CsvParser(100), bytes, size).map((r) => [r.line, r.fields])).toEqual([
        [1, ['h1', 'h2']],
        [2, ['a "q", b', 'x\ny']],
        [4, ['plain', 'é']],
      ]);
    }
  });
});
