import { basename, dirname, join } from 'node:path';

/** `gguf-split`'s naming of the parts of a model: `<prefix>-00001-of-00003.gguf`. */
const splitName = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** A part of a split GGUF named the `gguf-split` way: its prefix, number (1-based) and the count. */
export function splitGgufName(name: string): { prefix: string; part: number; count: number } | null {
  const match = splitName.exec(name);
  if (!match) return null;
  const part = Number(match[2]);
  const count = Number(match[3]);
  if (count < 1 || part < 1 || part > count) return null;
  return { prefix: match[1] as string, part, count };
}

/** The name of part `part` (1-based) of `count`, the way `gguf-split` writes it. */
export function splitPartName(prefix: string, part: number, count: number): string {
  return `${prefix}-${String(part).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.gguf`;
}

/**
 * The files that hold the model whose file (or first part) is `path`: `[path]` for a single-file
 * GGUF, every part in order for a split one (llama.cpp finds the others from the first the same way).
 */
export function modelFiles(path: string): string[] {
  const dir = dirname(path);
  const split = splitGgufName(basename(path));
  if (!split) return [path];
  return Array.from({ length: split.count }, (_, i) => join(dir, splitPartName(split.prefix, i + 1, split.count)));
}
