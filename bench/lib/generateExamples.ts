import { closeSync, openSync, writeSync } from 'node:fs';
import { rng } from '../../tests/helpers/gguf/randomLlama.js';

/**
 * A deterministic, realistic-looking instruction dataset: Zipf-distributed pseudo-words from an
 * 8000-word vocabulary; 30% with a system prompt; 60% single-turn, 30% 2–3 turns, 10% 4–8 turns;
 * questions 4–40 words, answers 10–250 words (log-uniform, ≈ 75 on average); 1% exact and 2%
 * near-duplicates.
 */
export function generate(path: string, count: number): void {
  const random = rng(20261126);
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ren',
    'ta',
    'vo',
    'si',
    'dun',
    'el',
    'par',
    'qui',
    'to',
    'ba',
    'nex',
    'ul',
    'ro',
  ];
  const vocab: string[] = [];
  while (vocab.length < 8000) {
    const n = 1 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    vocab.push(`${w}${vocab.length % 97}`);
  }
  // Zipf(1): the cumulative harmonic weights, sampled by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < vocab.length; i++) cumulative.push((total += 1 / (i + 1)));
  const word = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo]!;
  };
  const logUniform = (min: number, max: number) => Math.round(Math.exp(Math.log(min) + random() * Math.log(max / min)));
  const sentence = (words: number) => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(word());
    const text = out.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  };
  const fd = openSync(path, 'w');
  const lines: string[] = [];
  const made: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    let line: string;
    if (made.length > 100 && r < 0.01) line = made[Math.floor(random() * made.length)]!;
    else if (made.length > 100 && r < 0.03) {
      const base = JSON.parse(made[Math.floor(random() * made.length)]!) as { messages: { content: string }[] };
      const last = base.messages.at(-1)!;
      last.content = `${last.content} ${word()}`;
      line = JSON.stringify(base);
    } else {
      const messages: { role: string; content: string }[] = [];
      if (random() < 0.3) messages.push({ role: 'system', content: sentence(logUniform(5, 30)) });
      const t = random();
      const turns = t < 0.6 ? 1 : t < 0.9 ? 2 + Math.floor(random() * 2) : 4 + Math.floor(random() * 5);
      for (let k = 0; k < turns; k++) {
        messages.push({ role: 'user', content: sentence(logUniform(4, 40)) });
        messages.push({ role: 'assistant', content: sentence(logUniform(10, 250)) });
      }
      line = JSON.stringify({ messages });
      if (made.length < 5000) made.push(line);
      else if (random() < 0.05) made[Math.floor(random() * made.length)] = line;
    }
    lines.push(line);
    if (lines.length === 1000) {
      writeSync(fd, `${lines.join('\n')}\n`);
      lines.length = 0;
    }
  }
  if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
  closeSync(fd);
}
