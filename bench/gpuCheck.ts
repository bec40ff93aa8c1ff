/**
 * The GPU check of Lathe's trainer (issue "GPU training"), one self-contained script that also runs
 * on a machine without Node modules (the device machine): bundled by `scripts/gpu-pack.sh` into
 * `.gpu/gpuCheck.mjs`, it writes its own random-weight GGUF models, then
 *
 *  (a) gradients: for each frozen base type (F32, F16, BF16, Q8_0, Q4_0, Q4_K_M, Q6_K) the LoRA
 *      gradients of one packed, partly masked window computed with every layer on the GPU equal
 *      the CPU's (a child process with no CUDA device visible) within `--tol` (relative L2, per
 *      tensor), and so does the loss;
 *  (b) placement: the scheduler's assignment of every node of those training graphs; lists each
 *      kernel-running node that landed on the CPU;
 *  (c) speed: useful tokens/s, peak GPU memory and what ggml allocated per device of LoRA rank 16
 *      on all seven projections, windows of `--windows` tokens (default 512; e.g. 512,2048 to see
 *      whether bigger passes pay on this GPU), for the SmolLM2-135M and a 1B (TinyLlama-1.1B)
 *      llama shape, F16 and Q8_0, AdamW on the GPU (`--bench-variants host-opt` adds the host
 *      optimizer for comparison; `f16` the F16 OUT_PROD; `outprod` upstream's OUT_PROD backward instead
 *      of the frozen-weight transposes; `profile` times every node for a breakdown by op; `rows` packs
 *      512-token examples one per row, attention per row, and with `--torch` the same as a PyTorch
 *      batch; `decompose` builds every backward op from simpler ones, as on Metal; `host-transpose`
 *      builds the frozen-weight transposes on the host, to compare first steps) (each in a
 *      child process, so the GPU memory is its own); `--torch` adds the PyTorch reference
 *      (bench/reference/lora_pytorch_gpu.py) on the same GPU.
 *
 * Prints one JSON object and writes it to `--out`/gpu-check.json. `--quick` uses tiny shapes (to
 * test the script end to end on a CPU-only machine). Exit code 0 even when a check fails: the JSON
 * says which (`ok` per part); 1 only when the script itself breaks.
 *
 *   node .gpu/gpuCheck.mjs --addon native/build-cuda/Release/lathe_trainer.node --out $OUT [--quick]
 *     [--torch] [--steps 6] [--tol 0.01] [--tol-quant 0.08] [--skip-bench] [--skip-grads] [--shapes smol,1b] [--types F16,Q8_0]
 *     [--windows 512,2048] [--bench-variants host-opt,f16]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  type DeviceMemory,
  allTargetModules,
  loadTrainerAddon,
  type ComputeDevice,
  type NodePlacement,
  type OpProfileResult,
  type QuantizationType,
  type TrainerAddon,
  type TrainingWindow,
} from '../native/index.js';
import { cpuFallbacks, summarizeOps } from '../native/placement.js';
import { GgmlType } from '../tests/helpers/gguf/GgufWriter.js';
import { relErr } from '../tests/helpers/relErr.js';
import { rng, writeRandomLlama, type LlamaShape } from '../tests/helpers/gguf/randomLlama.js';

/** First plain (non-special, non-byte) token of the random vocabulary. */
const PLAIN = 259;

const { values: args } = parseArgs({
  options: {
    addon: { type: 'string' },
    out: { type: 'string', default: '.gpu/out' },
    work: { type: 'string' },
    quick: { type: 'boolean', default: false },
    torch: { type: 'boolean', default: false },
    steps: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    'max-step-seconds': { type: 'string', default: '15' },
    tol: { type: 'string', default: '0.01' },
    'tol-quant': { type: 'string', default: '0.08' },
    threads: { type: 'string', default: '8' },
    shapes: { type: 'string', default: '1b,smol' },
    types: { type: 'string', default: 'F16,Q8_0' },
    'grad-types': { type: 'string', default: 'F32,F16,BF16,Q8_0,Q4_0,Q4_K_M,Q6_K' },
    'skip-bench': { type: 'boolean', default: false },
    'skip-grads': { type: 'boolean', default: false },
    'bench-variants': { type: 'string', default: '' },
    /** Window sizes (tokens per forward/backward pass) the speed bench runs, e.g. 512,2048. */
    windows: { type: 'string', default: '512' },
    window: { type: 'string' },
    child: { type: 'string' },
    model: { type: 'string' },
    result: { type: 'string' },
    gpu: { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
  },
});

const log = (msg: string): void => console.error(`[gpu-check${args.child ? `:${args.child}` : ''}] ${msg}`);
const addonPath = resolve(args.addon ?? 'native/build-cuda/Release/lathe_trainer.node');
const threads = Number(args.threads);

function addon(): TrainerAddon {
  return loadTrainerAddon(addonPath);
}

const shapes: Record<string, LlamaShape> = {
  // SmolLM2-135M
  smol: { nLayer: 30, nEmbd: 576, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49152, nCtxTrain: 2048 },
  // TinyLlama-1.1B (a 1B llama: 22 layers, 2048 wide, GQA 32/4, vocab 32000)
  '1b': { nLayer: 22, nEmbd: 2048, nHead: 32, nHeadKv: 4, nFf: 5632, nVocab: 32000, nCtxTrain: 2048 },
};
const quickShapes: Record<string, LlamaShape> = {
  smol: { nLayer: 2, nEmbd: 128, nHead: 4, nHeadKv: 2, nFf: 256, nVocab: 512, nCtxTrain: 1024 },
  '1b': { nLayer: 3, nEmbd: 256, nHead: 8, nHeadKv: 2, nFf: 512, nVocab: 1024, nCtxTrain: 1024 },
};
/** Gradient-check model: K-quant rows are multiples of 256. */
const gradShape: LlamaShape = { nLayer: 2, nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512, nVocab: 512, nCtxTrain: 1024 };

/** Memory of the first GPU the addon sees, or null without one. */
function gpuDevice(t: TrainerAddon): ComputeDevice | null {
  return t.devices().find((d) => d.type === 'gpu') ?? null;
}

/** nvidia-smi's used memory of GPU 0 in bytes (null when there is no nvidia-smi). */
function smiUsedBytes(): number | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const mib = Number(r.stdout.trim().split('\n')[0]);
  return Number.isFinite(mib) ? mib * 1024 * 1024 : null;
}

function runChild(childArgs: string[], env: NodeJS.ProcessEnv = {}): { ok: boolean; stderrTail: string } {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [script, ...childArgs, '--addon', addonPath, '--threads', String(threads)], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stderr.write(r.stderr ?? '');
  return { ok: r.status === 0, stderrTail: (r.stderr ?? '').slice(-2000) };
}

// ---------------------------------------------------------------------------------------------
// (a) + (b): gradients and placement

interface GradResult {
  loss: number;
  nTokens: number;
  grads: Record<string, string>; // base64 of the Float32Array
  placement: NodePlacement | null;
  devices: ComputeDevice[];
  seconds: number;
}

/**
 * Two packed examples (positions restart, own sequence ids), the first 20 labels masked. `weighted`:
 * the second example's labels weigh -1, as a preference pair's rejected answer (patch 0013's
 * cross-entropy backward with weighted label rows).
 */
function gradWindow(nVocab: number, size = 256, weighted = false): TrainingWindow {
  const rand = rng(11);
  const tokens = new Int32Array(size);
  const labels = new Int32Array(size).fill(-1);
  const positions = new Int32Array(size);
  const seqIds = new Int32Array(size);
  const split = 120;
  for (let i = 0; i < size; i++) {
    tokens[i] = PLAIN + Math.floor(rand() * (nVocab - PLAIN));
    const second = i >= split;
    positions[i] = second ? i - split : i;
    seqIds[i] = second ? 1 : 0;
  }
  for (let i = 0; i < size - 1; i++) {
    if (i >= 20 && i !== split - 1) labels[i] = tokens[i + 1] ?? -1;
  }
  if (!weighted) return { tokens, labels, positions, seqIds };
  return { tokens, labels, positions, seqIds, labelWeights: Float32Array.from(seqIds, (q) => (q === 1 ? -1 : 1)) };
}

async function computeGrads(modelPath: string, gpu: boolean): Promise<GradResult> {
  const t = addon();
  const t0 = performance.now();
  const model = new t.TrainerModel(modelPath, { gpuLayers: gpu ? -1 : 0 });
  await model.load();
  const adapter = new t.LoraAdapter(model);
  await adapter.create({ rank: 4, alpha: 8, targets: allTargetModules, seed: 7 });
  // B = 0 would give A no gradient: set B to small deterministic values so both get checked.
  const rand = rng(5);
  for (const { name, ne } of adapter.info().tensors) {
    if (!name.endsWith('.lora_b')) continue;
    adapter.setTensor(
      name,
      Float32Array.from({ length: ne[0] * ne[1] }, () => (rand() * 2 - 1) * 0.05),
    );
  }
  const session = new t.TrainingSession(model, adapter, { windowSize: 256, threads, recordPlacement: true });
  await session.init();
  const grads: Record<string, string> = {};
  const read = (prefix: string): void => {
    for (const { name } of adapter.info().tensors) {
      const g = session.gradient(name);
      grads[prefix + name] = Buffer.from(g.buffer, g.byteOffset, g.byteLength).toString('base64');
    }
  };
  // the weighted window first (its gradients under "weighted:"), then the plain one, whose loss is reported
  await session.forwardBackward([gradWindow(model.info().nVocab, 256, true)]);
  read('weighted:');
  session.zeroGrad(); // gradients accumulate until the optimizer step
  const fb = await session.forwardBackward([gradWindow(model.info().nVocab)]);
  read('');
  const placement = session.nodePlacement();
  const res: GradResult = {
    loss: fb.lossSum / fb.nTokens,
    nTokens: fb.nTokens,
    grads,
    placement,
    devices: t.devices(),
    seconds: (performance.now() - t0) / 1000,
  };
  session.dispose();
  adapter.dispose();
  model.dispose();
  return res;
}

function decode(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

async function writeGradModels(dir: string, types: string[]): Promise<Record<string, string>> {
  const t = addon();
  const f32 = join(dir, 'grad-F32.gguf');
  writeRandomLlama(f32, { shape: gradShape, type: GgmlType.F32, seed: 3 });
  const paths: Record<string, string> = {};
  for (const type of types) {
    if (type === 'F32') {
      paths[type] = f32;
      continue;
    }
    const p = join(dir, `grad-${type}.gguf`);
    await t.quantizeModel(f32, p, type as QuantizationType, threads);
    paths[type] = p;
  }
  return paths;
}

interface GradCheck {
  type: string;
  lossGpu: number;
  lossCpu: number;
  lossRelErr: number;
  maxRelErr: number;
  worstTensor: string;
  /** The worst tensor of the window whose second example's labels weigh -1 (included in maxRelErr). */
  weightedMaxRelErr: number;
  meanRelErr: number;
  tolerance: number;
  ok: boolean;
  /** Kernel-running nodes on the CPU other than the token-embedding lookup: `OP(type)` → count. */
  cpuFallbacks: Record<string, number>;
  placement: NodePlacement | null;
  gpuSeconds: number;
}

/**
 * Float bases (F32, F16, BF16) must match within `--tol`: the GPU's F32 GEMMs use TF32 tensor cores
 * (1.5e-3 measured on an H200). Quantized bases within `--tol-quant`: there the CPU and CUDA also
 * quantize the activations of the forward matmuls differently (CPU: q8_0 / q8_K blocks; CUDA's MMQ:
 * q8_1 blocks of 32), so the two sides compute slightly different functions (2e-2 to 5.3e-2 measured
 * on an H200, with the losses 1e-4 to 6e-4 apart).
 */
function toleranceFor(type: string): number {
  return ['F32', 'F16', 'BF16'].includes(type) ? Number(args.tol) : Number(args['tol-quant']);
}

async function gradientChecks(
  dir: string,
): Promise<{ ok: boolean; noFallback?: boolean; checks: GradCheck[]; note?: string }> {
  const types = (args['grad-types'] ?? '').split(',').filter(Boolean);
  const paths = await writeGradModels(dir, types);
  // CPU reference: a child process that sees no CUDA device.
  const cpuFile = join(dir, 'grads-cpu.json');
  const child = runChild(['--child', 'grads', '--work', dir, '--result', cpuFile, '--grad-types', types.join(',')], {
    CUDA_VISIBLE_DEVICES: '',
    GGML_VK_VISIBLE_DEVICES: '',
  });
  if (!child.ok) return { ok: false, checks: [], note: `CPU reference failed: ${child.stderrTail}` };
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as Record<string, GradResult>;
  const checks: GradCheck[] = [];
  for (const type of types) {
    const path = paths[type];
    const ref = cpu[type];
    if (!path || !ref) continue;
    log(`gradients on the GPU: ${type}`);
    const gpu = await computeGrads(path, true);
    let maxRelErr = 0;
    let worstTensor = '';
    let sum = 0;
    let weightedMaxRelErr = 0;
    const names = Object.keys(ref.grads);
    for (const name of names) {
      const e = relErr(decode(gpu.grads[name] ?? ''), decode(ref.grads[name] ?? ''));
      sum += e;
      if (name.startsWith('weighted:')) weightedMaxRelErr = Math.max(weightedMaxRelErr, e);
      if (!(e <= maxRelErr)) {
        maxRelErr = e;
        worstTensor = name;
      }
    }
    const lossRelErr = Math.abs(gpu.loss - ref.loss) / Math.abs(ref.loss);
    const fallbacks = gpu.placement ? summarizeOps(cpuFallbacks(gpu.placement)) : {};
    checks.push({
      type,
      lossGpu: gpu.loss,
      lossCpu: ref.loss,
      lossRelErr,
      maxRelErr,
      worstTensor,
      weightedMaxRelErr,
      meanRelErr: sum / names.length,
      tolerance: toleranceFor(type),
      ok: maxRelErr < toleranceFor(type) && lossRelErr < 1e-3,
      cpuFallbacks: fallbacks,
      placement: gpu.placement,
      gpuSeconds: gpu.seconds,
    });
    log(
      `${type}: loss ${gpu.loss.toFixed(5)} vs ${ref.loss.toFixed(5)}, max rel. gradient error ${maxRelErr.toExponential(2)}`,
    );
  }
  const noFallback = checks.every((c) => Object.keys(c.cpuFallbacks).length === 0);
  return { ok: checks.length === types.length && checks.every((c) => c.ok), noFallback, checks };
}

async function childGrads(): Promise<void> {
  const dir = args.work ?? '';
  const out: Record<string, GradResult> = {};
  for (const type of (args['grad-types'] ?? '').split(',').filter(Boolean)) {
    log(`gradients on the CPU: ${type}`);
    out[type] = await computeGrads(join(dir, `grad-${type}.gguf`), false);
  }
  writeFileSync(args.result ?? '', JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------------
// (c): speed and memory

interface BenchResult {
  label: string;
  model: string;
  window: number;
  steps: number;
  tokensPerSecond: number;
  stepSeconds: number[];
  forwardBackwardSeconds: number[];
  optimizerSeconds: number[];
  loss: number[];
  gpuMemoryBaseline: number | null;
  gpuPeakBytes: number | null;
  smiPeakBytes: number | null;
  /** What ggml allocated per device after the first step (`TrainingSession.memory()`), to compare with the estimate. */
  allocated: DeviceMemory[] | null;
  nParams: number;
  nLoraParams: number;
  loadSeconds: number;
  initSeconds: number;
  placement: NodePlacement | null;
  device: string | null;
  /** A step took longer than --max-step-seconds: the run stopped after it. */
  stoppedEarly: boolean;
  /** The first step: graph building, the frozen-weight transposes, kernel loading, then the step. */
  firstStepSeconds: number;
  /** The frozen-weight transposes after the first step: how many, and how many a graph built on the GPU. */
  transposes?: { count: number; bytes: number; byGraph: number };
  /**
   * `--bench-variants profile` (LATHE_PROFILE_OPS=1): where the measured steps' forward and
   * backward time went, by kind of node (TrainingSession.opProfile; every node waited for on its
   * own, so this variant's speed is not comparable), the 40 most expensive kinds.
   */
  opProfile?: OpProfileResult | null;
  /** Rows of the window (`--bench-variants rows`): one example of window/rows tokens each. */
  rows?: number;
}

/**
 * One benchmark window, every position labelled: one random sequence, or with `rows` > 1 one
 * sequence per row (its own sequence id, positions from 0), as examples of window/rows tokens
 * packed one per row.
 */
function benchWindow(window: number, rows: number, nVocab: number, rand: () => number): TrainingWindow {
  const row = window / rows;
  const tokens = new Int32Array(window);
  const labels = new Int32Array(window);
  const positions = new Int32Array(window);
  const seqIds = new Int32Array(window);
  for (let r = 0; r < rows; r++) {
    const seq = Int32Array.from({ length: row + 1 }, () => PLAIN + Math.floor(rand() * (nVocab - PLAIN)));
    tokens.set(seq.subarray(0, row), r * row);
    labels.set(seq.subarray(1), r * row);
    for (let i = 0; i < row; i++) {
      positions[r * row + i] = i;
      seqIds[r * row + i] = r;
    }
  }
  return { tokens, labels, positions, seqIds };
}

async function childBench(): Promise<void> {
  const t = addon();
  const window = Number(args.window ?? (args.quick ? 256 : 512));
  const dev0 = gpuDevice(t);
  const free0 = dev0?.memoryFree ?? null;
  const smi0 = smiUsedBytes();
  let t0 = performance.now();
  const model = new t.TrainerModel(args.model ?? '', { gpuLayers: args.gpu ? -1 : 0 });
  await model.load();
  const loadSeconds = (performance.now() - t0) / 1000;
  const info = model.info();
  const adapter = new t.LoraAdapter(model);
  await adapter.create({ rank: 16, alpha: 32, targets: allTargetModules, seed: 42 });
  t0 = performance.now();
  const profileOps = process.env.LATHE_PROFILE_OPS === '1';
  // `--bench-variants rows`: examples of LATHE_BENCH_ROW tokens, one per row, each row attended to on its own
  const row = Number(process.env.LATHE_BENCH_ROW ?? 0);
  const rows = row > 0 && window % row === 0 ? window / row : 1;
  const session = new t.TrainingSession(model, adapter, {
    windowSize: window,
    threads,
    recordPlacement: true,
    profileOps,
    rows,
  });
  await session.init();
  const initSeconds = (performance.now() - t0) / 1000;
  const rand = rng(2);
  let minFree = free0;
  let smiPeak = smi0;
  const res: BenchResult = {
    label: args.label ?? '',
    model: args.model ?? '',
    window,
    steps: 0,
    tokensPerSecond: 0,
    stepSeconds: [],
    forwardBackwardSeconds: [],
    optimizerSeconds: [],
    loss: [],
    gpuMemoryBaseline: free0,
    gpuPeakBytes: null,
    smiPeakBytes: null,
    allocated: null,
    nParams: info.nParams,
    nLoraParams: adapter.info().nParams,
    loadSeconds,
    initSeconds,
    placement: null,
    device: dev0?.description ?? null,
    stoppedEarly: false,
    firstStepSeconds: 0,
  };
  const warmup = Number(args.warmup);
  const steps = Number(args.steps);
  for (let s = 0; s < warmup + steps; s++) {
    const a = performance.now();
    const fb = await session.forwardBackward([benchWindow(window, rows, info.nVocab, rand)]);
    const b = performance.now();
    await session.optimizerStep({ lr: 1e-4 });
    const c = performance.now();
    if (s === 0) {
      res.placement = session.nodePlacement();
      res.allocated = session.memory();
      res.transposes = t.backwardTransposes();
    }
    const dev = gpuDevice(t);
    if (dev && minFree !== null) minFree = Math.min(minFree, dev.memoryFree);
    const smi = smiUsedBytes();
    if (smi !== null) smiPeak = Math.max(smiPeak ?? 0, smi);
    log(
      `${res.label} step ${s}: ${((c - a) / 1000).toFixed(3)} s (fb ${((b - a) / 1000).toFixed(3)}), loss ${(fb.lossSum / fb.nTokens).toFixed(3)}`,
    );
    if (s === 0) res.firstStepSeconds = (c - a) / 1000;
    // the first step does one-time work (transposes, kernel loading): it is not a speed sample
    else if ((c - a) / 1000 > Number(args['max-step-seconds'])) {
      // a step this slow means nodes fell back to the CPU: record it and stop, the placement says why
      res.stepSeconds.push((c - a) / 1000);
      res.forwardBackwardSeconds.push((b - a) / 1000);
      res.optimizerSeconds.push((c - b) / 1000);
      res.loss.push(fb.lossSum / fb.nTokens);
      res.stoppedEarly = true;
      break;
    }
    if (s < warmup) {
      if (profileOps && s === warmup - 1) session.opProfile(); // the profile covers the measured steps only
      continue;
    }
    res.stepSeconds.push((c - a) / 1000);
    res.forwardBackwardSeconds.push((b - a) / 1000);
    res.optimizerSeconds.push((c - b) / 1000);
    res.loss.push(fb.lossSum / fb.nTokens);
  }
  if (profileOps) {
    const p = session.opProfile();
    res.opProfile = { ...p, ops: p.ops.slice(0, 40) };
  }
  res.rows = rows;
  res.steps = res.stepSeconds.length;
  const total = res.stepSeconds.reduce((x, y) => x + y, 0);
  res.tokensPerSecond = (res.steps * window) / total;
  res.gpuPeakBytes = free0 !== null && minFree !== null ? free0 - minFree : null;
  res.smiPeakBytes = smiPeak !== null && smi0 !== null ? smiPeak - smi0 : null;
  session.dispose();
  adapter.dispose();
  model.dispose();
  writeFileSync(args.result ?? '', JSON.stringify(res));
}

/** Writes the benchmarked types of one shape; returns label -> path. */
async function writeBenchModels(dir: string, name: string): Promise<Record<string, string>> {
  const t = addon();
  const shape = (args.quick ? quickShapes : shapes)[name];
  if (!shape) throw new Error(`unknown shape ${name}`);
  const types = (args.types ?? '').split(',').filter(Boolean);
  const out: Record<string, string> = {};
  // F32 from JS (a typed-array fill, no per-element half conversion), then llama.cpp's
  // multithreaded quantizer writes each benchmarked type.
  const f32 = join(dir, `${name}-F32.gguf`);
  const t0 = performance.now();
  writeRandomLlama(f32, { shape, type: GgmlType.F32, seed: 1 });
  log(`wrote ${f32} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const type of types) {
    const p = join(dir, `${name}-${type}.gguf`);
    await t.quantizeModel(f32, p, type as QuantizationType, threads);
    out[`${name}-${type}`] = p;
  }
  rmSync(f32, { force: true });
  log(`${name}: models ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

interface TorchResult {
  label: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** The PyTorch reference of one shape, at each window. */
function runTorch(dir: string, name: string, windows: string[], row = 0): TorchResult[] {
  const script = resolve('bench/reference/lora_pytorch_gpu.py');
  const out: TorchResult[] = [];
  const s = (args.quick ? quickShapes : shapes)[name];
  if (!s) return out;
  for (const window of windows) {
    // row > 0: window/row sequences of row tokens per step (a batch), where that is more than one
    const batch = row > 0 && Number(window) > row && Number(window) % row === 0 ? Number(window) / row : 1;
    if (row > 0 && batch === 1) continue;
    const seq = batch > 1 ? row : Number(window);
    const label = `${name}${batch > 1 ? `+batch${batch}x${row}` : ''}${windows.length > 1 ? `@${window}` : ''}`;
    const file = join(dir, `torch-${label}.json`);
    const r = spawnSync(
      'python3',
      [
        script,
        ...['--layers', s.nLayer, '--embd', s.nEmbd, '--heads', s.nHead, '--kv-heads', s.nHeadKv, '--ff', s.nFf],
        ...['--vocab', s.nVocab, '--seq', seq, '--batch', batch, '--steps', args.steps, '--out', file],
      ].map(String),
      { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
    );
    process.stderr.write(r.stderr ?? '');
    out.push(
      r.status === 0 && existsSync(file)
        ? { label, ok: true, result: JSON.parse(readFileSync(file, 'utf8')) as unknown }
        : { label, ok: false, error: (r.stderr ?? String(r.error)).slice(-1500) },
    );
  }
  return out;
}

async function main(): Promise<void> {
  if (args.child === 'grads') return childGrads();
  if (args.child === 'bench') return childBench();

  const outDir = resolve(args.out ?? '.gpu/out');
  mkdirSync(outDir, { recursive: true });
  const work = resolve(args.work ?? join(tmpdir(), 'lathe-gpu-check'));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const t = addon();
  const devices = t.devices();
  const gpu = devices.find((d) => d.type === 'gpu') ?? null;
  const report: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    addon: addonPath,
    version: t.version,
    systemInfo: t.systemInfo(),
    devices,
    gpu: gpu?.description ?? null,
    quick: args.quick,
  };
  const save = (): void => writeFileSync(join(outDir, 'gpu-check.json'), JSON.stringify(report, null, 1));
  if (!gpu) log('no GPU device in this build or on this machine: the "GPU" side runs on the CPU');

  if (!args['skip-grads']) {
    const t0 = performance.now();
    report.gradients = await gradientChecks(work);
    report.gradientSeconds = (performance.now() - t0) / 1000;
    save();
  }
  // shape by shape (the 1B first by default): its benchmarks, then its PyTorch reference, so a run
  // cut short by the time limit still has a complete comparison for the shapes it reached
  const bench: BenchResult[] = [];
  const failures: string[] = [];
  const torch: TorchResult[] = [];
  // `variant` runs the same config with an environment switch (e.g. f16 = LATHE_CUDA_OUT_PROD_F16=1)
  const variants: [string, NodeJS.ProcessEnv][] = [['', {}]];
  for (const v of (args['bench-variants'] ?? '').split(',').filter(Boolean)) {
    if (v === 'f16') variants.push(['+outprod-f16', { LATHE_CUDA_OUT_PROD_F16: '1' }]);
    // AdamW on the host instead of beside the adapter on the GPU (DeviceOptimizer)
    if (v === 'host-opt') variants.push(['+host-optimizer', { LATHE_OPTIMIZER: 'host' }]);
    // upstream's OUT_PROD through the frozen weights instead of MUL_MAT with their transposes
    if (v === 'outprod') variants.push(['+outprod', { LATHE_BACKWARD: 'outprod' }]);
    // every node timed on its own: where a step's time goes (at every window)
    if (v === 'profile') variants.push(['+profile', { LATHE_PROFILE_OPS: '1' }]);
    // examples of 512 tokens (the issue's length), one per row of the window, attention per row
    if (v === 'rows') variants.push(['+rows512', { LATHE_BENCH_ROW: '512' }]);
    // every backward op built from simpler ones (patch 0012), as on a backend without kernels for them (Metal)
    if (v === 'decompose') variants.push(['+decompose', { LATHE_DECOMPOSE: 'all' }]);
    // the frozen-weight transposes built on the host (read back, transposed, uploaded) instead of on the GPU
    if (v === 'host-transpose') variants.push(['+host-transpose', { LATHE_TRANSPOSE: 'host' }]);
  }
  const windows = args.quick ? ['256'] : (args.windows ?? '512').split(',').filter(Boolean);
  for (const shape of (args.shapes ?? '').split(',').filter(Boolean)) {
    if (!args['skip-bench']) {
      const models = await writeBenchModels(work, shape);
      for (const [label, path] of Object.entries(models)) {
        for (const [variant, env] of variants)
          for (const window of windows) {
            // the variants at the first window only (they compare against the default there), but
            // the profile at every window (it explains each window's own step)
            if (variant && variant !== '+profile' && variant !== '+rows512' && window !== windows[0]) continue;
            // rows of 512 at every window that holds more than one
            if (variant === '+rows512' && (Number(window) <= 512 || Number(window) % 512 !== 0)) continue;
            const suffix = `${variant}${windows.length > 1 ? `@${window}` : ''}`;
            const file = join(work, `bench-${label}${suffix}.json`);
            const r = runChild(
              [
                '--child',
                'bench',
                '--model',
                path,
                '--result',
                file,
                '--label',
                `${label}${suffix}`,
                '--steps',
                args.steps ?? '6',
                '--warmup',
                args.warmup ?? '2',
                '--max-step-seconds',
                args['max-step-seconds'] ?? '15',
                '--window',
                window,
                ...(args.quick ? ['--quick'] : []),
                ...(gpu ? ['--gpu'] : []),
              ],
              env,
            );
            if (r.ok && existsSync(file)) bench.push(JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
            else failures.push(`${label}${suffix}: ${r.stderrTail}`);
            report.bench = { results: bench, failures };
            save();
          }
        rmSync(path, { force: true });
      }
    }
    if (args.torch) {
      torch.push(...runTorch(work, shape, windows));
      // the rows variant's reference: the same 512-token examples as a batch
      if (variants.some(([v]) => v === '+rows512')) torch.push(...runTorch(work, shape, windows, 512));
      report.torch = torch;
      save();
    }
  }
  report.finishedAt = new Date().toISOString();
  save();
  console.log(JSON.stringify(report, (k, v: unknown) => (k === 'systemInfo' ? undefined : v), 1));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
