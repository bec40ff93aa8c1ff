import { describe, expect, it } from 'vitest';
import {
  chooseBands,
  findEmptyAnswers,
  findExactDuplicates,
  findLeakage,
  findNearDuplicates,
  findOverLength,
  runHygiene,
  type HygieneExample,
} from '../../../src/main/core/datasets/hygiene';
import type { ExampleMessage } from '../../../src/shared/datasets';
import { AppError } from '../../../src/shared/errors';
import { prng, prose } from './syntheticExamples';

const ex = (
  id: string,
  user: string,
  assistant: string,
  extra: Partial<HygieneExample> & { system?: string } = {},
): HygieneExample => {
  const messages: ExampleMessage[] = extra.system ? [{ role: 'system', content: extra.system }] : [];
  messages.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
  return {
    id,
    messages,
    split: extra.split ?? 'train',
    ...(extra.tokens !== undefined ? { tokens: extra.tokens } : {}),
  };
};

/** Replaces `n` words of a text at fixed positions. */
const edit = (text: string, n: number, seed = 3) => {
  const random = prng(seed);
  const words = text.split(' ');
  for (let i = 0; i < n; i++) words[Math.floor(random() * words.length)] = `edited${i}`;
  return words.join(' ');
};

/** Jaccard similarity of two texts' word 5-gram sets (what MinHash estimates). */
const trueJaccard = (a: string, b: string) => {
  const shingles = (t: string) => {
    const w = t
      .toLowerCase()
      .split(/[^a-z0-9_]+/)
      .filter(Boolean);
    const set = new Set<string>();
    for (let i = 0; i + 5 <= w.length; i++) set.add(w.slice(i, i + 5).join(' '));
    return set;
  };
  const sa = shingles(a);
  const sb = shingles(b);
  let inter = 0;
  for (const s of sa) if (sb.has(s)) inter++;
  return inter / (sa.size + sb.size - inter);
};

describe('findExactDuplicates', () => {
  it('groups examples equal after trimming and collapsing whitespace, keeping the first', () => {
    const examples = [
      ex('a', 'What is 2+2?', 'Four.'),
      ex('b', 'Other', 'x'),
      ex('c', '  What   is\n2+2? ', 'Four.\n'),
      ex('d', 'what is 2+2?', 'Four.'), // case counts
      ex('e', 'What is 2+2?', 'Four.', { system: 's' }), // a system turn counts
      ex('f', 'Other', 'x'),
      ex('g', 'What is 2+2?', 'Four.'),
    ];
    expect(findExactDuplicates(examples)).toEqual([
      { keep: 'a', duplicates: ['c', 'g'] },
      { keep: 'b', duplicates: ['f'] },
    ]);
  });

  it('tells roles apart: the same text as user or assistant is not a duplicate', () => {
    const a: HygieneExample = {
      id: 'a',
      split: 'train',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
    };
    const b: HygieneExample = {
      id: 'b',
      split: 'train',
      messages: [
        { role: 'assistant', content: 'x' },
        { role: 'user', content: 'y' },
      ],
    };
    expect(findExactDuplicates([a, b])).toEqual([]);
  });
});

describe('findNearDuplicates', () => {
  const random = prng(11);
  const base = Array.from({ length: 300 }, () => prose(random, 120));

  it('finds lightly edited copies, not unrelated texts, and estimates similarity closely', () => {
    const examples = [
      ...base.map((text, i) => ex(`o${i}`, 'Summarise this.', text)),
      ...base.slice(0, 100).map((text, i) => ex(`c${i}`, 'Summarise this.', edit(text, 1, i))),
    ];
    const groups = findNearDuplicates(examples, { threshold: 0.8 });
    // Each edited copy is grouped with its original and nothing else.
    const pairs = groups.map((g) => g.ids.join('+'));
    const found = base.slice(0, 100).filter((_, i) => pairs.includes(`o${i}+c${i}`)).length;
    expect(found).toBeGreaterThanOrEqual(98); // copies are ~0.92 similar: LSH and the estimate keep nearly all
    expect(groups.every((g) => g.ids.length === 2)).toBe(true);
    for (const g of groups) {
      const i = Number(g.ids[0]!.slice(1));
      const truth = trueJaccard(`Summarise this. ${base[i]!}`, `Summarise this. ${edit(base[i]!, 1, i)}`);
      expect(Math.abs(g.similarity - truth)).toBeLessThan(0.12);
      expect(g.similarity).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('follows the threshold: heavier edits are found only at a lower one', () => {
    const a = base[0]!;
    const b = edit(a, 10, 5);
    const truth = trueJaccard(a, b);
    expect(truth).toBeGreaterThan(0.4);
    expect(truth).toBeLessThan(0.75);
    const examples = [ex('a', 'q', a), ex('b', 'q', b)];
    expect(findNearDuplicates(examples, { threshold: 0.8 })).toEqual([]);
    expect(findNearDuplicates(examples, { threshold: 0.3 })).toEqual([
      { ids: ['a', 'b'], similarity: expect.any(Number) },
    ]);
  });

  it('ignores a shared system prompt and short unrelated answers', () => {
    const system = prose(prng(2), 400);
    const examples = Array.from({ length: 50 }, (_, i) =>
      ex(`e${i}`, `Question ${i}?`, prose(prng(100 + i), 30), { system }),
    );
    expect(findNearDuplicates(examples)).toEqual([]);
  });

  it('joins groups transitively, reports the weakest link, and is deterministic', () => {
    const a = base[1]!;
    const b = edit(a, 1, 1);
    const c = edit(b, 1, 2);
    const examples = [ex('a', 'q', a), ex('x', 'q', base[2]!), ex('b', 'q', b), ex('c', 'q', c)];
    const first = findNearDuplicates(examples);
    expect(first).toHaveLength(1);
    expect(first[0]!.ids).toEqual(['a', 'b', 'c']);
    expect(findNearDuplicates(examples)).toEqual(first);
  });

  it('compares scripts without spaces character by character', () => {
    const zh = '今天天气很好我们去公园散步然后在湖边喝茶聊天看书一直到太阳下山才回家吃晚饭';
    const zh2 = zh.replace('喝茶', '喝水');
    const other = '机器学习模型需要大量的数据来训练并且需要仔细地评估它们在测试集上的表现情况';
    const groups = findNearDuplicates([ex('a', 'q', zh), ex('b', 'q', zh2), ex('c', 'q', other)], { threshold: 0.6 });
    expect(groups.map((g) => g.ids)).toEqual([['a', 'b']]);
  });

  it('handles texts without words and shorter than a shingle', () => {
    expect(findNearDuplicates([ex('a', '???', '!!!'), ex('b', '???', '!!!')])).toEqual([]);
    expect(findNearDuplicates([ex('a', 'hi', 'yes'), ex('b', 'hi', 'yes'), ex('c', 'hi', 'no')])).toEqual([
      { ids: ['a', 'b'], similarity: 1 },
    ]);
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(() => findNearDuplicates([ex('a', 'q', 'a')], { threshold: 0 })).toThrow(RangeError);
    expect(() => findNearDuplicates([ex('a', 'q', 'a')], { threshold: 1.5 })).toThrow(RangeError);
  });

  it('chooses LSH bands whose S-curve rises around the threshold', () => {
    for (const t of [0.5, 0.7, 0.8, 0.9]) {
      const { bands, rows } = chooseBands(t, 128);
      expect(bands * rows).toBeLessThanOrEqual(128);
      const p = (s: number) => 1 - Math.pow(1 - Math.pow(s, rows), bands);
      expect(p(t)).toBeGreaterThanOrEqual(0.97);
      expect(p(t - 0.3)).toBeLessThan(0.35);
    }
  });
});

describe('findEmptyAnswers and findOverLength', () => {
  it('flags empty, whitespace-only and missing answers, in any turn', () => {
    const multi: HygieneExample = {
      id: 'm',
      split: 'train',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: ' \n\t' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'fine' },
      ],
    };
    const none: HygieneExample = { id: 'n', split: 'train', messages: [{ role: 'user', content: 'q' }] };
    expect(findEmptyAnswers([ex('a', 'q', 'ok'), ex('b', 'q', ''), ex('c', 'q', '\u00a0 '), multi, none])).toEqual([
      'b',
      'c',
      'm',
      'n',
    ]);
  });

  it('flags an answer that is only a thought, closed or not, and not one with text after its thought', () => {
    const examples = [
      ex('thought-only', 'q', '<think>\nHmm.\n</think>\n\n'),
      ex('unclosed', 'q', '<think>\nStill thinking'),
      ex('answered', 'q', '<think>\nHmm.\n</think>\n\nYes.'),
      ex('tags-later', 'q', 'Use <think> tags.'),
    ];
    expect(findEmptyAnswers(examples)).toEqual(['thought-only', 'unclosed']);
  });

  it('uses cached token counts, and estimates from characters without them', () => {
    const examples = [
      ex('a', 'q', 'short', { tokens: 5000 }),
      ex('b', 'q', 'x'.repeat(40_000)),
      ex('c', 'q', 'x'.repeat(40_000), { tokens: 100 }),
      ex('d', 'q', 'tiny'),
    ];
    expect(findOverLength(examples, 4096)).toEqual([
      { id: 'a', tokens: 5000, estimated: false },
      { id: 'b', tokens: 10_009, estimated: true },
    ]);
  });
});

describe('findLeakage', () => {
  const random = prng(21);
  const texts = Array.from({ length: 40 }, () => prose(random, 80));

  it('pairs each leaking eval example with its closest train (or auto) example', () => {
    const examples = [
      ...texts.map((t, i) => ex(`t${i}`, 'q', t, { split: i === 5 ? 'auto' : 'train' })),
      ex('e-exact', 'q', ` ${texts[3]!}  `, { split: 'eval' }),
      ex('e-near', 'q', edit(texts[7]!, 1), { split: 'eval' }),
      ex('e-auto', 'q', texts[5]!, { split: 'eval' }),
      ex('e-clean', 'q', prose(random, 80), { split: 'eval' }),
      ex('e-punct', '?!', '...', { split: 'eval' }),
      ex('t-punct', '?!', '...', { split: 'train' }),
    ];
    const leaks = findLeakage(examples);
    expect(leaks.map((l) => [l.evalId, l.trainId])).toEqual([
      ['e-exact', 't3'],
      ['e-near', 't7'],
      ['e-auto', 't5'],
      ['e-punct', 't-punct'],
    ]);
    expect(leaks[0]!.similarity).toBe(1);
    expect(leaks[1]!.similarity).toBeGreaterThanOrEqual(0.8);
    expect(leaks[1]!.similarity).toBeLessThan(1);
  });

  it('finds nothing within one split', () => {
    expect(
      findLeakage([ex('a', 'q', texts[0]!, { split: 'eval' }), ex('b', 'q', texts[0]!, { split: 'eval' })]),
    ).toEqual([]);
    expect(findLeakage([ex('a', 'q', texts[0]!), ex('b', 'q', texts[0]!)])).toEqual([]);
  });
});

describe('runHygiene', () => {
  const random = prng(31);
  const texts = Array.from({ length: 30 }, () => prose(random, 100));
  const examples: HygieneExample[] = [
    ...texts.map((t, i) => ex(`t${i}`, `q${i}`, t)),
    ex('dup1', 'q0', texts[0]!),
    ex('dup2', 'q0', `${texts[0]!} `),
    ex('near', 'q1', edit(texts[1]!, 1)),
    ex('empty', 'q', '   '),
    ex('long', 'q', 'word '.repeat(3000), { tokens: 3100 }),
    ex('leak', 'q2', texts[2]!, { split: 'eval' }),
    ex('secret', 'my key', `Use sk-proj-${'a1B2c3D4e5F6g7H8i9J0kLmNoPqRsT'} in the header.`),
  ];

  it('reports every kind with ids, the kept example and a fix', async () => {
    const report = await runHygiene(examples, { nearDuplicateThreshold: 0.8, maxTokens: 2048 });
    expect(report.examined).toBe(examples.length);
    expect(report.counts).toEqual({
      exact_duplicate: 2, // t0 + dup1 + dup2, t2 + leak
      near_duplicate: 1,
      empty_answer: 1,
      over_length: 1,
      leakage: 1,
      sensitive: 1,
    });
    const byKind = (kind: string) => report.groups.filter((g) => g.kind === kind);
    expect(byKind('exact_duplicate')[0]).toMatchObject({
      exampleIds: ['t0', 'dup1', 'dup2'],
      keepId: 't0',
      fix: 'delete_duplicates',
      detail: '3 identical examples',
    });
    // The near-duplicate group does not repeat the exact copies of t0.
    expect(byKind('near_duplicate')).toEqual([
      expect.objectContaining({ exampleIds: ['t1', 'near'], keepId: 't1', fix: 'delete_duplicates' }),
    ]);
    expect(byKind('empty_answer')).toEqual([expect.objectContaining({ exampleIds: ['empty'], fix: 'delete' })]);
    expect(byKind('over_length')).toEqual([
      expect.objectContaining({
        exampleIds: ['long'],
        fix: 'delete',
        tokens: 3100,
        detail: '3,100 tokens, over 2,048',
      }),
    ]);
    expect(byKind('leakage')).toEqual([
      expect.objectContaining({ exampleIds: ['leak', 't2'], keepId: 't2', fix: 'move_to_train', similarity: 1 }),
    ]);
    expect(byKind('sensitive')[0]).toMatchObject({ exampleIds: ['secret'], fix: 'review' });
    expect(byKind('sensitive')[0]!.detail).toMatch(/^looks like OpenAI API key: /);
    expect(byKind('sensitive')[0]!.detail).not.toContain('a1B2c3D4e5F6');
    expect(report.affected).toMatchObject({ exact_duplicate: 3, near_duplicate: 1, leakage: 1 });
  });

  it('reports progress up to 1 and skips over-length without maxTokens', async () => {
    const fractions: number[] = [];
    const report = await runHygiene(examples, { onProgress: (p) => fractions.push(p.fraction) });
    expect(report.counts.over_length).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
  });

  it('is cancellable', async () => {
    const controller = new AbortController();
    const many = Array.from({ length: 20_000 }, (_, i) => ex(`e${i}`, `q${i}`, prose(prng(i), 40)));
    const promise = runHygiene(many, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fraction > 0.2) controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(runHygiene(many, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AppError);
  });

  it('refuses a threshold outside (0, 1]', async () => {
    await expect(runHygiene(examples, { nearDuplicateThreshold: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
