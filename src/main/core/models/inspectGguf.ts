import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import type { MergedFrom, ReasoningMode } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { chatTemplateOf, ggufChatTemplate } from './chatFormat';
import { modelFiles, splitGgufName, splitPartName } from './ggufParts';
import { modelError } from './modelError';
import { reasoningOf } from './reasoning';

/** What the library records about a GGUF file, read from its header without loading it. */
export interface GgufSummary {
  /** `general.name`, if the file has one. */
  name: string | null;
  architecture: string;
  parameterCount: number | null;
  fileType: string | null;
  contextLength: number | null;
  hasChatTemplate: boolean;
  /** How its chat template handles reasoning (the ChatML fallback has none). */
  reasoning: ReasoningMode;
  /** Made by Lathe from a fine-tune: its GGUF names the base model and the adapter. */
  mergedFrom: MergedFrom | null;
  /** Of all its files together (a split model's parts). */
  sizeBytes: number;
  /** The newest of its files'. */
  mtimeMs: number;
  /** 1, or the number of parts of a split model. */
  files: number;
}

/**
 * Checks that `path` is a complete GGUF model of an architecture llama.cpp knows, and reads what the
 * library shows about it. A split model (`…-00001-of-00003.gguf`, as gguf-split names the parts) is
 * given by its first part and checked whole. Throws NOT_FOUND (`missing`), INVALID_INPUT
 * (`not-gguf`, `corrupt`, `is-adapter`, `split-part`, `split-name`) or UNSUPPORTED (`architecture`);
 * never loads tensors.
 */
export async function inspectGguf(path: string): Promise<GgufSummary> {
  const split = splitGgufName(basename(path));
  if (split && split.part !== 1) {
    const first = splitPartName(split.prefix, 1, split.count);
    throw modelError(
      'INVALID_INPUT',
      'split-part',
      `This file is part ${split.part} of ${split.count} of a split model: import its first part, ${first}.`,
      { path, part: split.part, count: split.count, firstPart: join(dirname(path), first) },
    );
  }
  const files = modelFiles(path);
  const sizes: number[] = [];
  let mtimeMs = 0;
  for (const [i, file] of files.entries()) {
    const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
        throw files.length > 1
          ? modelError(
              'NOT_FOUND',
              'missing',
              `Part ${i + 1} of ${files.length} of this split model, ${basename(file)}, is not beside the first part.`,
              { path: file, part: i + 1, count: files.length },
            )
          : modelError('NOT_FOUND', 'missing', `No file at ${file}.`, { path: file });
      }
      throw new AppError('IO_ERROR', `Cannot read ${file}: ${error.message}`, { path: file });
    });
    if (!stats.isFile()) throw modelError('INVALID_INPUT', 'not-gguf', `${file} is not a file.`, { path: file });
    const magic = Buffer.alloc(4);
    const handle = await open(file, 'r');
    try {
      await handle.read(magic, 0, 4, 0);
    } finally {
      await handle.close();
    }
    if (magic.toString('latin1') !== 'GGUF') {
      throw modelError(
        'INVALID_INPUT',
        'not-gguf',
        files.length > 1
          ? `Part ${i + 1} of this split model, ${basename(file)}, is not a GGUF file (it does not start with "GGUF").`
          : 'This file is not a GGUF model (it does not start with "GGUF").',
        { path: file },
      );
    }
    sizes.push(stats.size);
    mtimeMs = Math.max(mtimeMs, stats.mtimeMs);
  }
  const read = async (file: string, spliceSplitFiles: boolean) => {
    try {
      return await readGgufFileInfo(file, { readTensorInfo: true, logWarnings: false, spliceSplitFiles });
    } catch (error) {
      throw modelError(
        'INVALID_INPUT',
        'corrupt',
        `${files.length > 1 ? `${basename(file)} (a part of this split model)` : 'This GGUF file'} is damaged or truncated: its header cannot be read.`,
        { path: file, cause: error instanceof Error ? error.message : String(error) },
      );
    }
  };
  // Each file on its own: a file cut inside its header can still parse as far as it goes.
  const parts = await Promise.all(files.map((file) => read(file, false)));
  for (const [i, part] of parts.entries()) {
    const tensors = part.tensorInfo?.length ?? 0;
    if ((part.infoEndOffset ?? Infinity) > (sizes[i] as number) || tensors !== Number(part.tensorCount)) {
      throw modelError('INVALID_INPUT', 'corrupt', `${describe(files, i)} is truncated: its header is incomplete.`, {
        path: files[i],
      });
    }
  }
  const declared = (parts[0]?.metadata as { split?: { count?: unknown } } | undefined)?.split?.count;
  if (typeof declared === 'number' && declared !== files.length) {
    throw modelError(
      'INVALID_INPUT',
      'split-name',
      `This is the first of ${declared} parts of a split model, but its name does not say so: the parts must keep ` +
        `the names gguf-split gave them (…-00001-of-${String(declared).padStart(5, '0')}.gguf, …).`,
      { path, count: declared },
    );
  }
  const info = files.length > 1 ? await read(path, true) : (parts[0] as Awaited<ReturnType<typeof read>>);
  const general = info.metadata.general as Record<string, unknown> | undefined;
  if (general?.['type'] === 'adapter') {
    throw modelError('INVALID_INPUT', 'is-adapter', 'This GGUF is a LoRA adapter, not a model.', { path });
  }
  const architecture = typeof general?.['architecture'] === 'string' ? general['architecture'] : '';
  // Asks the llama.cpp binary itself, so a new build's architectures are accepted without a change here.
  const insights = await GgufInsights.from(info);
  if (!architecture || !insights.isSupportedByLlamaCpp) {
    throw modelError(
      'UNSUPPORTED',
      'architecture',
      architecture
        ? `The model architecture "${architecture}" is not supported by this version of llama.cpp.`
        : 'This GGUF does not say which model architecture it is.',
      { path, architecture },
    );
  }
  const sizeBytes = sizes.reduce((a, b) => a + b, 0);
  const needed = parts.reduce((sum, part) => sum + (part.infoEndOffset ?? 0), 0) + insights.modelSize;
  if (needed > sizeBytes) {
    throw modelError(
      'INVALID_INPUT',
      'corrupt',
      `${files.length > 1 ? 'This split model' : 'This GGUF file'} is truncated: its tensors need ${needed} bytes but ` +
        `${files.length > 1 ? 'its files have' : 'the file has'} ${sizeBytes}.`,
      { path, expectedBytes: needed, sizeBytes },
    );
  }
  const fileTypeCode = general?.['file_type'];
  // Without `general.file_type`, the type most of the weights have says the same.
  const dominant = insights.dominantTensorType;
  const fileTypeName =
    typeof fileTypeCode === 'number'
      ? GgufFileType[fileTypeCode]
      : dominant !== undefined
        ? GgmlType[dominant]
        : undefined;
  const name = general?.['name'];
  const parameters = insights.totalParameters;
  return {
    name: typeof name === 'string' && name.trim() ? name.trim() : null,
    architecture,
    parameterCount: Number.isFinite(parameters) && parameters > 0 ? parameters : null,
    fileType: fileTypeName ? fileTypeName.replace(/^(MOSTLY|ALL)_/, '') : null,
    contextLength: insights.trainContextSize ?? null,
    hasChatTemplate: ggufChatTemplate(info.metadata) !== null,
    reasoning: reasoningModeOf(info.metadata),
    mergedFrom: mergedFromOf(info.metadata),
    sizeBytes,
    mtimeMs: Math.floor(mtimeMs),
    files: files.length,
  };
}

function describe(files: readonly string[], i: number): string {
  return files.length > 1 ? `${basename(files[i] as string)} (part ${i + 1} of ${files.length})` : 'This GGUF file';
}

/** The base model and adapter a GGUF says it was merged from (`adapters.merge` writes both), or null. */
function mergedFromOf(metadata: unknown): MergedFrom | null {
  const m = metadata as {
    general?: { base_model?: Record<string, { name?: unknown }> };
    lathe?: { merged?: { adapter?: unknown } };
  };
  const base = m.general?.base_model?.['0']?.name;
  const adapter = m.lathe?.merged?.adapter;
  return typeof base === 'string' && typeof adapter === 'string' ? { base, adapter } : null;
}

/** How the GGUF's chat template handles reasoning (`none` for the fallback or a template that does not render). */
export function reasoningModeOf(metadata: unknown): ReasoningMode {
  return reasoningOf({ template: chatTemplateOf(metadata), bosToken: '', eosToken: '' }).mode;
}
