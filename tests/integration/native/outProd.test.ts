import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, randomizeB, rig, snapshot, tinyModel } from './trainerFixtures.js';

/**
 * native/patches/0004-lathe-out-prod.patch: OUT_PROD on the CPU as a register-tiled GEMM (the
 * gradients of LoRA A/B and of attention's Q, K, V). `LATHE_OUT_PROD_RANK1=1` brings back ggml's
 * rank-1-update loop; both must give the same gradients, on shapes that reach every edge of the
 * tiling: rows of dst narrower than a tile (the rank), rank not a multiple of the tile height,
 * widths with a vector and a scalar tail (n_embd 72, head size 24), grouped-query attention
 * (one K/V head broadcast to three query heads).
 */
const cases = [
  {
    name: 'n_embd 72, 3 heads of 24 over 1 KV head, rank 5',
    shape: { nEmbd: 72, nHead: 3, nHeadKv: 1, nFf: 100 },
    rank: 5,
  },
  {
    name: 'n_embd 64, 4 heads over 2 KV heads, rank 20',
    shape: { nEmbd: 64, nHead: 4, nHeadKv: 2, nFf: 160 },
    rank: 20,
  },
];

async function gradients(path: string, rank: number): Promise<Map<string, Float32Array>> {
  const r = await rig(path, { rank, alpha: rank * 2 });
  try {
    randomizeB(r.adapter, 3);
    const w = packWindow([
      { tokens: randomTokens(90, 31), trainFrom: 20 },
      { tokens: randomTokens(70, 32), trainFrom: 10 },
    ]);
    await r.session.forwardBackward([w]);
    return new Map([...snapshot(r.adapter).keys()].map((n) => [n, r.session.gradient(n)]));
  } finally {
    r.dispose();
  }
}

describe('OUT_PROD, tiled', () => {
  const dir = tempDir('lathe-native-outprod-');
  afterAll(() => {
    delete process.env['LATHE_OUT_PROD_RANK1'];
    dir.remove();
  });

  for (const c of cases) {
    it(`gives the gradients of the rank-1 loop: ${c.name}`, async () => {
      const path = tinyModel(dir.path, `${c.rank}.gguf`, undefined, c.shape);
      delete process.env['LATHE_OUT_PROD_RANK1'];
      const tiled = await gradients(path, c.rank);
      process.env['LATHE_OUT_PROD_RANK1'] = '1';
      const rank1 = await gradients(path, c.rank);
      delete process.env['LATHE_OUT_PROD_RANK1'];

      expect(tiled.size).toBe(2 * 7 * 2);
      let bitwiseDifferent = 0;
      for (const [name, g] of tiled) {
        const ref = rank1.get(name) as Float32Array;
        expect(g.length, name).toBe(ref.length);
        let maxErr = 0;
        let maxRef = 0;
        for (let i = 0; i < g.length; i++) {
          maxErr = Math.max(maxErr, Math.abs((g[i] as number) - (ref[i] as number)));
          maxRef = Math.max(maxRef, Math.abs(ref[i] as number));
        }
        expect(maxRef, name).toBeGreaterThan(0);
        expect(maxErr / maxRef, name).toBeLessThan(1e-4);
        if (g.some((x, i) => x !== ref[i])) bitwiseDifferent++;
      }
      // the switch reached the kernel: another summation order shows in the last bits somewhere
      expect(bitwiseDifferent).toBeGreaterThan(0);
    });
  }
});
