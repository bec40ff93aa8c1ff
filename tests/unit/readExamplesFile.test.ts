import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readExamplesFile } from '../../src/main/core/training/readExamplesFile';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

const file = (name: string, text: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
};
const line = (answer: string, extra = {}) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: answer },
    ],
    ...extra,
  });

describe('readExamplesFile', () => {
  it('reads JSONL with a BOM and CRLF line ends, keeping ids and splits', () => {
    const path = file('a.jsonl', `\uFEFF${line('a', { id: 'x1' })}\r\n\r\n${line('b', { split: 'eval' })}\r\n`);
    expect(readExamplesFile(path)).toEqual([
      { id: 'x1', messages: expect.any(Array) },
      { id: 'line-3', split: 'eval', messages: expect.any(Array) },
    ]);
  });

  it('puts a thought given in its own field (reasoning_content, reasoning, thinking) before the answer', () => {
    const rows = [
      { role: 'assistant', content: 'A.', reasoning_content: ' Why A. ' },
      { role: 'assistant', content: 'B.', reasoning: 'Why B.' },
      { role: 'assistant', content: 'C.', thinking: 'Why C.' },
      { role: 'assistant', content: '<think>\nKept.\n</think>\n\nD.', reasoning_content: 'Twice' },
      { role: 'assistant', content: 'E.', reasoning_content: '   ' },
    ].map((answer) => JSON.stringify({ messages: [{ role: 'user', content: 'q' }, answer] }));
    const answers = readExamplesFile(file('r.jsonl', rows.join('\n'))).map((e) => e.messages[1]!.content);
    expect(answers).toEqual([
      '<think>\nWhy A.\n</think>\n\nA.',
      '<think>\nWhy B.\n</think>\n\nB.',
      '<think>\nWhy C.\n</think>\n\nC.',
      '<think>\nKept.\n</think>\n\nD.',
      'E.',
    ]);
  });

  it('reads a rejected answer as a preference pair, and refuses one that is not text', () => {
    const path = file('p.jsonl', `${line('good', { rejected: 'bad' })}\n${line('plain')}\n`);
    expect(readExamplesFile(path)).toEqual([
      { id: 'line-1', rejected: 'bad', messages: expect.any(Array) },
      { id: 'line-2', messages: expect.any(Array) },
    ]);
    const wrong = file('w.jsonl', `${line('good', { rejected: ['bad'] })}\n`);
    expect(() => readExamplesFile(wrong)).toThrow(/line 1: "rejected" must be the rejected answer's text/);
  });

  it('reads a JSON array', () => {
    expect(readExamplesFile(file('a.json', `[${line('a')}, ${line('b')}]`))).toHaveLength(2);
  });

  it('reports every bad line by number and imports nothing', () => {
    const path = file(
      'bad.jsonl',
      [line('ok'), '{not json', JSON.stringify({ messages: [{ role: 'bot', content: 1 }] })].join('\n'),
    );
    expect(() => readExamplesFile(path)).toThrow(/2 bad record\(s\).*line 2: not valid JSON; line 3: expected/);
  });

  it('refuses an empty or missing file with a specific error', () => {
    expect(() => readExamplesFile(file('empty.jsonl', '  \n'))).toThrow(/is empty/);
    expect(() => readExamplesFile(join(dir.path, 'nope.jsonl'))).toThrow(/Cannot read/);
  });
});
