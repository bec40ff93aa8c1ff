import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, readGgufFileInfo, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import { chatTemplateOf } from '../../src/main/core/models/chatFormat';
import { renderTrainingChat } from '../../src/main/core/models/reasoning';
import { withAnswer } from '../../src/main/core/training/preference';
import { tokenizeExample } from '../../src/main/core/training/tokenizeExample';
import type { ChatMessage, TrainingProgress, TrainingRun } from '../../src/shared/domain';
import { coreCalls } from '../helpers/coreCalls';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';
import { tokenizerPort } from '../helpers/vocabModels';

// Preference training (DPO) end to end: pairs from a data file and from a dataset, the base
// model's scores taken once, the run resumable, and the fine-tune checked by node-llama-cpp
// itself: on held-out pairs it must prefer the chosen answer more than its base does.

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelPath: string;
let pairsPath: string;
let llama: Llama;
let model: LlamaModel;
const progress: TrainingProgress[] = [];

const chosenAnswer = 'Lathe keeps it short.';
const rejectedAnswer = 'I am not sure, maybe ask someone else about that one.';
const pairs = Array.from({ length: 24 }, (_v, i) => ({
  messages: [
    { role: 'user' as const, content: `Tell me about topic ${i}.` },
    { role: 'assistant' as const, content: chosenAnswer },
  ],
  rejected: rejectedAnswer,
  // the last four are held out: the fine-tune is judged on pairs it never trained on
  ...(i >= 20 ? { split: 'eval' as const } : {}),
}));

const hyperparams = {
  method: 'dpo',
  dpoBeta: 0.5,
  rank: 4,
  alpha: 8,
  epochs: 3,
  batchTokens: 1024,
  learningRate: 1e-2,
  warmupRatio: 0,
  seed: 11,
  threads: 2,
};

const { call, failure } = coreCalls(() => core);

/** Σ −log p of the tokens after the first, in a context with `adapter` (or none): node-llama-cpp's own evaluation. */
async function nllSum(tokens: readonly number[], adapter: string | null): Promise<number> {
  const context = await model.createContext({
    contextSize: 256,
    ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
  });
  try {
    const input = tokens
      .slice(0, -1)
      .map((t) => [t, { generateNext: { probabilities: true } }] as [never, { generateNext: { probabilities: true } }]);
    const out = await context.getSequence().controlledEvaluate(input);
    let nll = 0;
    for (let i = 0; i < input.length; i++)
      nll -= Math.log(out[i]?.next?.probabilities?.get(tokens[i + 1] as never) ?? 1e-30);
    return nll;
  } finally {
    await context.dispose();
  }
}

beforeAll(async () => {
  dir = tempDir('lathe-preference-');
  modelPath = join(dir.path, 'tiny-chat.gguf');
  writeTinyChatModel(modelPath, 5);
  pairsPath = join(dir.path, 'pairs.jsonl');
  writeFileSync(pairsPath, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  core = testCore(join(dir.path, 'data'), { checkpointEverySeconds: 0, progressIntervalMs: 0 });
  core.events.subscribe((event, payload) => {
    if (event === 'training.progress') progress.push(payload as TrainingProgress);
  });
  llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath });
}, 120_000);

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  await core?.close();
  dir?.remove();
});

describe('preference training (DPO)', () => {
  let run: TrainingRun;

  it('learns the chosen answers over the rejected ones, and the base model checks it', async () => {
    const started = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: pairsPath },
      hyperparams,
    });
    const job = await core.jobs.wait(started.jobId!);
    expect(job.error).toBeNull();
    ({ run } = await call<{ run: TrainingRun }>('training.get', { id: started.id }));
    expect(run.hyperparams.method).toBe('dpo');
    const summary = run.summary!;
    expect(summary.trainExamples).toBe(20);
    expect(summary.evalExamples).toBe(4);
    expect(summary.preference).toBeDefined();
    expect(summary.preference!.withoutRejected).toBe(0);
    // DPO's loss starts at ln 2 (the fine-tune is its base) and falls as the margin opens
    expect(summary.finalEvalLoss!).toBeLessThan(Math.log(2) - 0.1);
    expect(summary.preference!.evalRewardAccuracy).toBe(1);
    expect(summary.preference!.evalRewardMargin!).toBeGreaterThan(0.2);

    // the base model scored every pair once, before the first step, counted as it went
    const scoring = progress.filter((p) => p.runId === run.id && p.phase === 'scoring');
    expect(scoring.length).toBeGreaterThan(0);
    expect(scoring.at(-1)!.phaseProgress).toEqual({ done: 24, total: 24 });
    expect(existsSync(join(dir.path, 'data', 'runs', run.id, 'references.json'))).toBe(true);
    const training = progress.filter((p) => p.runId === run.id && p.phase === 'training');
    expect(training.at(-1)!.rewardAccuracy?.eval).toBe(1);

    // node-llama-cpp, with and without the adapter, on the held-out pairs: the adapter raises the
    // chosen answer over the rejected one (the prompt's tokens are the same on both sides and cancel)
    const gguf = await readGgufFileInfo(modelPath, { logWarnings: false });
    const tokenizer = tokenizerPort(model);
    const ctx = {
      template: chatTemplateOf(gguf.metadata),
      bosToken: model.tokens.bosString ?? '',
      eosToken: model.tokens.eosString ?? '',
    };
    const tokens = (messages: ChatMessage[]) => tokenizeExample(renderTrainingChat(ctx, messages), tokenizer).tokens;
    const adapters = await call<{ id: string; path: string }[]>('adapters.list', {});
    const adapterPath = adapters.find((a) => a.id === run.summary!.adapterId)!.path;
    for (const pair of pairs.slice(20)) {
      const chosen = Array.from(tokens(pair.messages));
      const rejected = Array.from(tokens(withAnswer(pair.messages, pair.rejected)));
      const delta =
        (await nllSum(chosen, null)) -
        (await nllSum(chosen, adapterPath)) -
        ((await nllSum(rejected, null)) - (await nllSum(rejected, adapterPath)));
      expect(delta).toBeGreaterThan(0.4);
    }
  }, 600_000);

  it('refuses a DPO run on data without a rejected answer, saying what to do', async () => {
    const plain = join(dir.path, 'plain.jsonl');
    writeFileSync(plain, JSON.stringify({ messages: pairs[0]!.messages }) + '\n');
    const error = await failure('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: plain },
      hyperparams: { method: 'dpo' },
    });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/rejected answer.*Compare/s);
  });

  it('resumes a cancelled run against the same base scores', async () => {
    const started = await call<TrainingRun>('training.start', {
      baseModelPath: modelPath,
      data: { kind: 'file', path: pairsPath },
      hyperparams: { ...hyperparams, epochs: 2 },
    });
    const runDir = join(dir.path, 'data', 'runs', started.id);
    // cancel once a few steps are done (and checkpointed: every step, checkpointEverySeconds 0)
    await new Promise<void>((resolve) => {
      const off = core.events.subscribe((event, payload) => {
        const p = payload as TrainingProgress;
        if (event === 'training.progress' && p.runId === started.id && p.phase === 'training' && p.step >= 3) {
          off();
          resolve();
        }
      });
    });
    const references = readFileSync(join(runDir, 'references.json'), 'utf8');
    await call('training.cancel', { id: started.id });
    await core.jobs.wait(started.jobId!);
    // without the base's scores the run cannot go on (the adapter has moved): it says so, and keeps its checkpoint
    const refsFile = join(runDir, 'references.json');
    renameSync(refsFile, `${refsFile}.aside`);
    const refused = await call<TrainingRun>('training.resume', { id: started.id });
    const refusedJob = await core.jobs.wait(refused.jobId!);
    expect(refusedJob.error?.code).toBe('CONFLICT');
    expect(refusedJob.error?.message).toMatch(/scores of this run's pairs are missing/);
    renameSync(`${refsFile}.aside`, refsFile);
    const resumed = await call<TrainingRun>('training.resume', { id: started.id });
    const job = await core.jobs.wait(resumed.jobId!);
    expect(job.error).toBeNull();
    const { run: done } = await call<{ run: TrainingRun }>('training.get', { id: started.id });
    expect(done.state).toBe('succeeded');
    expect(done.summary!.preference!.evalRewardAccuracy).toBe(1);
    // read back, not scored again by a policy that has moved
    expect(readFileSync(join(runDir, 'references.json'), 'utf8')).toBe(references);
    expect(progress.some((p) => p.runId === started.id && p.phase === 'scoring' && p.step > 0)).toBe(false);
  }, 600_000);
});
