import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFiles, splitGgufName, splitPartName } from '../../src/main/core/models/ggufParts';

describe('split GGUF names', () => {
  it('reads gguf-split names, case-insensitively, and refuses impossible ones', () => {
    expect(splitGgufName('Qwen3-8B-Q4_K_M-00002-of-00003.gguf')).toEqual({
      prefix: 'Qwen3-8B-Q4_K_M',
      part: 2,
      count: 3,
    });
    expect(splitGgufName('a-00001-of-00001.GGUF')).toEqual({ prefix: 'a', part: 1, count: 1 });
    expect(splitGgufName('model.gguf')).toBeNull();
    expect(splitGgufName('a-00004-of-00003.gguf')).toBeNull();
    expect(splitGgufName('a-00000-of-00003.gguf')).toBeNull();
    expect(splitGgufName('a-1-of-3.gguf')).toBeNull();
  });

  it('names every part the way gguf-split does, and lists a model’s files from its first part', () => {
    expect(splitPartName('m', 7, 12)).toBe('m-00007-of-00012.gguf');
    const dir = join('/models', 'big');
    expect(modelFiles(join(dir, 'm-00001-of-00003.gguf'))).toEqual([
      join(dir, 'm-00001-of-00003.gguf'),
      join(dir, 'm-00002-of-00003.gguf'),
      join(dir, 'm-00003-of-00003.gguf'),
    ]);
    expect(modelFiles(join(dir, 'single.gguf'))).toEqual([join(dir, 'single.gguf')]);
  });
});
