import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tempDir.js';
import {
  greedyContinuation,
  packWindow,
  randomTokens,
  rig,
  sequenceNll,
  tinyModel,
  trainStep,
  type Rig,
} from './trainerFixtures.js';

describe('a trained adapter in node-llama-cpp 3.21.1', () => {
  const dir = tempDir('lathe-native-');
  const sequence = randomTokens(32, 41);
  const prefix = 8;
  let modelPath = '';
  let adapterPath = '';
  let r: Rig;
  let trainerLoss = 0;

  beforeAll(async () => {
    modelPath = tinyModel(dir.path);
    adapterPath = join(dir.path, 'adapter.gguf');
    r = await rig(modelPath, { rank: 8, alpha: 16 });
    const w = packWindow([{ tokens: sequence, trainFrom: 1 }]);
    for (let i = 0; i < 60; i++) await trainStep(r.session, [w], 1e-2);
    const ev = await r.session.evaluate([w]);
    trainerLoss = ev.lossSum / ev.nTokens;
    await r.adapter.save(adapterPath, { 'general.name': 'lathe-test-adapter' });
  });
  afterAll(() => {
    r.dispose();
    dir.remove();
  });

  it('reproduces the trained continuation under greedy decoding, and the base does not', async () => {
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath });
    const greedy = async (lora: boolean): Promise<number[]> => {
      const context = await model.createContext({
        contextSize: 256,
        threads: 1, // on a busy 2-core machine, 2 threads make each token ~30x slower
        ...(lora ? { lora: { adapters: [{ filePath: adapterPath }] } } : {}),
      });
      const out = await greedyContinuation(context, sequence.slice(0, prefix), sequence.length - prefix);
      await context.dispose();
      return out;
    };
    expect(await greedy(true)).toEqual(sequence.slice(prefix));
    expect(await greedy(false)).not.toEqual(sequence.slice(prefix));
    await model.dispose();
  });

  it('gives node-llama-cpp an eval loss within 1% of the trainer`s', async () => {
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({
      contextSize: 256,
      threads: 1,
      lora: { adapters: [{ filePath: adapterPath }] },
    });
    const loss = await sequenceNll(context, sequence);
    expect(trainerLoss).toBeLessThan(0.5);
    expect(Math.abs(loss - trainerLoss) / trainerLoss).toBeLessThan(0.01);
    await context.dispose();
    await model.dispose();
  });
});
