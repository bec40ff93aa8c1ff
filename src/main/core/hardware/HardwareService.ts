import { cpus, freemem, totalmem, arch } from 'node:os';
import { GgufInsights, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import type { GpuType, HardwareInfo, ModelFit } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { inspectGguf } from '../models/inspectGguf';
import { formatBytes } from '../downloads/downloadProgress';
import { estimateTokensPerSecond } from './estimateSpeed';

export interface HardwareServiceOptions {
  /**
   * The llama.cpp instance the inference engine uses: one probe of the GPU and one set of
   * backends per process, so the fit estimate sees exactly what chat will run on. (With the model
   * in its own process, this service runs there: inferenceHost.ts.)
   */
  llama: () => Promise<Llama>;
  /** The path of a library model (NOT_FOUND when unknown or missing). */
  resolveModelPath: (modelId: string) => string;
}

/** Hardware and fit as the core's handlers use them (HardwareService, or the model process's). */
export type Hardware = Pick<HardwareService, 'hardware' | 'fit'>;

/**
 * What the machine has (CPU, RAM, GPU and VRAM, through llama.cpp's own probe) and whether a
 * model fits it, estimated from the GGUF header by node-llama-cpp's resolver; nothing is loaded.
 */
export class HardwareService {
  readonly #o: HardwareServiceOptions;

  constructor(options: HardwareServiceOptions) {
    this.#o = options;
  }

  async hardware(): Promise<HardwareInfo> {
    const llama = await this.#getLlama();
    const gpu: GpuType = llama.gpu === false ? 'none' : llama.gpu;
    const [vram, names] =
      gpu === 'none'
        ? [{ total: 0, free: 0, unifiedSize: 0 }, [] as string[]]
        : await Promise.all([llama.getVramState(), llama.getGpuDeviceNames()]);
    const list = cpus();
    return {
      cpu: { model: list[0]?.model.trim() || 'unknown', cores: list.length, arch: arch() },
      ram: { totalBytes: totalmem(), freeBytes: freemem() },
      gpu: {
        type: gpu,
        names,
        vramTotalBytes: vram.total,
        vramFreeBytes: vram.free,
        unifiedMemory: vram.unifiedSize > 0,
      },
    };
  }

  /** The memory a model needs at `contextSize` and where it would run on this machine. */
  async fit(input: {
    modelId?: string | undefined;
    path?: string | undefined;
    contextSize?: number | undefined;
    gpuLayers?: number | undefined;
  }): Promise<ModelFit> {
    const path = fitPath(input, this.#o.resolveModelPath);
    await inspectGguf(path); // the same checks and errors as an import
    const [llama, hardware] = [await this.#getLlama(), await this.hardware()];
    const info = await readGgufFileInfo(path, { logWarnings: false });
    const insights = await GgufInsights.from(info, llama);
    const trained = insights.trainContextSize ?? 4096;
    const contextSize = input.contextSize ?? Math.min(4096, trained);
    const resolved = await insights.configurationResolver.resolveAndScoreConfig({
      targetContextSize: contextSize,
      ...(input.gpuLayers !== undefined ? { targetGpuLayers: input.gpuLayers } : {}),
    });
    const v = resolved.resolvedValues;
    const totalLayers = insights.totalLayers;
    const gpuLayers = hardware.gpu.type === 'none' ? 0 : Math.min(v.gpuLayers, totalLayers);
    const placement = gpuLayers <= 0 ? 'cpu' : gpuLayers >= totalLayers ? 'gpu' : 'partial';
    const ramBytes = v.totalRamUsage;
    const vramBytes = placement === 'cpu' ? 0 : v.totalVramUsage;
    const fits =
      resolved.compatibilityScore > 0 &&
      ramBytes <= hardware.ram.totalBytes &&
      (vramBytes === 0 || vramBytes <= hardware.gpu.vramTotalBytes);
    const speed = estimateTokensPerSecond(insights.modelSize, hardware.gpu.type, gpuLayers / Math.max(1, totalLayers));
    return {
      fits,
      placement,
      gpuLayers,
      totalLayers,
      contextSize: v.contextSize,
      ramBytes,
      vramBytes,
      modelBytes: insights.modelSize,
      summary: summarize({ fits, placement, ramBytes, vramBytes, gpuLayers, totalLayers, contextSize: v.contextSize }),
      tokensPerSecond: speed,
      hardware,
    };
  }

  #getLlama(): Promise<Llama> {
    return this.#o.llama();
  }
}

/** The file a fit request is about: a library model's path, or the path given. */
export function fitPath(
  input: { modelId?: string | undefined; path?: string | undefined },
  resolveModelPath: (modelId: string) => string,
): string {
  const path = input.modelId !== undefined ? resolveModelPath(input.modelId) : input.path;
  if (!path) throw new AppError('INVALID_INPUT', 'Give either modelId or path.');
  return path;
}

function summarize(f: {
  fits: boolean;
  placement: ModelFit['placement'];
  ramBytes: number;
  vramBytes: number;
  gpuLayers: number;
  totalLayers: number;
  contextSize: number;
}): string {
  const ram = `${formatBytes(f.ramBytes)} of RAM`;
  const vram = `${formatBytes(f.vramBytes)} of GPU memory`;
  const context = `a ${f.contextSize.toLocaleString('en-US')}-token context`;
  if (!f.fits)
    return `Does not fit this machine with ${context}: it would need about ${ram}${f.vramBytes ? ` and ${vram}` : ''}.`;
  if (f.placement === 'gpu') return `Fits entirely on the GPU with ${context} (about ${vram}, plus ${ram}).`;
  if (f.placement === 'partial') {
    return `Fits with ${f.gpuLayers} of ${f.totalLayers} layers on the GPU and the rest on the CPU (about ${vram} and ${ram}); slower than all-GPU.`;
  }
  return `Fits in memory and runs on the CPU with ${context} (about ${ram}).`;
}
