/**
 * The Datasets page's example list scrolled top to bottom at 100k rows in headless Chromium, with
 * the long tasks (> 50 ms main-thread tasks) it causes; run by `npm run bench:datasets` after
 * bench/datasets.ts, or alone (needs `npm run build`):
 *
 *   node --import ./bench/lib/register.mjs bench/datasetsScroll.ts [--examples N] [--quick]
 *
 * Method: the built browser-mode server on a fresh data folder and Chromium, started the way the
 * e2e tests do (tests/e2e/harness.ts `launchApp`); the generated JSONL (bench/lib/generateExamples.ts,
 * shared with bench/datasets.ts) imported through the contract (`datasets.import`, waiting on
 * `jobs.get`); the dataset opened at `#/datasets/<id>`. A `PerformanceObserver` for 'longtask'
 * entries is installed in the page, then the list's `scrollTop` goes from 0 to the bottom in steps of
 * `stepPx` (larger than the visible list, so every step shows rows never seen before and fetches
 * pages: the worst case), one animation frame between steps. The longest gap between frames is
 * recorded too. At the end the bench waits for the last row's text (row N, not a skeleton).
 *
 * Reference, same run and browser: the same steps over an empty scrolling region of the same size
 * and height in a blank page (the browser's own baseline), once before and once after Lathe's.
 * Results go into bench/results/datasets.{json,md} (key `scroll`, section "List scrolling").
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchApp } from '../tests/e2e/harness.js';
import { generate } from './lib/generateExamples.js';
import { loadAverage } from './lib/proc.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const cacheDir = join(root, 'node_modules', '.cache', 'lathe-bench');

const { values: opts } = parseArgs({
  options: {
    examples: { type: 'string' },
    rounds: { type: 'string' }, // accepted (bench/datasets.ts passes its arguments on), unused
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}
const quick = opts.quick ?? false;
const exampleCount = Number(opts.examples ?? (quick ? 10_000 : 100_000));
/** Pixels per scroll step: 50 rows of 60 px, several screens, so each step renders only new rows. */
const stepPx = 3000;
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** What one top-to-bottom scroll measured in the page. */
interface ScrollResult {
  steps: number;
  scrollMs: number;
  /** Durations of the long tasks (> 50 ms) seen during the scroll, ms. */
  longTasks: number[];
  /** The longest gap between two animation frames, ms. */
  maxFrameGapMs: number;
  /** Frames whose gap to the previous one exceeded 50 ms. */
  slowFrames: number;
  frames: number;
}

/**
 * Scrolls `selector` from the top to the bottom in steps of `step` px, one animation frame apart,
 * while a PerformanceObserver collects long tasks; runs in the page.
 */
async function scrollAndObserve(page: Page, selector: string, step: number): Promise<ScrollResult> {
  return page.evaluate(
    async ({ selector, step }) => {
      const scroller = document.querySelector<HTMLElement>(selector);
      if (!scroller) throw new Error(`no element matches ${selector}`);
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push(entry.duration);
      });
      observer.observe({ type: 'longtask' });
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
      scroller.scrollTop = 0;
      let last = await frame();
      let maxFrameGapMs = 0;
      let slowFrames = 0;
      let frames = 0;
      let steps = 0;
      const t0 = performance.now();
      const bottom = () => scroller.scrollHeight - scroller.clientHeight;
      while (scroller.scrollTop < bottom() - 1) {
        scroller.scrollTop = Math.min(scroller.scrollTop + step, bottom());
        steps += 1;
        const now = await frame();
        const gap = now - last;
        last = now;
        frames += 1;
        if (gap > maxFrameGapMs) maxFrameGapMs = gap;
        if (gap > 50) slowFrames += 1;
      }
      const scrollMs = performance.now() - t0;
      // Long-task entries are delivered asynchronously: give the last ones a moment.
      await new Promise((r) => setTimeout(r, 200));
      for (const entry of observer.takeRecords()) longTasks.push(entry.duration);
      observer.disconnect();
      return { steps, scrollMs, longTasks, maxFrameGapMs, slowFrames, frames };
    },
    { selector, step },
  );
}

/** The same scroll over an empty region of the list's size and height, in a blank page of the same browser. */
async function referenceScroll(
  page: Page,
  box: { width: number; height: number },
  scrollHeight: number,
): Promise<ScrollResult> {
  const blank = await page.context().newPage();
  try {
    await blank.setContent(
      `<div id="region" style="width:${box.width}px;height:${box.height}px;overflow-y:auto">` +
        `<div style="height:${scrollHeight}px"></div></div>`,
    );
    return await scrollAndObserve(blank, '#region', stepPx);
  } finally {
    await blank.close();
  }
}

async function api<T>(origin: string, token: string, method: string, input: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const envelope = (await res.json()) as
    { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.data;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const summary = (r: ScrollResult) =>
  `${r.longTasks.length} long tasks (longest ${ms(Math.max(0, ...r.longTasks))}), ${(r.scrollMs / 1000).toFixed(2)} s ` +
  `for ${r.steps} steps, longest frame gap ${ms(r.maxFrameGapMs)}, ${r.slowFrames} frames > 50 ms`;

async function main(): Promise<void> {
  const started = new Date();
  const file = join(cacheDir, 'datasets', `examples-${exampleCount}.jsonl`);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    log(`generating ${exampleCount} examples → ${file}`);
    generate(file, exampleCount);
  }
  const loads: number[] = [loadAverage() ?? NaN];
  const app = await launchApp({ hash: '#/datasets' });
  try {
    const { origin } = app.server;
    const token = new URL(app.server.url).searchParams.get('token')!;
    log(`server ${origin}, importing ${file}`);
    const t0 = performance.now();
    let job = await api<{ id: string; state: string; error?: unknown; result?: unknown }>(
      origin,
      token,
      'datasets.import',
      { path: file, name: 'Scroll bench', format: 'openai', onErrors: 'skip' },
    );
    while (job.state === 'queued' || job.state === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      job = await api(origin, token, 'jobs.get', { id: job.id });
    }
    if (job.state !== 'succeeded') throw new Error(`import ${job.state}: ${JSON.stringify(job.error)}`);
    log(`imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const [dataset] = await api<{ id: string; name: string }[]>(origin, token, 'datasets.list', {});
    const { page } = app;
    await page.goto(`${app.server.url}#/datasets/${dataset!.id}`);
    const list = page.locator('[data-testid="example-list"]');
    await list.and(page.locator('[data-total]')).waitFor();
    const total = Number(await list.getAttribute('data-total'));
    await page.locator('[data-testid="example-row"]').first().waitFor();
    const box = (await list.boundingBox())!;
    const scrollHeight = await list.evaluate((el) => el.scrollHeight);
    log(`list: ${total} rows, ${scrollHeight} px tall, ${box.width}×${box.height} px visible`);
    // Let the first page's rendering and any idle work settle before measuring.
    await page.waitForTimeout(1000);

    loads.push(loadAverage() ?? NaN);
    const before = await referenceScroll(page, box, scrollHeight);
    log(`reference (before): ${summary(before)}`);
    loads.push(loadAverage() ?? NaN);
    const lathe = await scrollAndObserve(page, '[data-testid="example-list"]', stepPx);
    log(`Lathe: ${summary(lathe)}`);
    // The last row, with its text (not a skeleton): how long after the scroll ended it appeared.
    const s0 = performance.now();
    const lastRow = page.locator(`[data-testid="example-row"][aria-rowindex="${total}"]`);
    await lastRow.waitFor({ timeout: 30_000 });
    const lastRowWaitMs = performance.now() - s0;
    const lastRowText = (await lastRow.locator('[data-testid="example-prompt"]').innerText()).trim();
    const rowsInDom = await page.locator('[data-testid="example-row"]').count();
    const skeletons = await page.locator('[data-testid="example-row-loading"]').count();
    log(
      `last row ${total} shown ${ms(lastRowWaitMs)} after the scroll: "${lastRowText.slice(0, 60)}"; ${rowsInDom} rows in the DOM`,
    );
    loads.push(loadAverage() ?? NaN);
    const after = await referenceScroll(page, box, scrollHeight);
    log(`reference (after): ${summary(after)}`);
    await app.screenshot('bench-datasets-scroll-bottom');
    if (app.errors.length > 0) log(`page errors: ${app.errors.join(' | ')}`);

    // ---- report ------------------------------------------------------------------------------
    const refLong = [...before.longTasks, ...after.longTasks];
    const refScrollMs = (before.scrollMs + after.scrollMs) / 2;
    const longest = Math.max(0, ...lathe.longTasks);
    const longTotal = lathe.longTasks.reduce((a, b) => a + b, 0);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const md =
      `## List scrolling (${total.toLocaleString('en-US')} rows, Chromium)\n\n` +
      `${started.toISOString()} · ${cpu}, ${cpus().length} cores · method: top of bench/datasetsScroll.ts\n\n` +
      '| measure | Lathe | reference: empty region, same size (before / after) | goal |\n|---|---:|---:|---|\n' +
      `| long tasks > 50 ms during the scroll | ${lathe.longTasks.length} (${ms(longTotal)} in all) | ${before.longTasks.length} / ${after.longTasks.length} | 0 |\n` +
      `| longest long task | ${lathe.longTasks.length ? ms(longest) : '–'} | ${refLong.length ? ms(Math.max(...refLong)) : '–'} | |\n` +
      `| scroll top → bottom (${lathe.steps} steps of ${stepPx} px, one frame each) | ${(lathe.scrollMs / 1000).toFixed(2)} s | ${(before.scrollMs / 1000).toFixed(2)} / ${(after.scrollMs / 1000).toFixed(2)} s → ${(lathe.scrollMs / refScrollMs).toFixed(2)}× | |\n` +
      `| longest frame gap; frames > 50 ms | ${ms(lathe.maxFrameGapMs)}; ${lathe.slowFrames} of ${lathe.frames} | ${ms(before.maxFrameGapMs)} / ${ms(after.maxFrameGapMs)}; ${before.slowFrames} / ${after.slowFrames} | |\n` +
      `| last row (${total}) with its text, after the scroll ended | ${ms(lastRowWaitMs)}; ${rowsInDom} rows + ${skeletons} skeletons in the DOM | | |\n\n` +
      `- Long tasks (ms): ${lathe.longTasks.map((d) => d.toFixed(0)).join(', ') || 'none'}.\n` +
      `- Load average (1 min): ${loads.map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores; other work shares them).\n`;
    console.log(`\n${md}`);
    const resultsDir = quick ? cacheDir : join(root, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonPath = join(resultsDir, 'datasets.json');
    const mdPath = join(resultsDir, 'datasets.md');
    const json = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>) : {};
    json.scroll = {
      started: started.toISOString(),
      rows: total,
      stepPx,
      lathe,
      reference: { before, after },
      lastRow: { waitMs: lastRowWaitMs, text: lastRowText, rowsInDom, skeletons },
      loadAverages: loads,
    };
    writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
    // Replace this section if an earlier run left one; bench/datasets.ts rewrites the file anyway.
    const previous = existsSync(mdPath)
      ? readFileSync(mdPath, 'utf8')
          .replace(/\n## List scrolling[\s\S]*$/, '')
          .trimEnd()
      : '';
    writeFileSync(mdPath, `${previous}${previous ? '\n\n' : ''}${md}`);
    log(`wrote the scroll results into ${jsonPath} and datasets.md`);
  } finally {
    await app.close();
  }
}

await main();
