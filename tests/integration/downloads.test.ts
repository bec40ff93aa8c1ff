import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { Job, ModelDownloadResult, ModelInfo, Settings } from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

/** How the test server misbehaves for the next requests of a file. */
interface Behaviour {
  /** Destroy the socket after this many body bytes, for the next `dropTimes` requests. */
  dropAfter?: number;
  dropTimes?: number;
  /** Milliseconds between 16 kB chunks (a slow server, to cancel mid-file). */
  chunkDelayMs?: number;
}

interface Served {
  bytes: Buffer;
  sha256: string;
}

let dir: ReturnType<typeof tempDir>;
let server: Server;
let base: string;
let core: Core;
const files = new Map<string, Served>();
const behaviour = new Map<string, Behaviour>();
/** `Range` header of every request for a file, in order ('' when none). */
const ranges = new Map<string, string[]>();
/** Listing the fake hub answers for `user/repo` (lfs oid overrides, to test a wrong checksum). */
const listingOid = new Map<string, string>();
const gatedToken = 'hf_' + 'LatheGatedTestToken0123456789';
/** Authorization headers the CDN stand-in (another origin) received: must stay empty. */
const cdnAuthorization: (string | undefined)[] = [];

function addModel(name: string, seed: number): Served {
  const path = join(dir.path, 'src', name);
  mkdirSync(join(dir.path, 'src'), { recursive: true });
  writeRandomLlama(path, { seed, shape: { nEmbd: 128, nFf: 256 } });
  const bytes = readFileSync(path);
  const served = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  files.set(name, served);
  return served;
}

function serveFile(name: string, req: IncomingMessage, res: ServerResponse): void {
  const file = files.get(name);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  ranges.set(name, [...(ranges.get(name) ?? []), req.headers.range ?? '']);
  const total = file.bytes.length;
  const etag = `"${file.sha256.slice(0, 16)}"`;
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  if (range && (!ifRange || ifRange === etag)) {
    start = Number(range[1]);
    if (start >= total) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-type': 'application/octet-stream',
      'content-length': total - start,
      'content-range': `bytes ${start}-${total - 1}/${total}`,
      'accept-ranges': 'bytes',
      etag,
    });
  } else {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': total,
      'accept-ranges': 'bytes',
      etag,
    });
  }
  const b = behaviour.get(name) ?? {};
  const drop = b.dropAfter !== undefined && (b.dropTimes ?? 0) > 0;
  if (drop) b.dropTimes = (b.dropTimes ?? 0) - 1;
  const end = drop ? Math.min(total, start + (b.dropAfter as number)) : total;
  let at = start;
  const step = (): void => {
    if (res.destroyed) return;
    if (at >= end) {
      if (drop) res.socket?.destroy();
      else res.end();
      return;
    }
    const next = Math.min(end, at + 16 * 1024);
    const ok = res.write(file.bytes.subarray(at, next));
    at = next;
    const go = () => (b.chunkDelayMs ? setTimeout(step, b.chunkDelayMs) : setImmediate(step));
    if (ok) go();
    else res.once('drain', go);
  };
  step();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  const path = decodeURIComponent(url.pathname);
  let m: RegExpExecArray | null;
  if ((m = /^\/files\/(.+\.gguf)$/.exec(path))) return serveFile(m[1] as string, req, res);
  if ((m = /^\/files\/(.+\.gguf)\.sha256$/.exec(path))) {
    const file = files.get(m[1] as string);
    if (!file) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(`${file.sha256}  ${m[1]}\n`);
    return;
  }
  if (path === '/html/model.gguf') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Sign in</title>');
    return;
  }
  if (path === '/garbage/model.gguf') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(5000, 0x41));
    return;
  }
  // The hub: a tree listing and `resolve` redirects that carry the LFS sha256, as huggingface.co does.
  if ((m = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/tree\/main$/.exec(path))) {
    const repo = m[1] as string;
    const listing = [...files].map(([name, f]) => ({
      type: 'file',
      path: name,
      size: f.bytes.length,
      lfs: { oid: listingOid.get(`${repo}/${name}`) ?? f.sha256, size: f.bytes.length },
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([...listing, { path: 'README.md' }]));
    return;
  }
  if ((m = /^\/cdn\/(.+\.gguf)$/.exec(path))) {
    cdnAuthorization.push(req.headers.authorization);
    return serveFile(m[1] as string, req, res);
  }
  // A gated repository: the hub wants the token, then redirects to its CDN on another origin.
  if ((m = /^\/lathe-gated\/[\w.-]+\/resolve\/main\/(.+)$/.exec(path))) {
    if (req.headers.authorization !== `Bearer ${gatedToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Access to model is restricted."}');
      return;
    }
    res.writeHead(302, { location: `${base.replace('127.0.0.1', 'localhost')}/cdn/${m[1]}` }).end();
    return;
  }
  if ((m = /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/.exec(path))) {
    const file = files.get(m[2] as string);
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Entry not found"}');
      return;
    }
    res
      .writeHead(302, {
        location: `/files/${m[2]}`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.bytes.length),
      })
      .end();
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
}

beforeAll(async () => {
  dir = tempDir();
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  core = makeCore();
});
afterAll(async () => {
  await core.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dir.remove();
});

function makeCore(extra: Parameters<typeof testCore>[1] = {}): Core {
  return testCore(join(dir.path, 'data'), {
    progressIntervalMs: 20,
    inference: { gpu: false },
    downloads: { hfEndpoint: base, retries: 3, retryDelayMs: 20, stallTimeoutMs: 5000 },
    ...extra,
  });
}

async function call<T>(method: string, input: unknown, on = core): Promise<T> {
  const result = await on.dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), { data: result.error });
  return result.data as T;
}

async function download(source: string, on = core): Promise<Job> {
  const { job } = await call<{ job: Job }>('models.download', { source }, on);
  return on.jobs.wait(job.id);
}

function modelsDir(): string {
  return join(dir.path, 'data', 'models');
}
function partials(): string[] {
  return existsSync(modelsDir()) ? readdirSync(modelsDir()).filter((f) => f.includes('.lathe-download-')) : [];
}

/** Resolves once the job has written at least `fraction` of the file. */
function progressReached(jobId: string, fraction: number, on = core): Promise<void> {
  return new Promise((resolve) => {
    const off = on.events.subscribe((event, payload) => {
      const job = payload as Job;
      if (event === 'jobs.progress' && job.id === jobId && job.progress >= fraction) {
        off();
        resolve();
      }
    });
  });
}

/** A model written as `count` split files, each served under its own name; answers the parts. */
function addSplitModel(stem: string, count: number, seed: number): { names: string[]; sha256: string; size: number } {
  mkdirSync(join(dir.path, 'src'), { recursive: true });
  writeRandomLlama(join(dir.path, 'src', `${stem}.gguf`), { seed, shape: { nEmbd: 128, nFf: 256 }, splits: count });
  const names = Array.from({ length: count }, (_, i) => `${stem}-0000${i + 1}-of-0000${count}.gguf`);
  const whole = createHash('sha256');
  let size = 0;
  for (const name of names) {
    const bytes = readFileSync(join(dir.path, 'src', name));
    files.set(name, { bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
    whole.update(bytes);
    size += bytes.length;
  }
  return { names, sha256: whole.digest('hex'), size };
}

async function expectImported(job: Job, served: Served): Promise<ModelDownloadResult> {
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  const result = job.result as ModelDownloadResult;
  expect(result.sha256).toBe(served.sha256);
  expect(createHash('sha256').update(readFileSync(result.path)).digest('hex')).toBe(served.sha256);
  const model = await call<ModelInfo>('models.get', { id: result.modelId });
  expect(model).toMatchObject({ sha256: served.sha256, path: result.path, architecture: 'llama', missing: false });
  expect(result.path.startsWith(modelsDir())).toBe(true);
  return result;
}

describe('models.download', () => {
  it('downloads a URL with progress (bytes, speed), verifies its .sha256 and imports it', async () => {
    const served = addModel('plain.gguf', 11);
    const messages: string[] = [];
    const importMessages: string[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event !== 'jobs.progress' && event !== 'jobs.updated') return;
      const job = payload as Job;
      if (job.kind === 'models.download') messages.push(job.message);
      if (job.kind === 'models.import') importMessages.push(job.message);
    });
    const job = await download(`${base}/files/plain.gguf`);
    off();
    const result = await expectImported(job, served);
    expect(result).toMatchObject({ verified: true, sizeBytes: served.bytes.length });
    expect(messages.some((m) => /^Downloading .* of .*B/.test(m))).toBe(true);
    // The bytes were hashed while they arrived: the library does not read the file a second time.
    expect(importMessages.length).toBeGreaterThan(0);
    expect(importMessages.some((m) => m.startsWith('Hashing'))).toBe(false);
    expect(partials()).toEqual([]);
  });

  it('reconnects after a dropped connection and continues from where it stopped', async () => {
    const served = addModel('dropped.gguf', 12);
    behaviour.set('dropped.gguf', { dropAfter: 100_000, dropTimes: 2 });
    const job = await download(`${base}/files/dropped.gguf`);
    await expectImported(job, served);
    // Each reconnection asks for the rest from what arrived (a destroyed socket may lose its last chunks).
    const starts = (ranges.get('dropped.gguf') ?? []).map((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1] ?? 0));
    expect(starts).toHaveLength(3);
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[1]).toBeLessThanOrEqual(100_000);
    expect(starts[2]).toBeGreaterThan(starts[1] as number);
  });

  it('keeps the partial file when retries run out; the same source later resumes it', async () => {
    const served = addModel('flaky.gguf', 13);
    behaviour.set('flaky.gguf', { dropAfter: 60_000, dropTimes: 99 });
    const flaky = makeCoreFor({ retries: 0 });
    const failed = await download(`${base}/files/flaky.gguf`, flaky);
    await flaky.close();
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'IO_ERROR', details: { reason: 'network' } });
    const received = (failed.error?.details as { receivedBytes: number }).receivedBytes;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(60_000);
    expect(partials().length).toBe(2); // the bytes and their metadata
    behaviour.delete('flaky.gguf');
    ranges.delete('flaky.gguf');
    const job = await download(`${base}/files/flaky.gguf`);
    await expectImported(job, served);
    expect(ranges.get('flaky.gguf')).toEqual([`bytes=${received}-`]);
    expect(partials()).toEqual([]);
  });

  it('cancels mid-file keeping the partial, and models.downloadResume completes it', async () => {
    const served = addModel('slow.gguf', 14);
    behaviour.set('slow.gguf', { chunkDelayMs: 15 });
    const { job } = await call<{ job: Job }>('models.download', { source: `${base}/files/slow.gguf`, name: 'Slow' });
    await progressReached(job.id, 0.2);
    expect((await core.jobs.cancel(job.id)).state).toBe('cancelled');
    expect(partials().length).toBe(2);
    behaviour.delete('slow.gguf');
    const resumed = await call<{ job: Job }>('models.downloadResume', { jobId: job.id });
    const result = await expectImported(await core.jobs.wait(resumed.job.id), served);
    expect((await call<ModelInfo>('models.get', { id: result.modelId })).name).toBe('Slow');
    expect(ranges.get('slow.gguf')?.[1]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(await core.dispatch('models.downloadResume', { jobId: resumed.job.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it('discards the partial file of a cancelled download on request', async () => {
    addModel('discard.gguf', 15);
    behaviour.set('discard.gguf', { chunkDelayMs: 15 });
    const { job } = await call<{ job: Job }>('models.download', { source: `${base}/files/discard.gguf` });
    await progressReached(job.id, 0.1);
    await core.jobs.cancel(job.id);
    expect(partials().length).toBe(2);
    expect(await call('models.downloadDiscard', { jobId: job.id })).toEqual({ deleted: true });
    expect(partials()).toEqual([]);
    behaviour.delete('discard.gguf');
  });

  it('resumes a download interrupted by closing the app, after a restart', async () => {
    const served = addModel('restart.gguf', 16);
    behaviour.set('restart.gguf', { chunkDelayMs: 15 });
    const first = makeCoreFor({});
    const { job } = await call<{ job: Job }>('models.download', { source: `${base}/files/restart.gguf` }, first);
    await progressReached(job.id, 0.2, first);
    await first.close();
    behaviour.delete('restart.gguf');
    const second = makeCoreFor({});
    expect(second.jobs.get(job.id).state).toBe('interrupted');
    const resumed = await call<{ job: Job }>('models.downloadResume', { jobId: job.id }, second);
    const done = await second.jobs.wait(resumed.job.id);
    await second.close();
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect((done.result as ModelDownloadResult).sha256).toBe(served.sha256);
    expect(ranges.get('restart.gguf')?.[1]).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('refuses a server that answers an HTML page or non-GGUF bytes, keeping nothing', async () => {
    const before = (await call<ModelInfo[]>('models.list', {})).length;
    for (const path of ['html', 'garbage']) {
      const job = await download(`${base}/${path}/model.gguf`);
      expect(job.state).toBe('failed');
      expect(job.error).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'not-gguf' } });
    }
    expect(await call<ModelInfo[]>('models.list', {})).toHaveLength(before);
    expect(partials()).toEqual([]);
    expect(existsSync(join(modelsDir(), 'model.gguf'))).toBe(false);
  });

  it('answers NOT_FOUND for a 404', async () => {
    const job = await download(`${base}/files/nothing-here.gguf`);
    expect(job.error).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'http-status', status: 404 } });
  });

  it('refuses to start without the disk space, with the numbers', async () => {
    addModel('big.gguf', 17);
    const small = makeCoreFor({ statfs: () => Promise.resolve({ bavail: 100, bsize: 4096 }) });
    const job = await download(`${base}/files/big.gguf`, small);
    await small.close();
    expect(job.error).toMatchObject({
      code: 'IO_ERROR',
      details: { reason: 'disk-full', availableBytes: 409_600 },
    });
    expect((job.error?.details as { neededBytes: number }).neededBytes).toBeGreaterThan(
      files.get('big.gguf')!.bytes.length,
    );
    expect(partials()).toEqual([]);
  });

  it('resolves hf:<user>/<repo>:<quant> through the hub listing and checks its LFS sha256', async () => {
    const served = addModel('Tiny-Q8_0.gguf', 18);
    const job = await download('hf:lathe/tiny-GGUF:q8_0');
    expect(await expectImported(job, served)).toMatchObject({ verified: true });
    const missing = await download('hf:lathe/tiny-GGUF:Q2_K');
    expect(missing.error).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'no-such-file' } });
  });

  it('downloads every part of a split GGUF from hf:<user>/<repo>:<quant>, checked part by part, as one model', async () => {
    const split = addSplitModel('Big-Q4_0', 3, 22);
    behaviour.set(split.names[1] as string, { dropAfter: 50_000, dropTimes: 1 });
    const seenProgress: number[] = [];
    const started = await call<{ job: Job }>('models.download', { source: 'hf:lathe/big-GGUF:Q4_0' });
    const off = core.events.subscribe((event, payload) => {
      if (event === 'jobs.progress' && (payload as Job).id === started.job.id)
        seenProgress.push((payload as Job).progress);
    });
    const job = await core.jobs.wait(started.job.id);
    off();
    expect(seenProgress.length).toBeGreaterThan(2);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as ModelDownloadResult;
    expect(result).toMatchObject({
      path: join(modelsDir(), split.names[0] as string),
      sizeBytes: split.size,
      sha256: split.sha256,
      verified: true,
    });
    for (const name of split.names) expect(existsSync(join(modelsDir(), name)), name).toBe(true);
    expect(await call<ModelInfo>('models.get', { id: result.modelId })).toMatchObject({ files: 3, missing: false });
    // the dropped connection in part 2 was resumed from where it stopped
    expect(ranges.get(split.names[1] as string)?.[1]).toMatch(/^bytes=[1-9]\d*-$/);
    // progress over the whole model: it only grows
    expect(seenProgress.every((p, i) => i === 0 || p >= (seenProgress[i - 1] as number))).toBe(true);
    expect(partials()).toEqual([]);
  });

  it('downloads a split GGUF from the URL of any part, and resumes a cancelled one without fetching done parts again', async () => {
    const split = addSplitModel('Url-F32', 2, 23);
    const [first, second] = split.names as [string, string];
    behaviour.set(second, { chunkDelayMs: 15 });
    const { job } = await call<{ job: Job }>('models.download', { source: `${base}/files/${second}` });
    await progressReached(job.id, 0.6);
    expect((await core.jobs.cancel(job.id)).state).toBe('cancelled');
    expect(existsSync(join(modelsDir(), first))).toBe(true);
    behaviour.delete(second);
    const resumed = await call<{ job: Job }>('models.downloadResume', { jobId: job.id });
    const done = await core.jobs.wait(resumed.job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result).toMatchObject({ sha256: split.sha256, verified: true, path: join(modelsDir(), first) });
    expect(ranges.get(first)).toHaveLength(1);
    expect(ranges.get(second)?.[1]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(partials()).toEqual([]);
  });

  it('discards every part of a cancelled split download, parts already in the models folder too', async () => {
    const split = addSplitModel('Gone-F32', 2, 24);
    const [first, second] = split.names as [string, string];
    behaviour.set(second, { chunkDelayMs: 15 });
    const { job } = await call<{ job: Job }>('models.download', { source: `${base}/files/${first}` });
    await progressReached(job.id, 0.6);
    await core.jobs.cancel(job.id);
    expect(existsSync(join(modelsDir(), first))).toBe(true);
    expect(partials().length).toBeGreaterThan(0);
    expect(await call('models.downloadDiscard', { jobId: job.id })).toEqual({ deleted: true });
    expect(existsSync(join(modelsDir(), first))).toBe(false);
    expect(partials()).toEqual([]);
    behaviour.delete(second);
  });

  it('downloads hf:<user>/<repo>/<file> through the resolve redirect and rejects a wrong checksum', async () => {
    const served = addModel('Other-F32.gguf', 19);
    const job = await download('hf:lathe/other-GGUF/Other-F32.gguf');
    expect(await expectImported(job, served)).toMatchObject({ verified: true });

    addModel('Bad-Q4_K_M.gguf', 20);
    listingOid.set('lathe/bad-GGUF/Bad-Q4_K_M.gguf', 'f'.repeat(64));
    const bad = await download('hf:lathe/bad-GGUF:Q4_K_M');
    expect(bad.error).toMatchObject({ code: 'IO_ERROR', details: { reason: 'checksum-mismatch' } });
    expect(partials()).toEqual([]);
    expect(existsSync(join(modelsDir(), 'Bad-Q4_K_M.gguf'))).toBe(false);
  });

  it('sends the stored Hugging Face token to the hub only, and says what to do when a gated repo refuses', async () => {
    const served = addModel('Gated-Q8_0.gguf', 21);
    const denied = await download('hf:lathe-gated/model-GGUF/Gated-Q8_0.gguf');
    expect(denied.error).toMatchObject({ code: 'IO_ERROR', details: { reason: 'http-status', status: 401 } });
    expect(denied.error?.message).toMatch(/gated.*add an access token under Settings/);

    const wrong = await call<Settings>('settings.update', { huggingFaceToken: 'hf_' + 'x'.repeat(30) });
    expect(wrong.huggingFaceTokenSet).toBe(true);
    expect(JSON.stringify(wrong)).not.toContain('hf_');
    const refused = await download('hf:lathe-gated/model-GGUF/Gated-Q8_0.gguf');
    expect(refused.error?.message).toMatch(/token was sent: accept the model’s license/);

    await call('settings.update', { huggingFaceToken: gatedToken });
    cdnAuthorization.length = 0;
    const job = await download('hf:lathe-gated/model-GGUF/Gated-Q8_0.gguf');
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect((job.result as ModelDownloadResult).sha256).toBe(served.sha256);
    expect(cdnAuthorization.length).toBeGreaterThan(0);
    expect(cdnAuthorization.every((h) => h === undefined)).toBe(true);

    const cleared = await call<Settings>('settings.update', { huggingFaceToken: null });
    expect(cleared.huggingFaceTokenSet).toBe(false);
    expect((await core.dispatch('settings.update', { huggingFaceToken: 'not a token' })).ok).toBe(false);
  });

  it('refuses a second download of a model already in the library', async () => {
    const job = await download(`${base}/files/plain.gguf`);
    expect(job.error).toMatchObject({ code: 'CONFLICT' });
  });

  it('lists the catalog with hf sources for every quantization', async () => {
    const catalog = await call<{ id: string; files: { source: string; approxSizeBytes: number }[] }[]>(
      'models.catalog',
      {},
    );
    expect(catalog.map((c) => c.id)).toEqual(
      expect.arrayContaining(['qwen3-0.6b', 'llama-3.2-3b-instruct', 'gemma-3-4b-it', 'smollm3-3b']),
    );
    for (const entry of catalog) {
      expect(entry.files).toHaveLength(4);
      for (const f of entry.files) expect(f.source).toMatch(/^hf:[\w.-]+\/[\w.-]+:(Q4_K_M|Q5_K_M|Q8_0|F16)$/);
    }
  });
});

/** Another core over the same data folder (the shared one must not be open at the same time for jobs). */
function makeCoreFor(downloads: Record<string, unknown>): Core {
  return testCore(join(dir.path, 'data'), {
    progressIntervalMs: 20,
    inference: { gpu: false },
    downloads: { hfEndpoint: base, retries: 3, retryDelayMs: 20, stallTimeoutMs: 5000, ...downloads },
  });
}
