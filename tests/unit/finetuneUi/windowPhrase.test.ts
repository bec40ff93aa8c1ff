import { describe, expect, test } from 'vitest';
import { windowPhrase } from '../../../src/renderer/src/features/finetune/format';

describe('the window a memory estimate is for', () => {
  test('names the rows only when a window has several', () => {
    expect(windowPhrase({ windowSize: 2048, rowSize: 2048 })).toBe('2048-token windows');
    expect(windowPhrase({ windowSize: 2048, rowSize: 512 })).toBe('2048-token windows in 4 rows of 512');
    expect(windowPhrase({ windowSize: 512, rowSize: 256 })).toBe('512-token windows in 2 rows of 256');
  });
});
