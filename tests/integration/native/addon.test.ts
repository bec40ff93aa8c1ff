import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrainerError, type WindowsProgress } from '../../../native/index.js';
import { tempDir } from '../../helpers/tempDir.js';
import { WINDOW, packWindow, randomTokens, rig, tinyModel, trainer } from './trainerFixtures.js';

describe('trainer addon: loading, handles, guards', () => {
  const dir = tempDir('lathe-native-');
  let modelPath = '';

  beforeAll(() => {
    modelPath = tinyModel(dir.path);
  });
  afterAll(() => dir.remove());

  it('loads and reports the statically linked llama.cpp', () => {
    const t = trainer();
    expect(typeof t.version).toBe('string');
    expect(t.systemInfo()).toMatch(/CPU/);
  });

  it('opens a generated GGUF model and tokenizes with its vocabulary', async () => {
    const t = trainer();
    const model = new t.TrainerModel(modelPath);
    await model.load();
    const info = model.info();
    expect(info).toMatchObject({ architecture: 'llama', nVocab: 288, nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2 });
    // byte fallback: 'A' is byte 0x41, token 3 + 0x41
    expect(Array.from(model.tokenize('A', false, false))).toContain(3 + 0x41);
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(() => model.info()).toThrow(/disposed/);
  });

  it('rejects a missing model with LOAD_FAILED', async () => {
    const t = trainer();
    const model = new t.TrainerModel(`${dir.path}/missing.gguf`);
    const err = await model.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTrainerError(err) && err.code).toBe('LOAD_FAILED');
  });

  it('creates an adapter on the seven target modules with B = 0', async () => {
    const r = await rig(modelPath, { rank: 4, alpha: 8 });
    const info = r.adapter.info();
    expect(info.rank).toBe(4);
    expect(info.alpha).toBe(8);
    expect(info.tensors).toHaveLength(2 * 7 * 2);
    const q = info.tensors.find((x) => x.name === 'blk.0.attn_q.weight.lora_a');
    expect(q?.ne).toEqual([64, 4]);
    const k = info.tensors.find((x) => x.name === 'blk.1.attn_k.weight.lora_b');
    expect(k?.ne).toEqual([4, 32]);
    expect(r.adapter.getTensor('blk.0.attn_q.weight.lora_b').every((x) => x === 0)).toBe(true);
    expect(r.adapter.getTensor('blk.0.attn_q.weight.lora_a').some((x) => x !== 0)).toBe(true);
    // dependents keep their owners alive
    expect(() => r.model.dispose()).toThrow(/adapters and sessions/);
    expect(() => r.adapter.dispose()).toThrow(/sessions/);
    r.dispose();
  });

  it('runs one window, refuses concurrent work, and validates windows', async () => {
    const r = await rig(modelPath);
    const w = packWindow([{ tokens: randomTokens(40, 3) }]);
    const pending = r.session.evaluate([w]);
    expect(r.session.busy).toBe(true);
    expect(() => r.session.evaluate([w])).toThrow(/another operation/);
    const res = await pending;
    expect(res.nTokens).toBe(39);
    expect(res.lossSum / res.nTokens).toBeGreaterThan(1);
    expect(() => r.session.evaluate([{ tokens: new Int32Array(10), labels: new Int32Array(10) }])).toThrow(
      /window is 256/,
    );
    expect(() =>
      r.session.evaluate([{ tokens: new Int32Array(WINDOW).fill(999), labels: new Int32Array(WINDOW) }]),
    ).toThrow(/vocabulary/);
    r.dispose();
    expect(() => r.session.evaluate([w])).toThrow(/disposed/);
  });

  it('reports progress after every window', async () => {
    const r = await rig(modelPath);
    const w = packWindow([{ tokens: randomTokens(40, 5) }]);
    const seen: WindowsProgress[] = [];
    const res = await r.session.forwardBackward([w, w, w], (p) => seen.push(p));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((p) => p.windowsDone)).toEqual([1, 2, 3]);
    expect(seen.at(-1)).toMatchObject({ windowsTotal: 3, nTokens: 3 * 39, lossSum: res.lossSum });
    r.dispose();
  });

  it('aborts a running forward/backward with ABORTED', async () => {
    const r = await rig(modelPath);
    const w = packWindow([{ tokens: randomTokens(200, 4) }]);
    const pending = r.session.forwardBackward(Array.from({ length: 50 }, () => w));
    r.session.abort();
    const err = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTrainerError(err) && err.code).toBe('ABORTED');
    // the session is usable afterwards
    const ok = await r.session.evaluate([w]);
    expect(ok.nTokens).toBe(199);
    r.dispose();
  });
});
