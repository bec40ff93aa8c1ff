import { describe, expect, it } from 'vitest';
import { blindComparisonRunning, maskBlindComparison, type InferenceStatus } from '../../../src/shared/domain';

const loaded: InferenceStatus = {
  state: 'ready',
  modelId: 'model-b',
  loadProgress: 1,
  contexts: [[], ['adapter-1']],
  generating: [],
  contextSize: 4096,
  error: null,
};

describe('the inference status while a blind comparison generates', () => {
  it('is shown as it is when no blind comparison runs (chats and open comparisons included)', () => {
    for (const generating of [[], ['conversation-1'], ['compare:4f0c7a52-2a9e-4d0b-9a5e-0c3a1b2d3e4f']]) {
      const status = { ...loaded, generating };
      expect(blindComparisonRunning(status)).toBe(false);
      expect(maskBlindComparison(status)).toBe(status);
    }
  });

  it('hides the loaded model, its adapters and its load while one runs, and keeps who is generating', () => {
    for (const state of ['ready', 'loading'] as const) {
      const status = {
        ...loaded,
        state,
        loadProgress: 0.4,
        generating: ['conversation-1', 'compare-blind:4f0c7a52-2a9e-4d0b-9a5e-0c3a1b2d3e4f'],
      };
      expect(blindComparisonRunning(status)).toBe(true);
      expect(maskBlindComparison(status)).toEqual({
        state: 'idle',
        modelId: null,
        loadProgress: 0,
        contexts: [],
        generating: status.generating,
        contextSize: null,
        error: null,
      });
    }
  });
});
