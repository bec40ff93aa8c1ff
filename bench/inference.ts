/**
 * `bench:inference`: prompt processing (pp) and generation (tg) tokens/s of Lathe's inference
 * service against llama.cpp's own `llama-bench` and node-llama-cpp used directly, plus the cost of
 * delivering streamed tokens to a browser-mode client.
 *
 *   node --import ./bench/lib/register.mjs bench/inference.ts [options]
 *     --rounds N     measured lockstep rounds per model (default 3)
 *     --warmup N     unmeasured rounds first (default 1)
 *     --threads N    default 2
 *     --pp N         prompt tokens (default 256)      --tg N   generated tokens (default 64)
 *     --models LIST  smol,1b (default both)
 *     --tokens N     tokens per delivery stream (default 5000: the cost per token is a difference of
 *                    two CPU totals, and 1000-token streams left it to noise, rounds 0.01–0.32 ms)
 *     --no-llama-bench  skip building/running llama-bench
 *     --quick        tiny model, pp 64 / tg 16, 1 round, 200 delivery tokens: a smoke run of every
 *                    part (results in node_modules/.cache/lathe-bench/, not bench/results/)
 *
 * Method
 * - Models: random weights (tests/helpers/gguf/randomLlama.ts, untied LM head, byte-fallback
 *   vocabulary) of SmolLM2-135M's shape in Q8_0 and Llama 3.2 1B's shape (full vocab 128256) written
 *   F16 and quantized to Q4_K_M by Lathe's addon; cached in node_modules/.cache/lathe-bench/
 *   (lib/inferenceModels.ts). Random weights run at the speed of real ones of the same shape and type.
 * - llama-bench: built once from a pristine clone of the llama.cpp tree node-llama-cpp bundles
 *   (node_modules/node-llama-cpp/llama/gitRelease.bundle → node_modules/.cache/lathe-bench/llama.cpp,
 *   CPU, Release, GGML_NATIVE, target llama-bench only; the build time is recorded next to it). Run
 *   per round as two processes: `-p PP -n 0` and `-p 0 -n TG -d PP` (generation after a PP-token
 *   context, as in a chat), both `-t THREADS -b 512 -ub 512 -fa 1 -r 1 -o json` — node-llama-cpp's
 *   batch (min(context, 512), ubatch = batch) and its flash attention (default "auto", which
 *   llama.cpp turns on for the CPU: `perf` shows ggml_compute_forward_flash_attn_ext in its decodes;
 *   on this machine -fa 0 and -fa 1 differ by under 5 % either way).
 * - Lathe (lib/inferenceWorker.ts --mode lathe): the real engine as the app runs it — the core's
 *   InferenceClient and the model in its own process (out/main/inference.js, built first by
 *   `electron-vite build`) over the real InferenceService (gpu false, threads,
 *   context 1024, its default 2 sequences), one fresh user message per round whose rendered prompt is
 *   PP tokens (calibrated; node-llama-cpp's General chat wrapper), sampling preset "balanced" with a
 *   fixed seed and maxTokens TG. pp = prompt tokens ÷ the service's time to first token (includes
 *   sampling the first token; the wrapper's opening, a few tokens, is reused from the previous turn's
 *   KV cache, as in the app); tg = the service's own tokens/s ((n − 1) ÷ time after the first token).
 * - node-llama-cpp (--mode nlc): LlamaContextSequence.evaluateWithoutGeneratingNewTokens() of PP
 *   random tokens after clearHistory(), then TG greedy tokens from evaluate(); same threads, context
 *   1024, 1 sequence, default batch.
 * - Lockstep: every configuration is its own long-lived process (llama-bench: a process per round);
 *   per round each computes once, one at a time, rotating who goes first (lib/participant.ts, as the
 *   training bench). Headline = the best round (load from other users only slows), median beside it.
 * - Delivery (lib/inferenceDelivery.ts): a synthetic answer from a stand-in model process (the real
 *   protocol over the real IPC channel) through the core's InferenceClient → DeltaBatcher → EventBus
 *   `chat.token` → createHttpServer's WebSocket → a client in a third process, one token every 2 ms;
 *   latency = sent by the model process → the client's handler (monotonic clock shared by the
 *   processes); cost = CPU ms of the model process and the core for the delivered stream − the same
 *   stream unsent, per token. Not included: ChatService's 1 s progress save (one SQLite write a second).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeliveryStep } from './lib/inferenceDelivery.js';
import {
  cacheDir,
  ensureModel,
  llama1bModel,
  quickModel,
  root,
  smolModel,
  type BenchModel,
} from './lib/inferenceModels.js';
import type { InferenceMeta, InferenceStep } from './lib/inferenceWorker.js';
import { Participant } from './lib/participant.js';
import { loadAverage } from './lib/proc.js';

const llamaDir = join(cacheDir, 'llama.cpp');
const llamaBenchBin = join(llamaDir, 'build', 'bin', 'llama-bench');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => console.error(`[bench] ${m}`);

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}
const quantile = (xs: number[], q: number): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** Builds llama-bench once (cached); returns the build time in seconds (null: it was there). */
function ensureLlamaBench(): { seconds: number | null; recorded: number | null } {
  const stamp = join(llamaDir, 'build', 'lathe-bench-build-seconds.txt');
  const recorded = existsSync(stamp) ? Number(readFileSync(stamp, 'utf8')) : null;
  if (existsSync(llamaBenchBin)) return { seconds: null, recorded };
  const run = (cmd: string, args: string[], cwd = root): void => {
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
  };
  if (!existsSync(join(llamaDir, '.git'))) {
    run('git', ['clone', '-q', join(root, 'node_modules/node-llama-cpp/llama/gitRelease.bundle'), llamaDir]);
  }
  const t0 = performance.now();
  run(
    'cmake',
    [
      ...['-B', 'build', '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release', '-DGGML_NATIVE=ON', '-DLLAMA_BUILD_TESTS=OFF'],
      ...['-DLLAMA_BUILD_EXAMPLES=OFF', '-DLLAMA_BUILD_SERVER=OFF', '-DLLAMA_CURL=OFF', '-DBUILD_SHARED_LIBS=OFF'],
    ],
    llamaDir,
  );
  run('cmake', ['--build', 'build', '--target', 'llama-bench'], llamaDir);
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(stamp, String(seconds));
  return { seconds, recorded: seconds };
}

interface LbRun {
  ppTokPerSec: number;
  tgTokPerSec: number;
}
function llamaBench(model: string, threads: number, pp: number, tg: number): LbRun {
  const common = ['-m', model, '-t', String(threads), '-b', '512', '-ub', '512', '-fa', '1', '-r', '1', '-o', 'json'];
  const run = (args: string[]): number => {
    const r = spawnSync(llamaBenchBin, [...common, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`llama-bench failed: ${r.stderr.slice(-2000)}`);
    const rows = JSON.parse(r.stdout) as { avg_ts: number }[];
    return rows[0]?.avg_ts ?? NaN;
  };
  return {
    ppTokPerSec: run(['-p', String(pp), '-n', '0']),
    tgTokPerSec: run(['-p', '0', '-n', String(tg), '-d', String(pp)]),
  };
}

interface Rounds {
  pp: number[];
  tg: number[];
}
interface ModelResult {
  model: BenchModel;
  path: string;
  lathe: Rounds & { meta?: InferenceMeta; steps: InferenceStep[] };
  nlc: Rounds & { meta?: InferenceMeta; steps: InferenceStep[] };
  llamaBench: Rounds | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      pp: { type: 'string' },
      tg: { type: 'string' },
      models: { type: 'string', default: 'smol,1b' },
      tokens: { type: 'string' },
      'no-llama-bench': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
    return;
  }
  const quick = values.quick;
  const rounds = Number(values.rounds ?? (quick ? 1 : 3));
  const warmup = Number(values.warmup);
  const threads = Number(values.threads);
  const pp = Number(values.pp ?? (quick ? 64 : 256));
  const tg = Number(values.tg ?? (quick ? 16 : 64));
  const nTokens = Number(values.tokens ?? (quick ? 200 : 5000));
  const context = 1024;
  const models = quick
    ? [quickModel]
    : values.models.split(',').map((k) => ({ smol: smolModel, '1b': llama1bModel })[k.trim() as 'smol' | '1b']);
  if (models.some((m) => !m)) throw new Error('--models: smol, 1b');
  const started = new Date();
  // Lathe's model process is the built worker: build the app's main bundle first (a few seconds).
  const vite = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (vite.status !== 0) throw new Error('electron-vite build failed');

  let build: { seconds: number | null; recorded: number | null } | null = null;
  let lbError: string | null = null;
  if (!values['no-llama-bench']) {
    try {
      build = ensureLlamaBench();
      log(`llama-bench: ${build.seconds === null ? 'cached' : `built in ${build.seconds.toFixed(0)} s`}`);
    } catch (e) {
      lbError = e instanceof Error ? e.message : String(e);
      log(`llama-bench unavailable: ${lbError}`);
    }
  }
  const useLb = !values['no-llama-bench'] && lbError === null;

  const register = join(root, 'bench', 'lib', 'register.mjs');
  const worker = join(root, 'bench', 'lib', 'inferenceWorker.ts');
  const loads: number[] = [];
  const results: ModelResult[] = [];
  for (const model of models as BenchModel[]) {
    const path = await ensureModel(model);
    log(`${model.name}: ${path}`);
    const spawnWorker = (mode: string) =>
      new Participant<InferenceMeta, InferenceStep>(
        mode,
        process.execPath,
        [
          ...['--import', register, worker, '--mode', mode, '--model', path, '--threads', String(threads)],
          ...[
            '--context',
            String(context),
            '--pp',
            String(pp),
            '--tg',
            String(tg),
            '--vocab',
            String(model.shape.nVocab),
          ],
        ],
        process.env,
      );
    const res: ModelResult = {
      model,
      path,
      lathe: { pp: [], tg: [], steps: [] },
      nlc: { pp: [], tg: [], steps: [] },
      llamaBench: useLb ? { pp: [], tg: [] } : null,
    };
    const lathe = spawnWorker('lathe');
    const nlc = spawnWorker('nlc');
    try {
      res.lathe.meta = await lathe.ready();
      res.nlc.meta = await nlc.ready();
      type Job = (measured: boolean) => Promise<void>;
      const jobs: Job[] = [
        async (m) => {
          const s = await lathe.step();
          if (!m) return;
          res.lathe.steps.push(s);
          res.lathe.pp.push(s.ppTokens / s.ppSeconds);
          res.lathe.tg.push(s.tgTokens / s.tgSeconds);
        },
        async (m) => {
          const s = await nlc.step();
          if (!m) return;
          res.nlc.steps.push(s);
          res.nlc.pp.push(s.ppTokens / s.ppSeconds);
          res.nlc.tg.push(s.tgTokens / s.tgSeconds);
        },
      ];
      if (useLb) {
        jobs.push(async (m) => {
          const r = llamaBench(path, threads, pp, tg);
          log(`llama-bench pp ${r.ppTokPerSec.toFixed(1)} tok/s, tg ${r.tgTokPerSec.toFixed(2)} tok/s`);
          if (!m || !res.llamaBench) return;
          res.llamaBench.pp.push(r.ppTokPerSec);
          res.llamaBench.tg.push(r.tgTokPerSec);
        });
      }
      for (let r = 0; r < warmup + rounds; r++) {
        const measured = r >= warmup;
        if (measured) loads.push(loadAverage() ?? NaN);
        log(`${model.key} ${measured ? `round ${r - warmup + 1}/${rounds}` : 'warmup'} (load ${loadAverage() ?? '?'})`);
        const k = r % jobs.length;
        for (const job of [...jobs.slice(k), ...jobs.slice(0, k)]) {
          await job(measured);
          await sleep(300);
        }
      }
      await lathe.finish();
      await nlc.finish();
    } catch (err) {
      lathe.kill();
      nlc.kill();
      throw err;
    }
    results.push(res);
  }

  // ---- delivery ----
  const delivery = new Participant<{ tokens: number; intervalMs: number }, DeliveryStep>(
    'delivery',
    process.execPath,
    ['--import', register, join(root, 'bench', 'lib', 'inferenceDelivery.ts'), '--tokens', String(nTokens)],
    process.env,
  );
  const dSteps: DeliveryStep[] = [];
  await delivery.ready();
  for (let r = 0; r < warmup + rounds; r++) {
    const s = await delivery.step();
    if (r >= warmup) dSteps.push(s);
  }
  await delivery.finish();
  const lat = dSteps.flatMap((s) => s.latencyMs);
  const dl = {
    tokens: nTokens,
    rounds: dSteps.length,
    latencyMedianMs: median(lat),
    latencyP99Ms: quantile(lat, 0.99),
    serverCpuMsPerToken: median(dSteps.map((s) => s.serverCpuMsPerToken)),
    serverCpuMsPerTokenRounds: dSteps.map((s) => s.serverCpuMsPerToken),
    clientCpuMsPerToken: median(dSteps.map((s) => s.clientCpuMsPerToken)),
    framesPerToken: median(dSteps.map((s) => s.frames / s.tokens)),
    wallMsPerTokenExtra: median(dSteps.map((s) => s.wallMsPerTokenExtra)),
  };

  // ---- table ----
  const best = (xs: number[]): number => (xs.length ? Math.max(...xs) : NaN);
  const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(3)}×` : 'n/a');
  const header = [
    'model',
    'test',
    'llama-bench tok/s',
    'node-llama-cpp tok/s',
    'Lathe tok/s',
    'Lathe ÷ llama-bench',
    'Lathe ÷ node-llama-cpp',
    'Lathe ÷ llama-bench (median)',
  ];
  const cells: string[][] = [];
  const summary = results.map((r) => {
    const out: Record<string, unknown> = {
      model: r.model.name,
      path: r.path,
      meta: { lathe: r.lathe.meta, nlc: r.nlc.meta },
    };
    for (const t of ['pp', 'tg'] as const) {
      const lb = r.llamaBench ? best(r.llamaBench[t]) : NaN;
      const lbMed = r.llamaBench ? median(r.llamaBench[t]) : NaN;
      const nl = best(r.nlc[t]);
      const la = best(r.lathe[t]);
      const label = t === 'pp' ? `pp${pp}` : `tg${tg} @ d${pp}`;
      cells.push([r.model.name, label, f(lb), f(nl), f(la), x(la / lb), x(la / nl), x(median(r.lathe[t]) / lbMed)]);
      out[t] = {
        llamaBench: r.llamaBench?.[t] ?? null,
        nodeLlamaCpp: r.nlc[t],
        lathe: r.lathe[t],
        ratioVsLlamaBench: la / lb,
        ratioVsNodeLlamaCpp: la / nl,
        ratioVsLlamaBenchMedian: median(r.lathe[t]) / lbMed,
      };
    }
    out.latheSteps = r.lathe.steps;
    out.nlcSteps = r.nlc.steps;
    return out;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const row = (c: string[]): string =>
    c.map((v, i) => (i ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const title = `${quick ? 'QUICK smoke run (not a measurement): ' : ''}Inference speed, ${threads} threads, pp ${pp} / tg ${tg} tokens, best of ${rounds} lockstep rounds`;
  const lbNote = useLb
    ? `llama-bench from the bundled llama.cpp tree (pristine clone), ${build?.seconds !== undefined && build?.seconds !== null ? `built in this run in ${f(build.seconds, 0)} s` : `cached build${build?.recorded ? ` (build took ${f(build.recorded, 0)} s)` : ''}`}.`
    : `llama-bench NOT MEASURED${lbError ? `: ${lbError}` : ' (--no-llama-bench)'}.`;
  const deliveryLine =
    `Token delivery (model process IPC → InferenceClient → DeltaBatcher → EventBus chat.token → createHttpServer WebSocket → client process), ${nTokens} tokens × ${dSteps.length} rounds, ` +
    `one token per turn every 2 ms (${f(dl.framesPerToken, 2)} frames/token): latency median ${f(dl.latencyMedianMs, 3)} ms, p99 ${f(dl.latencyP99Ms, 3)} ms; ` +
    `model process + core CPU ${f(dl.serverCpuMsPerToken, 4)} ms/token (rounds: ${dl.serverCpuMsPerTokenRounds.map((v) => f(v, 4)).join(', ')}); client CPU ${f(dl.clientCpuMsPerToken, 4)} ms/token.`;
  const goal = `Goal: Lathe ≥ 0.98× llama-bench; delivery < 0.1 ms per token.`;
  const loadLine = `Load average (1 min) at each measured round: ${loads.map((l) => f(l)).join(', ')} (${cpus().length} cores).`;
  console.log(`\n${title}\n${cpu} · Lathe ${commit} · node-llama-cpp ${results[0]?.lathe.meta?.nodeLlamaCpp ?? '?'}\n`);
  console.log([row(header), ...cells.map(row)].join('\n'));
  console.log(`\n${lbNote}\n${deliveryLine}\n${loadLine}\n${goal}`);

  const resultsDir = quick ? cacheDir : join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stem = quick ? 'inference-quick' : 'inference';
  const md = [
    `# ${title}`,
    '',
    `${started.toISOString()} · ${cpu}, ${cpus().length} cores · Lathe ${commit} · node-llama-cpp ${results[0]?.lathe.meta?.nodeLlamaCpp ?? '?'} · ` +
      `${warmup} warmup + ${rounds} measured rounds; tok/s of the best round (method: top of bench/inference.ts)`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
    '',
    `- ${lbNote}`,
    `- ${deliveryLine}`,
    `- ${loadLine}`,
    `- ${goal}`,
    '',
  ].join('\n');
  const json = {
    title,
    quick,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cpu, cores: cpus().length, totalMemBytes: totalmem(), loadAverages: loads },
    settings: {
      threads,
      pp,
      tg,
      context,
      rounds,
      warmup,
      llamaBench: useLb ? llamaBenchBin : null,
      llamaBenchBuild: build,
      llamaBenchError: lbError,
    },
    models: summary,
    delivery: { ...dl, steps: dSteps.map((s) => ({ ...s, latencyMs: undefined })) },
  };
  writeFileSync(join(resultsDir, `${stem}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${stem}.md`), md);
  console.log(`\nwrote ${join(resultsDir, `${stem}.json`)} and ${stem}.md`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
