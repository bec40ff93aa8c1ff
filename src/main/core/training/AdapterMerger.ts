import { existsSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { Adapter, Job, MergedModel } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { JobContext, JobRunner } from '../jobs/JobRunner';
import type { Logger } from '../logger';
import type { TrainerLauncher } from './TrainerLauncher';

export const mergeJobKind = 'adapters.merge';

export interface AdapterMergerOptions {
  jobs: JobRunner;
  logger: Logger;
  launcher: TrainerLauncher;
  addonPath?: string;
  /** A recorded adapter, or undefined. */
  adapter: (id: string) => Adapter | undefined;
  /** The adapter's base model: the library's model of the same content, else the file it was trained on. */
  base: (adapter: Adapter) => { path: string; name: string } | null;
  /** Where new models go (Settings → models folder). */
  modelsDir: () => string;
  /** Adds a GGUF to the library (a hashing job), and waits for it: the new model's id. */
  addToLibrary: (path: string, name: string) => Promise<string>;
}

interface MergeArgs {
  adapterId: string;
  /** Where the merged file came from, as GGUF metadata (GGUF's base-model keys, and Lathe's own). */
  metadata: Record<string, string | number>;
  base: string;
  adapter: string;
  output: string;
  name: string;
  addToLibrary: boolean;
}

/**
 * Exports a fine-tune as a standalone model: its adapter folded into the base model's weights, a
 * GGUF any llama.cpp app loads without the adapter (LM Studio, Ollama, llama-server). Runs as a job
 * in a training process (the addon's `mergeAdapter`), with progress and cancel; the file is written
 * atomically, and added to the library when asked (default).
 */
export class AdapterMerger {
  readonly #o: AdapterMergerOptions;

  constructor(options: AdapterMergerOptions) {
    this.#o = options;
    options.jobs.register<MergeArgs, MergedModel>(mergeJobKind, (args, ctx) => this.#run(args, ctx));
    this.#removeStale();
  }

  /**
   * A merging process killed mid-file (the app crashed) leaves its temporary file in the models
   * folder; no merge runs before the core starts, so any found then is stale.
   */
  #removeStale(): void {
    const dir = this.#o.modelsDir();
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // no models folder yet
    }
    for (const name of names.filter((n) => /\.gguf\.tmp-\d+$/.test(n))) {
      try {
        unlinkSync(join(dir, name));
        this.#o.logger.info('removed the temporary file of an unfinished merge', { path: join(dir, name) });
      } catch (error) {
        this.#o.logger.warn('could not remove the temporary file of an unfinished merge', { path: name, error });
      }
    }
  }

  /** Checks the adapter, its base and the output now (errors come back from the call), then merges in a job. */
  start(input: { adapterId: string; path?: string | undefined; name?: string | undefined; addToLibrary?: boolean }): {
    job: Job;
  } {
    const adapter = this.#o.adapter(input.adapterId);
    if (!adapter) throw new AppError('NOT_FOUND', `No adapter with id ${input.adapterId}.`);
    if (!existsSync(adapter.path)) {
      throw new AppError('NOT_FOUND', `The adapter file of "${adapter.name}" is gone: ${adapter.path}.`, {
        reason: 'missing',
      });
    }
    const base = this.#o.base(adapter);
    if (!base) {
      throw new AppError(
        'NOT_FOUND',
        `The base model of "${adapter.name}" is gone: ${adapter.baseModelPath} is not there and no model of the library has its content.`,
        { reason: 'missing' },
      );
    }
    const name = input.name?.trim() || `${base.name} + ${adapter.name}`;
    const output = input.path ? checkedOutput(input.path) : freePath(this.#o.modelsDir(), name);
    const job = this.#o.jobs.start<MergeArgs>(
      mergeJobKind,
      {
        adapterId: adapter.id,
        metadata: {
          'general.base_model.count': 1,
          'general.base_model.0.name': base.name,
          'lathe.merged.base_sha256': adapter.baseModelSha256,
          'lathe.merged.adapter': adapter.name,
          'lathe.merged.lora_rank': adapter.rank,
          'lathe.merged.lora_alpha': String(adapter.alpha),
        },
        base: base.path,
        adapter: adapter.path,
        output,
        name,
        addToLibrary: input.addToLibrary ?? true,
      },
      `Merge ${adapter.name} into ${base.name}`,
    );
    return { job };
  }

  async #run(args: MergeArgs, ctx: JobContext): Promise<MergedModel> {
    mkdirSync(dirname(args.output), { recursive: true });
    const merged = await this.#merge(args, ctx);
    ctx.onProgress({ progress: 1, message: args.addToLibrary ? 'Adding it to the library…' : 'Written' });
    const modelId = args.addToLibrary ? await this.#o.addToLibrary(args.output, args.name) : null;
    return { path: args.output, name: args.name, sizeBytes: merged.bytes, mergedTensors: merged.merged, modelId };
  }

  #merge(args: MergeArgs, ctx: JobContext): Promise<{ merged: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      const proc = this.#o.launcher();
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => proc.send({ type: 'cancel' });
      ctx.signal.addEventListener('abort', onAbort);
      proc.onMessage((message) => {
        if (message.type === 'mergeProgress' && message.total > 0) {
          ctx.onProgress({
            progress: (0.99 * message.done) / message.total,
            message: `${message.done} of ${message.total} tensors`,
          });
        } else if (message.type === 'merged') {
          settle(() => resolve({ merged: message.merged, bytes: message.bytes }));
        } else if (message.type === 'failed') {
          settle(() => reject(new AppError(message.error.code, message.error.message, message.error.details)));
        }
      });
      proc.onExit((code, signal) =>
        settle(() =>
          reject(
            new AppError(
              'TRAINING_FAILED',
              `The merging process stopped (${signal ? `signal ${signal}` : `exit code ${code}`}).`,
              { stderr: proc.stderrTail() },
            ),
          ),
        ),
      );
      proc.send({
        type: 'merge',
        spec: {
          ...(this.#o.addonPath ? { addonPath: this.#o.addonPath } : {}),
          base: args.base,
          adapter: args.adapter,
          output: args.output,
          name: args.name,
          metadata: args.metadata,
        },
      });
    });
  }
}

/** A path the user chose: absolute, a .gguf, in an existing folder, not an existing file. */
function checkedOutput(path: string): string {
  if (!isAbsolute(path))
    throw new AppError('INVALID_INPUT', `Give an absolute path for the merged model, not ${path}.`);
  if (!/\.gguf$/i.test(path)) throw new AppError('INVALID_INPUT', `The merged model's file name must end in .gguf.`);
  if (!existsSync(dirname(path))) throw new AppError('NOT_FOUND', `The folder ${dirname(path)} does not exist.`);
  if (existsSync(path)) {
    throw new AppError('CONFLICT', `${basename(path)} already exists there; choose another name.`, { path });
  }
  return path;
}

/** `<dir>/<name as a file name>.gguf`, numbered when taken. */
function freePath(dir: string, name: string): string {
  const stem =
    name
      .replace(/[^\p{L}\p{N}._ +-]+/gu, '-')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 120) || 'merged';
  for (let i = 1; ; i++) {
    const path = join(dir, `${stem}${i === 1 ? '' : ` (${i})`}.gguf`);
    if (!existsSync(path)) return path;
  }
}
