/**
 * `npm run bench:datasets`: Lathe's dataset import, search and near-duplicate scan on a generated
 * 100k-example JSONL, each beside a bare reference measured in the same run (machines are shared;
 * absolute times drift, ratios much less).
 *
 *   node --import ./bench/lib/register.mjs bench/datasets.ts [options]
 *     --examples N   examples in the generated file (default 100000)
 *     --rounds N     measured import rounds, each Lathe then the reference, alternating (default 2)
 *     --quick        10k examples, 1 round (results in node_modules/.cache/lathe-bench/)
 *     --skip-scroll  leave out the list-scrolling part (bench/datasetsScroll.ts, run after this one)
 *
 * Measured:
 * - Import: `importDataset` (streamed read + per-record validation + batched prepared inserts into
 *   a staging dataset + publish) against a bare `readFileSync` + `JSON.parse` + one prepared
 *   INSERT per line in one transaction, into the same schema (FTS triggers included) in a fresh
 *   database each time. Ratio = reference time ÷ Lathe time (goal ≥ 0.8). Also the longest
 *   event-loop stall during Lathe's import (the app must stay responsive).
 * - Search at 100k rows: `DatasetsService.examples` with a search (FTS5 prefix query + the total
 *   count + one page of 100 summaries), median and p95 over several queries, beside the bare FTS
 *   MATCH it wraps and a `LIKE '%word%'` scan (goal ≤ 50 ms).
 * - Near-duplicate scan: `runHygiene` over all examples (MinHash + LSH; every check), with its
 *   per-check times (goal ≤ 10 s for near-duplicates).
 * - Then bench/datasetsScroll.ts (its own process, same options): long tasks while the Datasets
 *   page's list is scrolled top to bottom in Chromium; it adds its section to the same results.
 */
import './lib/inferenceHooks.js';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DatasetsRepo as DatasetsRepoType } from '../src/main/core/datasets/DatasetsRepo.js';
import type { Db } from '../src/main/core/db/openDatabase.js';
import { generate } from './lib/generateExamples.js';
import { loadAverage } from './lib/proc.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const cacheDir = join(root, 'node_modules', '.cache', 'lathe-bench');

const { values: opts } = parseArgs({
  options: {
    examples: { type: 'string' },
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'skip-scroll': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}
const quick = opts.quick ?? false;
const exampleCount = Number(opts.examples ?? (quick ? 10_000 : 100_000));
const rounds = Number(opts.rounds ?? (quick ? 1 : 2));
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---- helpers ---------------------------------------------------------------------------------

// Lathe's sources use extensionless imports: loaded after the resolve hook above is registered.
const { DatasetsRepo } = await import('../src/main/core/datasets/DatasetsRepo.js');
const { DatasetsService } = await import('../src/main/core/datasets/DatasetsService.js');
const { runHygiene } = await import('../src/main/core/datasets/hygiene/index.js');
const { importDataset } = await import('../src/main/core/datasets/importDataset.js');
const { openDatabase } = await import('../src/main/core/db/openDatabase.js');
const { EventBus } = await import('../src/main/core/EventBus.js');
const { JobsRepo } = await import('../src/main/core/db/repos/JobsRepo.js');
const { JobRunner } = await import('../src/main/core/jobs/JobRunner.js');
const { silentLogger } = await import('../src/main/core/logger.js');
const { Checkpointer } = await import('../src/main/core/db/Checkpointer.js');

function freshDb(path: string): Db {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  return openDatabase(path, { logger: silentLogger });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;

/**
 * Lathe's import as the app runs it (the write-ahead log checkpointed from a worker thread, after
 * each commit), with the longest event-loop stall seen meanwhile and the log's largest size.
 */
async function latheImport(
  dbPath: string,
  file: string,
): Promise<{ ms: number; stallMs: number; rows: number; walMaxMb: number }> {
  const db = freshDb(dbPath);
  const checkpointer = new Checkpointer(db, dbPath, { logger: silentLogger });
  await checkpointer.ready();
  const repo: DatasetsRepoType = new DatasetsRepo(db);
  let walMax = 0;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  const result = await importDataset(
    repo,
    { path: file, name: 'Bench', format: 'openai', onErrors: 'skip' },
    { signal: new AbortController().signal, onProgress: () => {}, jobId: 'bench' },
    {
      afterCommit: async () => {
        walMax = Math.max(walMax, (await checkpointer.checkpoint()).log);
      },
    },
  );
  const elapsed = performance.now() - t0;
  lag.disable();
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  await checkpointer.stop();
  db.close();
  return { ms: elapsed, stallMs: lag.max / 1e6, rows: result.imported, walMaxMb: (walMax * pageSize) / 1e6 };
}

/** The bare reference: read, JSON.parse, one prepared INSERT per line, one transaction, same schema. */
function referenceImport(dbPath: string, file: string): { ms: number; rows: number } {
  const db = freshDb(dbPath);
  const t0 = performance.now();
  const datasetId = randomUUID();
  const now = Date.now();
  db.prepare('INSERT INTO datasets (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
    datasetId,
    'Ref',
    now,
    now,
  );
  const insert = db.prepare(
    `INSERT INTO dataset_examples (id, dataset_id, messages, rejected, source, source_ref, tags, split, note,
       char_count, turn_count, created_at, updated_at)
     VALUES (?, ?, ?, NULL, 'import', NULL, '[]', 'auto', '', ?, ?, ?, ?)`,
  );
  let rows = 0;
  db.transaction(() => {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const { messages } = JSON.parse(line) as { messages: { content: string }[] };
      let chars = 0;
      for (const m of messages) chars += m.content.length;
      insert.run(randomUUID(), datasetId, JSON.stringify(messages), chars, messages.length, now, now);
      rows += 1;
    }
  })();
  const elapsed = performance.now() - t0;
  db.close();
  return { ms: elapsed, rows };
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const workDir = join(cacheDir, 'datasets');
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, `examples-${exampleCount}.jsonl`);
  if (!existsSync(file)) {
    log(`generating ${exampleCount} examples → ${file}`);
    generate(file, exampleCount);
  }
  const bytes = statSync(file).size;
  log(`data: ${exampleCount} examples, ${(bytes / 1e6).toFixed(1)} MB`);
  const loads: number[] = [];

  // Import, alternating Lathe and the reference.
  const lathe: { ms: number; stallMs: number; walMaxMb: number }[] = [];
  const reference: { ms: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    loads.push(loadAverage() ?? NaN);
    // Alternate who goes first, so a change in the machine's load does not always favour one side.
    const runRef = () => {
      const ref = referenceImport(join(workDir, 'ref.db'), file);
      log(`round ${r + 1}/${rounds}: reference ${s(ref.ms)} (${ref.rows} rows)`);
      reference.push(ref);
    };
    if (r % 2 === 0) runRef();
    const l = await latheImport(join(workDir, 'lathe.db'), file);
    log(
      `round ${r + 1}/${rounds}: Lathe ${s(l.ms)} (${l.rows} rows), longest event-loop stall ${ms(l.stallMs)}, ` +
        `write-ahead log at most ${l.walMaxMb.toFixed(0)} MB`,
    );
    lathe.push(l);
    if (r % 2 === 1) runRef();
  }
  const bestLathe = Math.min(...lathe.map((x) => x.ms));
  const bestRef = Math.min(...reference.map((x) => x.ms));
  const importRatio = bestRef / bestLathe;

  // Search at N rows, on the database Lathe just imported.
  const db = openDatabase(join(workDir, 'lathe.db'), { logger: silentLogger });
  const repo = new DatasetsRepo(db);
  const events = new EventBus();
  const jobs = new JobRunner({ repo: new JobsRepo(db), events, logger: silentLogger });
  const service = new DatasetsService({
    repo,
    jobs,
    events,
    logger: silentLogger,
    models: { resolve: () => ({ path: '' }) as never },
    openTokenCounter: () => Promise.reject(new Error('not in the bench')),
  });
  const datasetId = service.list()[0]!.id;
  const sample = db
    .prepare('SELECT messages FROM dataset_examples WHERE dataset_id = ? ORDER BY seq LIMIT 1 OFFSET 777')
    .get(datasetId) as { messages: string };
  const words = (JSON.parse(sample.messages) as { content: string }[])
    .map((m) => m.content)
    .join(' ')
    .toLowerCase()
    .match(/[a-z0-9]+/g)!;
  const queries = [words[0]!, words[3]!, `${words[1]!} ${words[2]!}`, words[5]!.slice(0, 3), words.at(-2)!, 'zzqx'];
  const searchTimes: number[] = [];
  const ftsTimes: number[] = [];
  const likeTimes: number[] = [];
  const fts = db.prepare(
    'SELECT rowid FROM dataset_examples_fts WHERE dataset_examples_fts MATCH ? ORDER BY rowid LIMIT 100',
  );
  const like = db.prepare('SELECT id FROM dataset_examples WHERE dataset_id = ? AND messages LIKE ? LIMIT 100');
  const perQuery: { query: string; total: number; medianMs: number }[] = [];
  for (const query of queries) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      total = service.examples({ datasetId, filter: { search: query }, limit: 100 }).total;
      times.push(performance.now() - t0);
      const t1 = performance.now();
      fts.all(
        query
          .split(' ')
          .map((w) => `"${w}"*`)
          .join(' '),
      );
      ftsTimes.push(performance.now() - t1);
    }
    const t2 = performance.now();
    like.all(datasetId, `%${query.split(' ')[0]}%`);
    likeTimes.push(performance.now() - t2);
    searchTimes.push(...times.slice(1));
    perQuery.push({ query, total, medianMs: percentile(times.slice(1), 50) });
    log(`search "${query}": ${total} matches, median ${ms(percentile(times.slice(1), 50))}`);
  }
  const infoTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    service.get(datasetId);
    infoTimes.push(performance.now() - t0);
  }
  const listTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    service.examples({ datasetId, offset: Math.floor((i / 10) * exampleCount), limit: 100 });
    listTimes.push(performance.now() - t0);
  }

  // Near-duplicate scan over every example.
  loads.push(loadAverage() ?? NaN);
  const examples = (
    db.prepare('SELECT id, messages, split FROM dataset_examples WHERE dataset_id = ?').all(datasetId) as {
      id: string;
      messages: string;
      split: 'auto';
    }[]
  ).map((r) => ({ id: r.id, messages: JSON.parse(r.messages) as never, split: r.split }));
  const h0 = performance.now();
  const findings = await runHygiene(examples, { nearDuplicateThreshold: 0.8 });
  const hygieneMs = performance.now() - h0;
  log(
    `hygiene: ${s(hygieneMs)} in all; near-duplicates ${s(findings.timings.near_duplicate)}; ` +
      `${findings.counts.exact_duplicate} exact and ${findings.counts.near_duplicate} near-duplicate groups`,
  );
  // Appending to an existing (full) dataset: publishing the hidden rows is one UPDATE at the end.
  const appendFile = join(workDir, 'append.jsonl');
  writeFileSync(
    appendFile,
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, Math.round(exampleCount / 10))
      .join('\n'),
  );
  const appended = await importDataset(
    repo,
    { path: appendFile, datasetId, format: 'openai', onErrors: 'skip' },
    { signal: new AbortController().signal, onProgress: () => {}, jobId: 'bench-append' },
  );
  log(
    `append ${appended.imported} examples to the full dataset: ${s(appended.seconds * 1000)}, publish ${ms(appended.publishMs)}`,
  );
  db.close();

  // ---- report --------------------------------------------------------------------------------
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const searchMedian = percentile(searchTimes, 50);
  const searchP95 = percentile(searchTimes, 95);
  const stall = Math.max(...lathe.map((x) => x.stallMs));
  const rows: [string, string, string, string, string][] = [
    [
      'import (best of ' + rounds + ')',
      s(bestLathe),
      s(bestRef) + ' (JSON.parse + prepared INSERT)',
      `${importRatio.toFixed(2)}×`,
      '≥ 0.8×',
    ],
    [
      'import throughput',
      `${Math.round(exampleCount / (bestLathe / 1000)).toLocaleString('en-US')} ex/s, ${(bytes / 1e6 / (bestLathe / 1000)).toFixed(1)} MB/s`,
      `${Math.round(exampleCount / (bestRef / 1000)).toLocaleString('en-US')} ex/s`,
      '',
      '',
    ],
    ['longest event-loop stall during import', ms(stall), '', '', '< 100 ms'],
    [
      'write-ahead log during import (largest, at a checkpoint)',
      `${Math.max(...lathe.map((x) => x.walMaxMb)).toFixed(0)} MB`,
      '',
      '',
      '',
    ],
    [
      `search at ${(exampleCount / 1000).toFixed(0)}k rows (count + page of 100)`,
      `median ${ms(searchMedian)}, p95 ${ms(searchP95)}`,
      `bare FTS MATCH median ${ms(percentile(ftsTimes, 50))}; LIKE scan median ${ms(percentile(likeTimes, 50))}`,
      `${(percentile(likeTimes, 50) / searchMedian).toFixed(1)}× the speed of a LIKE scan`,
      '≤ 50 ms',
    ],
    [
      'list page (100 rows, any offset)',
      `median ${ms(percentile(listTimes, 50))}, max ${ms(Math.max(...listTimes))}`,
      '',
      '',
      '',
    ],
    ['dataset counts (datasets.get)', `median ${ms(percentile(infoTimes, 50))}`, '', '', ''],
    [
      `append ${appended.imported.toLocaleString('en-US')} to the full dataset`,
      `${s(appended.seconds * 1000)}; final publish ${ms(appended.publishMs)}`,
      '',
      '',
      '',
    ],
    [
      'near-duplicate scan (MinHash + LSH)',
      s(findings.timings.near_duplicate + findings.timings.leakage),
      `all checks ${s(hygieneMs)}`,
      '',
      '≤ 10 s',
    ],
  ];
  const title = `Datasets: ${exampleCount.toLocaleString('en-US')} examples (${(bytes / 1e6).toFixed(0)} MB JSONL)`;
  const md =
    `# ${title}\n\n` +
    `${started.toISOString()} · ${cpu}, ${cpus().length} cores · Lathe ${commit} · method: top of bench/datasets.ts\n\n` +
    '| measure | Lathe | reference (same run) | ratio | goal |\n|---|---:|---:|---:|---|\n' +
    rows.map((r) => `| ${r.join(' | ')} |`).join('\n') +
    `\n\n- Import rounds (Lathe / reference): ${lathe.map((x, i) => `${s(x.ms)} / ${s(reference[i]!.ms)}`).join(', ')}.\n` +
    `- Searches: ${perQuery.map((q) => `"${q.query}" ${q.total} matches ${ms(q.medianMs)}`).join('; ')}.\n` +
    `- Hygiene per check: ${Object.entries(findings.timings)
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(', ')}.\n` +
    `- Load average (1 min) at each round: ${loads.map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores; other work shares them).\n`;
  console.log(`\n${md}`);
  const resultsDir = quick ? cacheDir : join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    started: started.toISOString(),
    commit,
    machine: { cpu, cores: cpus().length, loadAverages: loads },
    data: { examples: exampleCount, bytes },
    import: {
      latheMs: lathe.map((x) => x.ms),
      referenceMs: reference.map((x) => x.ms),
      ratio: importRatio,
      stallMs: stall,
    },
    search: {
      medianMs: searchMedian,
      p95Ms: searchP95,
      ftsMedianMs: percentile(ftsTimes, 50),
      likeMedianMs: percentile(likeTimes, 50),
      perQuery,
    },
    list: { medianMs: percentile(listTimes, 50), maxMs: Math.max(...listTimes) },
    datasetInfoMs: percentile(infoTimes, 50),
    append: { examples: appended.imported, seconds: appended.seconds, publishMs: appended.publishMs },
    hygiene: { totalMs: hygieneMs, timings: findings.timings, counts: findings.counts },
  };
  writeFileSync(join(resultsDir, 'datasets.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'datasets.md'), md);
  log(`wrote ${join(resultsDir, 'datasets.json')} and datasets.md`);
}

await main();

if (!opts['skip-scroll']) {
  // Its own process: a browser and a server, none of this process's state.
  const args = process.argv.slice(2).filter((a) => a !== '--skip-scroll');
  const scroll = spawnSync(
    process.execPath,
    ['--import', './bench/lib/register.mjs', join(benchDir, 'datasetsScroll.ts'), ...args],
    { cwd: root, stdio: 'inherit' },
  );
  if (scroll.status !== 0) process.exitCode = scroll.status ?? 1;
}
