/**
 * MinHash signatures and LSH banding for near-duplicate search, built for 100k examples in a few
 * seconds on two cores:
 *
 * - Shingles are word 5-grams. Word shingles are the usual unit for near-duplicate text
 *   (Broder's original work, and the dedup pipelines of The Pile, RefinedWeb and text-dedup): an
 *   edit changes a handful of them, and they are about five times fewer than character 5-grams,
 *   which is what makes 100k examples fast. Character n-grams would be needed for scripts without
 *   spaces, so each CJK/kana/hangul character counts as a word of its own.
 * - Words are hashed straight from UTF-16 code units (FNV-1a with `Math.imul`, ASCII lowercased),
 *   and a shingle's hash is a rolling polynomial of its words' hashes: no substring is ever made.
 * - One permutation hashing with optimal densification (Li, Owen & Zhang 2012; Shrivastava 2017):
 *   each shingle hash goes to one of `numPerm` bins and each bin keeps its minimum, so a signature
 *   costs one hash per shingle instead of `numPerm`; empty bins borrow from a bin chosen by a fixed
 *   hash sequence, which both documents of a pair follow alike. The share of equal bins estimates
 *   the Jaccard similarity of the shingle sets, like classic MinHash.
 * - LSH: the signature is cut in `bands` bands of `rows` values; documents that agree on a whole
 *   band become candidates, and candidates are kept only when their estimated similarity reaches
 *   the threshold. Everything is seeded by constants, so results are deterministic.
 */

/** An empty bin (as a signed 32-bit value); a real hash equal to it is merely treated as empty. */
const EMPTY = 0x7fffffff;

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Characters that are a word on their own (scripts written without spaces). */
const isIdeographic = (c: number) =>
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0xac00 && c <= 0xd7af) ||
  (c >= 0xf900 && c <= 0xfaff);

/** Non-ASCII characters that separate words: spaces and the general/CJK punctuation blocks. */
const isSeparator = (c: number) =>
  c === 0xa0 ||
  (c >= 0x2000 && c <= 0x206f) ||
  (c >= 0x3000 && c <= 0x303f) ||
  c === 0xfeff ||
  (c >= 0xff01 && c <= 0xff0f);

/** Word characters of ASCII: digits, letters, underscore. */
const asciiWord = new Uint8Array(128);
for (let c = 48; c <= 57; c++) asciiWord[c] = 1;
for (let c = 65; c <= 90; c++) asciiWord[c] = 1;
for (let c = 97; c <= 122; c++) asciiWord[c] = 1;
asciiWord[95] = 1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Base of the rolling shingle hash (odd, so multiplication is invertible mod 2^32). */
const ROLL = 0x9e3779b1;

/**
 * Writes the hashes of the text's word hashes into `words` (grown as needed) and returns
 * [words array, count]. Words are runs of letters/digits (ASCII lowercased); ideographs are words alone.
 */
function wordHashes(text: string, words: Uint32Array): [Uint32Array, number] {
  let count = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let word: boolean;
    let alone = false;
    if (c < 128) {
      word = asciiWord[c] === 1;
      if (c >= 65 && c <= 90) c |= 0x20;
    } else if (isIdeographic(c)) {
      word = true;
      alone = true;
    } else word = !isSeparator(c);
    if (word && !alone) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
      continue;
    }
    if (inWord) {
      if (count === words.length) words = grow(words);
      words[count++] = h >>> 0;
      inWord = false;
      h = FNV_OFFSET;
    }
    if (alone) {
      if (count === words.length) words = grow(words);
      words[count++] = Math.imul(FNV_OFFSET ^ c, FNV_PRIME) >>> 0;
    }
  }
  if (inWord) {
    if (count === words.length) words = grow(words);
    words[count++] = h >>> 0;
  }
  return [words, count];
}

function grow(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

export interface MinHashOptions {
  /** Estimated Jaccard similarity (0..1] at or above which two examples are near-duplicates (default 0.8). */
  threshold?: number;
  /** Words per shingle (default 5). */
  shingleSize?: number;
  /** Signature length: bins of one permutation hashing (default 128). */
  numPerm?: number;
  /** LSH bands (default: chosen for the threshold by `chooseBands`). */
  bands?: number;
}

/**
 * The number of bands (and rows per band) for a threshold: the most rows per band (fewest false
 * candidates) whose S-curve 1-(1-s^r)^b still makes a pair exactly at the threshold a candidate
 * with probability ≥ 0.97. Candidates are verified by their estimated similarity, so a false
 * candidate only costs one signature comparison while a missed one is a missed duplicate.
 * For 128 values: threshold 0.8 → 18 bands of 7, 0.9 → 11 of 11, 0.5 → 42 of 3.
 */
export function chooseBands(threshold: number, numPerm: number): { bands: number; rows: number } {
  for (let rows = numPerm; rows > 1; rows--) {
    const bands = Math.floor(numPerm / rows);
    if (1 - Math.pow(1 - Math.pow(threshold, rows), bands) >= 0.97) return { bands, rows };
  }
  return { bands: numPerm, rows: 1 };
}

/** Signatures of `n` documents, filled one by one with `sign`. */
export class MinHashSignatures {
  readonly numPerm: number;
  readonly shingleSize: number;
  /** n × numPerm values; a document without words keeps `hasSignature[i] = 0`. */
  readonly values: Int32Array;
  readonly hasSignature: Uint8Array;
  private words: Uint32Array = new Uint32Array(1024);
  private readonly row: Int32Array;
  /** 32 - log2(numPerm) when numPerm is a power of two, else -1. */
  private readonly binShift: number;

  constructor(
    readonly n: number,
    opts: Pick<MinHashOptions, 'numPerm' | 'shingleSize'> = {},
  ) {
    this.numPerm = opts.numPerm ?? 128;
    this.shingleSize = Math.max(1, opts.shingleSize ?? 5);
    this.values = new Int32Array(n * this.numPerm);
    this.hasSignature = new Uint8Array(n);
    this.row = new Int32Array(this.numPerm);
    const bits = Math.log2(this.numPerm);
    this.binShift = Number.isInteger(bits) && bits > 0 ? 32 - bits : -1;
  }

  /** Computes document `i`'s signature from its text. */
  sign(i: number, text: string): void {
    const K = this.numPerm;
    const k = this.shingleSize;
    const [words, count] = wordHashes(text, this.words);
    this.words = words;
    if (count === 0) return;
    const row = this.row;
    row.fill(EMPTY);
    // Values are kept as signed 32-bit integers (any fixed order works for a minimum), which
    // V8 keeps unboxed; a bin is the hash's top bits when numPerm is a power of two.
    const shift = this.binShift;
    const scale = K / 4294967296;
    let h = 0;
    let top = 1; // ROLL^(k-1), for the rolling hash H = Σ w[j]·ROLL^(k-1-j) (mod 2^32)
    for (let j = 1; j < k; j++) top = Math.imul(top, ROLL);
    const first = Math.min(count, k);
    for (let j = 0; j < first; j++) h = (Math.imul(h, ROLL) + words[j]!) | 0;
    for (let j = first; ; j++) {
      const x = fmix32(h);
      const bin = shift >= 0 ? x >>> shift : Math.floor(x * scale);
      const v = x | 0;
      if (v < row[bin]!) row[bin] = v;
      if (j >= count) break;
      h = (Math.imul((h - Math.imul(words[j - k]!, top)) | 0, ROLL) + words[j]!) | 0;
    }
    const base = i * K;
    const out = this.values;
    for (let bin = 0; bin < K; bin++) {
      let v = row[bin]!;
      // Optimal densification: an empty bin copies the bin that a fixed hash sequence of (bin, attempt) hits first.
      for (let attempt = 1; v === EMPTY && attempt < 64 * K; attempt++) {
        const from = fmix32(Math.imul(bin + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca6b)) % K;
        v = row[from]!;
      }
      out[base + bin] = v;
    }
    this.hasSignature[i] = 1;
  }

  /** Estimated Jaccard similarity of documents a and b (share of equal bins); 0 without signatures. */
  similarity(a: number, b: number): number {
    if (!this.hasSignature[a] || !this.hasSignature[b]) return 0;
    const K = this.numPerm;
    const v = this.values;
    let same = 0;
    const ai = a * K;
    const bi = b * K;
    for (let j = 0; j < K; j++) if (v[ai + j] === v[bi + j]) same++;
    return same / K;
  }

  /** Hash of band `band` (rows `rows`) of document i's signature. */
  bandKey(i: number, band: number, rows: number): number {
    const v = this.values;
    const start = i * this.numPerm + band * rows;
    let h = Math.imul(band + 1, 0x27d4eb2f);
    for (let j = 0; j < rows; j++) h = Math.imul(h ^ v[start + j]!, 0x01000193) ^ (h >>> 15);
    // 30 bits: small integers stay unboxed as Map keys; a rare collision only adds a candidate.
    return fmix32(h) & 0x3fffffff;
  }
}

/** Disjoint sets over 0..n-1 with path halving and union by size; tracks each set's weakest link. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  /** Lowest similarity of the edges that joined each root's set. */
  readonly weakest: Float64Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.size = new Int32Array(n).fill(1);
    this.weakest = new Float64Array(n).fill(1);
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]!]!;
      i = p[i]!;
    }
    return i;
  }

  union(a: number, b: number, similarity: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    this.weakest[ra] = Math.min(this.weakest[ra]!, this.weakest[rb]!, similarity);
  }
}

/** At most this many earlier bucket members are visited for each document per band. */
const maxComparisonsPerBucket = 32;

/**
 * One LSH band over all documents with signatures: documents sharing the band's key are compared
 * (up to 32 earlier members of the bucket) and joined in `sets` when their similarity reaches the
 * threshold. `next` is scratch space of length n.
 */
export function lshBand(
  sigs: MinHashSignatures,
  band: number,
  rows: number,
  threshold: number,
  sets: UnionFind,
  next: Int32Array,
): void {
  const heads = new Map<number, number>();
  for (let i = 0; i < sigs.n; i++) {
    if (!sigs.hasSignature[i]) continue;
    const key = sigs.bandKey(i, band, rows);
    const head = heads.get(key);
    next[i] = head ?? -1;
    heads.set(key, i);
    // Walk at most 32 members: with push-front buckets these are the most recent, and a bucket of
    // thousands of copies joins them all through its newest members without quadratic work.
    let walked = 0;
    for (let j = head ?? -1; j !== -1 && walked < maxComparisonsPerBucket; j = next[j]!) {
      walked++;
      if (sets.find(i) === sets.find(j)) continue;
      const s = sigs.similarity(i, j);
      if (s >= threshold) sets.union(i, j, s);
    }
  }
}

/**
 * One LSH band for leakage: for each `query` document, the most similar `target` document sharing
 * the band's key (up to 32 compared per band), recorded in `best`/`bestSim` when it reaches the threshold.
 */
export function lshCrossBand(
  sigs: MinHashSignatures,
  band: number,
  rows: number,
  threshold: number,
  isQuery: Uint8Array,
  best: Int32Array,
  bestSim: Float64Array,
  next: Int32Array,
): void {
  const heads = new Map<number, number>();
  for (let i = 0; i < sigs.n; i++) {
    if (!sigs.hasSignature[i] || isQuery[i]) continue;
    const key = sigs.bandKey(i, band, rows);
    const head = heads.get(key);
    next[i] = head ?? -1;
    heads.set(key, i);
  }
  for (let i = 0; i < sigs.n; i++) {
    if (!sigs.hasSignature[i] || !isQuery[i] || bestSim[i] === 1) continue;
    let compared = 0;
    for (
      let j = heads.get(sigs.bandKey(i, band, rows)) ?? -1;
      j !== -1 && compared < maxComparisonsPerBucket;
      j = next[j]!
    ) {
      compared++;
      const s = sigs.similarity(i, j);
      if (s >= threshold && s > bestSim[i]!) {
        bestSim[i] = s;
        best[i] = j;
        if (s === 1) break;
      }
    }
  }
}
