import { describe, expect, test } from 'vitest';
import { unusedGpuHint, windowPhrase } from '../../../src/renderer/src/features/finetune/format';

describe('the window a memory estimate is for', () => {
  test('names the rows only when a window has several', () => {
    expect(windowPhrase({ windowSize: 2048, rowSize: 2048 })).toBe('2048-token windows');
    expect(windowPhrase({ windowSize: 2048, rowSize: 512 })).toBe('2048-token windows in 4 rows of 512');
    expect(windowPhrase({ windowSize: 512, rowSize: 256 })).toBe('512-token windows in 2 rows of 256');
  });
});

describe('a GPU the trainer build cannot use', () => {
  test('says where the run trains instead and the command that builds the trainer for that GPU', () => {
    expect(unusedGpuHint({ backend: 'cuda', name: 'NVIDIA GeForce RTX 4090' })).toEqual({
      text: 'Trains on the CPU: this trainer was built without CUDA, which NVIDIA GeForce RTX 4090 needs. To train on it, rebuild the trainer and restart Lathe:',
      command: 'LATHE_GPU=cuda npm run build:native',
    });
    expect(unusedGpuHint({ backend: 'metal', name: 'Apple M3 Max' }).command).toBe(
      'LATHE_GPU=metal npm run build:native',
    );
  });
});
