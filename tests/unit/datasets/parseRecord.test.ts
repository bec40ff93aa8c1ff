import { describe, expect, it } from 'vitest';
import { detectFormat, parseRecord } from '../../../src/main/core/datasets/formats';

const ok = (record: unknown, format: Parameters<typeof parseRecord>[1], opts = {}) => {
  const result = parseRecord(record, format, opts);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.example;
};
const reason = (record: unknown, format: Parameters<typeof parseRecord>[1], opts = {}) => {
  const result = parseRecord(record, format, opts);
  if (result.ok) throw new Error('expected an error');
  return result.reason;
};

describe('parseRecord: openai', () => {
  it('puts an assistant thought given in its own field before the answer, as training reads it', () => {
    const example = ok(
      {
        messages: [
          { role: 'user', content: 'q', reasoning_content: 'not an answer: left alone' },
          { role: 'assistant', content: 'a', reasoning_content: '\nWhy a.\n' },
        ],
      },
      'openai',
    );
    expect(example.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '<think>\nWhy a.\n</think>\n\na' },
    ]);
  });

  it('reads messages with split, tags and note', () => {
    expect(
      ok(
        {
          messages: [
            { role: 'system', content: 's' },
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
          split: 'eval',
          tags: ['x', ' y ', 'x', ''],
          note: 'n',
        },
        'openai',
      ),
    ).toEqual({
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      split: 'eval',
      tags: ['x', 'y'],
      note: 'n',
    });
  });

  it('keeps tool turns with their names, joins text parts, treats null tool-call content as empty', () => {
    expect(
      ok(
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'a' },
                { type: 'text', text: 'b' },
              ],
            },
            { role: 'assistant', content: null },
            { role: 'tool', content: '42', name: 'calc' },
            { role: 'assistant', content: 'It is 42.' },
          ],
          split: 'auto',
        },
        'openai',
      ).messages,
    ).toEqual([
      { role: 'user', content: 'ab' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: '42', name: 'calc' },
      { role: 'assistant', content: 'It is 42.' },
    ]);
  });

  it('gives specific reasons', () => {
    const q = { role: 'user', content: 'q' };
    const a = { role: 'assistant', content: 'a' };
    expect(reason({ messages: [q, a, { role: 'robot', content: 'x' }] }, 'openai')).toBe(
      'messages[2].role must be system, user, assistant or tool',
    );
    expect(reason({ messages: [q] }, 'openai')).toBe("the last turn must be the assistant's");
    expect(reason({ messages: [] }, 'openai')).toBe('empty conversation');
    expect(reason({ messages: [a] }, 'openai')).toBe('no user turn');
    expect(reason({ messages: [q, { role: 'system', content: 's' }, a] }, 'openai')).toBe(
      'turn 2 is a system turn; only the first turn may be the system prompt',
    );
    expect(reason({ messages: [q, { role: 'assistant', content: 5 }] }, 'openai')).toBe(
      'messages[1].content must be a string, found number',
    );
    expect(reason({ messages: 'hi' }, 'openai')).toBe('messages must be a list of messages, found string');
    expect(reason({ prompt: 'x' }, 'openai')).toMatch(/^missing "messages"/);
    expect(reason([1, 2], 'openai')).toBe('expected a JSON object, found a list');
    expect(reason(null, 'openai')).toBe('expected a JSON object, found null');
    expect(reason({ messages: [q, a], split: 'test' }, 'openai')).toBe(
      'split must be train, eval or auto, found "test"',
    );
    expect(reason({ messages: [q, a], tags: 'x' }, 'openai')).toBe('tags must be a list of strings');
    expect(reason({ messages: [q, { role: 'assistant', content: 'x'.repeat(2_000_001) }] }, 'openai')).toMatch(
      /messages\[1\]\.content is longer than 2,000,000 characters/,
    );
  });
});

describe('parseRecord: sharegpt', () => {
  it('maps from/value, system, human/user, gpt/assistant and tool turns', () => {
    expect(
      ok(
        {
          conversations: [
            { from: 'system', value: 's' },
            { from: 'human', value: 'q' },
            { from: 'function_call', value: '{"name":"f"}' },
            { from: 'observation', value: 'r' },
            { from: 'gpt', value: 'a' },
            { from: 'user', value: 'q2' },
            { from: 'assistant', value: 'a2' },
          ],
        },
        'sharegpt',
      ).messages,
    ).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'q' },
      { role: 'tool', content: '{"name":"f"}', name: 'function_call' },
      { role: 'tool', content: 'r', name: 'observation' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'a2' },
    ]);
  });

  it('reads a top-level system key', () => {
    expect(
      ok(
        {
          system: 'be brief',
          conversations: [
            { from: 'human', value: 'q' },
            { from: 'gpt', value: 'a' },
          ],
        },
        'sharegpt',
      ).messages[0],
    ).toEqual({ role: 'system', content: 'be brief' });
  });

  it('gives specific reasons', () => {
    expect(reason({ conversations: [{ from: 'alien', value: 'x' }] }, 'sharegpt')).toBe(
      'conversations[0].from must be system, human, gpt, function_call, observation or tool',
    );
    expect(reason({ conversations: [{ from: 'human', value: 1 }] }, 'sharegpt')).toBe(
      'conversations[0].value must be a string, found number',
    );
    expect(reason({ conversations: [] }, 'sharegpt')).toBe('empty conversation');
    expect(reason({ messages: [] }, 'sharegpt')).toMatch(/^missing "conversations"/);
  });
});

describe('parseRecord: alpaca', () => {
  it('joins instruction and input, and unrolls history and system', () => {
    expect(
      ok({ instruction: 'Translate', input: 'chat', output: 'cat', system: 's', history: [['hi', 'hello']] }, 'alpaca')
        .messages,
    ).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'Translate\n\nchat' },
      { role: 'assistant', content: 'cat' },
    ]);
    expect(ok({ instruction: 'Say hi', input: '', output: 'hi' }, 'alpaca').messages).toEqual([
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'hi' },
    ]);
  });

  it('gives specific reasons', () => {
    expect(reason({ instruction: 'x' }, 'alpaca')).toBe('missing "output"');
    expect(reason({ output: 'x' }, 'alpaca')).toMatch(/^missing "instruction"/);
    expect(reason({ instruction: 'x', output: 'y', history: [['a']] }, 'alpaca')).toBe(
      'history[0] must be a [user, assistant] pair',
    );
    expect(reason({ instruction: 'x', output: [5] }, 'alpaca')).toBe(
      'output[0] must be a text part ({"type": "text", "text": "..."})',
    );
  });
});

describe('parseRecord: preference', () => {
  it('reads strings', () => {
    expect(ok({ prompt: 'q', chosen: 'good', rejected: 'bad' }, 'preference')).toEqual({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'good' },
      ],
      rejected: 'bad',
    });
  });

  it('reads message lists with a prompt, and the implicit prompt of TRL', () => {
    const prompt = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'q' },
    ];
    const expected = {
      messages: [...prompt, { role: 'assistant', content: 'good' }],
      rejected: 'bad',
    };
    expect(
      ok(
        { prompt, chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] },
        'preference',
      ),
    ).toEqual(expected);
    expect(
      ok(
        {
          chosen: [...prompt, { role: 'assistant', content: 'good' }],
          rejected: [...prompt, { role: 'assistant', content: 'bad' }],
        },
        'preference',
      ),
    ).toEqual(expected);
    // The prompt repeated inside chosen is dropped.
    expect(
      ok({ prompt, chosen: [...prompt, { role: 'assistant', content: 'good' }], rejected: 'bad' }, 'preference'),
    ).toEqual(expected);
  });

  it('reads LLaMA-Factory pairs: ShareGPT conversations with single chosen/rejected turns', () => {
    expect(
      ok(
        {
          conversations: [{ from: 'human', value: 'q' }],
          chosen: { from: 'gpt', value: 'good' },
          rejected: { from: 'gpt', value: 'bad' },
        },
        'preference',
      ),
    ).toEqual({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'good' },
      ],
      rejected: 'bad',
    });
  });

  it('gives specific reasons', () => {
    expect(reason({ prompt: 'q', chosen: 'a' }, 'preference')).toBe('missing "rejected"');
    expect(reason({ chosen: 'a', rejected: 'b' }, 'preference')).toBe(
      'without a "prompt", "chosen" must be a whole conversation ending with the answer',
    );
    expect(reason({ prompt: 'q', chosen: 'a', rejected: [] }, 'preference')).toBe('rejected is an empty list');
    expect(reason({ prompt: 'q', chosen: 'a', rejected: [{ role: 'user', content: 'b' }] }, 'preference')).toBe(
      "the rejected answer's last turn must be the assistant's",
    );
  });
});

describe('parseRecord: csv', () => {
  const mapping = { system: 'sys', user: 'prompt', assistant: 'answer' };
  it('reads mapped columns and drops an empty system cell', () => {
    expect(ok({ sys: 's', prompt: 'q', answer: 'a', other: 'x' }, 'csv', { csvMapping: mapping }).messages).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
    expect(ok({ sys: '', prompt: 'q', answer: 'a' }, 'csv', { csvMapping: mapping }).messages).toHaveLength(2);
  });
  it('gives specific reasons', () => {
    expect(reason({ prompt: 'q' }, 'csv', { csvMapping: { user: 'prompt', assistant: 'answer' } })).toBe(
      'no column "answer"',
    );
    expect(reason({ prompt: ' ', answer: '' }, 'csv', { csvMapping: { user: 'prompt', assistant: 'answer' } })).toBe(
      'the user column "prompt" and the assistant column "answer" are both empty',
    );
    expect(reason({ prompt: 'q', answer: 'a' }, 'csv')).toBe('no column mapping was given for the CSV file');
  });
});

describe('detectFormat', () => {
  const openai = { messages: [] };
  const sharegpt = { conversations: [] };
  const alpaca = { instruction: 'x', output: 'y' };
  const pref = { prompt: 'x', chosen: 'a', rejected: 'b' };

  it('recognises each format', () => {
    expect(detectFormat([openai, openai])).toMatchObject({ format: 'openai', confidence: 1, mixed: false });
    expect(detectFormat([sharegpt])).toMatchObject({ format: 'sharegpt', confidence: 1 });
    expect(detectFormat([alpaca])).toMatchObject({ format: 'alpaca', confidence: 1 });
    // Preference pairs win over the messages/conversations they may also carry.
    expect(detectFormat([{ ...pref, conversations: [] }])).toMatchObject({ format: 'preference' });
  });

  it('reports a mixed sample with the majority format and its share', () => {
    const result = detectFormat([openai, openai, openai, alpaca]);
    expect(result).toMatchObject({ format: 'openai', confidence: 0.75, mixed: true, counts: { openai: 3, alpaca: 1 } });
    expect(result.reason).toBe(
      '3 of 4 sampled records have "messages" with role and content (OpenAI); 1 look like alpaca',
    );
  });

  it('says when nothing is recognised', () => {
    expect(detectFormat([{ text: 'x' }, 5])).toMatchObject({ confidence: 0, mixed: false });
    expect(detectFormat([]).reason).toBe('the file holds no records');
  });
});
