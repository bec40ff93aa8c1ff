import { describe, expect, it } from 'vitest';
import type { ChatPreference, PreferencePair } from '../../../src/shared/compare';
import type { StoredMessage } from '../../../src/shared/domain';
import type { ComparisonRecord } from '../../../src/main/core/compare/CompareRepo';
import { chatPairs, comparisonPairs } from '../../../src/main/core/compare/preferencePairs';
import { isPairablePrompt, preferenceRecord } from '../../../src/main/core/compare/preferenceRecords';
import { assertLlamaFactory, assertTrl } from './formatRules';

const pair: PreferencePair = {
  id: 'p',
  source: 'comparison',
  prompt: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'Capital of France?' },
  ],
  chosen: 'Paris.',
  rejected: 'Lyon.',
  reason: null,
  createdAt: 1,
};

describe('preferenceRecord', () => {
  it('writes TRL string form: a lone user turn as is, longer contexts with speaker names', () => {
    const single = preferenceRecord({ ...pair, prompt: [{ role: 'user', content: 'Q?' }] }, 'trl');
    expect(single).toEqual({ prompt: 'Q?', chosen: 'Paris.', rejected: 'Lyon.' });
    assertTrl(single);
    const multi = preferenceRecord(pair, 'trl');
    assertTrl(multi);
    expect((multi as { prompt: string }).prompt).toBe(
      'System: Be brief.\n\nUser: Hi\n\nAssistant: Hello!\n\nUser: Capital of France?',
    );
  });

  it('writes TRL conversational form with message lists', () => {
    const record = preferenceRecord(pair, 'trl-conversational');
    assertTrl(record);
    expect(record).toEqual({
      prompt: pair.prompt,
      chosen: [{ role: 'assistant', content: 'Paris.' }],
      rejected: [{ role: 'assistant', content: 'Lyon.' }],
    });
  });

  it("writes LLaMA-Factory's ShareGPT ranking form with the system prompt apart", () => {
    const record = preferenceRecord(pair, 'llama-factory');
    assertLlamaFactory(record);
    expect(record).toEqual({
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello!' },
        { from: 'human', value: 'Capital of France?' },
      ],
      system: 'Be brief.',
      chosen: { from: 'gpt', value: 'Paris.' },
      rejected: { from: 'gpt', value: 'Lyon.' },
    });
    expect('system' in preferenceRecord({ ...pair, prompt: pair.prompt.slice(1) }, 'llama-factory')).toBe(false);
  });

  it('accepts only contexts that alternate and end with the user', () => {
    expect(isPairablePrompt(pair.prompt)).toBe(true);
    expect(
      isPairablePrompt([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ]),
    ).toBe(false);
    expect(
      isPairablePrompt([
        { role: 'user', content: 'a' },
        { role: 'system', content: 'b' },
        { role: 'user', content: 'c' },
      ]),
    ).toBe(false);
    expect(
      isPairablePrompt([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'c' },
        { role: 'user', content: 'd' },
      ]),
    ).toBe(false);
    expect(isPairablePrompt([])).toBe(false);
  });
});

const contender = { modelId: 'm', adapters: [], sampling: {} as never, label: 'M', key: 'm' };
function comparison(
  vote: ComparisonRecord['vote'],
  a: string,
  b: string,
  idealAnswer: string | null = null,
): ComparisonRecord {
  return {
    id: 'c',
    batchId: null,
    position: 0,
    messages: [{ role: 'user', content: 'Q' }],
    blind: true,
    swapped: false,
    mode: 'parallel',
    modeReason: null,
    contenders: { a: contender, b: contender },
    answers: {
      a: { content: a, status: 'done', error: null, stats: null },
      b: { content: b, status: 'done', error: null, stats: null },
    },
    vote,
    reason: 'because',
    idealAnswer,
    sourceDatasetId: null,
    sourceExampleId: null,
    createdAt: 1,
    votedAt: vote ? 2 : null,
  };
}

describe('comparisonPairs', () => {
  const cp = (c: ComparisonRecord) => comparisonPairs(c).map((p) => [p.chosen, p.rejected]);
  it('turns a vote for a side into winner over loser, with the reason', () => {
    expect(cp(comparison('a', 'A', 'B'))).toEqual([['A', 'B']]);
    expect(cp(comparison('b', 'A', 'B'))).toEqual([['B', 'A']]);
    expect(comparisonPairs(comparison('b', 'A', 'B'))[0]).toMatchObject({
      reason: 'because',
      source: 'comparison',
      createdAt: 2,
    });
  });
  it('uses the ideal answer as the chosen one, and over both sides for ties and both-bad', () => {
    expect(cp(comparison('a', 'A', 'B', 'Ideal'))).toEqual([['Ideal', 'B']]);
    expect(cp(comparison('both_bad', 'A', 'B', 'Ideal'))).toEqual([
      ['Ideal', 'A'],
      ['Ideal', 'B'],
    ]);
    expect(cp(comparison('tie', 'A', 'Ideal', 'Ideal'))).toEqual([['Ideal', 'A']]);
  });
  it('gives nothing for unvoted comparisons, plain ties and both-bad, or empty answers', () => {
    expect(cp(comparison(null, 'A', 'B'))).toEqual([]);
    expect(cp(comparison('tie', 'A', 'B'))).toEqual([]);
    expect(cp(comparison('both_bad', 'A', 'B'))).toEqual([]);
    expect(cp(comparison('a', 'A', '  '))).toEqual([]);
    expect(cp(comparison('a', 'Same', 'Same'))).toEqual([]);
  });
});

function message(
  id: string,
  parentId: string | null,
  role: 'user' | 'assistant',
  content: string,
  rating: 'up' | 'down' | null = null,
): StoredMessage {
  return {
    id,
    conversationId: 'conv',
    parentId,
    role,
    content,
    reasoning: null,
    edited: false,
    status: 'done',
    error: null,
    variant: null,
    sampling: null,
    stats: null,
    truncatedContext: false,
    rating,
    keptExampleId: null,
    createdAt: 10,
  };
}

describe('chatPairs', () => {
  const all = [
    message('u1', null, 'user', 'First?'),
    message('a1', 'u1', 'assistant', 'One', 'up'),
    message('a2', 'u1', 'assistant', 'Two', 'down'),
    message('a3', 'u1', 'assistant', 'Three', 'down'),
    message('u2', 'a1', 'user', 'Second?'),
    message('b1', 'u2', 'assistant', 'Left'),
    message('b2', 'u2', 'assistant', 'Right'),
  ];
  it('makes pairs from picks and from thumbs up over thumbs-down siblings, with the branch as prompt', () => {
    const picks: ChatPreference[] = [
      {
        id: 'p1',
        conversationId: 'conv',
        chosenMessageId: 'b2',
        rejectedMessageId: 'b1',
        reason: 'clearer',
        createdAt: 20,
      },
      { id: 'p2', conversationId: 'conv', chosenMessageId: 'a3', rejectedMessageId: 'a1', reason: null, createdAt: 21 },
    ];
    const pairs = chatPairs({ systemPrompt: 'Sys' }, all, picks);
    expect(pairs.map((p) => [p.source, p.chosen, p.rejected])).toEqual([
      ['chat-pick', 'Right', 'Left'],
      ['chat-pick', 'Three', 'One'],
      // a1 (up) over a3 (down) is covered by the explicit pick p2, which wins.
      ['chat-rating', 'One', 'Two'],
    ]);
    expect(pairs[0]!.prompt).toEqual([
      { role: 'system', content: 'Sys' },
      { role: 'user', content: 'First?' },
      { role: 'assistant', content: 'One' },
      { role: 'user', content: 'Second?' },
    ]);
    expect(pairs[0]!.reason).toBe('clearer');
  });
});
