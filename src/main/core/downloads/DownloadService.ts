import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, statfs, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogEntry, DownloadErrorReason, Job, ModelDownloadResult } from '../../../shared/domain';
import { AppError, type ErrorCode } from '../../../shared/errors';
import type { JobContext, JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import type { ModelsService } from '../models/ModelsService';
import { modelCatalog } from './catalog';
import { downloadMessage, formatBytes, SpeedMeter } from './downloadProgress';
import { splitGgufName, splitPartName } from '../models/ggufParts';
import {
  hfFileUrl,
  parseSha256,
  parseSource,
  pickQuantFile,
  safeFileName,
  type DownloadSource,
  type HfTreeFile,
} from './parseSource';

export const modelDownloadJobKind = 'models.download';

/** Free space of the file system holding `path` (the subset of `fs.statfs` used here). */
export type StatFs = (path: string) => Promise<{ bavail: number; bsize: number }>;

/** `CoreConfig.downloads`: where `hf:` sources resolve, and the retry policy. */
export interface DownloadsConfig {
  /** Base URL of the Hugging Face hub (default `https://huggingface.co`); tests point it at 127.0.0.1. */
  hfEndpoint?: string;
  /** Reconnections after a dropped or stalled connection that made no progress (default 4). */
  retries?: number;
  /** Wait before the first reconnection, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
  /** A connection that delivers no byte for this long is dropped and retried (default 60 000 ms). */
  stallTimeoutMs?: number;
  /** Free-space probe; default `fs.statfs`. Tests inject a small disk. */
  statfs?: StatFs;
}

export interface DownloadServiceOptions {
  config: DownloadsConfig;
  jobs: JobRunner;
  models: ModelsService;
  /** The models folder (created if missing). */
  modelsDir: () => string;
  /** The user's Hugging Face access token, sent to the hub only (never to the CDN it redirects to). */
  huggingFaceToken?: () => string | null;
  logger: Logger;
}

interface DownloadArgs {
  source: string;
  name?: string;
}

/** Kept beside the partial file so a later job (even after a restart) can continue it. */
interface PartialMeta {
  source: string;
  url: string;
  fileName: string;
  etag: string | null;
  totalBytes: number | null;
  sha256: string | null;
  /** Set once the file is complete, verified and moved to `dest`; cleared after the import. */
  dest?: string;
  verified?: boolean;
  /** The file at `dest` as it was when `sha256` was taken over it, so the import need not hash it again. */
  destSizeBytes?: number;
  destMtimeMs?: number;
  /** A split model: this file is part `part` (1-based) of `parts`. */
  part?: number;
  parts?: number;
}

interface Remote {
  url: string;
  fileName: string;
  sha256: string | null;
  sizeBytes: number | null;
}

/** Room left free on the disk beyond the file itself, so the database and logs can still be written. */
const headroomBytes = 64 * 1024 * 1024;
const userAgent = 'Lathe (model download)';

/**
 * Downloads GGUF models into the models folder as `models.download` jobs, resumable across
 * cancellations, dropped connections and restarts (the partial file and its metadata stay in the
 * models folder under a name derived from the source), verified against a published SHA-256,
 * then imported through the library.
 */
export class DownloadService {
  readonly #o: DownloadServiceOptions;
  readonly #endpoint: string;
  /** Partial-file keys of running downloads: one job per source at a time. */
  readonly #active = new Map<string, string>();

  constructor(options: DownloadServiceOptions) {
    this.#o = options;
    this.#endpoint = (options.config.hfEndpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
    options.jobs.register<DownloadArgs, ModelDownloadResult>(modelDownloadJobKind, (args, context) =>
      this.#run(args, context),
    );
  }

  catalog(): CatalogEntry[] {
    return modelCatalog.map((entry) => structuredClone(entry));
  }

  /** Starts (or continues, when a partial file of the same source exists) a download job. */
  download(input: { source: string; name?: string | undefined }): { job: Job } {
    parseSource(input.source);
    const key = partialKey(input.source);
    const running = this.#active.get(key);
    if (running) {
      throw new AppError('BUSY', 'This model is already being downloaded.', { jobId: running });
    }
    const args: DownloadArgs = { source: input.source.trim(), ...(input.name ? { name: input.name } : {}) };
    const job = this.#o.jobs.start<DownloadArgs>(modelDownloadJobKind, args, `Download ${describe(args.source)}`);
    return { job };
  }

  /** A new job continuing a cancelled, failed or interrupted download. */
  resume(jobId: string): { job: Job } {
    const args = this.#finishedArgs(jobId, 'resumed');
    return this.download(args);
  }

  /** Deletes the partial file (and its metadata) left by a download job. */
  async discard(jobId: string): Promise<{ deleted: boolean }> {
    const args = this.#finishedArgs(jobId, 'discarded');
    const key = partialKey(args.source);
    if (this.#active.has(key)) throw new AppError('CONFLICT', 'This download is running again; cancel it first.');
    let existed = false;
    // every part of a split model: the first part's metadata says how many there are
    const parts = (await readMeta(this.#paths(key).meta))?.parts ?? 1;
    for (let part = 1; part <= parts; part++) {
      const { partial, meta } = this.#paths(key, part);
      // a part already moved into the models folder (the rest never came): the library never had it
      const dest = (await readMeta(meta))?.dest;
      if (dest && (await exists(dest))) {
        await rm(dest, { force: true });
        existed = true;
      }
      existed = existed || (await exists(partial)) || (await exists(meta));
      await rm(partial, { force: true });
      await rm(meta, { force: true });
    }
    return { deleted: existed };
  }

  #finishedArgs(jobId: string, verb: string): DownloadArgs {
    const job = this.#o.jobs.get(jobId);
    if (job.kind !== modelDownloadJobKind) {
      throw new AppError('INVALID_INPUT', `The job "${job.title}" is not a download.`, { jobId });
    }
    if (job.state === 'running' || job.state === 'queued' || job.state === 'succeeded') {
      throw new AppError('CONFLICT', `The download "${job.title}" is ${job.state}; it cannot be ${verb}.`, {
        jobId,
        state: job.state,
      });
    }
    return this.#o.jobs.args(jobId) as DownloadArgs;
  }

  /** The partial file of part `part` (1-based; a single-file model is part 1) and its metadata. */
  #paths(key: string, part = 1): { partial: string; meta: string } {
    const partial = join(this.#o.modelsDir(), `.lathe-download-${key}${part > 1 ? `-${part}` : ''}.partial`);
    return { partial, meta: `${partial}.json` };
  }

  async #run(args: DownloadArgs, context: JobContext): Promise<ModelDownloadResult> {
    const key = partialKey(args.source);
    if (this.#active.has(key)) throw new AppError('BUSY', 'This model is already being downloaded.');
    this.#active.set(key, context.jobId);
    try {
      return await this.#download(args, key, context);
    } finally {
      this.#active.delete(key);
    }
  }

  async #download(args: DownloadArgs, key: string, context: JobContext): Promise<ModelDownloadResult> {
    const { signal } = context;
    // Finished but not imported (the app stopped in between): import what is already there.
    const finished = await this.#finishedParts(key);
    if (finished) return this.#import(finished, args, context);

    context.onProgress({ progress: 0, message: 'Looking up the file…' });
    const remotes = await this.#resolve(parseSource(args.source), signal);
    const count = remotes.length;
    const dests = remotes.map((r) => join(this.#o.modelsDir(), safeFileName(r.fileName)));
    const saved = await Promise.all(remotes.map((_, i) => readMeta(this.#paths(key, i + 1).meta)));
    // Parts already downloaded, verified and moved into place by an earlier job of this source.
    const done = await Promise.all(
      remotes.map(
        async (r, i) =>
          saved[i]?.url === r.url &&
          saved[i]?.dest === dests[i] &&
          saved[i]?.destSizeBytes !== undefined &&
          (await sizeOf(dests[i] as string)) === saved[i]?.destSizeBytes,
      ),
    );
    const library = this.#o.models.list();
    const first = remotes[0] as Remote;
    const same = library.find((m) => (count === 1 && first.sha256 && m.sha256 === first.sha256) || m.path === dests[0]);
    if (same) {
      throw new AppError('CONFLICT', `This model is already in the library as "${same.name}".`, {
        existingId: same.id,
      });
    }
    for (const [i, dest] of dests.entries()) {
      if (!done[i] && (await exists(dest))) {
        throw downloadError(
          'CONFLICT',
          'file-exists',
          `A file named ${safeFileName(remotes[i]?.fileName ?? '')} is already in the models folder; import it instead.`,
          { path: dest },
        );
      }
    }
    // The whole model must fit before the first byte, when the source says how big it is.
    const sizes = remotes.map((r) => r.sizeBytes);
    const known = sizes.every((n): n is number => n !== null);
    if (count > 1 && known) {
      let needed = 0;
      for (const [i, size] of sizes.entries()) {
        if (!done[i])
          needed += size - (saved[i]?.url === remotes[i]?.url ? await sizeOf(this.#paths(key, i + 1).partial) : 0);
      }
      await this.#checkSpace(needed, context);
    }
    const total = known ? sizes.reduce((a, b) => a + b, 0) : null;

    const results: PartialMeta[] = [];
    let before = 0;
    for (const [i, remote] of remotes.entries()) {
      const part = i + 1;
      const paths = this.#paths(key, part);
      if (done[i]) {
        results.push(saved[i] as PartialMeta);
        before += saved[i]?.destSizeBytes ?? 0;
        continue;
      }
      // One part's progress, as a share of the whole model.
      const partContext: JobContext =
        count === 1
          ? context
          : {
              ...context,
              onProgress: (p) =>
                context.onProgress({
                  ...(p.progress !== undefined
                    ? {
                        progress:
                          total !== null && remote.sizeBytes !== null
                            ? (before + p.progress * remote.sizeBytes) / total
                            : (i + p.progress) / count,
                      }
                    : {}),
                  ...(p.message !== undefined ? { message: `Part ${part} of ${count}: ${p.message}` } : {}),
                }),
            };
      const result = await this.#downloadPart(args, remote, dests[i] as string, paths, saved[i] ?? null, partContext, {
        part,
        parts: count,
      });
      results.push(result);
      before += result.destSizeBytes ?? 0;
    }
    return this.#import(
      results.map((meta, i) => ({ meta, metaPath: this.#paths(key, i + 1).meta })),
      args,
      context,
    );
  }

  /** Every part of a finished download whose import did not happen, or null. */
  async #finishedParts(key: string): Promise<{ meta: PartialMeta; metaPath: string }[] | null> {
    const first = await readMeta(this.#paths(key).meta);
    if (!first?.dest) return null;
    const parts: { meta: PartialMeta; metaPath: string }[] = [];
    for (let part = 1; part <= (first.parts ?? 1); part++) {
      const metaPath = this.#paths(key, part).meta;
      const meta = part === 1 ? first : await readMeta(metaPath);
      if (!meta?.dest || !(await exists(meta.dest))) return null;
      parts.push({ meta, metaPath });
    }
    return parts;
  }

  /** One file (a whole model, or one part of a split one): fetched, verified and moved to `dest`. */
  async #downloadPart(
    args: DownloadArgs,
    remote: Remote,
    dest: string,
    paths: { partial: string; meta: string },
    saved: PartialMeta | null,
    context: JobContext,
    split: { part: number; parts: number },
  ): Promise<PartialMeta> {
    let meta: PartialMeta = {
      source: args.source,
      url: remote.url,
      fileName: remote.fileName,
      etag: null,
      totalBytes: remote.sizeBytes,
      sha256: remote.sha256,
      ...(split.parts > 1 ? split : {}),
    };
    // The same source now names another file (a new upload): the partial one is of no use.
    const resumable = saved !== null && saved.url === remote.url;
    if (resumable) meta = { ...meta, etag: saved.etag, sha256: remote.sha256 ?? saved.sha256 };
    const received = await this.#fetchToFile(meta, resumable, paths, context);
    meta = received.meta;

    if (meta.sha256 && received.sha256 !== meta.sha256) {
      await rm(paths.partial, { force: true });
      await rm(paths.meta, { force: true });
      throw downloadError(
        'IO_ERROR',
        'checksum-mismatch',
        split.parts > 1
          ? `Part ${split.part} of ${split.parts} does not match the checksum the source published; it was deleted.`
          : 'The downloaded file does not match the checksum the source published; it was deleted.',
        { expected: meta.sha256, actual: received.sha256 },
      );
    }
    if (await exists(dest)) {
      throw downloadError('CONFLICT', 'file-exists', `A file named ${dest} appeared in the models folder.`, {
        path: dest,
      });
    }
    await rename(paths.partial, dest);
    const moved = await stat(dest);
    const done: PartialMeta = {
      ...meta,
      sha256: received.sha256,
      dest,
      verified: meta.sha256 !== null,
      destSizeBytes: moved.size,
      destMtimeMs: Math.floor(moved.mtimeMs),
    };
    await writeMeta(paths.meta, done);
    return done;
  }

  /** Imports the finished file(s) through the library; files the library refuses are deleted. */
  async #import(
    files: { meta: PartialMeta; metaPath: string }[],
    args: DownloadArgs,
    context: JobContext,
  ): Promise<ModelDownloadResult> {
    const first = files[0] as { meta: PartialMeta; metaPath: string };
    const dest = first.meta.dest as string;
    context.onProgress({ progress: 1, message: 'Adding to the library…' });
    const discard = async () => {
      for (const f of files) {
        await rm(f.meta.dest as string, { force: true });
        await rm(f.metaPath, { force: true });
      }
    };
    let importJob: Job;
    try {
      // The bytes were hashed as they arrived; the library takes that hash while the file is unchanged
      // (a split model's identity is the hash of all its parts: the library computes it).
      const meta = first.meta;
      const known =
        files.length === 1 && meta.sha256 && meta.destSizeBytes !== undefined && meta.destMtimeMs !== undefined
          ? { sha256: meta.sha256, sizeBytes: meta.destSizeBytes, mtimeMs: meta.destMtimeMs }
          : undefined;
      ({ job: importJob } = await this.#o.models.import(
        { path: dest, ...(args.name ? { name: args.name } : {}) },
        known,
      ));
    } catch (error) {
      await discard();
      throw error;
    }
    const cancelImport = () => void this.#o.jobs.cancel(importJob.id).catch(() => undefined);
    context.signal.addEventListener('abort', cancelImport, { once: true });
    const finished = await this.#o.jobs.wait(importJob.id);
    context.signal.removeEventListener('abort', cancelImport);
    if (context.signal.aborted) throw context.signal.reason;
    if (finished.state !== 'succeeded') {
      const error = finished.error ?? { code: 'INTERNAL' as const, message: 'The import did not finish.' };
      // A copy of a model already in the library is of no use; anything else the library refused is not a model.
      await discard();
      throw new AppError(error.code, error.message, error.details);
    }
    for (const f of files) await rm(f.metaPath, { force: true });
    const { modelId } = finished.result as { modelId: string };
    const model = this.#o.models.get(modelId);
    return {
      modelId,
      path: dest,
      sizeBytes: model.sizeBytes,
      sha256: model.sha256,
      verified: files.every((f) => f.meta.verified === true),
    };
  }

  /**
   * Where the bytes are, their file name and, when published, their size and SHA-256: one file, or
   * every part of a split model in order (`…-00001-of-0000N.gguf`, whichever part the source named).
   */
  async #resolve(source: DownloadSource, signal: AbortSignal): Promise<Remote[]> {
    if (source.kind === 'url') {
      const url = new URL(source.url);
      const fileName = decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'model.gguf';
      const split = splitGgufName(fileName);
      if (!split) {
        const sha256 = source.sha256 ?? (await this.#companionSha256(source.url, signal));
        return [{ url: source.url, fileName, sha256, sizeBytes: null }];
      }
      const remotes: Remote[] = [];
      for (let part = 1; part <= split.count; part++) {
        const name = splitPartName(split.prefix, part, split.count);
        const partUrl = new URL(url);
        partUrl.pathname = url.pathname.replace(/[^/]*$/, encodeURIComponent(name));
        const sha256 =
          part === split.part && source.sha256
            ? source.sha256
            : await this.#companionSha256(partUrl.toString(), signal);
        remotes.push({ url: partUrl.toString(), fileName: name, sha256, sizeBytes: null });
      }
      return remotes;
    }
    if (source.kind === 'hf-file') {
      const fileName = source.path.split('/').pop() as string;
      const split = splitGgufName(fileName);
      if (!split) {
        return [
          {
            url: hfFileUrl(this.#endpoint, source.repo, source.branch, source.path),
            fileName,
            sha256: null,
            sizeBytes: null,
          },
        ];
      }
      const folder = source.path.slice(0, source.path.length - fileName.length);
      const listed = await this.#list(source.repo, source.branch, signal).catch(() => null);
      return Array.from({ length: split.count }, (_, i) => {
        const name = splitPartName(split.prefix, i + 1, split.count);
        const file = listed?.find((f) => f.path === `${folder}${name}`);
        return {
          url: hfFileUrl(this.#endpoint, source.repo, source.branch, `${folder}${name}`),
          fileName: name,
          sha256: parseSha256(file?.lfs?.oid),
          sizeBytes: file?.lfs?.size ?? file?.size ?? null,
        };
      });
    }
    const files = await this.#list(source.repo, source.branch, signal);
    const picked = pickQuantFile(files, source.quant);
    if ('split' in picked) {
      return picked.split.map((file) => ({
        url: hfFileUrl(this.#endpoint, source.repo, source.branch, file.path),
        fileName: file.path.split('/').pop() as string,
        sha256: parseSha256(file.lfs?.oid),
        sizeBytes: file.lfs?.size ?? file.size ?? null,
      }));
    }
    if (!picked.file) {
      throw downloadError(
        'NOT_FOUND',
        'no-such-file',
        `${source.repo} has no ${source.quant} GGUF` +
          (picked.available.length ? ` (it has ${picked.available.join(', ')}).` : '.'),
        { available: picked.available },
      );
    }
    const file = picked.file;
    return [
      {
        url: hfFileUrl(this.#endpoint, source.repo, source.branch, file.path),
        fileName: file.path.split('/').pop() as string,
        sha256: parseSha256(file.lfs?.oid),
        sizeBytes: file.lfs?.size ?? file.size ?? null,
      },
    ];
  }

  /** The files of a repository on the hub, from its tree API. */
  async #list(repo: string, branch: string, signal: AbortSignal): Promise<HfTreeFile[]> {
    const listUrl = `${this.#endpoint}/api/models/${repo}/tree/${encodeURIComponent(branch)}?recursive=true`;
    const response = await this.#request(listUrl, {}, signal);
    if (!response.ok) {
      await response.body?.cancel();
      throw httpError(response.status, `The repository ${repo} could not be listed`, this.#tokenNote(listUrl));
    }
    const files = (await response.json().catch(() => null)) as unknown;
    if (!Array.isArray(files)) {
      throw downloadError('IO_ERROR', 'http-status', `The hub answered an unexpected listing for ${repo}.`);
    }
    return files as HfTreeFile[];
  }

  /** A `<file>.sha256` beside a plain URL, when the server has one; anything else means none. */
  async #companionSha256(url: string, signal: AbortSignal): Promise<string | null> {
    const companion = new URL(url);
    if (!/\.gguf$/i.test(companion.pathname)) return null;
    companion.pathname += '.sha256';
    try {
      const response = await fetch(companion, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
        headers: { 'user-agent': userAgent },
      });
      const text = response.ok ? (await response.text()).slice(0, 1024) : (await response.body?.cancel(), null);
      return parseSha256(text);
    } catch {
      if (signal.aborted) throw signal.reason;
      return null;
    }
  }

  /**
   * The hub's Authorization header for a URL on the hub itself. Redirects to another origin (the
   * hub's CDN uses signed URLs) and plain URLs elsewhere never see the token.
   */
  #auth(url: string): Record<string, string> {
    const token = this.#o.huggingFaceToken?.() ?? null;
    if (!token || new URL(url).origin !== new URL(this.#endpoint).origin) return {};
    return { authorization: `Bearer ${token}` };
  }

  /** What to suggest when the hub denies access: a token, or a license that the token's owner must accept. */
  #tokenNote(url: string): string {
    if (new URL(url).origin !== new URL(this.#endpoint).origin) return '';
    return this.#auth(url).authorization
      ? ' Your Hugging Face token was sent: accept the model’s license on its Hugging Face page with that account, or check that the token can read this repository.'
      : ' The repository may be gated: accept its license on its Hugging Face page and add an access token under Settings → Hugging Face.';
  }

  /** GET following redirects by hand, to keep headers the hub puts on the redirect (X-Linked-*). */
  async #request(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<LinkedResponse> {
    const linked = { etag: null as string | null, size: null as number | null };
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      let response: Response;
      try {
        response = await fetch(current, {
          headers: { 'user-agent': userAgent, 'accept-encoding': 'identity', ...this.#auth(current), ...headers },
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw networkError(error);
      }
      linked.etag ??= response.headers.get('x-linked-etag');
      const size = Number(response.headers.get('x-linked-size'));
      if (linked.size === null && Number.isFinite(size) && size > 0) linked.size = size;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current).toString();
        continue;
      }
      return Object.assign(response, { linked });
    }
    throw downloadError('IO_ERROR', 'http-status', 'The server redirected too many times.');
  }

  /**
   * Fills the partial file from where it stops, reconnecting after drops and stalls; answers its
   * SHA-256 and the metadata as the server confirmed it.
   */
  async #fetchToFile(
    initial: PartialMeta,
    resumable: boolean,
    paths: { partial: string; meta: string },
    context: JobContext,
  ): Promise<{ sha256: string; meta: PartialMeta }> {
    const { signal } = context;
    const retries = this.#o.config.retries ?? 4;
    const firstDelay = this.#o.config.retryDelayMs ?? 1000;
    let meta = initial;
    let offset = resumable ? await sizeOf(paths.partial) : 0;
    let hash = createHash('sha256');
    if (offset > 0) {
      context.onProgress({ message: 'Checking the partial download…' });
      if (await startsWithGguf(paths.partial)) await hashFile(paths.partial, offset, hash, signal);
      else offset = 0;
    }
    const handle = await open(paths.partial, offset > 0 ? 'r+' : 'w');
    try {
      await handle.truncate(offset);
      let failures = 0;
      let restarts = 0;
      let delay = firstDelay;
      for (;;) {
        const before = offset;
        try {
          const result = await this.#attempt(meta, offset, handle, hash, paths, context);
          return { sha256: hash.digest('hex'), meta: result };
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (!(error instanceof RetryableError)) throw error;
          if (error.restart) {
            // The remote file changed or the server ignored the range: start over, once.
            if (++restarts > 1) throw downloadError('IO_ERROR', 'network', `The download failed: ${error.message}.`);
            offset = 0;
            await handle.truncate(0);
            hash = createHash('sha256');
            meta = { ...meta, etag: null, totalBytes: null };
            continue;
          }
          offset = error.offset;
          if (offset > before) {
            failures = 0;
            delay = firstDelay;
          }
          if (++failures > retries) {
            throw downloadError(
              'IO_ERROR',
              'network',
              `The download was interrupted (${error.message}); the ${formatBytes(offset)} received are kept — ` +
                'download it again to continue.',
              { receivedBytes: offset, totalBytes: meta.totalBytes },
            );
          }
          context.onProgress({ message: `Connection lost (${error.message}); reconnecting…` });
          await sleep(delay, undefined, { signal }).catch(() => {
            throw signal.reason;
          });
          delay *= 2;
        }
      }
    } finally {
      await handle.close();
      // Nothing received (a refusal, a 404, no space): leave no empty partial file behind.
      if ((await sizeOf(paths.partial)) === 0) {
        await rm(paths.partial, { force: true });
        await rm(paths.meta, { force: true });
      }
    }
  }

  /** One connection: asks for the bytes from `offset`, checks the answer, writes and hashes them. */
  async #attempt(
    meta: PartialMeta,
    offset: number,
    handle: FileHandle,
    hash: Hash,
    paths: { partial: string; meta: string },
    context: JobContext,
  ): Promise<PartialMeta> {
    const stall = new AbortController();
    const signal = AbortSignal.any([context.signal, stall.signal]);
    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers['range'] = `bytes=${offset}-`;
      if (meta.etag) headers['if-range'] = meta.etag;
    }
    const stallMs = this.#o.config.stallTimeoutMs ?? 60_000;
    let timer = setTimeout(() => stall.abort(new Error('stalled')), stallMs);
    const kick = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(new Error('stalled')), stallMs);
    };
    try {
      let response: LinkedResponse;
      try {
        response = await this.#request(meta.url, headers, signal);
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (stall.signal.aborted) throw new RetryableError('no answer', offset);
        if (error instanceof RetryableError) throw new RetryableError(error.message, offset);
        throw error;
      }
      const status = response.status;
      if (status === 416 && offset > 0 && meta.totalBytes === offset) {
        await response.body?.cancel();
        return meta;
      }
      if (offset > 0 && status === 200) {
        await response.body?.cancel();
        throw new RetryableError('the server sent the whole file', 0, true);
      }
      if (status === 416) {
        await response.body?.cancel();
        throw new RetryableError('the range was refused', 0, true);
      }
      if (status === 429 || status >= 500) {
        await response.body?.cancel();
        throw new RetryableError(`HTTP ${status}`, offset);
      }
      if (status !== 200 && status !== 206) {
        await response.body?.cancel();
        throw httpError(status, 'The server refused the download', this.#tokenNote(meta.url));
      }
      const type = response.headers.get('content-type') ?? '';
      if (/^text\/html|^application\/json/i.test(type)) {
        await response.body?.cancel();
        throw await this.#notGguf(paths, `the server sent ${type.split(';')[0]}`);
      }
      const total = totalOf(response);
      if (status === 206 && contentRangeStart(response) !== offset) {
        await response.body?.cancel();
        throw new RetryableError('the server sent another range', 0, true);
      }
      const etag = response.headers.get('etag');
      const linkedSha = parseSha256(response.linked.etag);
      const next: PartialMeta = {
        ...meta,
        etag: etag && !etag.startsWith('W/') ? etag : meta.etag,
        totalBytes: total ?? response.linked.size ?? meta.totalBytes,
        sha256: meta.sha256 ?? linkedSha,
      };
      if (offset === 0 && next.totalBytes !== null) await this.#checkSpace(next.totalBytes, context);
      await writeMeta(paths.meta, next);

      const body = response.body;
      if (!body) throw new RetryableError('empty answer', offset);
      const speed = new SpeedMeter();
      const started = Date.now();
      speed.add(started, offset);
      let head = offset === 0 ? Buffer.alloc(0) : null;
      let position = offset;
      try {
        for await (const part of body as unknown as AsyncIterable<Uint8Array>) {
          kick();
          const chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
          if (head) {
            head = Buffer.concat([head, chunk]);
            if (head.length >= 4) {
              if (head.subarray(0, 4).toString('latin1') !== 'GGUF') {
                throw await this.#notGguf(paths, 'it does not start with "GGUF"');
              }
              head = null;
            }
          }
          await handle.write(chunk, 0, chunk.length, position);
          hash.update(chunk);
          position += chunk.length;
          const now = Date.now();
          speed.add(now, position);
          context.onProgress({
            ...(next.totalBytes ? { progress: position / next.totalBytes } : {}),
            message: downloadMessage(position, next.totalBytes, speed.bytesPerSecond()),
          });
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (context.signal.aborted) throw context.signal.reason;
        throw new RetryableError(stall.signal.aborted ? 'stalled' : messageOf(error), position);
      }
      if (head) throw await this.#notGguf(paths, 'it is shorter than a GGUF header');
      if (next.totalBytes !== null && position < next.totalBytes) {
        throw new RetryableError('the connection closed early', position);
      }
      if (next.totalBytes !== null && position > next.totalBytes) {
        throw downloadError('IO_ERROR', 'http-status', 'The server sent more bytes than it announced.');
      }
      return { ...next, totalBytes: position };
    } finally {
      clearTimeout(timer);
    }
  }

  async #checkSpace(totalBytes: number, context: JobContext): Promise<void> {
    const dir = this.#o.modelsDir();
    const probe: StatFs = this.#o.config.statfs ?? ((path) => statfs(path));
    const fs = await probe(dir);
    const availableBytes = Number(fs.bavail) * Number(fs.bsize);
    const neededBytes = totalBytes + headroomBytes;
    if (neededBytes > availableBytes) {
      context.onProgress({ message: 'Not enough disk space.' });
      throw downloadError(
        'IO_ERROR',
        'disk-full',
        `Not enough disk space: the model needs ${formatBytes(totalBytes)} (plus ${formatBytes(headroomBytes)} spare) ` +
          `but ${formatBytes(availableBytes)} are free in ${dir}.`,
        { neededBytes, availableBytes, path: dir },
      );
    }
  }

  async #notGguf(paths: { partial: string; meta: string }, why: string): Promise<AppError> {
    await rm(paths.partial, { force: true });
    await rm(paths.meta, { force: true });
    return downloadError('INVALID_INPUT', 'not-gguf', `The server did not send a GGUF model: ${why}.`);
  }
}

/** A response with the `X-Linked-ETag` / `X-Linked-Size` seen on the way (on a redirect, at the hub). */
type LinkedResponse = Response & { linked: { etag: string | null; size: number | null } };

/** A failure worth reconnecting for; `offset` is how far the file got; `restart` asks to start over. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly restart = false,
  ) {
    super(message);
  }
}

function downloadError(
  code: ErrorCode,
  reason: DownloadErrorReason,
  message: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(code, message, { reason, ...details });
}

function httpError(status: number, what: string, deniedNote = ''): AppError {
  return downloadError(
    status === 404 || status === 410 ? 'NOT_FOUND' : 'IO_ERROR',
    'http-status',
    status === 404 || status === 410
      ? `${what}: nothing at that address (HTTP ${status}).`
      : status === 401 || status === 403
        ? `${what}: access denied (HTTP ${status}).${deniedNote || ' The model may need a sign-in or a license agreement.'}`
        : `${what} (HTTP ${status}).`,
    { status },
  );
}

function networkError(error: unknown): RetryableError {
  return new RetryableError(messageOf(error), 0);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** Total size of the file from `Content-Range` (206) or `Content-Length` (200). */
function totalOf(response: Response): number | null {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range?.[1]) return Number(range[1]);
  const length = Number(response.headers.get('content-length'));
  return response.status === 200 && Number.isFinite(length) && length > 0 ? length : null;
}

function contentRangeStart(response: Response): number | null {
  const match = /bytes\s+(\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match?.[1] ? Number(match[1]) : null;
}

function partialKey(source: string): string {
  return createHash('sha256').update(source.trim()).digest('hex').slice(0, 16);
}

function describe(source: string): string {
  const text = source.replace(/^hf:/, '').replace(/[?#].*$/, '');
  return text.length > 80 ? `…${text.slice(-79)}` : text;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

async function readMeta(path: string): Promise<PartialMeta | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as PartialMeta;
    return typeof value.url === 'string' ? value : null;
  } catch {
    return null;
  }
}

async function writeMeta(path: string, meta: PartialMeta): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(meta));
  await rename(`${path}.tmp`, path);
}

async function startsWithGguf(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.toString('latin1') === 'GGUF';
  } finally {
    await handle.close();
  }
}

async function hashFile(path: string, length: number, hash: Hash, signal: AbortSignal): Promise<void> {
  const stream = createReadStream(path, { start: 0, end: length - 1, signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}
