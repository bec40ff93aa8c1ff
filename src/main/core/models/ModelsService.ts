import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import type { Adapter, Job, ModelImportResult, ModelInfo, ModelVariant, ReasoningMode } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { EventBus } from '../EventBus';
import { sha256Files } from '../fileHash';
import type { JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import { modelFiles } from './ggufParts';
import { inspectGguf, reasoningModeOf, type GgufSummary } from './inspectGguf';
import { modelError } from './modelError';
import type { ModelRecord, ModelsRepo } from './ModelsRepo';

export const modelImportJobKind = 'models.import';

interface ImportArgs {
  path: string;
  name: string;
  summary: GgufSummary;
  /** A SHA-256 the caller already computed over exactly these bytes (size and mtime in `summary`). */
  knownSha256?: string;
}

/**
 * A hash the caller computed while writing the file (a download), valid only while the file still
 * has the size and modification time it had when the hash was taken.
 */
export interface KnownHash {
  sha256: string;
  sizeBytes: number;
  mtimeMs: number;
}

export interface ModelsServiceOptions {
  repo: ModelsRepo;
  jobs: JobRunner;
  events: EventBus;
  logger: Logger;
  /** Adapters recorded by training (the `adapters` table). */
  adapters: (filter: { baseModelSha256: string }) => Adapter[];
  /** Frees a model from memory before it is deleted; rejects with BUSY while it generates. */
  release: (modelId: string) => Promise<void>;
}

/** The model library: import (validate, hash as a job), list with `missing` and variants, rename, delete. */
export class ModelsService {
  readonly #o: ModelsServiceOptions;

  constructor(options: ModelsServiceOptions) {
    this.#o = options;
    options.jobs.register<ImportArgs, ModelImportResult>(modelImportJobKind, (args, context) =>
      this.#runImport(args, context),
    );
  }

  /**
   * Validates the GGUF now (errors come back from the call) and hashes it in a job, answered at once.
   * A file already imported from the same path, unchanged, is a CONFLICT without rehashing.
   */
  async import(input: { path: string; name?: string | undefined }, known?: KnownHash): Promise<{ job: Job }> {
    const summary = await inspectGguf(input.path);
    const same = this.#o.repo
      .byPath(input.path)
      .find((m) => m.sizeBytes === summary.sizeBytes && m.mtimeMs === summary.mtimeMs);
    if (same) throw this.#duplicate(same);
    const name = input.name ?? summary.name ?? basename(input.path).replace(/\.gguf$/i, '');
    const job = this.#o.jobs.start<ImportArgs>(
      modelImportJobKind,
      {
        path: input.path,
        name,
        summary,
        // Trusted only for the very bytes it was computed over; any change since means hashing again.
        ...(known && known.sizeBytes === summary.sizeBytes && known.mtimeMs === summary.mtimeMs
          ? { knownSha256: known.sha256 }
          : {}),
      },
      `Import ${basename(input.path)}`,
    );
    return { job };
  }

  list(): ModelInfo[] {
    return this.#o.repo.list().map((m) => this.#info(m));
  }

  get(id: string): ModelInfo {
    return this.#info(this.#record(id));
  }

  rename(id: string, name: string): ModelInfo {
    if (!this.#o.repo.rename(id, name)) throw this.#notFound(id);
    this.#o.events.emit('models.changed', { modelId: id, change: 'updated' });
    return this.get(id);
  }

  async delete(id: string, deleteFile: boolean): Promise<{ deleted: true; fileDeleted: boolean }> {
    const model = this.#record(id);
    await this.#o.release(id);
    this.#o.repo.delete(id);
    let fileDeleted = false;
    if (deleteFile) {
      // every part of a split model
      for (const file of modelFiles(model.path)) {
        try {
          await unlink(file);
          fileDeleted = true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
            this.#o.logger.warn('could not delete a model file', { path: file, error });
            throw new AppError(
              'IO_ERROR',
              `The model was removed from the library but its file could not be deleted.`,
              {
                path: file,
              },
            );
          }
        }
      }
    }
    this.#o.events.emit('models.changed', { modelId: id, change: 'removed' });
    return { deleted: true, fileDeleted };
  }

  variants(modelId: string): ModelVariant[] {
    return this.#variants(this.#record(modelId));
  }

  /** The stored record, for inference: NOT_FOUND when unknown, NOT_FOUND `missing` when the file is gone. */
  resolve(id: string): ModelRecord {
    const model = this.#record(id);
    const files = modelFiles(model.path);
    const gone = files.find((file) => !existsSync(file));
    if (gone) {
      throw modelError(
        'NOT_FOUND',
        'missing',
        files.length > 1
          ? `A part of "${model.name}" is no longer at ${gone}.`
          : `The file of "${model.name}" is no longer at ${model.path}.`,
        { modelId: id, path: gone },
      );
    }
    return model;
  }

  /** Adapters of a model as recorded by training, newest first. */
  adapters(model: ModelRecord): Adapter[] {
    return this.#o.adapters({ baseModelSha256: model.sha256 }).sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * The files of adapters to apply on `model`: NOT_FOUND for an unknown adapter or a missing file,
   * CONFLICT (`adapter-mismatch`) for an adapter of another base model.
   */
  resolveAdapters(
    model: { id: string; sha256: string },
    refs: readonly { adapterId: string; scale: number }[],
  ): { adapterId: string; path: string; scale: number }[] {
    if (refs.length === 0) return [];
    const own = new Map(this.#o.adapters({ baseModelSha256: model.sha256 }).map((a) => [a.id, a]));
    return refs.map((ref) => {
      const adapter = own.get(ref.adapterId);
      if (!adapter) {
        throw modelError(
          'CONFLICT',
          'adapter-mismatch',
          `The adapter ${ref.adapterId} is not a fine-tune of this model.`,
          {
            adapterId: ref.adapterId,
            modelId: model.id,
          },
        );
      }
      if (!isFile(adapter.path)) {
        throw modelError('NOT_FOUND', 'missing', `The file of the adapter "${adapter.name}" is gone.`, {
          adapterId: adapter.id,
          path: adapter.path,
        });
      }
      return { adapterId: adapter.id, path: adapter.path, scale: ref.scale };
    });
  }

  /**
   * Reads how the chat templates of models imported before Lathe recorded it handle reasoning (from
   * their GGUF headers, once each; `models.changed` for each). A model whose file cannot be read now
   * is read at a later start. Stops when `closed()` turns true. Answers how many were read.
   */
  async readReasoning(closed: () => boolean = () => false): Promise<number> {
    let read = 0;
    for (const m of this.#o.repo.withoutReasoning()) {
      if (closed()) break;
      let mode: ReasoningMode;
      try {
        const info = await readGgufFileInfo(m.path, { readTensorInfo: false, logWarnings: false });
        mode = reasoningModeOf(info.metadata);
      } catch {
        continue;
      }
      if (closed()) break;
      this.#o.repo.setReasoning(m.id, mode);
      this.#o.events.emit('models.changed', { modelId: m.id, change: 'updated' });
      read++;
    }
    return read;
  }

  async #runImport(
    args: ImportArgs,
    context: { signal: AbortSignal; onProgress: (p: { progress?: number; message?: string }) => void },
  ): Promise<ModelImportResult> {
    const { path, name, summary } = args;
    const total = summary.sizeBytes;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const sha256 =
      args.knownSha256 ??
      (await sha256Files(modelFiles(path), {
        signal: context.signal,
        size: total,
        onProgress: (f) => context.onProgress({ progress: f, message: `Hashing: ${mb(f * total)} of ${mb(total)}` }),
      }).catch((error: unknown) => {
        if (context.signal.aborted) throw error;
        throw new AppError('IO_ERROR', `Could not read ${path} while hashing it.`, { path });
      }));
    const existing = this.#o.repo.bySha256(sha256);
    if (existing) throw this.#duplicate(existing);
    const id = randomUUID();
    this.#o.repo.insert({
      id,
      name,
      path,
      sha256,
      sizeBytes: summary.sizeBytes,
      mtimeMs: summary.mtimeMs,
      architecture: summary.architecture,
      parameterCount: summary.parameterCount,
      fileType: summary.fileType,
      contextLength: summary.contextLength,
      hasChatTemplate: summary.hasChatTemplate,
      mergedFrom: summary.mergedFrom,
      reasoning: summary.reasoning,
      createdAt: Date.now(),
    });
    this.#o.events.emit('models.changed', { modelId: id, change: 'added' });
    return { modelId: id };
  }

  #info(m: ModelRecord): ModelInfo {
    return {
      id: m.id,
      name: m.name,
      path: m.path,
      sha256: m.sha256,
      sizeBytes: m.sizeBytes,
      architecture: m.architecture,
      parameterCount: m.parameterCount,
      fileType: m.fileType,
      contextLength: m.contextLength,
      hasChatTemplate: m.hasChatTemplate,
      reasoning: m.reasoning ?? 'none',
      mergedFrom: m.mergedFrom,
      missing: !modelFiles(m.path).every(isFile),
      files: modelFiles(m.path).length,
      createdAt: m.createdAt,
      variants: this.#variants(m),
    };
  }

  #variants(m: ModelRecord): ModelVariant[] {
    return this.adapters(m).map((a) => ({
      adapterId: a.id,
      name: a.name,
      rank: a.rank,
      alpha: a.alpha,
      sizeBytes: a.sizeBytes,
      available: isFile(a.path),
      createdAt: a.createdAt,
    }));
  }

  #record(id: string): ModelRecord {
    const model = this.#o.repo.get(id);
    if (!model) throw this.#notFound(id);
    return model;
  }

  #notFound(id: string): AppError {
    return new AppError('NOT_FOUND', `No model with id ${id}.`, { id });
  }

  #duplicate(existing: ModelRecord): AppError {
    return new AppError('CONFLICT', `This model is already in the library as "${existing.name}".`, {
      existingId: existing.id,
    });
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
