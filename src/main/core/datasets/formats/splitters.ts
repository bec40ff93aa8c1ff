/**
 * Byte-level record splitters for the streamed readers. Each takes the file chunk by chunk
 * (`push`, then `end`) and returns the complete records found so far, so no file is ever held
 * whole in memory: a record longer than `maxRecordBytes` is skipped byte by byte and reported
 * as too long, never buffered. They work on bytes, not text, because every structural character
 * (`\n`, `"`, `,`, brackets) is ASCII and never occurs inside a multi-byte UTF-8 sequence; that
 * lets invalid UTF-8 be reported per record instead of failing the whole stream.
 */

/** One record's bytes as found in the file. */
export interface RawRecord {
  /** 1-based line number where the record starts. */
  line: number;
  /** Byte offset just after the record (for progress). */
  end: number;
  /** The record's bytes, or null when it was longer than the limit (`size` says how long). */
  bytes: Uint8Array | null;
  /** The record's length in bytes. */
  size: number;
  /** A structural problem found while splitting (unclosed array, stray text). */
  error?: string;
}

const CR = 13;
const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/** Collects a record's pieces across chunks, dropping them once it passes the limit. */
class Pieces {
  private parts: Uint8Array[] = [];
  size = 0;
  oversized = false;
  constructor(private readonly max: number) {}

  add(piece: Uint8Array): void {
    this.size += piece.length;
    if (this.oversized) return;
    if (this.size > this.max) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    if (piece.length > 0) this.parts.push(piece);
  }

  /** The record so far and a reset; null bytes when it was too long. */
  take(): { bytes: Uint8Array | null; size: number } {
    const { size, oversized, parts } = this;
    let bytes: Uint8Array | null = null;
    if (!oversized) {
      if (parts.length === 1) bytes = parts[0]!;
      else if (parts.length === 0) bytes = new Uint8Array(0);
      else bytes = Buffer.concat(parts, size);
    }
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    return { bytes, size };
  }
}

/** Splits JSON Lines at `\n`; a trailing `\r` (CRLF files) is dropped from each line. */
export class LineSplitter {
  private line = 1;
  private offset = 0;
  private readonly pieces: Pieces;

  constructor(maxRecordBytes: number) {
    this.pieces = new Pieces(maxRecordBytes);
  }

  push(chunk: Uint8Array): RawRecord[] {
    const out: RawRecord[] = [];
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        this.pieces.add(buf.subarray(start));
        break;
      }
      this.pieces.add(buf.subarray(start, nl));
      out.push(this.finish(this.offset + nl + 1));
      start = nl + 1;
    }
    this.offset += buf.length;
    return out;
  }

  end(): RawRecord[] {
    return this.pieces.size > 0 ? [this.finish(this.offset)] : [];
  }

  private finish(end: number): RawRecord {
    let { bytes, size } = this.pieces.take();
    if (bytes && bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
      size--;
    }
    return { line: this.line++, end, bytes, size };
  }
}

const isSpace = (b: number) => b === 32 || b === LF || b === CR || b === 9;

/**
 * Splits a JSON array (`[ {...}, {...} ]`) into its elements without parsing them, tracking
 * strings and nesting, so a large array is read element by element with real line numbers.
 * Elements are validated later by `JSON.parse`; only the array's own punctuation is checked here.
 */
export class JsonArraySplitter {
  /** 0: before `[`; 1: between elements; 2: inside an element; 3: after `]`. */
  private phase = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private needComma = false;
  private line = 1;
  private offset = 0;
  private startLine = 1;
  private readonly pieces: Pieces;
  private trailingReported = false;

  constructor(maxRecordBytes: number) {
    this.pieces = new Pieces(maxRecordBytes);
  }

  push(chunk: Uint8Array): RawRecord[] {
    const out: RawRecord[] = [];
    let elementStart = -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF) this.line++;
      if (this.phase === 2) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === 123 || b === 91) this.depth++;
        else if ((b === 125 || b === 93) && this.depth > 0) this.depth--;
        else if (this.depth === 0 && (b === COMMA || b === 93)) {
          this.pieces.add(chunk.subarray(elementStart === -1 ? 0 : elementStart, i));
          elementStart = -1;
          const { bytes, size } = this.pieces.take();
          out.push({ line: this.startLine, end: this.offset + i + 1, bytes, size });
          this.phase = b === COMMA ? 1 : 3;
          this.needComma = b !== COMMA;
        }
        continue;
      }
      if (isSpace(b)) continue;
      if (this.phase === 0) {
        if (b === 91) this.phase = 1;
        else return this.stray(out, i, 'the file does not start with "[" (expected a JSON array)');
      } else if (this.phase === 1) {
        if (b === 93) this.phase = 3;
        else if (b === COMMA && this.needComma) this.needComma = false;
        else if (b === COMMA) out.push(this.problem(i, 'an extra "," in the JSON array'));
        else {
          this.phase = 2;
          this.depth = 0;
          this.startLine = this.line;
          elementStart = i;
          i--; // re-read this byte as the element's first (never a newline: spaces were skipped)
        }
      } else if (this.phase === 3 && !this.trailingReported) {
        this.trailingReported = true;
        out.push(this.problem(i, 'unexpected text after the end of the JSON array'));
      }
    }
    if (this.phase === 2) this.pieces.add(chunk.subarray(elementStart === -1 ? 0 : elementStart));
    this.offset += chunk.length;
    return out;
  }

  end(): RawRecord[] {
    if (this.phase === 3) return [];
    if (this.phase === 0) return [];
    const { size } = this.pieces.take();
    return [
      {
        line: this.line,
        end: this.offset,
        bytes: null,
        size,
        error: 'the JSON array ends before its closing "]" (is the file truncated?)',
      },
    ];
  }

  private problem(i: number, error: string): RawRecord {
    return { line: this.line, end: this.offset + i + 1, bytes: null, size: 0, error };
  }

  private stray(out: RawRecord[], i: number, error: string): RawRecord[] {
    this.phase = 3;
    this.trailingReported = true;
    out.push(this.problem(i, error));
    return out;
  }
}

/** One CSV record: its cells decoded, or an error. */
export interface CsvRecord {
  line: number;
  end: number;
  fields: string[] | null;
  size: number;
  error?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An RFC 4180 CSV parser over bytes: quoted fields may hold delimiters, newlines and doubled
 * quotes (`""`); CRLF and LF line ends are both accepted; `\r\n` inside a quoted field becomes
 * `\n`. Text after a closing quote is kept (lenient, as spreadsheet apps are). Blank lines are
 * dropped.
 */
export class CsvParser {
  private field = new Uint8Array(4096);
  private fieldLength = 0;
  private fields: string[] = [];
  private badUtf8 = false;
  private sawCr = false;
  /** 0: start of a field; 1: unquoted; 2: quoted; 3: a quote inside a quoted field (closing or doubled). */
  private state = 0;
  private line = 1;
  private startLine = 1;
  private offset = 0;
  private recordSize = 0;
  private readonly delimiter: number;

  constructor(
    private readonly maxRecordBytes: number,
    delimiter = ',',
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(chunk: Uint8Array): CsvRecord[] {
    const out: CsvRecord[] = [];
    const delimiter = this.delimiter;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      this.recordSize++;
      if (b === LF) this.line++;
      let state = this.state;
      if (state === 3) {
        if (b === QUOTE) {
          this.append(QUOTE);
          this.state = 2;
          continue;
        }
        state = this.state = 1;
      }
      if (state === 2) {
        if (b === QUOTE) this.state = 3;
        else {
          if (b === CR) this.sawCr = true;
          this.append(b);
        }
        continue;
      }
      if (state === 0 && b === QUOTE) {
        this.state = 2;
        continue;
      }
      if (b === delimiter) {
        this.endField();
        this.state = 0;
      } else if (b === LF) {
        this.endField();
        this.state = 0;
        const record = this.endRecord(this.offset + i + 1);
        if (record) out.push(record);
      } else if (b !== CR) {
        this.append(b);
        this.state = 1;
      }
    }
    this.offset += chunk.length;
    return out;
  }

  end(): CsvRecord[] {
    if (this.state === 2) {
      const record: CsvRecord = {
        line: this.startLine,
        end: this.offset,
        fields: null,
        size: this.recordSize,
        error: 'a quoted field is never closed (a missing " ?)',
      };
      this.fields = [];
      return [record];
    }
    if (this.fields.length === 0 && this.fieldLength === 0 && this.state === 0) return [];
    this.endField();
    const record = this.endRecord(this.offset);
    return record ? [record] : [];
  }

  private append(b: number): void {
    if (this.recordSize > this.maxRecordBytes) return;
    if (this.fieldLength === this.field.length) {
      const bigger = new Uint8Array(this.field.length * 2);
      bigger.set(this.field);
      this.field = bigger;
    }
    this.field[this.fieldLength++] = b;
  }

  private endField(): void {
    let value = '';
    if (this.fieldLength > 0 && this.recordSize <= this.maxRecordBytes) {
      try {
        value = utf8.decode(this.field.subarray(0, this.fieldLength));
      } catch {
        this.badUtf8 = true;
      }
      if (this.sawCr) value = value.replaceAll('\r\n', '\n');
    }
    this.fields.push(value);
    this.fieldLength = 0;
    this.sawCr = false;
  }

  private endRecord(end: number): CsvRecord | null {
    const fields = this.fields;
    const size = this.recordSize;
    const line = this.startLine;
    const badUtf8 = this.badUtf8;
    this.fields = [];
    this.badUtf8 = false;
    this.recordSize = 0;
    this.startLine = this.line;
    if (fields.length === 1 && fields[0] === '' && size <= 2) return null; // a blank line
    if (size > this.maxRecordBytes) {
      return { line, end, fields: null, size, error: tooLong(size, this.maxRecordBytes) };
    }
    if (badUtf8) return { line, end, fields: null, size, error: notUtf8 };
    return { line, end, fields, size };
  }
}

export const notUtf8 =
  'not valid UTF-8 text (was the file saved in another encoding, such as Latin-1 or Windows-1252?)';

export function tooLong(size: number, max: number): string {
  const bytes = (n: number) =>
    n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
  return `the record is ${bytes(size)}, more than the ${bytes(max)} a record may have`;
}
