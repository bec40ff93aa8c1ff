import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import { InferenceClient } from '../../src/main/core/inference/InferenceClient';
import type { EventName } from '../../src/shared/contract';
import type {
  ChatThread,
  ChatTurnStarted,
  Conversation,
  HardwareInfo,
  InferenceStatus,
  ModelFit,
  StoredMessage,
} from '../../src/shared/domain';
import { coreCalls } from '../helpers/coreCalls';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelId: string;
const seen: { event: EventName; payload: unknown }[] = [];
const { call, failure, importModel } = coreCalls(() => core);

beforeAll(async () => {
  dir = tempDir();
  writeTinyChatModel(join(dir.path, 'tiny.gguf'));
  core = testCore(join(dir.path, 'data'), { inference: { gpu: false, threads: 2, contextSize: 1024, sequences: 2 } });
  core.events.subscribe((event, payload) => seen.push({ event, payload }));
  modelId = await importModel(join(dir.path, 'tiny.gguf'));
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

function next(match: (e: { event: EventName; payload: unknown }) => boolean, from = 0): Promise<unknown> {
  return new Promise((resolve) => {
    const check = () => {
      const hit = seen.slice(from).find(match);
      if (hit) resolve(hit.payload);
      else setTimeout(check, 2);
    };
    check();
  });
}
const finished = (id: string) =>
  next(
    (e) =>
      e.event === 'chat.message' &&
      (e.payload as StoredMessage).id === id &&
      (e.payload as StoredMessage).status !== 'streaming',
  ) as Promise<StoredMessage>;
const client = () => core.inference as InferenceClient;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the model runs in its own process', () => {
  let conversation: Conversation;

  it('answers from a separate process that decodes on one libuv thread', async () => {
    expect(core.inference).toBeInstanceOf(InferenceClient);
    expect(client().processId()).toBeNull(); // started on first use
    conversation = await call<Conversation>('chat.conversations.create', {
      modelId,
      sampling: { temperature: 0, maxTokens: 16, seed: 1 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: conversation.id, content: 'Hello' });
    const answer = await finished(turn.assistantMessageId);
    expect(answer.status).toBe('done');
    expect(answer.stats?.completionTokens).toBeGreaterThan(0);
    const pid = client().processId();
    expect(pid).not.toBeNull();
    expect(pid).not.toBe(process.pid);
    expect(alive(pid as number)).toBe(true);
    // counters and status come back across the process boundary
    expect(core.inference.counters.modelLoads).toBe(1);
    expect(core.inference.status()).toMatchObject({ state: 'ready', modelId, generating: [] });
    const environ = `/proc/${pid}/environ`;
    if (existsSync(environ)) expect(readFileSync(environ, 'utf8').split('\0')).toContain('UV_THREADPOOL_SIZE=1');
  });

  it('probes the hardware and fits models in the model process; the core keeps llama.cpp CPU-only', async () => {
    const pid = client().processId();
    const hardware = await call<HardwareInfo>('system.hardware', {});
    expect(hardware.ram.totalBytes).toBeGreaterThan(0);
    expect(hardware.cpu.cores).toBeGreaterThan(0);
    const fit = await call<ModelFit>('models.fit', { modelId, contextSize: 512 });
    expect(fit).toMatchObject({ contextSize: 512, fits: true });
    expect(fit.ramBytes).toBeGreaterThan(0);
    expect(client().processId()).toBe(pid); // answered by the same process, no second one
    expect((await core.inference.llama()).gpu).toBe(false);
    const missing = await failure('models.fit', { path: join(dir.path, 'nowhere.gguf') });
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('survives a crash of the model process mid-answer: the answer fails with its text kept, the next one starts a fresh process', async () => {
    await call('chat.conversations.update', {
      id: conversation.id,
      sampling: { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, maxTokens: 800, seed: 3 },
    });
    // Kill the process after the first streamed text. The random model can end an answer by chance
    // (its end-of-turn token) before the kill lands: then the answer is done and the test asks again.
    let failed: StoredMessage | null = null;
    let pid = 0;
    let launches = 0;
    let from = 0;
    for (let attempt = 0; attempt < 4 && failed === null; attempt++) {
      from = seen.length;
      const turn = await call<ChatTurnStarted>('chat.send', {
        conversationId: conversation.id,
        content: `Talk at length ${attempt}`,
      });
      // the first streamed text, or the end of an answer that had none
      const ofTurn = (e: { event: EventName; payload: unknown }) =>
        (e.payload as { messageId?: string; id?: string }).messageId === turn.assistantMessageId ||
        (e.event === 'chat.message' &&
          (e.payload as StoredMessage).id === turn.assistantMessageId &&
          (e.payload as StoredMessage).status !== 'streaming');
      await next((e) => (e.event === 'chat.token' || e.event === 'chat.message') && ofTurn(e), from);
      pid = client().processId() as number;
      launches = client().launches;
      process.kill(pid, 'SIGKILL');
      const answer = await finished(turn.assistantMessageId);
      if (answer.status !== 'done') failed = answer;
      // an idle process was killed: let the core notice before the next attempt
      else await next((e) => e.event === 'inference.status' && (e.payload as InferenceStatus).state === 'failed', from);
    }
    if (!failed) throw new Error('every answer ended before the kill');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'INTERNAL', details: { reason: 'runtime-crashed', signal: 'SIGKILL' } });
    expect(failed.error?.message).toMatch(/model runtime stopped unexpectedly/);
    expect(failed.content.length).toBeGreaterThan(0); // what had streamed is kept
    const status = (await next(
      (e) => e.event === 'inference.status' && (e.payload as InferenceStatus).state === 'failed',
      from,
    )) as InferenceStatus;
    expect(status).toMatchObject({ modelId: null, generating: [], error: { details: { reason: 'runtime-crashed' } } });
    // the stored answer is the failed one, in the database the core still serves
    const thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    expect(thread.messages.at(-1)).toMatchObject({ id: failed.id, status: 'failed', content: failed.content });

    await call('chat.conversations.update', {
      id: conversation.id,
      sampling: { temperature: 0, maxTokens: 8, seed: 1 },
    });
    const again = await call<ChatTurnStarted>('chat.send', {
      conversationId: conversation.id,
      content: 'Still there?',
    });
    const answer = await finished(again.assistantMessageId);
    expect(answer.status).toBe('done');
    expect(client().launches).toBe(launches + 1);
    expect(client().processId()).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    expect(core.inference.status()).toMatchObject({ state: 'ready', modelId, error: null });
  });

  it('a request that finds the process already dead, before its exit is seen, goes to a fresh one', async () => {
    const pid = client().processId() as number;
    const launches = client().launches;
    process.kill(pid, 'SIGKILL');
    // Block this thread until the kernel has finished the process (a zombie: state Z), so the
    // request below is written to its closed channel before Node can notice the exit.
    const tick = new Int32Array(new SharedArrayBuffer(4));
    const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    for (let i = 0; i < 300 && state() !== 'Z'; i++) Atomics.wait(tick, 0, 0, 10);
    expect(state()).toBe('Z');
    const hardware = client().hardware();
    const fit = client().fit({ path: join(dir.path, 'tiny.gguf'), contextSize: 512 });
    await expect(hardware).resolves.toMatchObject({ ram: { totalBytes: expect.any(Number) } });
    await expect(fit).resolves.toBeTruthy();
    expect(client().launches).toBe(launches + 1);
    expect(client().processId()).not.toBe(pid);
    // the app keeps working on the new process
    expect((await call<HardwareInfo>('system.hardware', {})).ram.totalBytes).toBeGreaterThan(0);
  });

  it('stops the process with the core', async () => {
    const pid = client().processId() as number;
    await core.close();
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });
});
