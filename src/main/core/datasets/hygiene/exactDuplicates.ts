import type { HygieneExample } from './types';

const whitespace = /\s+/g;

/**
 * The text two examples share when they are exact duplicates: every turn's role and content,
 * trimmed, with runs of whitespace collapsed to one space. Case and punctuation count.
 */
export function exactKey(example: Pick<HygieneExample, 'messages'>): string {
  let key = '';
  for (const m of example.messages) key += `${m.role}\u0000${m.content.trim().replace(whitespace, ' ')}\u0001`;
  return key;
}

/** The characters `\s` matches, without a regex. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const roleCodes: Record<string, number> = { system: 1, user: 2, assistant: 3, tool: 4 };

/**
 * A 53-bit hash of `exactKey(example)` computed straight from the turns, without building the
 * normalised strings (two 32-bit hashes over the same stream: FNV-1a and a murmur-style mix).
 * Equal keys give equal hashes; callers confirm equal hashes with `exactKey`.
 */
export function exactHash(example: Pick<HygieneExample, 'messages'>): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (const m of example.messages) {
    const role = 0x10000 + (roleCodes[m.role] ?? 0);
    a = Math.imul(a ^ role, 0x01000193);
    b = Math.imul(b ^ role, 0x5bd1e995);
    b ^= b >>> 15;
    const text = m.content;
    let started = false;
    let space = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || (c >= 9 && c <= 13) || (c >= 128 && isSpace(c))) {
        space = started;
        continue;
      }
      if (space) {
        a = Math.imul(a ^ 32, 0x01000193);
        b = Math.imul(b ^ 32, 0x5bd1e995);
        b ^= b >>> 15;
        space = false;
      }
      started = true;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a = Math.imul(a ^ 0x10001, 0x01000193);
    b = Math.imul(b ^ 0x10001, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** `exactHash` of every example, in order. */
export function exactHashes(examples: readonly Pick<HygieneExample, 'messages'>[]): Float64Array {
  const out = new Float64Array(examples.length);
  for (let i = 0; i < examples.length; i++) out[i] = exactHash(examples[i]!);
  return out;
}

/**
 * Groups examples whose turns are identical after trimming and collapsing whitespace (see
 * `exactKey`). The first example of each group in input order is kept; the others are duplicates.
 * Groups come in the order of their kept example.
 */
export function findExactDuplicates(
  examples: readonly HygieneExample[],
  hashes: Float64Array = exactHashes(examples),
): { keep: string; duplicates: string[] }[] {
  // Hash first; only examples that share a hash get their normalised text built and compared.
  const byHash = new Map<number, number[]>();
  examples.forEach((_, i) => {
    const h = hashes[i]!;
    const list = byHash.get(h);
    if (list) list.push(i);
    else byHash.set(h, [i]);
  });
  const groups: { at: number; keep: string; duplicates: string[] }[] = [];
  for (const members of byHash.values()) {
    if (members.length < 2) continue;
    const byKey = new Map<string, number[]>();
    for (const i of members) {
      const key = exactKey(examples[i]!);
      const list = byKey.get(key);
      if (list) list.push(i);
      else byKey.set(key, [i]);
    }
    for (const same of byKey.values()) {
      if (same.length < 2) continue;
      groups.push({
        at: same[0]!,
        keep: examples[same[0]!]!.id,
        duplicates: same.slice(1).map((i) => examples[i]!.id),
      });
    }
  }
  return groups.sort((x, y) => x.at - y.at).map(({ keep, duplicates }) => ({ keep, duplicates }));
}
