/**
 * One inference configuration of `bench/inference.ts`, in a process of its own (the lockstep
 * protocol of lib/participant.ts): loads the model once, then per `step` line evaluates one prompt of
 * `--pp` tokens from an empty sequence and generates `--tg` tokens after it, and answers the times.
 *
 *   --mode lathe  Lathe's inference engine as the app runs it: the core's InferenceClient, the model
 *                 in its own process (out/main/inference.js, `npm run build`): prepare()
 *                 + run() of a one-message chat through node-llama-cpp's LlamaChat and the model's
 *                 chat wrapper, app sampling preset "balanced" (seed fixed); pp from the service's
 *                 own time to first token, tg from its tokens/s (what the chat shows).
 *   --mode nlc    node-llama-cpp directly: LlamaContextSequence.evaluateWithoutGeneratingNewTokens()
 *                 of `pp` random tokens, then `tg` greedy tokens from evaluate().
 *
 *   node --import ./bench/lib/register.mjs bench/lib/inferenceWorker.ts --mode lathe --model m.gguf
 *     [--threads 2] [--context 1024] [--pp 256] [--tg 64] [--seed 1] [--vocab N (nlc)]
 */
import './inferenceHooks.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rng } from '../../tests/helpers/gguf/randomLlama.js';
import { serve, type StepReport } from './participant.js';

export interface InferenceMeta {
  mode: string;
  loadSeconds: number;
  contextSize: number;
  batchSize: number | null;
  sequences: number;
  chatWrapper: string | null;
  /** Lathe only: prompt text length (bytes) that renders to `pp` prompt tokens. */
  promptChars?: number;
  nodeLlamaCpp: string;
}

export interface InferenceStep extends StepReport {
  ppTokens: number;
  ppSeconds: number;
  tgTokens: number;
  tgSeconds: number;
  /** Whole request (Lathe: prepare + run), seconds. */
  wallSeconds: number;
}

/** First plain (non-special, non-byte) token of the random vocabulary. */
const PLAIN = 259;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'lathe' },
      model: { type: 'string' },
      threads: { type: 'string', default: '2' },
      context: { type: 'string', default: '1024' },
      pp: { type: 'string', default: '256' },
      tg: { type: 'string', default: '64' },
      seed: { type: 'string', default: '1' },
      vocab: { type: 'string', default: '512' },
    },
  });
  if (!values.model) throw new Error('--model is required');
  const threads = Number(values.threads);
  const contextSize = Number(values.context);
  const pp = Number(values.pp);
  const tg = Number(values.tg);
  const rand = rng(Number(values.seed) + 7);
  const log = (msg: string): void => console.error(`[${values.mode}] ${msg}`);
  const nlcVersion = (
    JSON.parse(readFileSync(new URL('../../node_modules/node-llama-cpp/package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

  if (values.mode === 'nlc') {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.warn });
    let t0 = performance.now();
    const model = await llama.loadModel({ modelPath: values.model });
    const context = await model.createContext({ contextSize, sequences: 1, threads });
    const loadSeconds = (performance.now() - t0) / 1000;
    const seq = context.getSequence();
    const nVocab = Number(values.vocab);
    const randomTokens = (n: number): number[] =>
      Array.from({ length: n }, () => PLAIN + Math.floor(rand() * (nVocab - PLAIN)));
    const step = async (): Promise<InferenceStep> => {
      await seq.clearHistory();
      const prompt = randomTokens(pp);
      t0 = performance.now();
      await seq.evaluateWithoutGeneratingNewTokens(prompt as never);
      const t1 = performance.now();
      let n = 0;
      for await (const _ of seq.evaluate(randomTokens(1) as never, { temperature: 0 })) {
        if (++n >= tg) break;
      }
      const t2 = performance.now();
      const r: InferenceStep = {
        seconds: (t2 - t0) / 1000,
        tokens: pp + n,
        loss: 0,
        ppTokens: pp,
        ppSeconds: (t1 - t0) / 1000,
        tgTokens: n,
        tgSeconds: (t2 - t1) / 1000,
        wallSeconds: (t2 - t0) / 1000,
      };
      log(`pp ${(pp / r.ppSeconds).toFixed(1)} tok/s, tg ${(n / r.tgSeconds).toFixed(2)} tok/s`);
      return r;
    };
    const meta: InferenceMeta = {
      mode: 'nlc',
      loadSeconds,
      contextSize: context.contextSize,
      batchSize: context.batchSize,
      sequences: 1,
      chatWrapper: null,
      nodeLlamaCpp: nlcVersion,
    };
    await serve(meta, step, () => {});
    await context.dispose();
    await model.dispose();
    process.exit(0);
  }

  // ---- Lathe's InferenceService ----
  const { InferenceClient, inferenceProcessEnv } = await import('../../src/main/core/inference/InferenceClient.js');
  const { forkLauncher } = await import('../../src/main/core/processes.js');
  const { EventBus } = await import('../../src/main/core/EventBus.js');
  const { silentLogger } = await import('../../src/main/core/logger.js');
  const { samplingPresets } = await import('../../src/shared/domain.js');
  // As the app runs it: the core's client, the model in its own process (out/main/inference.js).
  const service = new InferenceClient({
    config: { gpu: false, threads, contextSize },
    events: new EventBus(),
    logger: silentLogger,
    resolveModel: (id) => ({ id, path: values.model ?? '', sha256: 'bench' }),
    resolveAdapters: () => [],
    launcher: forkLauncher(fileURLToPath(new URL('../../out/main/inference.js', import.meta.url)), {
      ...process.env,
      ...inferenceProcessEnv,
    }),
  });
  let t0 = performance.now();
  await service.load('bench-model');
  const loadSeconds = (performance.now() - t0) / 1000;
  const sampling = { ...samplingPresets.balanced, maxTokens: tg, seed: 1 };
  // A different prompt every round (letters → byte tokens of the random vocabulary), so nothing but
  // the chat template's opening is reused from the previous turn's KV cache.
  const letters = (n: number): string =>
    Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
  const prepare = (chars: number, owner: string) =>
    service.prepare({
      owner,
      modelId: 'bench-model',
      adapters: [],
      messages: [{ role: 'user', content: letters(chars) }],
      sampling,
    });
  // Calibrate the text length so that the rendered prompt is `pp` tokens.
  let chars = pp;
  for (let i = 0; i < 4; i++) {
    const p = await prepare(chars, 'calibrate');
    p.discard();
    if (p.promptTokens === pp) break;
    chars += pp - p.promptTokens;
  }
  let round = 0;
  const step = async (): Promise<InferenceStep> => {
    // Alternate owners so the slot is not the one holding the previous turn's (longer) history.
    const owner = `bench-${round++ % 2}`;
    t0 = performance.now();
    const prepared = await prepare(chars, owner);
    const controller = new AbortController();
    const out = await prepared.run({ signal: controller.signal, onText: () => {} });
    const t2 = performance.now();
    const s = out.stats;
    const ttft = (s.timeToFirstTokenMs ?? NaN) / 1000;
    const tgTokens = s.completionTokens - 1;
    const r: InferenceStep = {
      seconds: (t2 - t0) / 1000,
      tokens: s.promptTokens + s.completionTokens,
      loss: 0,
      ppTokens: s.promptTokens,
      ppSeconds: ttft,
      tgTokens,
      tgSeconds: s.tokensPerSecond ? tgTokens / s.tokensPerSecond : NaN,
      wallSeconds: (t2 - t0) / 1000,
    };
    log(
      `pp ${(r.ppTokens / r.ppSeconds).toFixed(1)} tok/s (${s.promptTokens} tokens), tg ${s.tokensPerSecond} tok/s ` +
        `(${s.completionTokens} tokens, ${out.stopReason})`,
    );
    return r;
  };
  const meta: InferenceMeta = {
    mode: 'lathe',
    loadSeconds,
    contextSize: service.status().contextSize ?? contextSize,
    batchSize: null,
    sequences: 2,
    chatWrapper: service.counters.chatWrapper,
    promptChars: chars,
    nodeLlamaCpp: nlcVersion,
  };
  await serve(meta, step, () => {});
  await service.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
