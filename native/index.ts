/**
 * Hand-typed binding of Lathe's LoRA trainer addon (`native/src`, built by `native/scripts/build.mjs`).
 *
 * The addon links its own static copy of llama.cpp/ggml (all symbols hidden), so it can share a
 * process with node-llama-cpp; Lathe still runs training in a utility process of its own.
 *
 * Every handle is disposable and refuses use after `dispose()` (error code `DISPOSED`); a handle
 * whose dependents are alive (a model with adapters or sessions, an adapter with sessions) refuses
 * to be disposed (`BUSY`). One async operation at a time per session (`BUSY` otherwise).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Error codes carried by the addon's errors (`err.code`). */
export type TrainerErrorCode =
  'INVALID_ARGUMENT' | 'DISPOSED' | 'BUSY' | 'ABORTED' | 'LOAD_FAILED' | 'IO' | 'TRAINING_FAILED';

export interface TrainerError extends Error {
  code: TrainerErrorCode;
}

export function isTrainerError(e: unknown): e is TrainerError {
  return e instanceof Error && typeof (e as Partial<TrainerError>).code === 'string';
}

/** LoRA target modules: attention q/k/v/o and the MLP's gate/up/down projections. */
export type TargetModule = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';
export const allTargetModules: readonly TargetModule[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

export interface TrainerModelOptions {
  /** Layers to offload to the GPU backend (GPU builds only); -1 = all. Default 0. */
  gpuLayers?: number;
  /**
   * Names of the devices (see `devices()`, e.g. `['CUDA0']`) the offloaded layers go to. Default:
   * llama.cpp's choice (every GPU). An unknown name rejects `load()` with INVALID_ARGUMENT.
   */
  devices?: string[];
  /** Map the file instead of reading it. Default true. */
  useMmap?: boolean;
}

export interface TrainerModelInfo {
  architecture: string;
  description: string;
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nCtxTrain: number;
  nParams: number;
  sizeBytes: number;
}

/** A frozen base model (F32, F16, Q8_0, Q4_0, K-quants, ...). */
export interface TrainerModel {
  /** Loads the weights (worker thread). Rejects with LOAD_FAILED and llama.cpp's reason. */
  load(): Promise<void>;
  info(): TrainerModelInfo;
  /** The model's tokenizer. `parseSpecial` defaults to true. */
  tokenize(text: string, addSpecial?: boolean, parseSpecial?: boolean): Int32Array;
  /** Text of `tokens`; special tokens rendered as their text unless `renderSpecial` is false. */
  detokenize(tokens: Int32Array, renderSpecial?: boolean): string;
  dispose(): void;
  readonly disposed: boolean;
}

export interface LoraCreateOptions {
  /** Rank r, 1..4096. */
  rank: number;
  /** Scale numerator: the update is (alpha / rank) · B·A. Default 2·rank. */
  alpha?: number;
  targets: readonly TargetModule[];
  /** Seed of A's initialization (uniform ±1/sqrt(n_in)); B starts at zero. Default 42. */
  seed?: number;
}

export interface LoraTensorInfo {
  /** e.g. `blk.0.attn_q.weight.lora_a` */
  name: string;
  /** ggml order: lora_a is [n_in, r], lora_b is [r, n_out]. */
  ne: [number, number];
}

export interface LoraAdapterInfo {
  rank: number;
  alpha: number;
  targets: TargetModule[];
  tensors: LoraTensorInfo[];
  nParams: number;
}

/** A LoRA adapter on a model; its tensors are F32. */
export interface LoraAdapter {
  create(options: LoraCreateOptions): Promise<void>;
  /** Loads a GGUF LoRA adapter (as saved by `save`, or by llama.cpp's converter with F32 tensors). */
  load(path: string): Promise<void>;
  info(): LoraAdapterInfo;
  getTensor(name: string): Float32Array;
  setTensor(name: string, values: Float32Array): void;
  /**
   * Writes a GGUF adapter loadable by llama.cpp/node-llama-cpp (`general.type=adapter`,
   * `adapter.type=lora`, `adapter.lora.alpha`), atomically (temporary file, then rename).
   * `metadata` adds string keys (e.g. `general.name`).
   */
  save(path: string, metadata?: Record<string, string>): Promise<void>;
  dispose(): void;
  readonly disposed: boolean;
}

/**
 * One training window of exactly `windowSize` tokens. `labels[i]` is the token expected after
 * position i, or -1 to mask it (no loss, no gradient). Packing: give each example its own
 * `seqIds` value (0..255) and positions restarting at 0; attention never crosses examples.
 */
export interface TrainingWindow {
  tokens: Int32Array;
  labels: Int32Array;
  /** Default 0..windowSize-1. */
  positions?: Int32Array;
  /** Default all 0. */
  seqIds?: Int32Array;
  /**
   * The window's gradient enters the step's sum times this (default 1). Preference training gives
   * a pair's chosen side +w and its rejected side −w; 0 computes the gradient and adds nothing.
   */
  weight?: number;
  /**
   * Each label's weight in the loss (default all 1): the window's loss becomes Σ wᵢ·NLLᵢ and its
   * gradient follows. A preference pair packs both answers in one window, +1 on the chosen answer's
   * labels and −1 on the rejected one's, so its loss is NLL(chosen) − NLL(rejected).
   */
  labelWeights?: Float32Array;
  /**
   * A preference pair (DPO): the window's gradient weight is taken from its own loss L (above) once
   * the forward pass has it: scale·β·σ(−β·(reference − L)), `reference` being L under the base model.
   * Replaces `weight`.
   */
  preference?: { reference: number; beta: number; scale: number };
}

export interface WindowsResult {
  /** Sum of the unmasked positions' cross-entropy (nats). */
  lossSum: number;
  /** Unmasked positions. Mean loss = lossSum / nTokens. */
  nTokens: number;
  /** Unmasked positions whose argmax is the label. */
  nCorrect: number;
  nWindows: number;
  /** Each window's loss sum (nats), in the order given. */
  losses: Float64Array;
  /** `forwardBackward`: the weight each window's gradient was added with (from `preference` where given). */
  weights: Float64Array;
}

export interface WindowsProgress {
  windowsDone: number;
  windowsTotal: number;
  lossSum: number;
  nTokens: number;
}

export interface OptimizerStepOptions {
  /** Learning rate of this step (the caller owns warmup/decay). */
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number;
  /** Clip the (normalized) gradient's global L2 norm to this; 0 = off. Default 0. */
  maxGradNorm?: number;
  /** Default 'adamw'. */
  optimizer?: 'adamw' | 'sgd';
  /** 'mean' (default): the summed gradient is divided by the unmasked tokens accumulated; 'sum': as is. */
  normalize?: 'mean' | 'sum';
}

export interface OptimizerStepResult {
  /** Optimizer steps taken so far (this one included). */
  step: number;
  /** Global L2 norm of the normalized gradient, before clipping. */
  gradNorm: number;
  /** Unmasked tokens the step learned from. */
  nTokens: number;
}

export interface TrainingSessionOptions {
  /** Tokens per window: a multiple of 256 (llama.cpp's context granularity). */
  windowSize: number;
  /** CPU threads. Default: all cores. */
  threads?: number;
  /**
   * Rows per window (default 1): the window is `rows` rows of `windowSize / rows` tokens and each
   * row is attended to on its own, so attention costs `rows` times less (in time and in the
   * activations it keeps). No sequence may span two rows: every window needs `seqIds`, and a
   * sequence id found in two rows is an INVALID_ARGUMENT. Must divide `windowSize`.
   */
  rows?: number;
  /** Keep the scheduler's node placement of the first training window's graph for `nodePlacement()`. Default false. */
  recordPlacement?: boolean;
  /**
   * Time every node of every window for `opProfile()` (native/src/OpProfile.h). Each node then runs
   * on its own and is waited for, which slows the windows: for finding where the time goes, not
   * for measuring speed. Default false.
   */
  profileOps?: boolean;
}

/** A compute device of this build (`devices()`). */
export interface ComputeDevice {
  /** e.g. `CPU`, `CUDA0`, `Vulkan0` */
  name: string;
  description: string;
  type: 'cpu' | 'gpu' | 'igpu' | 'accel';
  /** Bytes; for the CPU, the host's. */
  memoryFree: number;
  memoryTotal: number;
}

/** A node of the training graph that ran on the CPU (`NodePlacement.cpuOps`). */
export interface PlacedOp {
  /** ggml op, e.g. `MUL_MAT`, `OUT_PROD`, `GET_ROWS` */
  op: string;
  /** The node's tensor name, e.g. `inp_embd`. */
  name: string;
  backend: string;
  /** Name of the node's first source, e.g. `token_embd.weight` ('' without one). */
  src0: string;
  /** ggml type of the node's first source (the weight of a MUL_MAT/OUT_PROD/GET_ROWS), or null. */
  src0Type: string | null;
}

/** One kind of node in an op profile: the same op, first source (type and name), name (layer numbers as `#`) and half. */
export interface ProfiledOp {
  /** ggml's op, e.g. `MUL_MAT`, `SOFT_MAX_BACK`, `SILU` for a unary op. */
  op: string;
  /** Type of the first source (`f16`, `q8_0`, `f32`, …); empty without one. */
  src0Type: string;
  /** The node's name with every run of digits as `#` (e.g. `kq_soft_max-#`; `node_#` for nodes ggml named itself). */
  name: string;
  /** The first source's name, the same way (e.g. `blk.#.ffn_down.weight` for a frozen weight's product). */
  src0: string;
  /** `forward` up to the loss (and the accuracy), `backward` after it. */
  phase: 'forward' | 'backward';
  count: number;
  /** Wall time, each node waited for on its own. */
  ms: number;
}

/** `TrainingSession.opProfile()`: the time of the profiled windows, split by kind of node, most first. */
export interface OpProfileResult {
  windows: number;
  /** Before the first node of each window: graph building, allocation, inputs. */
  hostMs: number;
  forwardMs: number;
  backwardMs: number;
  ops: ProfiledOp[];
}

/** Where ggml's scheduler ran the nodes of the first training window's graph (forward and backward). */
export interface NodePlacement {
  /** Nodes of the graph. */
  nodes: number;
  /** Nodes per backend name (e.g. `{CUDA0: 5210, CPU: 1}`), views included. */
  byBackend: Record<string, number>;
  /** Nodes per backend, counting only nodes that run a kernel (no views, reshapes, permutes, transposes). */
  computeByBackend: Record<string, number>;
  /** Every kernel-running node assigned to the CPU (or to no backend). */
  cpuOps: PlacedOp[];
}

/**
 * Memory a training session holds on one device, in bytes, as allocated (`TrainingSession.memory()`).
 * Host buffers (the CPU's, and pinned host memory of a GPU backend) count as the device `CPU`.
 */
export interface DeviceMemory {
  /** `CPU`, `CUDA0`, `Vulkan0`, … */
  device: string;
  host: boolean;
  /** Base model weights. */
  model: number;
  /** KV cache of one window. */
  context: number;
  /** Scheduler buffers: the activations of the largest graph so far (forward + backward after a training window). */
  compute: number;
  /** LoRA A/B tensors. */
  adapter: number;
  /** ggml-opt's gradient accumulators (one F32 per adapter value). */
  gradients: number;
  /** Transposes of the frozen weights for the backward pass. */
  transposes: number;
  /** Host gradient copy and AdamW moments (CPU row only). */
  optimizer: number;
  total: number;
}

/**
 * Training of one adapter on one model. A step is `forwardBackward` over the step's windows
 * (gradients accumulate on the host) then `optimizerStep`. `abort()` stops the running
 * forward/backward within the current window (it rejects with ABORTED and drops the partial
 * gradient).
 */
export interface TrainingSession {
  init(): Promise<void>;
  forwardBackward(
    windows: readonly TrainingWindow[],
    onProgress?: (p: WindowsProgress) => void,
  ): Promise<WindowsResult>;
  evaluate(windows: readonly TrainingWindow[], onProgress?: (p: WindowsProgress) => void): Promise<WindowsResult>;
  optimizerStep(options: OptimizerStepOptions): Promise<OptimizerStepResult>;
  /** The accumulated gradient of the summed loss (not normalized) for one adapter tensor. */
  gradient(name: string): Float32Array;
  /**
   * Where the scheduler ran each node of the first training window's graph (every window has the
   * same graph). Needs `recordPlacement: true` (INVALID_ARGUMENT otherwise); empty before the first
   * training window.
   */
  nodePlacement(): NodePlacement;
  /**
   * Where the windows since the last call spent their time, by kind of node; then starts over.
   * Needs `profileOps: true` (INVALID_ARGUMENT otherwise).
   */
  opProfile(): OpProfileResult;
  /** What the session holds per device right now (after a training window: its peak). */
  memory(): DeviceMemory[];
  zeroGrad(): void;
  /**
   * Saves adapter weights, AdamW moments and the step count, plus `state` (JSON of the caller's
   * schedule position, data order, RNG state), to one GGUF file, atomically.
   */
  saveCheckpoint(path: string, state: string): Promise<void>;
  /** Restores what saveCheckpoint wrote; returns the step and the caller's state. */
  loadCheckpoint(path: string): Promise<{ step: number; state: string }>;
  abort(): void;
  dispose(): void;
  readonly step: number;
  /**
   * Windows whose graph was built rather than reused: every window of a session has the same shape,
   * so the graph, its backward graph and their allocation are built once and serve every window of
   * the same kind (training or evaluation) until the other kind runs. `LATHE_GRAPH_REUSE=0`
   * rebuilds it every window.
   */
  readonly graphBuilds: number;
  readonly busy: boolean;
  readonly disposed: boolean;
}

/** Quantization types `quantizeModel` accepts. */
export type QuantizationType =
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'Q8_0'
  | 'Q4_0'
  | 'Q4_1'
  | 'Q5_0'
  | 'Q5_1'
  | 'Q2_K'
  | 'Q3_K_M'
  | 'Q4_K_S'
  | 'Q4_K_M'
  | 'Q5_K_M'
  | 'Q6_K';

/** What `mergeAdapter` folds together, and where it writes the result. */
export interface MergeAdapterSpec {
  /** The base model GGUF (one file; split models are refused). */
  base: string;
  /** A LoRA adapter GGUF for that base (`adapter.lora.alpha`, `<weight>.lora_a`/`.lora_b`). */
  adapter: string;
  /** The merged GGUF to write; written to a temporary file beside it, then renamed over it. */
  output: string;
  /** The adapter's strength, 1 = as trained. */
  scale?: number;
  /** Threads for the merge and the re-quantization; 0 or absent = every core. */
  threads?: number;
  /** `general.name` of the merged model (the base's otherwise). */
  name?: string;
  /** More metadata to set: string values, or unsigned 32-bit integers. */
  metadata?: Record<string, string | number>;
}

/** A merge running on a worker thread. */
export interface MergeTask {
  /** Settles when the file is written (or with an Error coded INVALID_ARGUMENT, UNSUPPORTED, IO or CANCELLED). */
  done: Promise<{ tensors: number; merged: number; bytes: number }>;
  /** Tensors written so far, of all. */
  progress(): { done: number; total: number };
  /** Stops before the next tensor; nothing is left behind. */
  cancel(): void;
}

export interface TrainerAddon {
  /** llama.cpp version string of the statically linked tree. */
  readonly version: string;
  systemInfo(): string;
  /** Print llama.cpp's log to stderr (errors are always printed). */
  setVerbose(verbose: boolean): void;
  /** The compute devices of this build: the CPU, and GPUs when built with a GPU backend and one is present. */
  devices(): ComputeDevice[];
  /** Quantizes a GGUF model with llama.cpp's quantizer. `threads` 0 = all cores. */
  quantizeModel(input: string, output: string, type: QuantizationType, threads?: number): Promise<void>;
  /**
   * Writes a standalone GGUF of a base model with a LoRA adapter folded into its weights
   * (W + scale · alpha/rank · B·A), each merged weight in its own type again (dequantized, merged in
   * F32, re-quantized), every other tensor and all metadata copied.
   */
  mergeAdapter(spec: MergeAdapterSpec): MergeTask;
  /**
   * The transposes of frozen weights that backward passes use instead of OUT_PROD (made on a
   * session's first backward pass, freed with their model): how many, and their size in bytes.
   * Both 0 when `LATHE_BACKWARD=outprod` keeps upstream's OUT_PROD. `byGraph`: how many of them a
   * ggml graph built on their weight's backend (on a GPU, without leaving it); the rest the host did.
   * `checkError` (only under `LATHE_TRANSPOSE=check`, which also builds each graph-built one with the
   * host code): the largest relative L2 distance between the two builds of one weight, dequantized.
   */
  backwardTransposes(): { count: number; bytes: number; byGraph: number; checkError?: number };
  /**
   * The backward ops this process's training graphs build from simpler ones because the adapter's
   * device has no kernel for them (`out_prod`, `rms_norm_back`, `soft_max_back`,
   * `cross_entropy_loss_back`, `repeat_back`; Metal lacks all five). Empty on CUDA, Vulkan and the
   * CPU. `LATHE_DECOMPOSE=all|none|<names>` overrides the choice.
   */
  backwardDecomposed(): string[];
  TrainerModel: new (path: string, options?: TrainerModelOptions) => TrainerModel;
  LoraAdapter: new (model: TrainerModel) => LoraAdapter;
  TrainingSession: new (model: TrainerModel, adapter: LoraAdapter, options: TrainingSessionOptions) => TrainingSession;
}

const ADDON_FILE = join('build', 'Release', 'lathe_trainer.node');

/** Where the built addon may be: `LATHE_TRAINER_ADDON`, next to this module, under ./native. */
export function trainerAddonCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const list = [
    process.env.LATHE_TRAINER_ADDON,
    join(here, ADDON_FILE),
    join(resolve(process.cwd(), 'native'), ADDON_FILE),
  ];
  return list.filter((p): p is string => typeof p === 'string' && p.length > 0);
}

/**
 * Loads the addon (`path`, or the first existing candidate). Throws an Error with code
 * LOAD_FAILED naming where it looked if there is no built addon, or naming the file and the
 * system's reason if it cannot be loaded: a GPU build on a machine without that GPU's runtime
 * libraries (`libcublas.so.13: cannot open shared object file`), a build for another Node or
 * architecture, a damaged file.
 */
export function loadTrainerAddon(path?: string): TrainerAddon {
  const candidates = path ? [path] : trainerAddonCandidates();
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    const err = new Error(
      `the trainer addon is not built (looked in ${candidates.join(', ')}): run node native/scripts/build.mjs`,
    ) as TrainerError;
    err.code = 'LOAD_FAILED';
    throw err;
  }
  const require = createRequire(import.meta.url);
  try {
    return require(found) as TrainerAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const library =
      /([\w.+-]+\.(?:so(?:\.\d+)*|dylib|dll))\b[^\n]*(?:cannot open shared object|not found|image not found|could not be found|no such file)/i.exec(
        reason,
      )?.[1];
    const err = new Error(
      library
        ? `the trainer addon (${found}) needs ${library}, which this machine does not have: install the runtime of ` +
            'the GPU it was built for (e.g. the CUDA toolkit with cuBLAS), or rebuild it for this machine with ' +
            `npm run build:native (${reason})`
        : `the trainer addon (${found}) cannot be loaded: ${reason}; rebuild it with npm run build:native`,
    ) as TrainerError;
    err.code = 'LOAD_FAILED';
    throw err;
  }
}
