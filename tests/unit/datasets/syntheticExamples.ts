import type { ExampleMessage } from '../../../src/shared/datasets';

/** A small seeded PRNG (mulberry32) so generated datasets are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vocabulary = (() => {
  const random = prng(7);
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const words: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const length = 2 + Math.floor(random() * random() * 10);
    let w = '';
    for (let j = 0; j < length; j++) w += letters[Math.floor(random() * random() * letters.length)];
    words.push(w);
  }
  return words;
})();

/** Prose of about `words` words from a 20k-word vocabulary, with punctuation and line breaks. */
export function prose(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    // Zipf-like: frequent words are much more frequent.
    let w = vocabulary[Math.floor(vocabulary.length * Math.pow(random(), 2.5))]!;
    if (i % 12 === 0) w = w[0]!.toUpperCase() + w.slice(1);
    out.push(i % 12 === 11 ? `${w}.` : i % 60 === 59 ? `${w}\n` : w);
  }
  return out.join(' ');
}

/**
 * `n` realistic examples: 70% single-turn, the rest 2–4 turns, a third with a system prompt,
 * user turns of 10–150 words, answers of 30–300 words (about 1 KB of JSON per example), plus
 * 1% exact and 1% near duplicates (a few words changed) of earlier examples.
 */
export function syntheticExamples(
  n: number,
  seed = 1,
): { id: string; messages: ExampleMessage[]; split: 'train' | 'eval' | 'auto' }[] {
  const random = prng(seed);
  const out: { id: string; messages: ExampleMessage[]; split: 'train' | 'eval' | 'auto' }[] = [];
  for (let i = 0; i < n; i++) {
    const split = random() < 0.1 ? 'eval' : 'train';
    const r = random();
    if (i > 10 && r < 0.01) {
      out.push({ id: `e${i}`, messages: out[Math.floor(random() * i)]!.messages, split });
      continue;
    }
    if (i > 10 && r < 0.02) {
      const source = out[Math.floor(random() * i)]!.messages;
      const messages = source.map((m) => {
        const words = m.content.split(' ');
        const at = Math.floor(random() * words.length);
        words[at] = 'changed';
        return { ...m, content: words.join(' ') };
      });
      out.push({ id: `e${i}`, messages, split });
      continue;
    }
    const messages: ExampleMessage[] = [];
    if (random() < 0.33)
      messages.push({ role: 'system', content: 'You are a helpful assistant. Answer clearly and briefly.' });
    const turns = random() < 0.7 ? 1 : 2 + Math.floor(random() * 3);
    for (let t = 0; t < turns; t++) {
      messages.push({ role: 'user', content: prose(random, 10 + Math.floor(random() * random() * 140)) });
      messages.push({ role: 'assistant', content: prose(random, 30 + Math.floor(random() * random() * 270)) });
    }
    out.push({ id: `e${i}`, messages, split });
  }
  return out;
}
