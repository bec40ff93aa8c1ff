import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

/** ggml tensor types this writer can encode (values are ggml's `enum ggml_type`). */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

const enum ValueType {
  UINT16 = 2,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

export type GgufValue =
  | { type: 'u16'; value: number }
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'str'; value: string }
  | { type: 'str[]'; value: readonly string[] }
  | { type: 'f32[]'; value: readonly number[] | Float32Array }
  | { type: 'i32[]'; value: readonly number[] | Int32Array };

interface TensorEntry {
  name: string;
  /** ggml order: ne[0] is the contiguous (row) dimension. */
  ne: number[];
  type: GgmlType;
  data: Uint8Array;
}

const ALIGNMENT = 32;
const BLOCK = 32; // Q4_0 and Q8_0 block size

/**
 * A minimal GGUF v3 writer for tests: metadata plus F32/F16/Q8_0/Q4_0 tensors, quantized here with
 * the same block layouts as ggml's reference quantizers (`quantize_row_q8_0_ref`, `..._q4_0_ref`).
 */
export class GgufWriter {
  private readonly kv: [string, GgufValue][] = [];
  private readonly tensors: TensorEntry[] = [];

  set(key: string, value: GgufValue): this {
    this.kv.push([key, value]);
    return this;
  }

  /** Adds a tensor from F32 values, encoded as `type`. `ne` is in ggml order ([n_cols, n_rows]). */
  addTensor(name: string, ne: number[], values: Float32Array, type: GgmlType = GgmlType.F32): this {
    const n = ne.reduce((a, b) => a * b, 1);
    if (values.length !== n) throw new Error(`${name}: ${values.length} values for shape [${ne.join(', ')}]`);
    if ((type === GgmlType.Q4_0 || type === GgmlType.Q8_0) && (ne[0] ?? 0) % BLOCK !== 0) {
      throw new Error(`${name}: rows of ${ne[0]} are not a multiple of ${BLOCK}`);
    }
    this.tensors.push({ name, ne, type, data: encode(values, type) });
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts());
  }

  /** Writes part by part: models over 2 GB cannot go through one Buffer write. */
  write(path: string): void {
    const fd = openSync(path, 'w');
    try {
      for (const part of this.#parts()) {
        for (let at = 0; at < part.length;) at += writeSync(fd, part, at, Math.min(part.length - at, 1 << 30));
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Writes the model as `count` split files the way llama.cpp's `gguf-split` does: tensors in
   * contiguous groups, the metadata in the first file only, `split.no` / `split.count` /
   * `split.tensors.count` in every file. `pathOf(i)` names file `i` (0-based). Answers the paths.
   */
  writeSplit(count: number, pathOf: (i: number) => string): string[] {
    if (count < 1 || count > this.tensors.length)
      throw new Error(`cannot split ${this.tensors.length} tensors in ${count}`);
    const per = Math.ceil(this.tensors.length / count);
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const split: [string, GgufValue][] = [
        ['split.no', { type: 'u16', value: i }],
        ['split.count', { type: 'u16', value: count }],
        ['split.tensors.count', { type: 'i32', value: this.tensors.length }],
      ];
      const kv = i === 0 ? [...this.kv, ...split] : split;
      const path = pathOf(i);
      writeFileSync(path, Buffer.concat(this.#parts(kv, this.tensors.slice(i * per, (i + 1) * per))));
      paths.push(path);
    }
    return paths;
  }

  #parts(kvs: [string, GgufValue][] = this.kv, tensors: TensorEntry[] = this.tensors): Buffer[] {
    const parts: Buffer[] = [];
    const header = Buffer.alloc(24);
    header.write('GGUF', 0, 'ascii');
    header.writeUInt32LE(3, 4);
    header.writeBigUInt64LE(BigInt(tensors.length), 8);
    header.writeBigUInt64LE(BigInt(kvs.length), 16);
    parts.push(header);
    for (const [key, value] of kvs) parts.push(str(key), encodeValue(value));

    let offset = 0;
    for (const t of tensors) {
      const info = Buffer.alloc(4 + 8 * t.ne.length + 4 + 8);
      info.writeUInt32LE(t.ne.length, 0);
      t.ne.forEach((d, i) => info.writeBigUInt64LE(BigInt(d), 4 + 8 * i));
      info.writeUInt32LE(t.type, 4 + 8 * t.ne.length);
      info.writeBigUInt64LE(BigInt(offset), 8 + 8 * t.ne.length);
      parts.push(str(t.name), info);
      offset = pad(offset + t.data.length);
    }
    const headerLen = parts.reduce((a, b) => a + b.length, 0);
    parts.push(Buffer.alloc(pad(headerLen) - headerLen));
    for (const t of tensors) {
      parts.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.length));
      parts.push(Buffer.alloc(pad(t.data.length) - t.data.length));
    }
    return parts;
  }
}

function pad(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([len, bytes]);
}

function u32(type: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(type);
  return b;
}

function arrayHeader(elemType: ValueType, n: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(ValueType.ARRAY, 0);
  b.writeUInt32LE(elemType, 4);
  b.writeBigUInt64LE(BigInt(n), 8);
  return b;
}

function encodeValue(v: GgufValue): Buffer {
  switch (v.type) {
    case 'u16': {
      const b = Buffer.alloc(6);
      b.writeUInt32LE(ValueType.UINT16, 0);
      b.writeUInt16LE(v.value, 4);
      return b;
    }
    case 'u32': {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(ValueType.UINT32, 0);
      b.writeUInt32LE(v.value, 4);
      return b;
    }
    case 'i32': {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(ValueType.INT32, 0);
      b.writeInt32LE(v.value, 4);
      return b;
    }
    case 'f32': {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(ValueType.FLOAT32, 0);
      b.writeFloatLE(v.value, 4);
      return b;
    }
    case 'bool':
      return Buffer.from([ValueType.BOOL, 0, 0, 0, v.value ? 1 : 0]);
    case 'str':
      return Buffer.concat([u32(ValueType.STRING), str(v.value)]);
    case 'str[]':
      return Buffer.concat([arrayHeader(ValueType.STRING, v.value.length), ...v.value.map(str)]);
    case 'f32[]': {
      const b = Buffer.alloc(4 * v.value.length);
      Array.from(v.value).forEach((x, i) => b.writeFloatLE(x, 4 * i));
      return Buffer.concat([arrayHeader(ValueType.FLOAT32, v.value.length), b]);
    }
    case 'i32[]': {
      const b = Buffer.alloc(4 * v.value.length);
      Array.from(v.value).forEach((x, i) => b.writeInt32LE(x, 4 * i));
      return Buffer.concat([arrayHeader(ValueType.INT32, v.value.length), b]);
    }
  }
}

const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);

/** IEEE half from a float, round to nearest even (what ggml's FP32_TO_FP16 does). */
export function toHalf(x: number): number {
  f32[0] = x;
  const bits = f32u[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa bumps the exponent, up to infinity (0x7c00): the IEEE result
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Float from an IEEE half. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** roundf: halves away from zero. */
function roundf(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function encode(values: Float32Array, type: GgmlType): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    case GgmlType.F16: {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i] ?? 0);
      return new Uint8Array(out.buffer);
    }
    case GgmlType.Q8_0: {
      const nb = values.length / BLOCK;
      const out = new Uint8Array(nb * 34);
      const view = new DataView(out.buffer);
      for (let b = 0; b < nb; b++) {
        let amax = 0;
        for (let j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(values[b * BLOCK + j] ?? 0));
        const d = Math.fround(amax / 127);
        const id = d ? Math.fround(1 / d) : 0;
        view.setUint16(b * 34, toHalf(d), true);
        for (let j = 0; j < BLOCK; j++)
          view.setInt8(b * 34 + 2 + j, roundf(Math.fround((values[b * BLOCK + j] ?? 0) * id)));
      }
      return out;
    }
    case GgmlType.Q4_0: {
      const nb = values.length / BLOCK;
      const out = new Uint8Array(nb * 18);
      const view = new DataView(out.buffer);
      for (let b = 0; b < nb; b++) {
        let amax = 0;
        let max = 0;
        for (let j = 0; j < BLOCK; j++) {
          const v = values[b * BLOCK + j] ?? 0;
          if (Math.abs(v) > amax) {
            amax = Math.abs(v);
            max = v;
          }
        }
        const d = Math.fround(max / -8);
        const id = d ? Math.fround(1 / d) : 0;
        view.setUint16(b * 18, toHalf(d), true);
        for (let j = 0; j < BLOCK / 2; j++) {
          const x0 = Math.fround((values[b * BLOCK + j] ?? 0) * id);
          const x1 = Math.fround((values[b * BLOCK + BLOCK / 2 + j] ?? 0) * id);
          const xi0 = Math.min(15, Math.trunc(x0 + 8.5));
          const xi1 = Math.min(15, Math.trunc(x1 + 8.5));
          out[b * 18 + 2 + j] = xi0 | (xi1 << 4);
        }
      }
      return out;
    }
  }
}
