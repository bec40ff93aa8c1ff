import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { writeAddonNeedingLibrary } from '../helpers/addonNeedingLibrary';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { launchApp, type LatheApp } from './harness';
import { shootBothThemes, toast } from './ui';

const addonPath = resolve('native/build/Release/lathe_trainer.node');

/** Chat examples the tiny model can learn a little from: sums, answered the same way each time. */
function writeExamples(path: string, count: number) {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `What is ${i} plus ${i}?` },
        { role: 'assistant', content: `${i} plus ${i} is ${2 * i}. Happy to help with more sums.` },
      ],
    }),
  );
  writeFileSync(path, lines.join('\n') + '\n');
}

const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'finetune', name);

async function attr(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/** Switches a source field to its path input (the power-user way) unless it already shows it. */
async function usePath(page: Page, switchName: string) {
  const toggle = page.getByRole('button', { name: switchName, exact: true });
  if (await toggle.isVisible()) await toggle.click();
}

async function fillForm(page: Page, fields: { base: string; data: string; name?: string }) {
  await usePath(page, 'Use a GGUF path');
  await usePath(page, 'Use a JSONL file');
  await page.getByLabel('Base model', { exact: true }).fill(fields.base);
  await page.getByLabel('Training data', { exact: true }).fill(fields.data);
  if (fields.name !== undefined) await page.getByLabel(/^Run name/).fill(fields.name);
}

describe('fine-tuning', () => {
  let app: LatheApp;
  let dir: string;
  let model: string;
  let data: string;

  beforeAll(async () => {
    if (!existsSync(addonPath)) {
      throw new Error(`The trainer addon is not built (${addonPath}); run \`node native/scripts/build.mjs\` first.`);
    }
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-finetune-'));
    model = join(dir, 'tiny-llama.gguf');
    // A 2-layer, 64-wide random llama: a few dozen optimizer steps per second on two cores.
    writeRandomLlama(model, { seed: 7 });
    data = join(dir, 'sums.jsonl');
    writeExamples(data, 40);
    app = await launchApp({ hash: '#/finetune', colorScheme: 'light' });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('explains fine-tuning before the first run, beside the form', async () => {
    const { page } = app;
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    await expect(empty.textContent()).resolves.toContain('You need a base model and a dataset first.');
    await expect(empty.textContent()).resolves.toContain('dataset of chat examples');
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    // An empty library and no datasets: the form says where to get them, and offers paths instead.
    const noModels = page.getByTestId('no-models');
    await expect(noModels.getByRole('link', { name: 'Add one on the Models page' }).getAttribute('href')).resolves.toBe(
      '#/models',
    );
    const noDatasets = page.getByTestId('no-datasets');
    await expect(
      noDatasets.getByRole('link', { name: 'Create or import one on the Datasets page' }).getAttribute('href'),
    ).resolves.toBe('#/datasets');
    await expect(page.getByTestId('data-summary').count()).resolves.toBe(0);
    // The defaults come from the core.
    await expect(page.getByLabel(/^Rank/).inputValue()).resolves.toBe('16');
    await expect(page.getByLabel(/^Learning rate/).inputValue()).resolves.toBe('2e-4');
    await expect(page.getByRole('button', { name: /^q:/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    await shoot(app, 'empty');
  });

  test('refuses bad input with the reason, in a toast and next to the field', async () => {
    const { page } = app;
    const notJsonl = join(dir, 'notes.jsonl');
    writeFileSync(notJsonl, '{"messages": [{"role": "user", "content": "fine"}]}\nthis line is prose, not JSON\n');
    await fillForm(page, { base: model, data: notJsonl });
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const invalid = toast(page, 'INVALID_INPUT');
    await invalid.waitFor();
    await expect(invalid.locator('[data-description]').textContent()).resolves.toContain('line 2');
    const dataField = page.getByLabel('Training data', { exact: true });
    await expect(dataField.getAttribute('aria-invalid')).resolves.toBe('true');
    const form = page.getByRole('form', { name: 'New fine-tune' });
    await form.getByText(/bad record\(s\) in .*notes\.jsonl: line 2/).waitFor();
    await shoot(app, 'error');

    // Editing the field clears its error; a base model that is not GGUF is refused too.
    const notModel = join(dir, 'readme.gguf');
    writeFileSync(notModel, 'This is a text file, not a model.\n');
    await fillForm(page, { base: notModel, data });
    await expect(dataField.getAttribute('aria-invalid')).resolves.toBeNull();
    await page.getByRole('button', { name: 'Start fine-tune' }).click();
    await toast(page, 'INVALID_INPUT')
      .filter({ has: page.locator('[data-description]', { hasText: 'readme.gguf is not a GGUF model file' }) })
      .waitFor();
    await expect(page.getByLabel('Base model', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await shoot(app, 'error-model');
    expect(app.errors).toEqual([]);
  });

  test('trains with a live loss chart, cancels, resumes and lists the adapter', async () => {
    const { page } = app;
    await fillForm(page, { base: model, data, name: 'Sums e2e' });
    // Small steps and many epochs: ~475 steps, long enough to watch and cancel before the end even on
    // an idle machine (10 epochs, 190 steps, once finished before Cancel since rows made steps faster).
    await page.getByLabel(/^Epochs/).fill('25');
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByLabel(/^Batch tokens/).fill('256');

    // Before starting, the form says what the run would need and where (here: the CPU build).
    const estimate = page.getByTestId('memory-estimate');
    await expect(estimate.textContent()).resolves.toBeTruthy();
    await page.waitForFunction(() => !!document.querySelector('[data-testid="memory-estimate"][data-fits]'));
    const onGpu = !!process.env.LATHE_TRAINER_ADDON && !/[/\\]build[/\\]/.test(process.env.LATHE_TRAINER_ADDON);
    await expect(estimate.textContent()).resolves.toMatch(
      onGpu
        ? /^Needs up to about [\d.]+ [KMG]?B on (CUDA|Vulkan)\d+ \(.+\).* for 2048-token windows; [\d.]+ [KMG]?B free\.$/
        : /^Needs up to about [\d.]+ [KMG]?B on the CPU for 2048-token windows; [\d.]+ [KMG]?B free\.$/,
    );
    await expect(estimate.getAttribute('data-fits')).resolves.toBe('true');
    // a max length makes the window known, and a smaller estimate
    const upTo = await estimate.textContent();
    await page.getByLabel(/^Max length/).fill('256');
    await page.waitForFunction((before) => {
      const text = document.querySelector('[data-testid="memory-estimate"]')?.textContent ?? '';
      return text !== before && /256-token windows/.test(text);
    }, upTo);
    await expect(estimate.textContent()).resolves.toMatch(/^Needs about [\d.]+ [KMG]?B on /);
    await estimate.scrollIntoViewIfNeeded();
    await shoot(app, 'estimate');
    // a max length far above the sums' lengths: the window is 512 tokens, in rows of 256 on the CPU
    await page.getByLabel(/^Max length/).fill('512');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const panel = page.getByTestId('run-panel');
    await panel.getByRole('heading', { name: 'Sums e2e' }).waitFor();
    await panel.locator('[data-testid="run-state"][data-state="running"]').waitFor();
    // The form knows only one run may train at a time.
    await expect(page.getByRole('button', { name: 'Start fine-tune' }).isDisabled()).resolves.toBe(true);

    // The chart moves: points appear and the step count climbs.
    const chart = panel.getByTestId('loss-chart');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-train-points')) >= 8,
    );
    const step = panel.getByTestId('run-step');
    const firstStep = await attr(step, 'data-step');
    await page.waitForFunction(
      (after) => Number(document.querySelector('[data-testid="run-step"]')?.getAttribute('data-step')) > after,
      firstStep,
    );
    await expect(step.textContent()).resolves.toMatch(/^Step \d+ of \d+$/);
    await expect(attr(chart, 'data-eval-points')).resolves.toBeGreaterThan(0);
    await shoot(app, 'running');

    // Cancel keeps a checkpoint; the run says so and offers Resume.
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await panel.locator('[data-testid="run-state"][data-state="cancelled"]').waitFor();
    await expect(panel.getByTestId('run-state').textContent()).resolves.toBe('Cancelled');
    const resume = panel.getByRole('button', { name: 'Resume' });
    await resume.waitFor();
    const stoppedAt = await attr(step, 'data-step');
    const totalSteps = Number((await step.textContent())?.match(/of (\d+)/)?.[1]);
    expect(stoppedAt).toBeLessThan(totalSteps);
    await page.getByRole('list', { name: 'Runs' }).getByText('Cancelled').waitFor();
    await shoot(app, 'cancelled');

    // Resume continues from the checkpoint to the end, and the adapter appears under its model.
    await resume.click();
    await panel.locator('[data-testid="run-state"][data-state="running"]').waitFor();
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor({ timeout: 90_000 });
    await expect(step.textContent()).resolves.toBe(`Step ${totalSteps} of ${totalSteps}`);
    await expect(attr(chart, 'data-last-step')).resolves.toBe(totalSteps);
    await expect(attr(chart, 'data-train-points')).resolves.toBe(totalSteps);
    await expect(panel.getByTestId('stat-train-loss').textContent()).resolves.toMatch(/^\d+\.\d{3}$/);

    // Where it trained and what memory it took: estimated before the first step, allocated after.
    // (A GPU build of the trainer, e.g. LATHE_TRAINER_ADDON=…/build-vulkan with lavapipe, trains on the GPU.)
    const device = panel.getByTestId('run-device');
    await expect(device.getByTestId('run-device-name').textContent()).resolves.toMatch(
      onGpu ? /^(CUDA|Vulkan)\d+ · / : /^CPU · /,
    );
    await expect(device.getByTestId('run-device-window').textContent()).resolves.toMatch(
      onGpu ? /^\d+-token windows/ : /^512-token windows of 2 × 256-token rows$/,
    );
    await expect(device.getByTestId('run-device-memory').textContent()).resolves.toMatch(
      onGpu
        ? /^GPU memory: estimated [\d.]+ [KMG]?B · allocated [\d.]+ [KMG]?B after the first step · [\d.]+ [KMG]?B free/
        : /^Memory: estimated [\d.]+ [KMG]?B · allocated [\d.]+ [KMG]?B after the first step$/,
    );
    await expect(device.getByRole('img', { name: /^Estimated memory / }).count()).resolves.toBe(1);
    if (onGpu) await expect(device.getByTestId('run-device-fallbacks').textContent()).resolves.toMatch(/^Every node/);
    else await expect(device.getByTestId('run-device-fallbacks').count()).resolves.toBe(0); // a CPU run has none
    // Backward ops built from simpler ones: on a GPU without kernels for them (Metal), or forced with
    // LATHE_DECOMPOSE=all on another GPU build; never on the CPU or when the GPU has them all.
    const decomposed = device.getByTestId('run-device-decomposed');
    if (onGpu && process.env.LATHE_DECOMPOSE === 'all')
      await expect(decomposed.textContent()).resolves.toMatch(
        /^(CUDA|Vulkan)\d+ has no kernel for OUT_PROD, RMS_NORM_BACK, SOFT_MAX_BACK, CROSS_ENTROPY_LOSS_BACK, REPEAT_BACK: the training graph builds them from operations it has, so they stay on the GPU\.$/,
      );
    else await expect(decomposed.count()).resolves.toBe(0);

    const adapters = page.getByTestId('adapters');
    const group = adapters.getByRole('region', { name: 'Adapters of tiny-llama.gguf' });
    await group.getByTestId('adapter').filter({ hasText: 'Sums e2e' }).waitFor();
    await expect(group.textContent()).resolves.toContain('adapter.gguf');
    await page.getByRole('button', { name: 'Start fine-tune' }).and(page.locator(':enabled')).waitFor();
    await adapters.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await shoot(app, 'done-adapters');
    await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot(app, 'done');

    // Hovering the chart shows the step under the pointer.
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    const tooltip = panel.getByTestId('loss-chart-tooltip');
    await tooltip.waitFor();
    await expect(tooltip.textContent()).resolves.toMatch(/Step \d+.*Train loss\d+\.\d{3}/);
    await shoot(app, 'chart');

    // And so do the arrow keys, for people who do not use a pointer.
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'detached' });
    await chart.focus();
    await page.keyboard.press('End');
    await expect(tooltip.textContent()).resolves.toContain(`Step ${totalSteps}`);
    await page.keyboard.press('ArrowLeft');
    await expect(tooltip.textContent()).resolves.toContain(`Step ${totalSteps - 1}`);

    // The base model was a file outside the library: to chat with the fine-tune, add it from here.
    const result = panel.getByTestId('run-result');
    await expect(result.getAttribute('data-place')).resolves.toBe('not-in-library');
    await expect(result.textContent()).resolves.toContain('add its base model tiny-llama.gguf to the library');
    await expect(result.getByRole('button', { name: 'Chat with it' }).count()).resolves.toBe(0);
    await expect(adapters.getByRole('button', { name: 'Chat with Sums e2e' }).count()).resolves.toBe(0);
    await result.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shoot(app, 'result-outside-library');
    await result.getByRole('button', { name: 'Add to library' }).click();
    await result.getByRole('button', { name: 'Chat with it' }).waitFor();
    await expect(result.getAttribute('data-place')).resolves.toBe('ready');
    // The adapter's row offers the same, now that its base is in the library.
    await adapters.getByRole('link', { name: 'Compare Sums e2e with its base' }).waitFor();
    await adapters.getByRole('button', { name: 'Chat with Sums e2e' }).click();
    await page.waitForURL(/#\/chat\/.+/);
    await expect(page.getByLabel('Variant', { exact: true }).textContent()).resolves.toContain('Sums e2e');
    await page.goto(app.server.url + '#/finetune');
    expect(app.errors).toEqual([]);
  });

  test('a run that fails says why, with what to do next', async () => {
    const { page } = app;
    // Every example is longer than 16 tokens, and too-long examples are skipped: nothing is left to
    // learn from, which the training process finds once it has tokenized the data.
    await fillForm(page, { base: model, data, name: 'Too short' });
    await page.getByLabel(/^Max length/).fill('16');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const panel = page.getByTestId('run-panel');
    await panel.getByRole('heading', { name: 'Too short' }).waitFor();
    await panel.locator('[data-testid="run-state"][data-state="failed"]').waitFor({ timeout: 60_000 });
    const alert = panel.getByRole('alert');
    await expect(alert.getByTestId('run-error-code').textContent()).resolves.toBe('INVALID_INPUT');
    await expect(alert.textContent()).resolves.toContain('No example is left to train on');
    await expect(alert.textContent()).resolves.toContain('start a new run');
    await expect(panel.getByRole('button', { name: 'Resume' }).count()).resolves.toBe(0);
    // Both runs are in the history, newest first.
    const runs = page.getByRole('list', { name: 'Runs' }).getByRole('button');
    await expect(runs.allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Too short.*Failed/),
      expect.stringMatching(/^Sums e2e.*Done/),
    ]);
    await shoot(app, 'failed');

    // Choosing the earlier run shows its chart again.
    await runs.filter({ hasText: 'Sums e2e' }).click();
    await panel.getByRole('heading', { name: 'Sums e2e' }).waitFor();
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor();
    await expect(attr(panel.getByTestId('loss-chart'), 'data-train-points')).resolves.toBeGreaterThan(100);
    expect(app.errors).toEqual([]);
  });
});

describe('fine-tuning with a trainer build that cannot load here', () => {
  let app: LatheApp;
  let dir: string;
  let model: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-finetune-broken-'));
    model = join(dir, 'tiny-llama.gguf');
    writeRandomLlama(model, { seed: 7 });
    // Like a CUDA build on a machine without cuBLAS: an addon that needs a library this machine lacks.
    const addon = writeAddonNeedingLibrary(dir, 'liblathe_e2e_runtime.so.13', 'lathe_trainer.node');
    app = await launchApp({ hash: '#/finetune', colorScheme: 'light', env: { LATHE_TRAINER_ADDON: addon } });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the form says why before Start: the missing library, and what to do', async () => {
    const { page } = app;
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    await fillForm(page, { base: model, data: join(dir, 'none.jsonl') });
    const line = page.locator('[data-testid="memory-estimate"][data-error="UNSUPPORTED"]');
    await line.waitFor();
    await expect(line.textContent()).resolves.toMatch(
      /^Fine-tuning is unavailable: the trainer addon \(.*lathe_trainer\.node\) needs liblathe_e2e_runtime\.so\.13, which this machine does not have: install the runtime of the GPU it was built for .*, or rebuild it for this machine with npm run build:native/,
    );
    // Start would only make a failed run: it waits, pointing at the reason
    const startButton = page.getByRole('button', { name: 'Start fine-tune' });
    await page.waitForFunction(
      () => (document.querySelector('button[type="submit"]') as HTMLButtonElement | null)?.disabled === true,
    );
    const describedBy = await startButton.getAttribute('aria-describedby');
    await expect(line.getAttribute('id')).resolves.toBe(describedBy);
    await line.scrollIntoViewIfNeeded();
    await shoot(app, 'addon-unavailable');
    expect(app.errors).toEqual([]);
  });
});
