import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sniffFile } from '../../../src/main/core/datasets/formats';
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
const sharegpt = (q: string) =>
  JSON.stringify({
    conversations: [
      { from: 'human', value: q },
      { from: 'gpt', value: 'a' },
    ],
  });

describe('sniffFile', () => {
  it('detects JSON Lines, the format, a BOM and CRLF, with a sample', async () => {
    const result = await sniffFile(file('a.jsonl', `\uFEFF${sharegpt('1')}\r\n${sharegpt('2')}\r\n`));
    expect(result).toMatchObject({
      format: 'sharegpt',
      container: 'jsonl',
      confidence: 1,
      mixed: false,
      hasBom: true,
      lineEnding: 'crlf',
      sampleErrors: [],
    });
    expect(result.sample).toHaveLength(2);
    expect(result.reason).toMatch(/2 of 2 sampled records have "conversations"/);
  });

  it('reads only the head: a huge file gives a sample of the first records', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => sharegpt(String(i))).join('\n');
    const result = await sniffFile(file('big.jsonl', lines), { headBytes: 4096, maxSample: 10 });
    expect(result.sample).toHaveLength(10);
    expect(result.totalBytes).toBe(Buffer.byteLength(lines));
  });

  it('flags mixed formats and lists sample records that will fail', async () => {
    const alpaca = JSON.stringify({ instruction: 'i', output: 'o' });
    const result = await sniffFile(file('m.jsonl', [sharegpt('1'), alpaca, sharegpt('2'), '{oops'].join('\n')));
    expect(result).toMatchObject({ format: 'sharegpt', mixed: true, confidence: 2 / 3 });
    expect(result.sampleErrors.map((e) => e.line)).toEqual([2, 4]);
    expect(result.sampleErrors[0]!.reason).toMatch(/^missing "conversations"/);
    expect(result.sampleErrors[1]!.reason).toMatch(/^not valid JSON/);
  });

  it('detects a JSON array, pretty-printed', async () => {
    const result = await sniffFile(
      file('a.json', JSON.stringify([{ prompt: 'q', chosen: 'a', rejected: 'b' }], null, 2)),
    );
    expect(result).toMatchObject({ format: 'preference', container: 'json', confidence: 1 });
  });

  it('says when the first record is longer than the head it read', async () => {
    const result = await sniffFile(file('long.jsonl', `${sharegpt('x'.repeat(10_000))}\n`), { headBytes: 1024 });
    expect(result).toMatchObject({ format: null, container: 'jsonl', confidence: 0 });
    expect(result.reason).toMatch(/longer than the 1 KiB read/);
  });

  it('detects CSV with its columns, delimiter and a guessed mapping', async () => {
    const result = await sniffFile(file('a.csv', 'System;Question;Answer\ns;"q; with ;";a\n'));
    expect(result).toMatchObject({
      format: 'csv',
      container: 'csv',
      csvColumns: ['System', 'Question', 'Answer'],
      csvDelimiter: ';',
      csvMapping: { system: 'System', user: 'Question', assistant: 'Answer' },
      sample: [{ System: 's', Question: 'q; with ;', Answer: 'a' }],
      sampleErrors: [],
    });
    const unsure = await sniffFile(file('b.csv', 'colA,colB\n1,2\n'));
    expect(unsure).toMatchObject({ format: 'csv', csvMapping: null, confidence: 0.5 });
  });

  it('refuses empty, whitespace-only, UTF-16 and unrecognisable files with specific errors', async () => {
    const code = async (path: string) => {
      try {
        await sniffFile(path);
      } catch (error) {
        return error instanceof AppError ? `${error.code}: ${error.message.replace(dir.path, '')}` : String(error);
      }
      return 'no error';
    };
    expect(await code(file('e.jsonl', ''))).toBe('INVALID_INPUT: /e.jsonl is empty.');
    expect(await code(file('w.jsonl', '\uFEFF \n\n'))).toBe(
      'INVALID_INPUT: /w.jsonl is empty: it holds only whitespace.',
    );
    expect(await code(file('u.jsonl', Buffer.from([0xfe, 0xff, 0, 123])))).toMatch(/^INVALID_INPUT: .*UTF-16/);
    expect(await code(file('t.txt', 'hello world\n'))).toBe(
      'INVALID_INPUT: /t.txt is not JSON Lines, JSON or CSV: it starts with "hello world\\n".',
    );
    expect(await code(join(dir.path, 'missing.jsonl'))).toMatch(/^NOT_FOUND/);
  });
});
