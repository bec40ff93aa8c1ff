import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { EventName } from '../../src/shared/contract';
import type {
  DatasetExample,
  DatasetInfo,
  ExampleSummary,
  ExportResult,
  HygieneReport,
  ImportResult,
  SniffResult,
  TokenStats,
} from '../../src/shared/datasets';
import type { Job } from '../../src/shared/domain';
import type { AppErrorData } from '../../src/shared/errors';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let core: Core;
const seen: { event: EventName; payload: unknown }[] = [];

beforeAll(() => {
  dir = tempDir();
  dataDir = join(dir.path, 'data');
  core = start();
});
afterAll(async () => {
  await core.close();
  dir.remove();
});
beforeEach(() => {
  seen.length = 0;
});

function start(): Core {
  const c = testCore(dataDir, { inference: { gpu: false }, progressIntervalMs: 0 });
  c.events.subscribe((event, payload) => seen.push({ event, payload }));
  return c;
}
async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.message}`), { data: result.error });
  return result.data as T;
}
async function failure(method: string, input: unknown): Promise<AppErrorData> {
  const result = await core.dispatch(method, input);
  expect(result.ok, JSON.stringify(result).slice(0, 500)).toBe(false);
  return (result as { ok: false; error: AppErrorData }).error;
}
async function runJob<T>(method: string, input: unknown): Promise<{ job: Job; result: T }> {
  const job = await call<Job>(method, input);
  const done = await core.jobs.wait(job.id);
  return { job: done, result: done.result as T };
}
const file = (name: string, content: string | Buffer) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
const chat = (user: string, assistant: string, system?: string) => ({
  messages: [
    ...(system !== undefined ? [{ role: 'system', content: system }] : []),
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});
const jsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
let counter = 0;
const newDataset = (name = `Set ${++counter}`) => call<DatasetInfo>('datasets.create', { name });
const addExample = (datasetId: string, user: string, assistant: string, extra: Record<string, unknown> = {}) =>
  call<DatasetExample>('datasets.examples.create', { datasetId, ...chat(user, assistant), ...extra });
const list = (datasetId: string, more: Record<string, unknown> = {}) =>
  call<{ total: number; offset: number; items: ExampleSummary[] }>('datasets.examples.list', { datasetId, ...more });
const rowCount = (table: string) => (core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
/** FTS5's automerge setting of the examples' search index (as stored in its config table). */
const searchConfig = (k: 'automerge' | 'crisismerge') =>
  (core.db.prepare('SELECT v FROM dataset_examples_fts_config WHERE k = ?').get(k) as { v: number } | undefined)?.v;
const searchAutomerge = () => searchConfig('automerge');

describe('datasets', () => {
  it('creates, renames, lists with counts and deletes datasets; names are unique ignoring case', async () => {
    const d = await call<DatasetInfo>('datasets.create', {
      name: '  Support answers ',
      description: 'Tier 1',
      tags: ['support', 'support', 'en'],
      defaultMaxLength: 1024,
    });
    expect(d).toMatchObject({ name: 'Support answers', tags: ['support', 'en'], defaultMaxLength: 1024 });
    expect(d.counts).toMatchObject({ total: 0, trash: 0, split: { train: 0, eval: 0, auto: 0 } });
    expect(seen).toContainEqual({ event: 'datasets.changed', payload: { datasetId: d.id, change: 'created' } });
    expect(await failure('datasets.create', { name: 'SUPPORT ANSWERS' })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'name-taken' },
    });
    await addExample(d.id, 'Hi', 'Hello', { split: 'eval' });
    await addExample(d.id, 'Bye', 'Goodbye');
    const renamed = await call<DatasetInfo>('datasets.update', { id: d.id, name: 'Support', defaultMaxLength: null });
    expect(renamed).toMatchObject({ name: 'Support', defaultMaxLength: null });
    expect(renamed.counts).toMatchObject({ total: 2, split: { train: 0, eval: 1, auto: 1 }, source: { manual: 2 } });
    expect((await call<DatasetInfo[]>('datasets.list', {})).map((x) => x.name)).toContain('Support');
    expect(await call('datasets.delete', { id: d.id })).toEqual({ deleted: true });
    expect(await failure('datasets.get', { id: d.id })).toMatchObject({ code: 'NOT_FOUND' });
    // Gone from lists at once and its name is free again; the rows follow in slices.
    expect((await call<DatasetInfo[]>('datasets.list', {})).map((x) => x.id)).not.toContain(d.id);
    const again = await call<DatasetInfo>('datasets.create', { name: 'Support' });
    await core.datasets.settled();
    expect(
      core.db.prepare('SELECT COUNT(*) AS n FROM dataset_examples WHERE dataset_id = ?').get(d.id) as { n: number },
    ).toEqual({ n: 0 });
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM datasets WHERE id = ?').get(d.id)).toEqual({ n: 0 });
    await call('datasets.delete', { id: again.id });
  });

  it('edits an example, undoes each change in order, and keeps the newest 20 versions', async () => {
    const d = await newDataset();
    const e = await addExample(d.id, 'What is 2+2?', '5', { tags: ['math'] });
    expect(e).toMatchObject({ source: 'manual', split: 'auto', tags: ['math'], undoDepth: 0, charCount: 13 });
    const fixed = await call<DatasetExample>('datasets.examples.update', {
      id: e.id,
      messages: chat('What is 2+2?', '4').messages,
      note: 'fixed the answer',
    });
    expect(fixed).toMatchObject({ undoDepth: 1, note: 'fixed the answer', charCount: 13 });
    expect(fixed.messages.at(-1)).toEqual({ role: 'assistant', content: '4' });
    const split = await call<DatasetExample>('datasets.examples.update', {
      id: e.id,
      split: 'train',
      tags: ['math', 'easy'],
    });
    expect(split).toMatchObject({ split: 'train', tags: ['math', 'easy'], undoDepth: 2 });

    const back1 = await call<DatasetExample>('datasets.examples.undo', { id: e.id });
    expect(back1).toMatchObject({ split: 'auto', tags: ['math'], note: 'fixed the answer', undoDepth: 1 });
    const back2 = await call<DatasetExample>('datasets.examples.undo', { id: e.id });
    expect(back2.messages.at(-1)).toEqual({ role: 'assistant', content: '5' });
    expect(back2).toMatchObject({ note: '', undoDepth: 0 });
    expect(await failure('datasets.examples.undo', { id: e.id })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'no-history' },
    });

    for (let i = 0; i < 25; i++) await call('datasets.examples.update', { id: e.id, note: `v${i}` });
    expect((await call<DatasetExample>('datasets.examples.get', { id: e.id })).undoDepth).toBe(20);
    for (let i = 0; i < 20; i++) await call('datasets.examples.undo', { id: e.id });
    expect((await call<DatasetExample>('datasets.examples.get', { id: e.id })).note).toBe('v4');
  });

  it('refuses invalid examples with the failing turn named, and stores nothing', async () => {
    const d = await newDataset();
    const before = rowCount('dataset_examples');
    const error = await failure('datasets.examples.create', {
      datasetId: d.id,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'system', content: 'late' },
      ],
    });
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(error.message).toMatch(/messages\.1\.role.*system turn may only come first/);
    expect(rowCount('dataset_examples')).toBe(before);
  });

  it('pages, sorts, filters and searches examples (FTS prefixes, diacritics folded)', async () => {
    const d = await newDataset();
    await addExample(d.id, 'Explain the tokenizer', 'It splits text into pieces.', { tags: ['nlp'], split: 'train' });
    await addExample(d.id, 'Café recipes?', 'Espresso, then milk.', { tags: ['food'], split: 'eval' });
    for (let i = 0; i < 30; i++) await addExample(d.id, `Question ${i}`, `Answer ${'x'.repeat(i)}`);
    const page = await list(d.id, { offset: 10, limit: 5 });
    expect(page.total).toBe(32);
    expect(page.items.map((x) => x.prompt)).toEqual([
      'Question 8',
      'Question 9',
      'Question 10',
      'Question 11',
      'Question 12',
    ]);
    expect(page.items[0]).toMatchObject({
      answer: `Answer ${'x'.repeat(8)}`,
      thinks: false,
      turnCount: 2,
      hasRejected: false,
      issues: [],
    });
    // An answer that opens with a thought lists the answer after it, and says it teaches thinking.
    const thinkingSet = await call<{ id: string }>('datasets.create', { name: 'Thinks first' });
    await addExample(thinkingSet.id, 'Think first', `<think>\n${'Why. '.repeat(60)}\n</think>\n\nThe answer.`);
    expect((await list(thinkingSet.id)).items).toMatchObject([
      { prompt: 'Think first', answer: 'The answer.', thinks: true },
    ]);

    const longest = await list(d.id, { sort: 'chars', order: 'desc', limit: 40 });
    const chars = longest.items.map((x) => x.charCount);
    expect(chars).toEqual([...chars].sort((x, y) => y - x));
    expect(chars[0]).toBe(48);
    expect((await list(d.id, { filter: { search: 'tok' } })).items.map((x) => x.prompt)).toEqual([
      'Explain the tokenizer',
    ]);
    expect((await list(d.id, { filter: { search: 'cafe' } })).items.map((x) => x.prompt)).toEqual(['Café recipes?']);
    expect((await list(d.id, { filter: { search: 'splits pieces' } })).total).toBe(1);
    expect((await list(d.id, { filter: { search: 'splits nothing' } })).total).toBe(0);
    expect((await list(d.id, { filter: { search: '"*)(' } })).total).toBe(0);
    expect((await list(d.id, { filter: { tags: ['food', 'nlp'] } })).total).toBe(2);
    expect((await list(d.id, { filter: { splits: ['eval'] } })).items.map((x) => x.prompt)).toEqual(['Café recipes?']);
    expect((await list(d.id, { filter: { sources: ['chat'] } })).total).toBe(0);
    expect((await list(d.id, { filter: { minChars: 40 } })).total).toBe(
      (await call<{ ids: string[] }>('datasets.examples.ids', { datasetId: d.id, filter: { minChars: 40 } })).ids
        .length,
    );
    expect((await list(d.id, { filter: { minChars: 30, maxChars: 31 } })).items.map((x) => x.charCount)).toEqual([
      30, 31,
    ]);
  });

  it('applies bulk tag, split, move and delete in one transaction; trash restore and empty', async () => {
    const a = await newDataset();
    const b = await newDataset();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await addExample(a.id, `Q${i}`, `A${i}`)).id);
    expect(await call('datasets.examples.bulk', { ids, action: { kind: 'addTags', tags: ['x', 'y'] } })).toEqual({
      changed: 5,
    });
    expect(
      await call('datasets.examples.bulk', { ids: ids.slice(0, 2), action: { kind: 'removeTags', tags: ['x'] } }),
    ).toEqual({
      changed: 2,
    });
    expect((await list(a.id, { filter: { tags: ['x'] } })).total).toBe(3);
    expect(await call('datasets.examples.bulk', { ids, action: { kind: 'setSplit', split: 'eval' } })).toEqual({
      changed: 5,
    });
    // One unknown id: nothing changes.
    expect(
      await failure('datasets.examples.bulk', { ids: [...ids, 'nope'], action: { kind: 'setSplit', split: 'train' } }),
    ).toMatchObject({ code: 'NOT_FOUND', details: { ids: ['nope'] } });
    expect((await call<DatasetInfo>('datasets.get', { id: a.id })).counts.split.eval).toBe(5);

    await call('datasets.examples.bulk', { ids: ids.slice(0, 2), action: { kind: 'move', datasetId: b.id } });
    expect((await call<DatasetInfo>('datasets.get', { id: b.id })).counts.total).toBe(2);
    const moved = await call<DatasetExample>('datasets.examples.undo', { id: ids[0] });
    expect(moved.datasetId).toBe(a.id);

    expect(await call('datasets.examples.bulk', { ids: ids.slice(2), action: { kind: 'delete' } })).toEqual({
      changed: 3,
    });
    const info = await call<DatasetInfo>('datasets.get', { id: a.id });
    expect(info.counts).toMatchObject({ total: 1, trash: 3 });
    expect((await list(a.id, { trash: true })).items.map((x) => x.prompt)).toEqual(['Q2', 'Q3', 'Q4']);
    expect(await call('datasets.trash.restore', { ids: [ids[2]] })).toEqual({ restored: 1 });
    const undone = await call<DatasetExample>('datasets.examples.undo', { id: ids[3] });
    expect(undone.deletedAt).toBeNull();
    expect(await call('datasets.trash.empty', { datasetId: a.id })).toEqual({ removed: 1 });
    expect(await failure('datasets.examples.get', { id: ids[4] })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call<DatasetInfo>('datasets.get', { id: a.id })).counts).toMatchObject({ total: 3, trash: 0 });
    // Tags, splits, moves and the trash leave the search index as it was.
    expect((await list(a.id, { filter: { search: 'Q0' } })).items.map((x) => x.id)).toEqual([ids[0]]);
    expect((await list(a.id, { filter: { search: 'A3' } })).items.map((x) => x.id)).toEqual([ids[3]]);
    expect(seen.filter((e) => e.event === 'datasets.changed').length).toBeGreaterThan(5);
  });
});

describe('import', () => {
  it('sniffs a file and shows a parsed preview for confirmation', async () => {
    const path = file('sniff.jsonl', jsonl([chat('Hi', 'Hello', 'Be kind'), chat('2+2?', '4')]));
    const found = await call<SniffResult>('datasets.sniff', { path });
    expect(found).toMatchObject({ format: 'openai', container: 'jsonl', mixed: false, hasBom: false });
    expect(found.preview[0]!.messages).toEqual(chat('Hi', 'Hello', 'Be kind').messages);
    const csv = await call<SniffResult>('datasets.sniff', { path: file('s.csv', 'question,answer\nHi,Hello\n') });
    expect(csv).toMatchObject({ format: 'csv', csvColumns: ['question', 'answer'] });
    expect(await failure('datasets.sniff', { path: file('empty-sniff.jsonl', '') })).toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('imports JSONL into a new dataset with a link to each line, and ShareGPT/Alpaca/CSV/preference', async () => {
    const path = file('good.jsonl', jsonl([chat('Hi', 'Hello', 'Be kind'), { ...chat('2+2?', '4'), split: 'eval' }]));
    const { job, result } = await runJob<ImportResult>('datasets.import', {
      path,
      name: 'Imported',
      format: 'openai',
      onErrors: 'abort',
      tags: ['batch1'],
    });
    expect(job.state).toBe('succeeded');
    expect(result).toMatchObject({ imported: 2, errorCount: 0, errors: [] });
    const d = await call<DatasetInfo>('datasets.get', { id: result.datasetId });
    expect(d).toMatchObject({
      name: 'Imported',
      counts: { total: 2, split: { eval: 1, auto: 1 }, source: { import: 2 } },
    });
    const first = await call<DatasetExample>('datasets.examples.get', { id: (await list(d.id)).items[0]!.id });
    expect(first).toMatchObject({ source: 'import', sourceRef: { file: path, line: 1 }, tags: ['batch1'] });

    const more: [string, string, unknown][] = [
      [
        'sharegpt',
        'sg.jsonl',
        {
          conversations: [
            { from: 'human', value: 'Q' },
            { from: 'gpt', value: 'A' },
          ],
        },
      ],
      ['alpaca', 'al.jsonl', { instruction: 'Q', input: '', output: 'A' }],
      ['preference', 'pref.jsonl', { prompt: 'Q', chosen: 'good', rejected: 'bad' }],
    ];
    for (const [format, name, record] of more) {
      const r = await runJob<ImportResult>('datasets.import', {
        path: file(name, jsonl([record])),
        datasetId: d.id,
        format,
        onErrors: 'abort',
      });
      expect(r.job.state, JSON.stringify(r.job.error)).toBe('succeeded');
    }
    const csv = await runJob<ImportResult>('datasets.import', {
      path: file('rows.csv', 'q,a\r\n"Hello, you",Hi there\r\n'),
      datasetId: d.id,
      format: 'csv',
      csvMapping: { user: 'q', assistant: 'a' },
      onErrors: 'abort',
    });
    expect(csv.result.imported).toBe(1);
    const all = await list(d.id, { limit: 10 });
    expect(all.total).toBe(6);
    expect(all.items.find((x) => x.hasRejected)).toMatchObject({ prompt: 'Q', answer: 'good' });
    expect(all.items.at(-1)).toMatchObject({ prompt: 'Hello, you', answer: 'Hi there' });
  });

  it("reports bad lines; 'abort' imports nothing, 'skip' imports the valid ones (one transaction either way)", async () => {
    const lines = [
      JSON.stringify(chat('ok 1', 'fine')),
      '{"messages": [',
      JSON.stringify({ messages: [{ role: 'robot', content: 'x' }] }),
      JSON.stringify(chat('ok 2', 'fine')),
      '',
      JSON.stringify({ instruction: 'alpaca in an openai file', output: 'x' }),
      JSON.stringify(chat('ok 3', 'fine')),
    ];
    const path = file('mixed.jsonl', lines.join('\r\n'));
    const d = await newDataset();
    const before = rowCount('dataset_examples');
    const aborted = await runJob<ImportResult>('datasets.import', {
      path,
      datasetId: d.id,
      format: 'openai',
      onErrors: 'abort',
    });
    expect(aborted.job.state).toBe('failed');
    expect(aborted.job.error).toMatchObject({ code: 'INVALID_INPUT', details: { errorCount: 3 } });
    const details = aborted.job.error!.details as { errors: { line: number; reason: string }[] };
    expect(details.errors.map((e) => e.line)).toEqual([2, 3, 6]);
    expect(details.errors.every((e) => e.reason.length > 0 && !/^line/.test(e.reason))).toBe(true);
    expect(rowCount('dataset_examples')).toBe(before);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM datasets WHERE staging_job IS NOT NULL').get()).toEqual({ n: 0 });

    const skipped = await runJob<ImportResult>('datasets.import', {
      path,
      datasetId: d.id,
      format: 'openai',
      onErrors: 'skip',
    });
    expect(skipped.result).toMatchObject({ imported: 3, errorCount: 3 });
    expect((await list(d.id)).items.map((x) => x.prompt)).toEqual(['ok 1', 'ok 2', 'ok 3']);
  });

  it('handles a BOM, invalid UTF-8, a 50 MB line, an empty file and a missing file with specific errors', async () => {
    const d = await newDataset();
    const bom = await runJob<ImportResult>('datasets.import', {
      path: file('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl([chat('b', 'o')]))])),
      datasetId: d.id,
      format: 'openai',
      onErrors: 'abort',
    });
    expect(bom.result.imported).toBe(1);

    const badUtf8 = Buffer.concat([
      Buffer.from(JSON.stringify(chat('good', 'line')) + '\n'),
      Buffer.from('{"messages":[{"role":"user","content":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"},{"role":"assistant","content":"x"}]}\n'),
    ]);
    const utf = await runJob<ImportResult>('datasets.import', {
      path: file('bad-utf8.jsonl', badUtf8),
      datasetId: d.id,
      format: 'openai',
      onErrors: 'skip',
    });
    expect(utf.result).toMatchObject({ imported: 1, errorCount: 1 });
    expect(utf.result.errors[0]).toMatchObject({ line: 2 });
    expect(utf.result.errors[0]!.reason).toMatch(/UTF-8/i);

    const huge = JSON.stringify(chat('big', 'y'.repeat(50 * 1024 * 1024)));
    const big = await runJob<ImportResult>('datasets.import', {
      path: file('huge.jsonl', `${JSON.stringify(chat('small', 'z'))}\n${huge}\n`),
      datasetId: d.id,
      format: 'openai',
      onErrors: 'skip',
    });
    expect(big.result).toMatchObject({ imported: 1, errorCount: 1 });
    expect(big.result.errors[0]).toMatchObject({ line: 2 });

    const empty = await runJob<ImportResult>('datasets.import', {
      path: file('empty.jsonl', ''),
      datasetId: d.id,
      format: 'openai',
      onErrors: 'skip',
    });
    expect(empty.job).toMatchObject({ state: 'failed', error: { code: 'INVALID_INPUT' } });
    const missing = await runJob('datasets.import', {
      path: join(dir.path, 'nope.jsonl'),
      name: 'Never',
      format: 'openai',
      onErrors: 'skip',
    });
    expect(missing.job.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call<DatasetInfo[]>('datasets.list', {})).some((x) => x.name === 'Never')).toBe(false);
    expect((await call<DatasetInfo>('datasets.get', { id: d.id })).counts.total).toBe(3);
  }, 120_000);

  it('cancelling mid-import leaves nothing behind, and the app answers meanwhile', async () => {
    const records: string[] = [];
    for (let i = 0; i < 60_000; i++)
      records.push(JSON.stringify(chat(`question ${i} ${'q'.repeat(200)}`, `answer ${i} ${'a'.repeat(400)}`)));
    const path = file('big.jsonl', records.join('\n'));
    const before = rowCount('dataset_examples');
    const job = await call<Job>('datasets.import', { path, name: 'Cancelled', format: 'openai', onErrors: 'skip' });
    // Wait until some rows went in (progress reported), then answer a call and cancel.
    await new Promise<void>((resolve) => {
      const check = () =>
        seen.some(
          (e) => e.event === 'jobs.progress' && (e.payload as Job).id === job.id && (e.payload as Job).progress > 0.05,
        )
          ? resolve()
          : setTimeout(check, 5);
      check();
    });
    const t0 = performance.now();
    await call('datasets.list', {});
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rowCount('dataset_examples')).toBeGreaterThan(before);
    // the search index merges in small steps between batches while importing, not at commits nor
    // when a level fills up
    expect(searchAutomerge()).toBe(0);
    expect(searchConfig('crisismerge')).toBe(64);
    // A write made meanwhile (it joins the import's open transaction) survives the cancel.
    const during = await newDataset('Made during the import');
    const cancelled = await call<Job>('jobs.cancel', { id: job.id });
    expect(cancelled.state).toBe('cancelled');
    expect(rowCount('dataset_examples')).toBe(before);
    expect(await call<DatasetInfo>('datasets.get', { id: during.id })).toMatchObject({
      name: 'Made during the import',
    });
    expect(core.db.inTransaction).toBe(false);
    expect(searchAutomerge()).toBe(4);
    expect(searchConfig('crisismerge')).toBe(16);
    expect((await call<DatasetInfo[]>('datasets.list', {})).some((x) => x.name === 'Cancelled')).toBe(false);

    // Into an existing dataset: its rows are hidden while the import runs (search included) and gone after a cancel.
    const d = await newDataset();
    await addExample(d.id, 'question kept', 'answer kept');
    const into = await call<Job>('datasets.import', { path, datasetId: d.id, format: 'openai', onErrors: 'skip' });
    await new Promise<void>((resolve) => {
      const check = () =>
        seen.some(
          (e) => e.event === 'jobs.progress' && (e.payload as Job).id === into.id && (e.payload as Job).progress > 0.05,
        )
          ? resolve()
          : setTimeout(check, 5);
      check();
    });
    expect(rowCount('dataset_examples')).toBeGreaterThan(before + 1);
    expect((await call<DatasetInfo>('datasets.get', { id: d.id })).counts).toMatchObject({ total: 1, trash: 0 });
    expect((await list(d.id, { filter: { search: 'question' } })).items.map((x) => x.prompt)).toEqual([
      'question kept',
    ]);
    expect((await list(d.id, { trash: true })).total).toBe(0);
    expect((await call<Job>('jobs.cancel', { id: into.id })).state).toBe('cancelled');
    expect(rowCount('dataset_examples')).toBe(before + 1);
    expect((await list(d.id, { filter: { search: 'question' } })).total).toBe(1);
  }, 120_000);

  it('removes the staging rows of an import interrupted by a crash at the next start', async () => {
    const d = await newDataset();
    core.db
      .prepare(
        `INSERT INTO dataset_examples (id, dataset_id, messages, source, char_count, turn_count, created_at, updated_at, deleted_at)
         VALUES ('staged-2', ?, '[{"role":"user","content":"half appended"}]', 'import', 13, 1, 0, 0, -5)`,
      )
      .run(d.id);
    expect((await list(d.id, { filter: { search: 'half' } })).items).toEqual([]);
    expect((await list(d.id, { trash: true })).total).toBe(0);
    core.db
      .prepare(
        "INSERT INTO datasets (id, name, staging_job, created_at, updated_at) VALUES ('stage-x', '.import-x', 'job-x', 0, 0)",
      )
      .run();
    core.db
      .prepare(
        `INSERT INTO dataset_examples (id, dataset_id, messages, source, char_count, turn_count, created_at, updated_at)
         VALUES ('staged-1', 'stage-x', '[{"role":"user","content":"half imported"}]', 'import', 13, 1, 0, 0)`,
      )
      .run();
    expect((await list(d.id, { filter: { search: 'half' } })).total).toBe(0);
    expect(await failure('datasets.examples.get', { id: 'staged-1' })).toMatchObject({ code: 'NOT_FOUND' });
    // the crashed import had turned the search index's automatic merging off
    core.db.prepare(`INSERT INTO dataset_examples_fts (dataset_examples_fts, rank) VALUES ('automerge', 0)`).run();
    core.db.prepare(`INSERT INTO dataset_examples_fts (dataset_examples_fts, rank) VALUES ('crisismerge', 64)`).run();
    expect(searchAutomerge()).toBe(0);
    await core.close();
    core = start();
    expect(searchAutomerge()).toBe(4);
    expect(searchConfig('crisismerge')).toBe(16);
    expect(core.db.prepare("SELECT COUNT(*) AS n FROM dataset_examples WHERE id = 'staged-1'").get()).toEqual({ n: 0 });
    expect(core.db.prepare("SELECT COUNT(*) AS n FROM dataset_examples WHERE id = 'staged-2'").get()).toEqual({ n: 0 });
    expect(core.db.prepare("SELECT COUNT(*) AS n FROM datasets WHERE id = 'stage-x'").get()).toEqual({ n: 0 });
  });
});

describe('export', () => {
  it('round-trips: import, export in each format (together and as train/eval files), import again', async () => {
    const source = [
      { ...chat('Q1', 'A1', 'Sys'), split: 'train' },
      { ...chat('Q2', 'A2'), split: 'eval' },
      chat('Q3', 'A3'),
    ];
    const { result } = await runJob<ImportResult>('datasets.import', {
      path: file('rt.jsonl', jsonl(source)),
      name: 'Round trip',
      format: 'openai',
      onErrors: 'abort',
    });
    const original = await call<{ ids: string[] }>('datasets.examples.ids', { datasetId: result.datasetId });
    const messagesOf = async (datasetId: string) => {
      const ids = (await call<{ ids: string[] }>('datasets.examples.ids', { datasetId })).ids;
      return Promise.all(ids.map(async (id) => (await call<DatasetExample>('datasets.examples.get', { id })).messages));
    };
    const expected = await messagesOf(result.datasetId);
    expect(original.ids).toHaveLength(3);

    for (const format of ['openai', 'sharegpt', 'alpaca'] as const) {
      const out = join(dir.path, `rt-${format}.jsonl`);
      const exported = await runJob<ExportResult>('datasets.export', {
        datasetId: result.datasetId,
        format,
        path: out,
        splits: 'together',
      });
      expect(exported.result.files).toEqual([{ path: out, split: 'all', written: 3, skipped: 0 }]);
      const back = await runJob<ImportResult>('datasets.import', {
        path: out,
        name: `Back ${format}`,
        format,
        onErrors: 'abort',
      });
      expect(await messagesOf(back.result.datasetId)).toEqual(expected);
    }

    const out = join(dir.path, 'trainer.jsonl');
    const separate = await runJob<ExportResult>('datasets.export', {
      datasetId: result.datasetId,
      format: 'openai',
      path: out,
      splits: 'separate',
      forTrainer: true,
    });
    expect(separate.result.files.map((f) => [f.path.slice(dir.path.length + 1), f.split, f.written])).toEqual([
      ['trainer.train.jsonl', 'train', 2],
      ['trainer.eval.jsonl', 'eval', 1],
    ]);
    const evalLines = readFileSync(join(dir.path, 'trainer.eval.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(evalLines[0]!)).toEqual({ ...chat('Q2', 'A2'), split: 'eval' });
  });
});

describe('hygiene', () => {
  it('reports duplicates, empty answers, leakage and secrets; fixes them undoably; flags filter the list', async () => {
    const d = await newDataset();
    const dup1 = await addExample(d.id, 'How do I reset my password?', 'Open settings and click reset.', {
      split: 'train',
    });
    const dup2 = await addExample(d.id, 'How do I reset my password?', 'Open settings and click reset.', {
      split: 'train',
    });
    const empty = await addExample(d.id, 'Say nothing', '   ');
    const leakTrain = await addExample(
      d.id,
      'Describe the quarterly sales report format for the northern region in detail please',
      'It has a summary table, a regional chart, and notes on each product line with growth figures.',
      { split: 'train' },
    );
    const leakEval = await addExample(
      d.id,
      'Describe the quarterly sales report format for the northern region in detail please',
      'It has a summary table, a regional chart, and notes on each product line with growth figures!',
      { split: 'eval' },
    );
    const secret = await addExample(
      d.id,
      'My key',
      'Use sk-proj-Xq7Lp2Vz9RtK4mWb8Nc3Hd6Jf1Gs5Ya0Qe2Tu to call the API.',
    );

    const { job, result: report } = await runJob<HygieneReport>('datasets.hygiene', { datasetId: d.id });
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(report.examined).toBe(6);
    const kinds = report.groups.map((g) => g.kind);
    expect(kinds).toEqual(expect.arrayContaining(['exact_duplicate', 'empty_answer', 'leakage', 'sensitive']));
    expect(report.groups.find((g) => g.kind === 'exact_duplicate')).toMatchObject({
      exampleIds: [dup1.id, dup2.id],
      keepId: dup1.id,
      fix: 'delete_duplicates',
    });
    expect(await call('datasets.report', { datasetId: d.id })).toEqual(report);
    expect((await call<DatasetInfo>('datasets.get', { id: d.id })).counts.withIssues).toBeGreaterThanOrEqual(4);
    expect((await list(d.id, { filter: { issueKind: 'empty_answer' } })).items.map((x) => x.id)).toEqual([empty.id]);
    expect((await list(d.id, { filter: { hasIssues: false } })).items.map((x) => x.id)).not.toContain(dup2.id);

    expect(await call('datasets.fix', { datasetId: d.id, kind: 'exact_duplicate' })).toEqual({ changed: 1 });
    expect(await call('datasets.fix', { datasetId: d.id, kind: 'empty_answer' })).toEqual({ changed: 1 });
    expect(await call('datasets.fix', { datasetId: d.id, kind: 'leakage' })).toEqual({ changed: 1 });
    expect((await call<DatasetExample>('datasets.examples.get', { id: leakEval.id })).split).toBe('train');
    expect(await failure('datasets.fix', { datasetId: d.id, kind: 'sensitive' })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'review-first' },
    });
    expect(await call('datasets.fix', { datasetId: d.id, kind: 'sensitive', exampleIds: [secret.id] })).toEqual({
      changed: 1,
    });
    const info = await call<DatasetInfo>('datasets.get', { id: d.id });
    expect(info.counts).toMatchObject({ total: 3, trash: 3 });
    expect((await list(d.id, { trash: true })).items.map((x) => x.id).sort()).toEqual(
      [dup2.id, empty.id, secret.id].sort(),
    );
    // Undo: one from the trash, one by undo.
    await call('datasets.trash.restore', { ids: [dup2.id] });
    expect((await call<DatasetExample>('datasets.examples.undo', { id: leakEval.id })).split).toBe('eval');
    expect(leakTrain.split).toBe('train');
    expect(await failure('datasets.fix', { datasetId: (await newDataset()).id, kind: 'leakage' })).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'no-report' },
    });
  });
});

describe('migration of kept examples', () => {
  it('a database with kept examples opens with them in "Kept from chat"', async () => {
    const other = tempDir();
    try {
      const db = new Database(join(other.path, 'lathe.db'));
      const { migrate } = await import('../../src/main/core/db/migrate');
      const { migrations } = await import('../../src/main/core/db/migrations');
      const { silentLogger } = await import('../../src/main/core/logger');
      migrate(db, migrations.slice(0, 4), silentLogger);
      db.prepare(
        `INSERT INTO kept_examples (id, conversation_id, message_id, messages, edited, created_at)
         VALUES ('k1', NULL, NULL, '[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]', 0, 5)`,
      ).run();
      db.close();
      const c = testCore(other.path, { inference: { gpu: false } });
      try {
        const result = await c.dispatch('datasets.list', {});
        const sets = (result as { ok: true; data: DatasetInfo[] }).data;
        expect(sets).toHaveLength(1);
        expect(sets[0]).toMatchObject({ name: 'Kept from chat', counts: { total: 1, source: { chat: 1 } } });
        const example = await c.dispatch('datasets.examples.get', { id: 'k1' });
        expect(example).toMatchObject({
          ok: true,
          data: { source: 'chat', messages: [{ content: 'Hi' }, { content: 'Hello' }] },
        });
      } finally {
        await c.close();
      }
    } finally {
      other.remove();
    }
  });
});

describe('token stats', () => {
  it('builds a histogram of cached counts against the max length', async () => {
    const d = await call<DatasetInfo>('datasets.create', { name: 'Hist', defaultMaxLength: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await addExample(d.id, `q${i}`, `a${i}`)).id);
    const set = core.db.prepare("UPDATE dataset_examples SET token_count = ?, token_model = 'm1' WHERE id = ?");
    [10, 20, 95, 150, 300].forEach((n, i) => set.run(n, ids[i]));
    const stats = await call<TokenStats>('datasets.stats', { datasetId: d.id, bins: 10 });
    expect(stats).toMatchObject({
      modelId: 'm1',
      maxLength: 100,
      counted: 5,
      uncounted: 0,
      overMax: 2,
      min: 10,
      max: 300,
    });
    expect(stats.bins.reduce((s, b) => s + b.count, 0)).toBe(5);
    expect(stats.bins[0]!.from).toBe(0);
    expect(stats.bins.at(-1)!.to).toBeGreaterThan(300);
    const info = await call<DatasetInfo>('datasets.get', { id: d.id });
    expect(info.tokens).toMatchObject({ model: 'm1', counted: 5, max: 300, mean: 115 });
    const filtered = await list(d.id, { filter: { minTokens: 100 }, sort: 'tokens', order: 'desc' });
    expect(filtered.items.map((x) => x.tokenCount)).toEqual([300, 150]);
    // Editing the text drops the cached count.
    await call('datasets.examples.update', { id: ids[0], messages: chat('changed', 'text').messages });
    expect((await call<DatasetExample>('datasets.examples.get', { id: ids[0] })).tokenCount).toBeNull();
    expect((await call<TokenStats>('datasets.stats', { datasetId: d.id, maxLength: 200 })).overMax).toBe(1);
  });
});
