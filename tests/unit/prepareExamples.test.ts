import { describe, expect, it } from 'vitest';
import { prepareExamples, type SourceExample } from '../../src/main/core/training/prepareExamples';
import { charTokenizer, chatml } from '../helpers/charTokenizer';

const chat = (id: string, answer: string, split?: SourceExample['split']): SourceExample => ({
  id,
  split,
  messages: [
    { role: 'user', content: `question ${id}` },
    { role: 'assistant', content: answer },
  ],
});

describe('prepareExamples', () => {
  it('masks only the answer and its end-of-turn token', () => {
    const { train } = prepareExamples([chat('a', 'yes')], chatml, charTokenizer, {
      maxLength: 512,
      overLength: 'skip',
      seed: 1,
    });
    const e = train[0]!;
    const labelled = charTokenizer.detokenize([...e.tokens].filter((_t, i) => e.mask[i]));
    expect(labelled).toBe('yes<|im_end|>');
  });

  it('skips over-long examples by default and reports them; truncates when asked', () => {
    const long = chat('long', 'x'.repeat(300));
    const skip = prepareExamples([long, chat('ok', 'fine')], chatml, charTokenizer, {
      maxLength: 100,
      overLength: 'skip',
      seed: 1,
    });
    expect(skip.train.map((e) => e.id)).toEqual(['ok']);
    expect(skip.report.tooLong).toEqual([{ id: 'long', tokens: expect.any(Number) }]);
    const cut = prepareExamples([long], chatml, charTokenizer, { maxLength: 100, overLength: 'truncate', seed: 1 });
    expect(cut.train[0]!.tokens).toHaveLength(100);
    expect(cut.report.truncated).toBe(1);
  });

  it('skips examples with nothing to learn and refuses a dataset with none left', () => {
    const noAnswer: SourceExample = { id: 'q', messages: [{ role: 'user', content: 'only a question' }] };
    const result = prepareExamples([noAnswer, chat('a', 'b')], chatml, charTokenizer, {
      maxLength: 512,
      overLength: 'skip',
      seed: 1,
    });
    expect(result.report.noAnswer).toEqual(['q']);
    expect(() =>
      prepareExamples([noAnswer], chatml, charTokenizer, { maxLength: 512, overLength: 'skip', seed: 1 }),
    ).toThrow('No example is left to train on: of 1, 1 is without an assistant answer to learn.');
    expect(() =>
      prepareExamples([chat('a', 'b'), chat('c', 'd')], chatml, charTokenizer, {
        maxLength: 4,
        overLength: 'skip',
        seed: 1,
      }),
    ).toThrow('No example is left to train on: of 2, 2 are longer than the max length (4 tokens).');
    // A template that does not parse is named as such, not as empty data.
    expect(() =>
      prepareExamples([chat('a', 'b')], { ...chatml, template: '{{ broken }' }, charTokenizer, {
        maxLength: 512,
        overLength: 'skip',
        seed: 1,
      }),
    ).toThrow(/^The model's chat template could not be parsed/);
  });

  it('draws a deterministic 5% eval split when the data has none, and respects an explicit one', () => {
    const many = Array.from({ length: 100 }, (_v, i) => chat(`e${i}`, `answer ${i}`));
    const a = prepareExamples(many, chatml, charTokenizer, { maxLength: 512, overLength: 'skip', seed: 42 });
    const b = prepareExamples(many, chatml, charTokenizer, { maxLength: 512, overLength: 'skip', seed: 42 });
    expect(a.eval).toHaveLength(5);
    expect(a.train).toHaveLength(95);
    expect(a.eval.map((e) => e.id)).toEqual(b.eval.map((e) => e.id));
    const explicit = [...many.slice(0, 30), chat('held', 'out', 'eval')];
    const c = prepareExamples(explicit, chatml, charTokenizer, { maxLength: 512, overLength: 'skip', seed: 42 });
    expect(c.eval.map((e) => e.id)).toEqual(['held']);
    expect(c.train).toHaveLength(30);
  });
});

describe('alignOffsets', () => {
  it('maps text offsets onto detokenized text that adds, drops or spells spaces differently', async () => {
    const { alignOffsets } = await import('../../src/main/core/training/tokenizeExample');
    expect([...alignOffsets('a b', 'a b')]).toEqual([0, 1, 2, 3]);
    expect([...alignOffsets('<s>[INST]', '<s> [INST]')]).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10]);
    expect([...alignOffsets('a b', '▁a▁b')]).toEqual([1, 2, 3, 4]);
    expect(() => alignOffsets('abc', 'abd')).toThrow(/does not round-trip/);
  });
});
