import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { HardwareInfo, ModelFit } from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelPath: string;

beforeAll(() => {
  dir = tempDir();
  modelPath = join(dir.path, 'fit.gguf');
  writeRandomLlama(modelPath, { seed: 3, shape: { nEmbd: 256, nFf: 512, nLayer: 4 } });
  // `gpu: 'auto'` as the app runs: on this CPU-only machine llama.cpp must report no GPU by itself.
  core = testCore(join(dir.path, 'data'), { inference: { gpu: 'auto' } });
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), { data: result.error });
  return result.data as T;
}

describe('system.hardware and models.fit', () => {
  it('describes this machine', async () => {
    const hw = await call<HardwareInfo>('system.hardware', {});
    expect(hw.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(hw.cpu.model.length).toBeGreaterThan(0);
    expect(hw.ram.totalBytes).toBeGreaterThan(256e6);
    expect(hw.ram.freeBytes).toBeGreaterThan(0);
    expect(hw.ram.freeBytes).toBeLessThanOrEqual(hw.ram.totalBytes);
    expect(['cuda', 'vulkan', 'metal', 'none']).toContain(hw.gpu.type);
    if (hw.gpu.type === 'none') expect(hw.gpu).toMatchObject({ names: [], vramTotalBytes: 0, vramFreeBytes: 0 });
  });

  it('says a small model fits on the CPU, with a RAM estimate near its size and a speed estimate', async () => {
    const fit = await call<ModelFit>('models.fit', { path: modelPath, contextSize: 512, gpuLayers: 0 });
    const size = statSync(modelPath).size;
    expect(fit).toMatchObject({ fits: true, placement: 'cpu', gpuLayers: 0, vramBytes: 0, contextSize: 512 });
    expect(fit.totalLayers).toBeGreaterThanOrEqual(4);
    expect(fit.modelBytes).toBeGreaterThan(size * 0.8);
    expect(fit.modelBytes).toBeLessThanOrEqual(size);
    // Weights plus a KV cache and compute buffers: more than the file, far less than a gigabyte.
    expect(fit.ramBytes).toBeGreaterThan(size);
    expect(fit.ramBytes).toBeLessThan(size + 600e6);
    expect(fit.summary).toMatch(/runs on the CPU/);
    expect(fit.tokensPerSecond.low).toBeGreaterThan(0);
    expect(fit.tokensPerSecond.high).toBeGreaterThanOrEqual(fit.tokensPerSecond.low);
    expect(fit.tokensPerSecond.basis).toMatch(/^Estimate/);
  });

  it('answers for a library model by id, and NOT_FOUND / INVALID_INPUT for bad references', async () => {
    const { job } = await call<{ job: { id: string } }>('models.import', { path: modelPath });
    const done = await core.jobs.wait(job.id);
    const { modelId } = done.result as { modelId: string };
    const fit = await call<ModelFit>('models.fit', { modelId });
    expect(fit.fits).toBe(true);
    expect(fit.contextSize).toBeGreaterThan(0);
    expect(await core.dispatch('models.fit', { modelId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await core.dispatch('models.fit', { path: join(dir.path, 'missing.gguf') })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', details: { reason: 'missing' } },
    });
  });
});
