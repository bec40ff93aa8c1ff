/**
 * `npm run bench`: LoRA training speed and peak memory of Lathe's trainer, as ratios against two
 * references measured in the same run: PyTorch doing the same training on the same threads, and
 * the machine's F32 matrix-multiply rate (→ model FLOPs utilization). See bench/README.md.
 *
 *   node --import ./bench/lib/register.mjs bench/training.ts [options]
 *     --steps N        measured rounds (one step of every configuration each; default 5)
 *     --warmup N       unmeasured rounds first (default 1)
 *     --threads N      default 2
 *     --window N       tokens per step, a multiple of 256 (default 512)
 *     --rank N         LoRA rank, alpha = 2·rank (default 16)
 *     --types LIST     Lathe base types (default F32,Q8_0; also F16, Q4_0)
 *     --quick          tiny model, window 256, 1 round: a smoke run of every part (results in
 *                      node_modules/.cache/lathe-bench/, not bench/results/)
 *     --no-reference   Lathe only (the PyTorch and matmul figures become the documented ones)
 *     --python PATH    interpreter with Debian's torch (default /usr/bin/python3)
 *     --coretype NAME  OPENBLAS_CORETYPE for the references (default SkylakeX)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { GgmlType } from '../tests/helpers/gguf/GgufWriter.js';
import { writeRandomLlama, type LlamaShape } from '../tests/helpers/gguf/randomLlama.js';
import { loraFlopsPerToken } from './lib/flops.js';
import type { LatheMeta } from './lib/latheWorker.js';
import { Participant, type FinishReport, type StepReport } from './lib/participant.js';
import { loadAverage } from './lib/proc.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const cacheDir = join(root, 'node_modules', '.cache', 'lathe-bench');

/** SmolLM2-135M's shape (random weights; the vocabulary is a byte-fallback one of the same size). */
const smolLM2Shape: LlamaShape = {
  nLayer: 30,
  nEmbd: 576,
  nHead: 9,
  nHeadKv: 3,
  nFf: 1536,
  nVocab: 49152,
  nCtxTrain: 2048,
};
/** `--quick`: a smoke run of every part in well under a minute. */
const quickShape: LlamaShape = { nLayer: 2, nEmbd: 128, nHead: 4, nHeadKv: 2, nFf: 256, nVocab: 512, nCtxTrain: 512 };

/** Figures measured once on this kind of machine (shared/notes/training.md), used only when a
 *  reference cannot run here, and then labelled as not measured. */
const documented = { pytorchTokPerSec: 69, pytorchPeakBytes: 4.3e9, matmulGflops: 315 };

/** Between two steps: the threads of a BLAS or OpenMP pool spin a little after their work. */
const PAUSE_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const typeNames = { F32: GgmlType.F32, Q8_0: GgmlType.Q8_0, F16: GgmlType.F16, Q4_0: GgmlType.Q4_0 } as const;
type TypeName = keyof typeof typeNames;

interface BlasInfo {
  internal_api?: string;
  version?: string;
  architecture?: string;
  num_threads?: number;
  filepath?: string;
}
interface TorchMeta {
  nParams: number;
  nLoraParams: number;
  torch: string;
  torchThreads: number;
  blas: BlasInfo | null;
}
interface MatmulMeta {
  numpy: string;
  torch: string | null;
  blas: BlasInfo | null;
}
interface MatmulStep {
  runs: { lib: string; n: number; gflops: number }[];
  gflops: number;
  seconds: number;
}

/** One training configuration of the run and what it measured. */
interface Trainer {
  key: string;
  name: string;
  participant: Participant<LatheMeta | TorchMeta, StepReport>;
  meta?: LatheMeta | TorchMeta;
  steps: StepReport[];
  finish?: FinishReport;
}

/**
 * Other people's load only ever slows a step down, so the fastest measured step is the estimate of
 * the undisturbed speed (the headline: `tokPerSec`, `speedRatio`, `mfu`); the median is shown next
 * to it for how a typical step went on this machine.
 */
interface Summary {
  name: string;
  measured: boolean;
  /** Tokens per step over the fastest measured step. */
  tokPerSec: number;
  /** Tokens per step over the median measured step. */
  tokPerSecMedian: number;
  stepSeconds: number[];
  peakRssBytes: number | null;
  mfu: number;
  /** Against PyTorch (Lathe configurations only): ratio of the best tok/s. */
  speedRatio?: number;
  /** Ratio of the median tok/s. */
  speedRatioMedian?: number;
  /** The ratio within each round (PyTorch's step time ÷ this configuration's, measured minutes apart). */
  speedRatioPerRound?: number[];
  memoryRatio?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}
const gb = (b: number | null | undefined): string =>
  b === null || b === undefined ? 'n/a' : `${(b / 1e9).toFixed(2)} GB`;
const times = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? 'n/a' : `${r.toFixed(2)}×`);
const pct = (r: number): string => (Number.isFinite(r) ? `${(100 * r).toFixed(1)} %` : 'n/a');

function sourceHash(): string {
  const h = createHash('sha1');
  for (const f of ['tests/helpers/gguf/randomLlama.ts', 'tests/helpers/gguf/GgufWriter.ts']) {
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 8);
}

/** Writes (or reuses) the random model of `shape` in `type`; returns its path. */
function ensureModel(shape: LlamaShape, type: TypeName): string {
  mkdirSync(cacheDir, { recursive: true });
  const prefix = `llama-L${shape.nLayer}-E${shape.nEmbd}-H${shape.nHead}-KV${shape.nHeadKv}-FF${shape.nFf}-V${shape.nVocab}-${type}`;
  const name = `${prefix}-${sourceHash()}.gguf`;
  const path = join(cacheDir, name);
  // Models of the same shape written by another version of the writer are stale.
  for (const f of readdirSync(cacheDir)) {
    if (f.startsWith(`${prefix}-`) && f !== name) rmSync(join(cacheDir, f), { force: true });
  }
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  writeRandomLlama(tmp, { shape, type: typeNames[type], seed: 1 });
  renameSync(tmp, path);
  console.error(`[bench] wrote ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

function pythonHas(python: string, modules: string): boolean {
  return spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string' },
      warmup: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      window: { type: 'string' },
      rank: { type: 'string', default: '16' },
      types: { type: 'string', default: 'F32,Q8_0' },
      quick: { type: 'boolean', default: false },
      'no-reference': { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      coretype: { type: 'string', default: 'SkylakeX' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
    return;
  }
  const quick = values.quick;
  const shape = quick ? quickShape : smolLM2Shape;
  const steps = Number(values.steps ?? (quick ? 2 : 5));
  const warmup = Number(values.warmup);
  const threads = Number(values.threads);
  const window = Number(values.window ?? (quick ? 256 : 512));
  const rank = Number(values.rank);
  const alpha = 2 * rank;
  const types = values.types.split(',').map((t) => t.trim()) as TypeName[];
  for (const t of types) {
    if (!(t in typeNames)) throw new Error(`unknown type ${t} (${Object.keys(typeNames).join(', ')})`);
  }
  if (!(steps >= 1 && warmup >= 0 && threads >= 1 && rank >= 1 && window >= 256 && window % 256 === 0)) {
    throw new Error('need --steps >= 1, --warmup >= 0, --threads >= 1, --rank >= 1, --window a multiple of 256');
  }
  const resultsDir = quick ? cacheDir : join(benchDir, 'results');

  const python = values.python;
  const reference = !values['no-reference'];
  const hasTorch = reference && pythonHas(python, 'torch');
  const hasNumpy = reference && pythonHas(python, 'numpy');
  if (reference && !hasTorch) {
    console.error(
      `[bench] ${python} cannot import torch: the PyTorch reference is NOT MEASURED, the documented figure ` +
        `is used (apt-get install python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread)`,
    );
  }
  if (reference && !hasNumpy) console.error(`[bench] ${python} cannot import numpy: the matmul peak is NOT MEASURED`);
  if (hasNumpy && !pythonHas(python, 'threadpoolctl')) {
    console.error('[bench] python3-threadpoolctl is missing: the BLAS kernel is not checked');
  }
  const pyEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_CORETYPE: values.coretype,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
  };

  console.error(
    `[bench] ${quick ? 'QUICK smoke run, ' : ''}shape L${shape.nLayer} E${shape.nEmbd} H${shape.nHead}/${shape.nHeadKv} ` +
      `FF${shape.nFf} V${shape.nVocab}, window ${window}, rank ${rank} alpha ${alpha}, ${threads} threads, ` +
      `${warmup} warmup + ${steps} measured rounds`,
  );
  const models = new Map(types.map((t) => [t, ensureModel(shape, t)]));

  // ---- participants ----
  const register = join(benchDir, 'lib', 'register.mjs');
  const worker = join(benchDir, 'lib', 'latheWorker.ts');
  const trainers: Trainer[] = types.map((type) => ({
    key: type,
    name: `Lathe ${type}`,
    steps: [],
    participant: new Participant<LatheMeta, StepReport>(
      `Lathe ${type}`,
      process.execPath,
      [
        ...['--import', register, worker, '--model', models.get(type) ?? '', '--label', `lathe ${type}`],
        ...['--window', window, '--threads', threads, '--rank', rank, '--alpha', alpha],
      ].map(String),
      process.env,
    ),
  }));
  if (hasTorch) {
    const s = shape;
    const args = [
      ...[join(benchDir, 'reference', 'lora_pytorch.py'), '--serve', '--threads', threads, '--seq', window],
      ...['--layers', s.nLayer, '--embd', s.nEmbd, '--heads', s.nHead, '--kv-heads', s.nHeadKv, '--ff', s.nFf],
      ...['--vocab', s.nVocab, '--rank', rank, '--alpha', alpha],
    ].map(String);
    trainers.push({
      key: 'pytorch',
      name: 'PyTorch',
      steps: [],
      participant: new Participant<TorchMeta, StepReport>('PyTorch', python, args, pyEnv),
    });
  }
  const matmul = hasNumpy
    ? new Participant<MatmulMeta, MatmulStep>(
        'matmul',
        python,
        [join(benchDir, 'reference', 'matmul.py'), '--serve', '--threads', String(threads)].concat(
          quick ? ['--sizes', '512', '--reps', '2'] : ['--sizes', '2048,4096', '--reps', '2'],
        ),
        pyEnv,
      )
    : undefined;
  const everyone = [...trainers.map((t) => t.participant), ...(matmul ? [matmul] : [])];
  const stop = (): void => {
    for (const p of everyone) p.kill();
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // ---- lockstep rounds ----
  const started = new Date();
  const loads: number[] = [];
  const matmulSteps: MatmulStep[] = [];
  let matmulMeta: MatmulMeta | undefined;
  try {
    for (const t of trainers) t.meta = await t.participant.ready();
    matmulMeta = await matmul?.ready();
    type Job = () => Promise<void>;
    const jobs: Job[] = [
      ...(matmul
        ? [
            async () => {
              matmulSteps.push(await matmul.step());
            },
          ]
        : []),
      ...trainers.map((t) => async () => {
        t.steps.push(await t.participant.step());
      }),
    ];
    for (let w = 0; w < warmup; w++) {
      console.error(`[bench] warmup round ${w + 1}/${warmup} (load average ${loadAverage() ?? '?'})`);
      for (const t of trainers) await t.participant.step();
    }
    for (let r = 0; r < steps; r++) {
      loads.push(loadAverage() ?? NaN);
      console.error(`[bench] round ${r + 1}/${steps} (load average ${loads.at(-1)})`);
      // Rotate who goes first so that no configuration always follows the same one.
      const k = r % jobs.length;
      for (const job of [...jobs.slice(k), ...jobs.slice(0, k)]) {
        await job();
        await sleep(PAUSE_MS);
      }
    }
    loads.push(loadAverage() ?? NaN);
    for (const t of trainers) t.finish = await t.participant.finish();
    await matmul?.finish();
  } catch (err) {
    for (const p of everyone) p.kill();
    throw err;
  }

  // ---- summary ----
  const flops = loraFlopsPerToken(shape, rank, window);
  const peakGflops = matmulSteps.length ? Math.max(...matmulSteps.map((m) => m.gflops)) : documented.matmulGflops;
  const mfuOf = (tokPerSec: number): number => (tokPerSec * flops.total) / (peakGflops * 1e9);
  const summarize = (t: Trainer): Summary => {
    const secs = t.steps.map((s) => s.seconds);
    const tokens = t.steps[0]?.tokens ?? window;
    const tokPerSec = tokens / Math.min(...secs);
    return {
      name: t.name,
      measured: true,
      tokPerSec,
      tokPerSecMedian: tokens / median(secs),
      stepSeconds: secs,
      peakRssBytes: t.finish?.peakRssBytes ?? null,
      mfu: mfuOf(tokPerSec),
    };
  };
  const torchTrainer = trainers.find((t) => t.key === 'pytorch');
  const torchMeta = torchTrainer?.meta as TorchMeta | undefined;
  const blas = torchMeta?.blas ?? matmulMeta?.blas ?? null;
  const blasText = blas
    ? `OpenBLAS ${blas.version ?? '?'}, kernel ${blas.architecture ?? '?'}, ${blas.num_threads ?? '?'} threads`
    : 'BLAS kernel not checked';
  let torch: Summary;
  if (torchTrainer) {
    torch = { ...summarize(torchTrainer), name: `PyTorch ${torchMeta?.torch ?? ''} F32 (${blasText})` };
  } else {
    const applies = !quick && window === 512 && threads === 2 && rank === 16;
    torch = {
      name: `PyTorch F32: NOT MEASURED, documented figure${applies ? '' : ' for another setting'}`,
      measured: false,
      tokPerSec: applies ? documented.pytorchTokPerSec : NaN,
      tokPerSecMedian: applies ? documented.pytorchTokPerSec : NaN,
      stepSeconds: [],
      peakRssBytes: applies ? documented.pytorchPeakBytes : null,
      mfu: applies ? mfuOf(documented.pytorchTokPerSec) : NaN,
    };
  }
  const lathe = trainers
    .filter((t) => t !== torchTrainer)
    .map((t) => {
      const s = summarize(t);
      s.speedRatio = s.tokPerSec / torch.tokPerSec;
      s.speedRatioMedian = s.tokPerSecMedian / torch.tokPerSecMedian;
      s.memoryRatio =
        s.peakRssBytes !== null && torch.peakRssBytes !== null ? s.peakRssBytes / torch.peakRssBytes : NaN;
      if (torchTrainer) {
        s.speedRatioPerRound = t.steps.map((step, i) => (torchTrainer.steps[i]?.seconds ?? NaN) / step.seconds);
      }
      return s;
    });

  const latheMeta = trainers[0]?.meta as LatheMeta | undefined;
  if (latheMeta && latheMeta.nLoraParams !== flops.loraParams) {
    console.error(
      `[bench] warning: the addon has ${latheMeta.nLoraParams} LoRA parameters, the FLOP count ${flops.loraParams}`,
    );
  }
  const matmulText = matmulSteps.length
    ? `${peakGflops.toFixed(0)} GFLOP/s, the best square sgemm (${[...new Set(matmulSteps[0]?.runs.map((m) => `${m.n}³`))].join(', ')}; ` +
      `numpy ${matmulMeta?.numpy} and torch) ` +
      `of every round (per round: ${matmulSteps.map((m) => m.gflops.toFixed(0)).join(', ')}); ${blasText}`
    : `${peakGflops} GFLOP/s: NOT MEASURED, documented figure`;

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'native']) !== '';
  const version = `Lathe ${commit}${dirty ? ' + uncommitted native/ changes' : ''}, addon llama.cpp ${latheMeta?.addonVersion ?? '?'}`;
  const title =
    `${quick ? 'QUICK smoke run (not a measurement): ' : ''}LoRA training, random-weight llama ` +
    `L${shape.nLayer} E${shape.nEmbd} H${shape.nHead}/${shape.nHeadKv} FF${shape.nFf} V${shape.nVocab}, window ${window} ` +
    `(every position labelled), rank ${rank} alpha ${alpha} on q/k/v/o/gate/up/down, AdamW, ${threads} threads`;
  const header = [
    'configuration',
    'tok/s best',
    'vs PyTorch',
    'tok/s median',
    'vs PyTorch',
    'peak RSS',
    'vs PyTorch',
    'MFU (best)',
  ];
  const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
  const cells = [...lathe, torch].map((r) => [
    r.name,
    num(r.tokPerSec),
    r.speedRatio === undefined ? '1' : times(r.speedRatio),
    num(r.tokPerSecMedian),
    r.speedRatioMedian === undefined ? '1' : times(r.speedRatioMedian),
    gb(r.peakRssBytes),
    r.memoryRatio === undefined ? '1' : times(r.memoryRatio),
    pct(r.mfu),
  ]);
  const verdict = (s: Summary): string =>
    quick
      ? 'smoke run, no verdict'
      : (s.speedRatio ?? 0) >= 2 && (s.memoryRatio ?? Infinity) <= 1
        ? 'goal met'
        : 'goal not met';
  const goal = lathe.map(
    (s) =>
      `${s.name}: ${times(s.speedRatio)} PyTorch's tok/s (best steps; ${times(s.speedRatioMedian)} by medians) ` +
      `at ${times(s.memoryRatio)} its peak memory, ` +
      `MFU ${pct(s.mfu)}: ${verdict(s)}`,
  );
  const flopsText =
    `${(flops.total / 1e6).toFixed(0)} MFLOP per token = 4 × ${(flops.baseMatmulParams / 1e6).toFixed(1)}M frozen ` +
    `matmul weights + 6 × ${(flops.loraParams / 1e6).toFixed(2)}M LoRA + ${(flops.attentionFlops / 1e6).toFixed(0)}M attention`;
  const perRound = lathe
    .filter((s) => s.speedRatioPerRound)
    .map((s) => `${s.name} ${s.speedRatioPerRound?.map((r) => r.toFixed(2)).join(', ')}`)
    .join('; ');
  const loadText = loads.map((l) => l.toFixed(1)).join(', ');
  const notes = [
    `Machine F32 matmul peak: ${matmulText}.`,
    `Model FLOPs: ${flopsText}.`,
    `Speed ratio within each round (noise gauge): ${perRound || 'n/a'}.`,
    `Load average (1 min) at each round and at the end: ${loadText} (${cpus().length} cores).`,
  ];
  // This bench's own computing process accounts for about `threads` of the load average.
  const meanLoad = loads.filter(Number.isFinite).reduce((a, b, _, xs) => a + b / xs.length, 0);
  const spread = Math.max(
    ...trainers.map((t) => Math.max(...t.steps.map((s) => s.seconds)) / Math.min(...t.steps.map((s) => s.seconds))),
  );
  const busy = meanLoad > threads + 1;
  if (busy) {
    notes.unshift(
      `**Busy machine**: mean load average ${meanLoad.toFixed(1)} on ${cpus().length} cores while this bench computes on ` +
        `${threads} threads; one configuration's step times varied up to ${spread.toFixed(1)}× between rounds. ` +
        `The ratios are not reliable: re-run on a quiet machine, or with more --steps.`,
    );
  }

  // ---- console ----
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const row = (c: string[]): string =>
    c.map((v, i) => (i ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}\n${cpu} · ${version}\n`);
  console.log([row(header), ...cells.map(row)].join('\n'));
  console.log(`\n${notes.join('\n').replaceAll('**', '')}\n\n${goal.join('\n')}`);

  // ---- files ----
  mkdirSync(resultsDir, { recursive: true });
  const stem = quick ? 'training-quick' : 'training';
  const md = [
    `# ${title}`,
    '',
    `${started.toISOString()} · ${cpu}, ${cpus().length} cores · ${version} · ${warmup} warmup + ${steps} measured ` +
      `rounds, one step of each configuration per round (lockstep); tok/s = tokens ÷ the best (median) step time`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    `- Goal: at least 2× PyTorch's tok/s at no more memory, on the way to 50 % MFU.`,
    ...goal.map((g) => `  - ${g}`),
    '',
  ].join('\n');
  const json = {
    title,
    quick,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cpu, cores: cpus().length, totalMemBytes: totalmem(), loadAverages: loads, busy, stepSpread: spread },
    lathe: { commit, nativeModified: dirty, addonVersion: latheMeta?.addonVersion, systemInfo: latheMeta?.systemInfo },
    settings: { shape, window, rank, alpha, threads, steps, warmup, types, openblasCoretype: values.coretype },
    flopsPerToken: flops,
    matmul: { measured: matmulSteps.length > 0, peakGflops, meta: matmulMeta, rounds: matmulSteps },
    pytorch: { ...torch, meta: torchMeta, rounds: torchTrainer?.steps },
    configs: lathe.map((s, i) => ({ ...s, meta: trainers[i]?.meta, rounds: trainers[i]?.steps })),
  };
  const jsonPath = join(resultsDir, `${stem}.json`);
  const prettierOptions = (await resolveConfig(jsonPath)) ?? {};
  writeFileSync(jsonPath, await format(JSON.stringify(json), { ...prettierOptions, parser: 'json' }));
  writeFileSync(join(resultsDir, `${stem}.md`), md);
  console.log(`\nwrote ${jsonPath} and ${stem}.md`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
