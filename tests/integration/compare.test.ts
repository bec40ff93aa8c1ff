import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { EventName } from '../../src/shared/contract';
import type {
  ChatPreference,
  CompareBatch,
  CompareResults,
  Comparison,
  ContenderInput,
  PreferenceSummary,
} from '../../src/shared/compare';
import type { DatasetExample, DatasetInfo } from '../../src/shared/datasets';
import {
  blindComparisonRunning,
  type ChatTurnStarted,
  type Conversation,
  type InferenceStatus,
  type Job,
  type ModelInfo,
  type StoredMessage,
} from '../../src/shared/domain';
import { writeLoraAdapter, writeTinyChatModel } from '../helpers/models/testModels';
import { recordAdapters } from '../helpers/adapterRows';
import { tempDir } from '../helpers/tempDir';
import { coreCalls } from '../helpers/coreCalls';
import { testCore } from '../helpers/testCore';
import { assertLlamaFactory, assertTrl } from '../unit/compare/formatRules';

const inference = { gpu: false, threads: 2, contextSize: 256, sequences: 2 } as const;
let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let core: Core;
let baseId: string;
let otherId: string;
let seen: { event: EventName; payload: unknown }[] = [];

const greedy = { temperature: 0, topP: 1, topK: 0, minP: 0, repeatPenalty: 1, maxTokens: 12, seed: 1 };
const base = (): ContenderInput => ({ modelId: baseId, adapters: [], sampling: greedy });
const tuned = (): ContenderInput => ({
  modelId: baseId,
  adapters: [{ adapterId: 'strong', scale: 1 }],
  sampling: greedy,
});

beforeAll(async () => {
  dir = tempDir();
  dataDir = join(dir.path, 'data');
  writeTinyChatModel(join(dir.path, 'tiny.gguf'), 1);
  writeTinyChatModel(join(dir.path, 'other.gguf'), 2);
  core = start();
  baseId = await importModel(join(dir.path, 'tiny.gguf'));
  otherId = await importModel(join(dir.path, 'other.gguf'));
  await call('models.rename', { id: baseId, name: 'tiny' });
  await call('models.rename', { id: otherId, name: 'other' });
  const sha256 = (await call<ModelInfo>('models.get', { id: baseId })).sha256;
  writeLoraAdapter(join(dir.path, 'strong.gguf'), { gain: 3, seed: 11 });
  recordAdapters(core, { path: join(dir.path, 'tiny.gguf'), sha256 }, [
    { id: 'strong', name: 'Strong', path: join(dir.path, 'strong.gguf'), createdAt: 1 },
    { id: 'gone', name: 'Gone', path: join(dir.path, 'gone.gguf'), createdAt: 2 },
  ]);
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

function start(): Core {
  const c = testCore(dataDir, { inference, progressIntervalMs: 0 });
  c.events.subscribe((event, payload) => seen.push({ event, payload }));
  return c;
}
const { call, failure, importModel } = coreCalls(() => core);
const busy = (s: string) => s === 'pending' || s === 'streaming';
async function settled(id: string): Promise<Comparison> {
  for (;;) {
    const c = await call<Comparison>('compare.get', { id });
    if (!busy(c.a.status) && !busy(c.b.status)) return c;
    await new Promise((r) => setTimeout(r, 10));
  }
}
const tokens = (id: string, side: 'a' | 'b') =>
  seen
    .filter((e) => e.event === 'compare.token')
    .map((e) => e.payload as { comparisonId: string; side: string; delta: string })
    .filter((p) => p.comparisonId === id && p.side === side)
    .map((p) => p.delta);
const updates = (id: string) =>
  seen
    .filter((e) => e.event === 'compare.updated' && (e.payload as Comparison).id === id)
    .map((e) => e.payload as Comparison);

describe('side-by-side comparisons on real models', () => {
  let first: Comparison;

  it('streams both answers at once when the contenders share a base model (base vs fine-tune)', async () => {
    const started = await call<Comparison>('compare.start', {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Name a colour' },
      ],
      contenders: [base(), tuned()],
    });
    expect(started).toMatchObject({ mode: 'parallel', modeReason: null, blind: false, vote: null });
    expect(started.a.contender!.label).toBe('tiny · T0');
    expect(started.b.contender!.label).toBe('tiny + Strong · T0');
    first = await settled(started.id);
    for (const side of ['a', 'b'] as const) {
      expect(first[side].status).toBe('done');
      expect(first[side].content.length).toBeGreaterThan(0);
      expect(tokens(first.id, side).join('')).toBe(first[side].content);
      expect(first[side].stats!.completionTokens).toBeGreaterThan(0);
      expect(first[side].stats!.timeToFirstTokenMs).not.toBeNull();
    }
    // The LoRA changes the answer, and both sides were writing at the same time.
    expect(first.a.content).not.toBe(first.b.content);
    expect(updates(first.id).some((u) => u.a.status === 'streaming' && u.b.status === 'streaming')).toBe(true);
  });

  it('runs contenders on different base models one after the other, and says so', async () => {
    const loads = core.inference.counters.modelLoads;
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Hello' }],
      contenders: [base(), { modelId: otherId, sampling: greedy }],
    });
    expect(started).toMatchObject({ mode: 'sequential', modeReason: 'different base models' });
    const done = await settled(started.id);
    expect([done.a.status, done.b.status]).toEqual(['done', 'done']);
    expect(tokens(done.id, 'b').join('')).toBe(done.b.content);
    expect(updates(done.id).some((u) => u.a.status === 'streaming' && u.b.status === 'streaming')).toBe(false);
    const aDone = updates(done.id).findIndex((u) => u.a.status === 'done');
    const bStarted = updates(done.id).findIndex((u) => u.b.status === 'streaming');
    expect(aDone).toBeLessThan(bStarted);
    expect(core.inference.counters.modelLoads).toBeGreaterThan(loads);
  });

  it('falls back to one after the other when a chat holds the other sequence, and says so', async () => {
    const chat = await call<Conversation>('chat.conversations.create', {
      modelId: baseId,
      sampling: { ...greedy, temperature: 1, maxTokens: 4000, seed: 5 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: chat.id, content: 'Keep talking' });
    while (
      !seen.some(
        (e) => e.event === 'chat.token' && (e.payload as { messageId: string }).messageId === turn.assistantMessageId,
      )
    ) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Hi' }],
      contenders: [base(), { ...base(), sampling: { ...greedy, temperature: 0.5 } }],
    });
    expect(started.mode).toBe('parallel');
    const done = await settled(started.id);
    await call('chat.stop', { conversationId: chat.id });
    expect(done).toMatchObject({ mode: 'sequential', modeReason: 'no free sequence for both at once' });
    expect([done.a.status, done.b.status]).toEqual(['done', 'done']);
    expect(updates(done.id).some((u) => u.a.status === 'streaming' && u.b.status === 'streaming')).toBe(false);
  });

  it('fails only the side whose adapter or model is gone', async () => {
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Hi' }],
      contenders: [base(), { modelId: baseId, adapters: [{ adapterId: 'gone' }], sampling: greedy }],
    });
    const done = await settled(started.id);
    expect(done.a.status).toBe('done');
    expect(done.b).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND', details: { reason: 'missing' } } });
    expect(done.b.error!.message).toMatch(/adapter "Gone" is gone/);

    const ghost = await settled(
      (
        await call<Comparison>('compare.start', {
          messages: [{ role: 'user', content: 'Hi' }],
          contenders: [{ modelId: 'no-such-model', sampling: greedy }, base()],
        })
      ).id,
    );
    expect(ghost.a).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
    expect(ghost.a.contender!.label).toMatch(/^Missing model/);
    expect(ghost.b.status).toBe('done');
    // A one-sided answer can still be voted on.
    expect((await call<Comparison>('compare.vote', { id: ghost.id, vote: 'b' })).vote).toBe('b');
  });

  it('stops one side and leaves the other to finish; refuses a vote while writing', async () => {
    const long = { ...greedy, temperature: 1, seed: 3, maxTokens: 4000 };
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Tell me a long story' }],
      contenders: [
        { ...base(), sampling: long },
        { ...base(), sampling: { ...greedy, maxTokens: 40 } },
      ],
    });
    while (tokens(started.id, 'a').length === 0) await new Promise((r) => setTimeout(r, 2));
    expect(await failure('compare.vote', { id: started.id, vote: 'a' })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'still-generating' },
    });
    await call('compare.stop', { id: started.id, side: 'a' });
    const done = await settled(started.id);
    expect(done.a.status).toBe('stopped');
    expect(done.a.content).toBe(tokens(done.id, 'a').join(''));
    expect(done.b.status).toBe('done');
    expect(done.b.content.length).toBeGreaterThan(0);
  });

  it('blind mode hides who is where until the vote, and then reveals it', async () => {
    const before = seen.length;
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Blind question' }],
      contenders: [base(), tuned()],
      blind: true,
    });
    const done = await settled(started.id);
    for (const view of [started, done]) {
      expect(view.a.contender).toBeNull();
      expect(view.b.contender).toBeNull();
      expect(view.a.stats).toBeNull();
    }
    // The engine says a blind comparison is generating (pages then hide the loaded model), and no more.
    const owners = seen
      .slice(before)
      .filter((e) => e.event === 'inference.status')
      .flatMap((e) => (e.payload as InferenceStatus).generating);
    expect(owners.length).toBeGreaterThan(0);
    // (a side's generation, or the comparison's hold from its first side to its end)
    for (const owner of owners) expect(owner).toMatch(/^compare-blind:(hold-)?[0-9a-f-]{36}$/);
    // Nothing Compare pushed before the vote names a contender.
    const pushed = JSON.stringify(seen.slice(before).filter((e) => e.event.startsWith('compare.')));
    expect(pushed).not.toContain('strong');
    expect(pushed).not.toContain(baseId);
    const voted = await call<Comparison>('compare.vote', { id: done.id, vote: 'a', reason: 'more direct' });
    expect([voted.a.contender!.label, voted.b.contender!.label].sort()).toEqual(['tiny + Strong · T0', 'tiny · T0']);
    expect(voted.a.stats).not.toBeNull();
    expect(voted.reason).toBe('more direct');
  });

  it('blind mode across two models gives the engine back as it was: the loaded model does not say which side came last', async () => {
    const loaded = () => core.inference.status().modelId;
    const blindPair = async (prompt: string) => {
      const before = seen.length;
      const started = await call<Comparison>('compare.start', {
        messages: [{ role: 'user', content: prompt }],
        contenders: [base(), { modelId: otherId, sampling: greedy }],
        blind: true,
      });
      const done = await settled(started.id);
      expect([done.a.status, done.b.status]).toEqual(['done', 'done']);
      await core.compare.settle(done.id);
      // What clients saw of the engine meanwhile: a blind comparison running in every status (also
      // between the two sides, and while the engine was restored), until the last one
      const shown = seen
        .slice(before)
        .filter((e) => e.event === 'inference.status')
        .map((e) => e.payload as InferenceStatus);
      expect(shown.length).toBeGreaterThan(2);
      expect(shown.slice(0, -1).filter((st) => !blindComparisonRunning(st))).toEqual([]);
      expect(shown.at(-1)!.generating).toEqual([]);
      expect(await call<InferenceStatus>('inference.status', {})).toMatchObject({ generating: [] });
    };
    // Nothing loaded before: nothing loaded after (else it would be the second side's model).
    await call('inference.unload', {});
    await blindPair('First');
    expect(loaded()).toBeNull();
    // A model loaded before: that one after, whichever side ran last (the coin decides the order).
    await call('inference.load', { modelId: otherId });
    for (const prompt of ['Second', 'Third', 'Fourth']) {
      await blindPair(prompt);
      expect(loaded()).toBe(otherId);
    }
    // Not blind: the second model simply stays, as the user can see both anyway.
    await call('inference.unload', {});
    const open = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'Open' }],
      contenders: [base(), { modelId: otherId, sampling: greedy }],
    });
    await settled(open.id);
    await core.compare.settle(open.id);
    expect(loaded()).toBe(otherId);
  });

  it('blind mode draws the sides with a fair coin (2000 comparisons within 4.5 σ of half)', async () => {
    // Contenders on two models that are not in the library fail at once, so this measures the draw alone.
    const ghost = (n: number): ContenderInput => ({ modelId: `ghost-${n}`, sampling: greedy });
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) {
      ids.push(
        (
          await call<Comparison>('compare.start', {
            messages: [{ role: 'user', content: 'q' }],
            contenders: [ghost(1), ghost(2)],
            blind: true,
          })
        ).id,
      );
    }
    let firstOnLeft = 0;
    for (const id of ids) {
      await settled(id);
      const voted = await call<Comparison>('compare.vote', { id, vote: 'tie' });
      if (voted.a.contender!.modelId === 'ghost-1') firstOnLeft++;
    }
    // Binomial(2000, 0.5): σ = √500 ≈ 22.4; 4.5 σ ≈ 100 (a false alarm about once in 150 000 runs).
    expect(Math.abs(firstOnLeft - 1000)).toBeLessThan(100);
    // Not blind: the first contender is always on the left.
    const open = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'q' }],
      contenders: [ghost(1), ghost(2)],
    });
    expect(open.a.contender!.modelId).toBe('ghost-1');
    await settled(open.id);
    for (const id of ids) await call('compare.delete', { id });
    await call('compare.delete', { id: open.id });
  }, 120_000);

  it('keeps votes, reasons and ideal answers across a restart', async () => {
    await call('compare.vote', { id: first.id, vote: 'b', reason: 'first try', idealAnswer: null });
    const voted = await call<Comparison>('compare.vote', {
      id: first.id,
      vote: 'a',
      reason: '  clearer  ',
      idealAnswer: 'Blue.',
    });
    expect(voted).toMatchObject({ vote: 'a', reason: 'clearer', idealAnswer: 'Blue.' });
    await core.close();
    seen = [];
    core = start();
    const again = await call<Comparison>('compare.get', { id: first.id });
    expect(again).toMatchObject({ vote: 'a', reason: 'clearer', idealAnswer: 'Blue.', votedAt: voted.votedAt });
    expect(again.a.content).toBe(first.a.content);
    expect(again.b.stats).toEqual(first.b.stats);
    expect(await failure('compare.vote', { id: first.id, vote: 'left' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await failure('compare.get', { id: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('feedback from chat lands in the same preference pairs', () => {
  it('records a pick between regenerated answers and thumbs on siblings', async () => {
    const c = await call<Conversation>('chat.conversations.create', {
      modelId: baseId,
      sampling: { ...greedy, temperature: 1, seed: null },
    });
    const finished = async (id: string) => {
      for (;;) {
        const m = seen.find(
          (e) =>
            e.event === 'chat.message' &&
            (e.payload as StoredMessage).id === id &&
            (e.payload as StoredMessage).status !== 'streaming',
        );
        if (m) return m.payload as StoredMessage;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Pick one' });
    const one = await finished(turn.assistantMessageId);
    // Without a seed every regeneration draws a fresh one (node-llama-cpp's default is the current
    // second, which made quick regenerations repeat each other). A tiny random model can still
    // repeat an answer now and then, so allow a couple of extra tries, not a dozen.
    const versions = [one];
    for (let tries = 0; versions.length < 3 && tries < 5; tries++) {
      const next = await finished(
        (await call<ChatTurnStarted>('chat.regenerate', { messageId: one.id })).assistantMessageId,
      );
      if (!versions.some((v) => v.content === next.content)) versions.push(next);
    }
    expect(versions).toHaveLength(3);
    const [, two, three] = versions as [StoredMessage, StoredMessage, StoredMessage];
    const pick = await call<ChatPreference>('chat.preferAlternative', {
      chosenMessageId: two.id,
      rejectedMessageId: one.id,
      reason: 'warmer',
    });
    expect(pick).toMatchObject({
      conversationId: c.id,
      chosenMessageId: two.id,
      rejectedMessageId: one.id,
      reason: 'warmer',
    });
    // Picking the same two the other way round replaces the pick.
    const flipped = await call<ChatPreference>('chat.preferAlternative', {
      chosenMessageId: one.id,
      rejectedMessageId: two.id,
    });
    expect(flipped).toMatchObject({ chosenMessageId: one.id, rejectedMessageId: two.id, reason: null });
    await call('chat.feedback', { messageId: three.id, rating: 'up' });
    await call('chat.feedback', { messageId: two.id, rating: 'down' });

    const summary = await call<PreferenceSummary>('feedback.pairs', { sources: ['chat-pick', 'chat-rating'] });
    expect(summary.bySource).toMatchObject({ 'chat-pick': 1, 'chat-rating': 1 });
    const texts = summary.pairs.map((p) => [p.source, p.chosen, p.rejected]);
    expect(texts).toEqual(
      expect.arrayContaining([
        ['chat-pick', one.content, two.content],
        ['chat-rating', three.content, two.content],
      ]),
    );
    expect(summary.pairs[0]!.prompt).toEqual([{ role: 'user', content: 'Pick one' }]);

    // Clearing the thumbs removes the pair.
    await call('chat.feedback', { messageId: three.id, rating: null });
    expect((await call<PreferenceSummary>('feedback.pairs', {})).bySource['chat-rating']).toBe(0);
    await call('chat.feedback', { messageId: three.id, rating: 'up' });

    const turn2 = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Another' });
    await finished(turn2.assistantMessageId);
    expect(
      await failure('chat.preferAlternative', { chosenMessageId: turn2.assistantMessageId, rejectedMessageId: one.id }),
    ).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'not-siblings' },
    });
    expect(
      await failure('chat.preferAlternative', { chosenMessageId: turn2.userMessageId, rejectedMessageId: one.id }),
    ).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'not-an-answer' },
    });
    expect(
      await failure('chat.preferAlternative', { chosenMessageId: one.id, rejectedMessageId: one.id }),
    ).toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(
      await failure('chat.preferAlternative', { chosenMessageId: 'nope', rejectedMessageId: one.id }),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports every pair in TRL and LLaMA-Factory formats that validate', async () => {
    const summary = await call<PreferenceSummary>('feedback.pairs', {});
    expect(summary.bySource.comparison).toBeGreaterThanOrEqual(2);
    for (const format of ['trl', 'trl-conversational', 'llama-factory'] as const) {
      const path = join(dir.path, `prefs-${format}.jsonl`);
      const result = await call<{ count: number; bySource: Record<string, number> }>('feedback.export', {
        path,
        format,
      });
      expect(result.count).toBe(summary.total);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(summary.total);
      for (const line of lines) {
        const record = JSON.parse(line) as unknown;
        if (format === 'llama-factory') assertLlamaFactory(record);
        else assertTrl(record);
      }
      if (format === 'trl-conversational') {
        const records = lines.map((l) => JSON.parse(l) as { chosen: { content: string }[] });
        // The edited ideal answer of the first comparison is a chosen answer.
        expect(records.some((r) => r.chosen[0]!.content === 'Blue.')).toBe(true);
      }
    }
    const path = join(dir.path, 'prefs-trl.jsonl');
    expect(await failure('feedback.export', { path, format: 'trl' })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'exists' },
    });
    writeFileSync(path, 'old');
    expect((await call<{ count: number }>('feedback.export', { path, format: 'trl', overwrite: true })).count).toBe(
      summary.total,
    );
    expect(readFileSync(path, 'utf8')).not.toContain('old');
    expect(
      await failure('feedback.export', { path: join(dir.path, 'no', 'such', 'x.jsonl'), format: 'trl' }),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure('feedback.export', { path: 'relative.jsonl', format: 'trl' })).toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(
      await failure('feedback.export', { path: join(dir.path, 'none.jsonl'), format: 'trl', since: Date.now() + 1e9 }),
    ).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'empty' } });
  });

  it('adds every pair to a dataset once, as examples a DPO run trains on', async () => {
    const summary = await call<PreferenceSummary>('feedback.pairs', {});
    const dataset = await call<DatasetInfo>('datasets.create', { name: 'Preferred' });
    const first = await call<{ added: number; skipped: number; datasetId: string }>('feedback.toDataset', {
      targetDatasetId: dataset.id,
    });
    expect(first).toEqual({ added: summary.total, skipped: 0, datasetId: dataset.id });
    // adding again adds nothing twice
    const again = await call<{ added: number; skipped: number }>('feedback.toDataset', { targetDatasetId: dataset.id });
    expect(again).toMatchObject({ added: 0, skipped: summary.total });
    const info = await call<DatasetInfo>('datasets.get', { id: dataset.id });
    expect(info.counts.total).toBe(summary.total);
    expect(info.counts.pairs).toBe(summary.total);
    expect(info.counts.source.comparison).toBe(summary.bySource.comparison);
    expect(info.counts.source.chat).toBe(summary.bySource['chat-pick'] + summary.bySource['chat-rating']);
    // each example is the pair's context and chosen answer, with the rejected answer beside it
    const page = await call<{ items: { id: string }[] }>('datasets.examples.list', {
      datasetId: dataset.id,
      limit: 100,
    });
    const examples = await Promise.all(
      page.items.map((e) => call<DatasetExample>('datasets.examples.get', { id: e.id })),
    );
    for (const pair of summary.pairs) {
      const example = examples.find((e) => e.sourceRef?.preferencePairId === pair.id);
      expect(example, pair.id).toBeDefined();
      expect(example!.messages).toEqual([...pair.prompt, { role: 'assistant', content: pair.chosen }]);
      expect(example!.rejected).toBe(pair.rejected);
      expect(example!.tags).toEqual(['preference']);
    }
    expect(await failure('feedback.toDataset', { targetDatasetId: 'no-such-dataset' })).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure('feedback.toDataset', { targetDatasetId: dataset.id, since: Date.now() + 1e9 })).toMatchObject(
      { code: 'INVALID_INPUT', details: { reason: 'no-pairs' } },
    );
  });
});

describe('batch review', () => {
  it('generates every prompt in a job with progress, then votes feed the results', async () => {
    const seenBefore = seen.length;
    const batch = await call<CompareBatch>('compare.batch.start', {
      prompts: ['One?', '  ', 'Two?', 'Three?'],
      systemPrompt: 'Be brief.',
      contenders: [base(), tuned()],
      blind: true,
    });
    expect(batch).toMatchObject({ total: 3, state: 'generating', blind: true, name: 'Batch review of 3 prompts' });
    const job = await core.jobs.wait(batch.jobId!);
    expect(job.state).toBe('succeeded');
    // blind: from the first comparison to the last, clients saw a blind comparison running, also
    // between two comparisons (the batch holds the status until its end)
    const shown = seen
      .slice(seenBefore)
      .filter((e) => e.event === 'inference.status')
      .map((e) => e.payload as InferenceStatus);
    expect(shown.slice(0, -1).filter((st) => !blindComparisonRunning(st))).toEqual([]);
    expect(shown.slice(0, -1).some((st) => st.generating.some((o) => /^compare-blind:hold-batch-/.test(o)))).toBe(true);
    expect(shown.at(-1)!.generating).toEqual([]);
    const progress = seen
      .filter((e) => e.event === 'jobs.progress' && (e.payload as Job).id === job.id)
      .map((e) => (e.payload as Job).message);
    expect(progress.some((m) => /of 3 · .* s each/.test(m))).toBe(true);
    expect(await call<CompareBatch>('compare.batch.get', { id: batch.id })).toMatchObject({
      state: 'ready',
      generated: 3,
      voted: 0,
    });
    const items = await call<Comparison[]>('compare.list', { batchId: batch.id });
    expect(items.map((c) => c.messages.at(-1)!.content)).toEqual(['One?', 'Two?', 'Three?']);
    expect(items.every((c) => c.a.status === 'done' && c.b.status === 'done' && c.a.contender === null)).toBe(true);
    // Vote for the fine-tune twice and the base once, whatever side each was on.
    const revealed: Comparison[] = [];
    for (const [i, c] of items.entries()) {
      const peek = core.compare.record(c.id);
      const tunedSide = peek.contenders.a.adapters.length > 0 ? 'a' : 'b';
      const baseSide = tunedSide === 'a' ? 'b' : 'a';
      revealed.push(await call<Comparison>('compare.vote', { id: c.id, vote: i < 2 ? tunedSide : baseSide }));
    }
    expect((await call<CompareBatch>('compare.batch.get', { id: batch.id })).voted).toBe(3);
    const results = await call<CompareResults>('compare.results', { batchId: batch.id });
    expect(results.votes).toBe(3);
    const pair = results.pairs[0]!;
    const tunedIsA = pair.aLabel.includes('Strong');
    expect(tunedIsA ? [pair.aWins, pair.bWins] : [pair.bWins, pair.aWins]).toEqual([2, 1]);
    expect(pair.winRate).toBeCloseTo(tunedIsA ? 2 / 3 : 1 / 3, 10);
    expect(results.leaderboard[0]!.label).toBe('tiny + Strong · T0');
    expect(results.leaderboard[0]!.rating).toBeGreaterThan(results.leaderboard[1]!.rating);
    // Filters: nothing in the future, nothing from an unknown dataset.
    expect((await call<CompareResults>('compare.results', { since: Date.now() + 60_000 })).votes).toBe(0);
    expect((await call<CompareResults>('compare.results', { datasetId: 'none' })).votes).toBe(0);
  });

  it('cancels a batch: what was generated stays, the rest is stopped', async () => {
    const batch = await call<CompareBatch>('compare.batch.start', {
      prompts: Array.from({ length: 12 }, (_, i) => `Prompt ${i}`),
      contenders: [
        { ...base(), sampling: { ...greedy, maxTokens: 60 } },
        { ...tuned(), sampling: { ...greedy, maxTokens: 60 } },
      ],
      blind: false,
    });
    for (;;) {
      if ((await call<CompareBatch>('compare.batch.get', { id: batch.id })).generated >= 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const cancelled = await call<CompareBatch>('compare.batch.cancel', { id: batch.id });
    expect(cancelled.state).toBe('cancelled');
    expect((await core.jobs.wait(batch.jobId!)).state).toBe('cancelled');
    const items = await call<Comparison[]>('compare.list', { batchId: batch.id });
    expect(items.some((c) => c.a.status === 'done')).toBe(true);
    expect(items.every((c) => !busy(c.a.status) && !busy(c.b.status))).toBe(true);
    expect(items.filter((c) => c.a.status === 'stopped').length).toBeGreaterThan(0);
    expect(await failure('compare.batch.cancel', { id: batch.id })).toMatchObject({ code: 'CONFLICT' });
    expect(await failure('compare.batch.start', { prompts: [' '], contenders: [base(), tuned()] })).toMatchObject({
      code: 'INVALID_INPUT',
    });
    await call('compare.batch.delete', { id: batch.id });
    expect(await call<Comparison[]>('compare.list', { batchId: undefined })).not.toContainEqual(
      expect.objectContaining({ batchId: batch.id }),
    );
  });
});

describe('comparisons into datasets', () => {
  it('adds the ideal or winning answer to a dataset, linked back, and updates it when added again', async () => {
    const dataset = await call<DatasetInfo>('datasets.create', { name: 'Compare picks' });
    const short = { ...greedy, maxTokens: 6 };
    const c = await settled(
      (
        await call<Comparison>('compare.start', {
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Name a fruit' },
          ],
          contenders: [
            { ...base(), sampling: short },
            { ...tuned(), sampling: short },
          ],
          blind: true,
        })
      ).id,
    );
    expect(await failure('compare.toDataset', { id: c.id, datasetId: dataset.id })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'no-chosen-answer' },
    });
    await call('compare.vote', { id: c.id, vote: 'b' });
    const example = await call<DatasetExample>('compare.toDataset', { id: c.id, datasetId: dataset.id });
    expect(example).toMatchObject({
      datasetId: dataset.id,
      source: 'comparison',
      sourceRef: { comparisonId: c.id },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Name a fruit' },
        { role: 'assistant', content: c.b.content },
      ],
      rejected: c.a.content,
    });
    expect((await call<Comparison>('compare.get', { id: c.id })).datasetExampleIds).toEqual([example.id]);
    // Edited into the ideal answer and added again: the same example, with its old version in history.
    await call('compare.vote', { id: c.id, vote: 'b', idealAnswer: 'An apple.' });
    const again = await call<DatasetExample>('compare.toDataset', { id: c.id, datasetId: dataset.id });
    expect(again).toMatchObject({ id: example.id, undoDepth: 1, rejected: c.a.content });
    expect(again.messages.at(-1)).toEqual({ role: 'assistant', content: 'An apple.' });
    const sideA = await call<DatasetExample>('compare.toDataset', { id: c.id, datasetId: dataset.id, answer: 'a' });
    expect(sideA).toMatchObject({ id: example.id, rejected: null });
    expect(sideA.messages.at(-1)!.content).toBe(c.a.content);
    expect((await call<DatasetInfo>('datasets.get', { id: dataset.id })).counts.source.comparison).toBe(1);
    expect(await failure('compare.toDataset', { id: c.id, datasetId: 'no-such-dataset' })).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("reviews a dataset's eval split as a batch, and filters the results by that dataset", async () => {
    const dataset = await call<DatasetInfo>('datasets.create', { name: 'Eval prompts' });
    const add = (content: string, split: 'eval' | 'train') =>
      call('datasets.examples.create', {
        datasetId: dataset.id,
        split,
        messages: [
          { role: 'user', content },
          { role: 'assistant', content: 'reference answer' },
        ],
      });
    await add('Eval one?', 'eval');
    await add('Train only', 'train');
    await add('Eval two?', 'eval');
    const short = { ...greedy, maxTokens: 4 };
    const batch = await call<CompareBatch>('compare.batch.start', {
      datasetId: dataset.id,
      contenders: [
        { ...base(), sampling: short },
        { ...tuned(), sampling: short },
      ],
    });
    expect(batch).toMatchObject({ total: 2, sourceDatasetId: dataset.id, blind: true });
    expect((await core.jobs.wait(batch.jobId!)).state).toBe('succeeded');
    const items = await call<Comparison[]>('compare.list', { batchId: batch.id });
    expect(items.map((c) => c.messages)).toEqual([
      [{ role: 'user', content: 'Eval one?' }],
      [{ role: 'user', content: 'Eval two?' }],
    ]);
    for (const c of items) await call('compare.vote', { id: c.id, vote: 'tie' });
    const results = await call<CompareResults>('compare.results', { datasetId: dataset.id });
    expect(results.votes).toBe(2);
    expect(results.pairs[0]).toMatchObject({ ties: 2, aWins: 0, bWins: 0, winRate: null });
    const empty = await call<DatasetInfo>('datasets.create', { name: 'No eval' });
    expect(await failure('compare.batch.start', { datasetId: empty.id, contenders: [base(), tuned()] })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'no-eval-examples' },
    });
  });
});
