import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { ModelInfo } from '../../src/shared/domain';
import { GgufWriter } from '../helpers/gguf/GgufWriter';
import { writeLoraAdapter, writeTinyChatModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelPath: string;

beforeAll(() => {
  dir = tempDir();
  modelPath = join(dir.path, 'tiny.gguf');
  writeTinyChatModel(modelPath);
  core = testCore(join(dir.path, 'data'), { inference: { gpu: false, threads: 2, contextSize: 256 } });
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
async function failure(method: string, input: unknown): Promise<{ code: string; details?: { reason?: string } }> {
  const result = await core.dispatch(method, input);
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return (result as { ok: false; error: { code: string; details?: { reason?: string } } }).error;
}

/** Imports through the contract and waits for the hashing job. */
async function importModel(path: string, name?: string): Promise<string> {
  const { job } = await call<{ job: { id: string } }>('models.import', { path, ...(name ? { name } : {}) });
  const done = await core.jobs.wait(job.id);
  if (done.state !== 'succeeded') throw Object.assign(new Error(done.error?.message), { data: done.error });
  return (done.result as { modelId: string }).modelId;
}

describe('model library', () => {
  let id: string;

  it('imports a GGUF with its metadata, hashed in a job with progress', async () => {
    const progress: number[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'jobs.updated' || event === 'jobs.progress')
        progress.push((payload as { progress: number }).progress);
    });
    id = await importModel(modelPath);
    off();
    expect(progress.at(-1)).toBe(1);
    const model = await call<ModelInfo>('models.get', { id });
    expect(model).toMatchObject({
      name: 'lathe-random-llama',
      path: modelPath,
      architecture: 'llama',
      fileType: 'F32',
      contextLength: 1024,
      hasChatTemplate: true,
      missing: false,
      sizeBytes: readFileSync(modelPath).length,
      variants: [],
    });
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.parameterCount).toBeGreaterThan(100_000);
    expect(await call<ModelInfo[]>('models.list', {})).toHaveLength(1);
  });

  it('takes a hash computed elsewhere only while the file is unchanged, and hashes again otherwise', async () => {
    const copy = join(dirname(modelPath), 'known-hash.gguf');
    copyFileSync(modelPath, copy);
    appendFileSync(copy, Buffer.alloc(32)); // other content than the library's copy
    const real = createHash('sha256').update(readFileSync(copy)).digest('hex');
    const { size, mtimeMs } = statSync(copy);
    const stale = { sha256: 'f'.repeat(64), sizeBytes: size, mtimeMs: Math.floor(mtimeMs) - 5000 };
    const { job } = await core.models.import({ path: copy, name: 'stale hash' }, stale);
    const done = await core.jobs.wait(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const rehashed = core.models.get((done.result as { modelId: string }).modelId);
    expect(rehashed.sha256).toBe(real);
    await core.models.delete(rehashed.id, false);

    const fresh = { sha256: real, sizeBytes: size, mtimeMs: Math.floor(mtimeMs) };
    const second = await core.models.import({ path: copy, name: 'known hash' }, fresh);
    const messages: string[] = [];
    const off = core.events.subscribe((event, payload) => {
      const j = payload as { id: string; message: string };
      if ((event === 'jobs.progress' || event === 'jobs.updated') && j.id === second.job.id) messages.push(j.message);
    });
    const finished = await core.jobs.wait(second.job.id);
    off();
    expect(finished.state).toBe('succeeded');
    expect(core.models.get((finished.result as { modelId: string }).modelId).sha256).toBe(real);
    expect(messages.some((m) => m.startsWith('Hashing'))).toBe(false);
    await core.models.delete((finished.result as { modelId: string }).modelId, true);
  });

  it('refuses a second import of the same content with CONFLICT and the existing id', async () => {
    expect(await failure('models.import', { path: modelPath })).toMatchObject({
      code: 'CONFLICT',
      details: { existingId: id },
    });
    const copy = join(dir.path, 'copy.gguf');
    copyFileSync(modelPath, copy);
    const { job } = await call<{ job: { id: string } }>('models.import', { path: copy });
    const done = await core.jobs.wait(job.id);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'CONFLICT', details: { existingId: id } } });
  });

  it('refuses a non-GGUF, a truncated GGUF, an unknown architecture, an adapter and a missing file', async () => {
    const text = join(dir.path, 'notes.gguf');
    writeFileSync(text, 'just some text, not a model');
    expect(await failure('models.import', { path: text })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'not-gguf' },
    });

    const truncated = join(dir.path, 'truncated.gguf');
    const bytes = readFileSync(modelPath);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(await failure('models.import', { path: truncated })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'corrupt' },
    });
    const header = join(dir.path, 'header.gguf');
    writeFileSync(header, bytes.subarray(0, 40));
    expect(await failure('models.import', { path: header })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'corrupt' },
    });

    const alien = join(dir.path, 'alien.gguf');
    new GgufWriter()
      .set('general.architecture', { type: 'str', value: 'frobnicator' })
      .set('general.alignment', { type: 'u32', value: 32 })
      .addTensor('w', [32], new Float32Array(32))
      .write(alien);
    expect(await failure('models.import', { path: alien })).toMatchObject({
      code: 'UNSUPPORTED',
      details: { reason: 'architecture' },
    });

    const adapter = join(dir.path, 'adapter.gguf');
    writeLoraAdapter(adapter);
    expect(await failure('models.import', { path: adapter })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'is-adapter' },
    });

    expect(await failure('models.import', { path: join(dir.path, 'nope.gguf') })).toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'missing' },
    });
    expect(await failure('models.import', { path: dir.path })).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('renames, lists adapters as variants, flags a moved file and deletes with or without the file', async () => {
    expect((await call<ModelInfo>('models.rename', { id, name: 'Tiny' })).name).toBe('Tiny');
    const model = await call<ModelInfo>('models.get', { id });
    const adapterPath = join(dir.path, 'lora.gguf');
    writeLoraAdapter(adapterPath);
    core.db
      .prepare(
        `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
         VALUES ('ad1', 'My tune', ?, ?, ?, NULL, 4, 4, '["q","v"]', 10, 1)`,
      )
      .run(adapterPath, modelPath, model.sha256);
    expect(await call('models.variants', { modelId: id })).toEqual([
      { adapterId: 'ad1', name: 'My tune', rank: 4, alpha: 4, sizeBytes: 10, available: true, createdAt: 1 },
    ]);
    expect((await call<ModelInfo>('models.get', { id })).variants).toHaveLength(1);

    const moved = `${modelPath}.moved`;
    renameSync(modelPath, moved);
    expect((await call<ModelInfo>('models.get', { id })).missing).toBe(true);
    const conversation = await call<{ id: string }>('chat.conversations.create', { modelId: id });
    expect(await failure('chat.send', { conversationId: conversation.id, content: 'hi' })).toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'missing' },
    });
    expect(await failure('inference.load', { modelId: id })).toMatchObject({ code: 'NOT_FOUND' });
    renameSync(moved, modelPath);
    expect((await call<ModelInfo>('models.get', { id })).missing).toBe(false);

    expect(await call('models.delete', { id })).toEqual({ deleted: true, fileDeleted: false });
    expect(existsSync(modelPath)).toBe(true);
    expect(await failure('models.get', { id })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call<{ modelId: string | null }>('chat.conversations.get', { id: conversation.id })).modelId).toBe(
      null,
    );

    const again = await importModel(modelPath, 'Again');
    expect(await call('models.delete', { id: again, deleteFile: true })).toEqual({ deleted: true, fileDeleted: true });
    expect(existsSync(modelPath)).toBe(false);
    writeTinyChatModel(modelPath);
  });
});
