import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, rig, tinyModel, trainStep, trainer } from './trainerFixtures.js';

/**
 * The CPU part of native/patches/0002-lathe-cuda.patch: OUT_PROD with a BF16 `src0` (the backward
 * pass through a frozen BF16 weight). Before it, no backend took that node and a BF16 base aborted
 * in the scheduler (`GGML_ASSERT(*cur_backend_id != -1)`); the GPU check's CPU reference found it.
 */
describe('BF16 bases on the CPU', () => {
  const dir = tempDir('lathe-native-bf16-');
  afterAll(() => dir.remove());

  it('train: the masked loss falls', async () => {
    const f32 = tinyModel(dir.path, 'f32.gguf', GgmlType.F32);
    const bf16 = join(dir.path, 'bf16.gguf');
    await trainer().quantizeModel(f32, bf16, 'BF16', 2);
    const r = await rig(bf16);
    try {
      expect(r.model.info().description).toMatch(/BF16/);
      const w = packWindow([{ tokens: randomTokens(40, 51), trainFrom: 10 }]);
      const first = await trainStep(r.session, [w], 1e-2);
      for (let i = 0; i < 10; i++) await trainStep(r.session, [w], 1e-2);
      const ev = await r.session.evaluate([w]);
      expect(ev.lossSum / ev.nTokens).toBeLessThan(first * 0.7);
    } finally {
      r.dispose();
    }
  });
});
