import { open, stat } from 'node:fs/promises';
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import { AppError } from '../../../shared/errors';
import { modelError } from './modelError';

/** What the library records about a GGUF file, read from its header without loading it. */
export interface GgufSummary {
  /** `general.name`, if the file has one. */
  name: string | null;
  architecture: string;
  parameterCount: number | null;
  fileType: string | null;
  contextLength: number | null;
  hasChatTemplate: boolean;
  sizeBytes: number;
  mtimeMs: number;
}

/**
 * Checks that `path` is a complete GGUF model of an architecture llama.cpp knows, and reads what the
 * library shows about it. Throws NOT_FOUND (`missing`), INVALID_INPUT (`not-gguf`, `corrupt`,
 * `is-adapter`) or UNSUPPORTED (`architecture`); never loads tensors.
 */
export async function inspectGguf(path: string): Promise<GgufSummary> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw modelError('NOT_FOUND', 'missing', `No file at ${path}.`, { path });
    }
    throw new AppError('IO_ERROR', `Cannot read ${path}: ${error.message}`, { path });
  });
  if (!stats.isFile()) throw modelError('INVALID_INPUT', 'not-gguf', `${path} is not a file.`, { path });
  const magic = Buffer.alloc(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (magic.toString('latin1') !== 'GGUF') {
    throw modelError('INVALID_INPUT', 'not-gguf', 'This file is not a GGUF model (it does not start with "GGUF").', {
      path,
    });
  }
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
  } catch (error) {
    throw modelError('INVALID_INPUT', 'corrupt', 'This GGUF file is damaged or truncated: its header cannot be read.', {
      path,
      cause: error instanceof Error ? error.message : String(error),
    });
  }
  // A file cut inside its header can still parse as far as it goes: check it was read to its end.
  const tensors = info.tensorInfo?.length ?? 0;
  if ((info.infoEndOffset ?? Infinity) > stats.size || tensors !== Number(info.tensorCount)) {
    throw modelError('INVALID_INPUT', 'corrupt', 'This GGUF file is truncated: its header is incomplete.', { path });
  }
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
  const needed = (info.infoEndOffset ?? 0) + insights.modelSize;
  if (needed > stats.size) {
    throw modelError(
      'INVALID_INPUT',
      'corrupt',
      `This GGUF file is truncated: its tensors need ${needed} bytes but the file has ${stats.size}.`,
      { path, expectedBytes: needed, sizeBytes: stats.size },
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
  const tokenizer = info.metadata.tokenizer as Record<string, unknown> | undefined;
  const name = general?.['name'];
  const parameters = insights.totalParameters;
  return {
    name: typeof name === 'string' && name.trim() ? name.trim() : null,
    architecture,
    parameterCount: Number.isFinite(parameters) && parameters > 0 ? parameters : null,
    fileType: fileTypeName ? fileTypeName.replace(/^(MOSTLY|ALL)_/, '') : null,
    contextLength: insights.trainContextSize ?? null,
    hasChatTemplate: typeof tokenizer?.['chat_template'] === 'string',
    sizeBytes: stats.size,
    mtimeMs: Math.floor(stats.mtimeMs),
  };
}
