import { describe, expect, it } from 'vitest';
import { ThoughtSplitter, type SplitFrom } from '../../src/main/core/inference/ThoughtSplitter';
import type { ThoughtMarkers } from '../../src/main/core/models/reasoning';

const think: ThoughtMarkers = { open: '<think>', close: '</think>' };
const gemma: ThoughtMarkers = { open: '<|channel>thought', close: '<channel|>' };

/** Feeds `text` in pieces of `size` characters; answers the deltas as emitted and the parts. */
function split(text: string, size: number, markers: ThoughtMarkers | null = think, from: SplitFrom = 'start') {
  const deltas: { delta: string; thought: boolean }[] = [];
  const s = new ThoughtSplitter(markers, from, (delta, thought) => deltas.push({ delta, thought }));
  for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
  s.end();
  const joined = (thought: boolean) =>
    deltas
      .filter((d) => d.thought === thought)
      .map((d) => d.delta)
      .join('');
  return { deltas, thought: s.thought, answer: s.answer, thoughtDeltas: joined(true), answerDeltas: joined(false) };
}

describe('ThoughtSplitter', () => {
  const qwen = '<think>\nThe user wants a lathe.\nA lathe turns wood.\n</think>\n\nLathe turns wood.';

  it.each([1, 2, 3, 5, 7, 1000])('splits a thought first thing from the answer, fed %i characters at a time', (n) => {
    const r = split(qwen, n);
    expect(r.thought).toBe('The user wants a lathe.\nA lathe turns wood.');
    expect(r.answer).toBe('Lathe turns wood.');
    // What was emitted is exactly the parts: no piece of a tag, nothing twice.
    expect(r.answerDeltas).toBe('Lathe turns wood.');
    expect(r.thoughtDeltas.trim()).toBe(r.thought);
    expect(r.thoughtDeltas).toBe('The user wants a lathe.\nA lathe turns wood.\n');
    expect(r.deltas.map((d) => d.delta).join('')).not.toMatch(/<|>/);
  });

  it('emits every thought delta before any answer delta', () => {
    const r = split(qwen, 2);
    const firstAnswer = r.deltas.findIndex((d) => !d.thought);
    expect(firstAnswer).toBeGreaterThan(0);
    expect(r.deltas.slice(firstAnswer).every((d) => !d.thought)).toBe(true);
  });

  it('reads Gemma 4 thought channels', () => {
    const r = split('<|channel>thought\nShort.<channel|>The answer.', 4, gemma);
    expect(r).toMatchObject({ thought: 'Short.', answer: 'The answer.' });
  });

  it('starts in the thought when the prompt opened it (DeepSeek R1)', () => {
    const r = split('Hmm, wood.\n</think>\n\nA lathe turns it.', 3, think, 'openedThought');
    expect(r).toMatchObject({ thought: 'Hmm, wood.', answer: 'A lathe turns it.' });
  });

  it('leaves an answer without a thought untouched, leading whitespace and all', () => {
    expect(split('  Plain answer.', 1)).toMatchObject({ thought: '', answer: '  Plain answer.' });
    expect(split('Plain answer.', 100, null)).toMatchObject({ thought: '', answer: 'Plain answer.' });
  });

  it('keeps the tags as text when they come later in the answer', () => {
    const text = 'Use <think> tags like <think>this</think>.';
    expect(split(text, 2)).toMatchObject({ thought: '', answer: text });
  });

  it('drops a tag cut off where the text ends (the token limit), so a continuation writes it whole', () => {
    expect(split('<thi', 1)).toMatchObject({ thought: '', answer: '' });
    expect(split('\n\n', 1)).toMatchObject({ thought: '', answer: '\n\n' });
  });

  it('keeps an unclosed thought (stopped, or out of tokens) as the thought, with no answer', () => {
    const r = split('<think>\nStill thinking about </b> and\n</thi', 3);
    // (its last newline kept: continued, the model gets back the very text it wrote)
    expect(r).toMatchObject({ thought: 'Still thinking about </b> and\n', answer: '' });
    expect(r.answerDeltas).toBe('');
  });

  it('reads an empty thought as none', () => {
    expect(split('<think>\n\n</think>\n\nDirect.', 2)).toMatchObject({ thought: '', answer: 'Direct.' });
  });

  it('continues a thought or an answer cut off, keeping the first space of the continuation', () => {
    expect(split(' and spins.\n</think>\n\nIt turns.', 2, think, 'midThought')).toMatchObject({
      thought: ' and spins.',
      answer: 'It turns.',
    });
    // Mid-answer, a thought tag is text: the answer began long ago.
    expect(split(' <think>more</think>', 2, think, 'answer')).toMatchObject({
      thought: '',
      answer: ' <think>more</think>',
    });
  });

  it('does not hold back a close-tag look-alike for longer than it can be one', () => {
    const deltas: string[] = [];
    const s = new ThoughtSplitter(think, 'openedThought', (delta) => deltas.push(delta));
    s.push('a </b');
    expect(deltas.join('')).toBe('a </b');
    s.push('</');
    expect(deltas.join('')).toBe('a </b');
    s.push('x');
    expect(deltas.join('')).toBe('a </b</x');
  });
});
