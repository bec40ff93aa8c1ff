import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { api, importModel, launchApp, waitForConnected, waitForJob, type LatheApp } from './harness';
import { shootBothThemes } from './ui';

const addonPath = resolve('native/build/Release/lathe_trainer.node');
const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'finetune-dataset', name);

/** Sums the tiny model can learn a little from, and `long` of them with a much longer answer. */
const shortCount = 35;
const longCount = 5;
function writeSums(path: string) {
  const lines = Array.from({ length: shortCount + longCount }, (_, i) => {
    const answer = `${i} plus ${i} is ${2 * i}.`;
    return JSON.stringify({
      messages: [
        { role: 'user', content: `What is ${i} plus ${i}?` },
        { role: 'assistant', content: i < shortCount ? answer : Array.from({ length: 12 }, () => answer).join(' ') },
      ],
    });
  });
  writeFileSync(path, lines.join('\n') + '\n');
}

describe('fine-tuning a library model on a dataset', () => {
  let app: LatheApp;
  let dir: string;
  let modelId: string;
  let datasetId: string;
  let maxLength: number;
  let newerId: string;

  beforeAll(async () => {
    if (!existsSync(addonPath)) {
      throw new Error(`The trainer addon is not built (${addonPath}); run \`node native/scripts/build.mjs\` first.`);
    }
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-finetune-dataset-'));
    const model = join(dir, 'tiny-llama.gguf');
    writeRandomLlama(model, { seed: 7 });
    const gone = join(dir, 'gone.gguf');
    writeRandomLlama(gone, { seed: 8 });
    writeSums(join(dir, 'sums.jsonl'));
    app = await launchApp({ hash: '#/datasets', colorScheme: 'light' });
    modelId = await importModel(app, model, 'Tiny library model');
    // A model whose file was deleted after import: listed, but it cannot train.
    await importModel(app, gone, 'Gone model');
    rmSync(gone);
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('imports a dataset, then "Fine-tune" on its page opens the form with it and the library model chosen', async () => {
    const { page } = app;
    await page.getByRole('heading', { name: 'No datasets yet' }).waitFor();
    await page
      .getByRole('button', { name: /^Import/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: 'Import a dataset' });
    await dialog.getByLabel('File', { exact: true }).fill(join(dir, 'sums.jsonl'));
    await dialog.getByRole('button', { name: 'Check file' }).click();
    await dialog.getByTestId('import-confirm').waitFor();
    await dialog.getByLabel('New dataset name').fill('Sums');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.locator('[data-testid="import-outcome"][data-state="succeeded"]').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sums' }).waitFor();
    datasetId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);

    // Token counts with the model, and a token budget between the short and the long answers.
    const job = await api<{ id: string }>(app, 'datasets.tokenize', { datasetId, modelId });
    await waitForJob(app, job.id);
    const stats = await api<{ min: number; max: number; counted: number }>(app, 'datasets.stats', {
      datasetId,
      modelId,
    });
    expect(stats.counted).toBe(shortCount + longCount);
    maxLength = Math.round((stats.min + stats.max) / 2);
    await api(app, 'datasets.update', { id: datasetId, defaultMaxLength: maxLength });
    // An empty dataset, listed but disabled; and one changed later than Sums: the form's default,
    // unless the address says otherwise.
    const empty = await api<{ id: string }>(app, 'datasets.create', { name: 'Empty' });
    const newer = await api<{ id: string }>(app, 'datasets.create', { name: 'Newer notes' });
    newerId = newer.id;
    await api(app, 'datasets.examples.create', {
      datasetId: newer.id,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    });

    await page.getByRole('heading', { level: 1, name: 'Sums' }).waitFor();
    await shoot(app, 'datasets-header');
    await page.getByRole('link', { name: 'Fine-tune on this dataset' }).click();
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/finetune/dataset/${datasetId}`);

    const modelSelect = page.getByTestId('model-select');
    const datasetSelect = page.getByTestId('dataset-select');
    await expect(modelSelect.textContent()).resolves.toMatch(/^Tiny library modelllama( · .+)? · [\d.]+ [KM]B$/);
    await expect(datasetSelect.textContent()).resolves.toBe(
      `Sums${shortCount + longCount} examples (auto split) · max ${maxLength.toLocaleString()} tokens`,
    );
    // The label names the control, whichever way the value is given.
    await expect(page.getByLabel('Base model', { exact: true }).getAttribute('data-testid')).resolves.toBe(
      'model-select',
    );

    // What it will train on: 40 examples, 5% drawn for eval (no eval split); the long ones skipped.
    const summary = page.getByTestId('data-summary');
    await expect(summary.getAttribute('data-train')).resolves.toBe('38');
    await expect(summary.getAttribute('data-eval')).resolves.toBe('2');
    await page.locator(`[data-testid="data-summary"][data-over-max="${longCount}"]`).waitFor();
    await expect(summary.textContent()).resolves.toContain(
      `Max length ${maxLength.toLocaleString()} (the dataset's): ${longCount} examples longer, skipped`,
    );
    await expect(page.getByLabel(/^Max length/).getAttribute('placeholder')).resolves.toBe(`${maxLength} (dataset)`);
    // Truncating instead says so.
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByRole('radio', { name: 'Truncate' }).click();
    await expect(summary.textContent()).resolves.toContain(`${longCount} examples longer, truncated`);
    await page.getByRole('radio', { name: 'Skip' }).click();
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByRole('heading', { name: 'New fine-tune' }).evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await shoot(app, 'form');

    // The missing model is listed, disabled, with the reason.
    await modelSelect.click();
    const gone = page.getByRole('option', { name: /Gone model/ });
    await expect(gone.getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(gone.textContent()).resolves.toContain('File missing');
    await shoot(app, 'models-open');
    await page.keyboard.press('Escape');

    // Every dataset is offered, the most recently changed first.
    await datasetSelect.click();
    await expect(page.getByRole('option').allTextContents()).resolves.toEqual([
      'Newer notes1 example (auto split)',
      'EmptyNo examples yet',
      expect.stringMatching(/^Sums40 examples \(auto split\) · max \d+ tokens$/),
    ]);
    await expect(page.getByRole('option', { name: /^Empty/ }).getAttribute('aria-disabled')).resolves.toBe('true');
    await shoot(app, 'datasets-open');
    await page.keyboard.press('Escape');

    // Without an address, the form starts with the most recently changed dataset.
    await page.goto(app.server.url + '#/finetune');
    await waitForConnected(page);
    await expect(page.getByTestId('dataset-select').textContent()).resolves.toMatch(/^Newer notes/);

    // An address naming the empty dataset shows it, and Start says why it cannot train on it.
    await page.goto(app.server.url + `#/finetune/dataset/${empty.id}`);
    await waitForConnected(page);
    await expect(page.getByTestId('dataset-select').textContent()).resolves.toBe('EmptyNo examples yet');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();
    await expect(page.getByTestId('dataset-select').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByText('"Empty" has no examples yet: add some, or choose another dataset.').waitFor();
    await expect(page.getByTestId('data-summary').count()).resolves.toBe(0);
    expect(app.errors).toEqual([]);
  });

  test("plans the memory estimate from the dataset's token counts, and counts them on request", async () => {
    const { page } = app;
    // Sums is counted for the model: the estimate plans the window as the run will
    await page.goto(app.server.url + `#/finetune/dataset/${datasetId}`);
    await waitForConnected(page);
    const estimate = page.getByTestId('memory-estimate');
    await page.locator('[data-testid="memory-estimate"][data-basis="data"]').waitFor();
    const windowSize = Math.max(256, Math.ceil(maxLength / 256) * 256);
    await expect(estimate.textContent()).resolves.toMatch(
      new RegExp(
        `^Needs about [\\d.]+ [KMG]?B on the CPU for ${windowSize}-token windows( in \\d rows of 256)?; [\\d.]+ [KMG]?B free\\. ` +
          `Planned from the token counts of its ${shortCount + longCount} examples\\.$`,
      ),
    );
    await expect(page.getByTestId('memory-estimate-count').count()).resolves.toBe(0);

    // "Newer notes" has no counts and no max length: the most it could need, and a button to count
    await page.goto(app.server.url + `#/finetune/dataset/${newerId}`);
    await waitForConnected(page);
    await page.locator('[data-testid="memory-estimate"][data-basis="upper-bound"]').waitFor();
    await expect(estimate.textContent()).resolves.toMatch(
      /^Needs up to about [\d.]+ [KMG]?B on the CPU for 2048-token windows; [\d.]+ [KMG]?B free\. Count the dataset's tokens to plan from its examples' lengths\.$/,
    );
    await estimate.scrollIntoViewIfNeeded();
    await shoot(app, 'estimate-uncounted');
    await page.getByTestId('memory-estimate-count').click();
    // counted: its one short chat needs the smallest window
    await page.locator('[data-testid="memory-estimate"][data-basis="data"]').waitFor();
    await expect(estimate.textContent()).resolves.toMatch(
      /^Needs about [\d.]+ [KMG]?B on the CPU for 256-token windows; [\d.]+ [KMG]?B free\. Planned from the token counts of its 1 example\.$/,
    );
    const stats = await api<{ counted: number; uncounted: number }>(app, 'datasets.stats', {
      datasetId: newerId,
      modelId,
    });
    expect(stats).toMatchObject({ counted: 1, uncounted: 0 });
    await shoot(app, 'estimate-counted');
    expect(app.errors).toEqual([]);
  });

  test('trains with a live loss chart and lists the adapter under the library model', async () => {
    const { page } = app;
    await page.goto(app.server.url + `#/finetune/dataset/${datasetId}`);
    await waitForConnected(page);
    await expect(page.getByTestId('dataset-select').textContent()).resolves.toMatch(/^Sums/);
    await page.getByLabel(/^Run name/).fill('Sums from a dataset');
    await page.getByLabel(/^Epochs/).fill('4');
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByLabel(/^Batch tokens/).fill('256');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const panel = page.getByTestId('run-panel');
    await panel.getByRole('heading', { name: 'Sums from a dataset' }).waitFor();
    await expect(panel.getByTestId('run-base-model').textContent()).resolves.toBe('Tiny library model');
    await expect(panel.getByTestId('run-data').textContent()).resolves.toContain('Sums');
    await expect(page.getByRole('list', { name: 'Runs' }).getByRole('button').textContent()).resolves.toMatch(
      /^Sums from a dataset.*Tiny library model·Sums·/,
    );

    // The chart moves while it trains.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-train-points')) >= 3,
    );
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor({ timeout: 90_000 });
    const step = await panel.getByTestId('run-step').textContent();
    const total = Number(step?.match(/of (\d+)$/)?.[1]);
    expect(total).toBeGreaterThan(3);
    await expect(panel.getByTestId('loss-chart').getAttribute('data-train-points')).resolves.toBe(String(total));

    // The run trained the library model's file on a snapshot of the dataset, at its token budget.
    const [run] = await api<
      { baseModelPath: string; dataSource: unknown; hyperparams: { maxLength: number }; summary: unknown }[]
    >(app, 'training.list', {});
    expect(run).toMatchObject({
      baseModelPath: join(dir, 'tiny-llama.gguf'),
      dataSource: { kind: 'dataset', datasetId },
      hyperparams: { maxLength },
      summary: { skippedTooLong: longCount, trainExamples: 33, evalExamples: 2 },
    });

    const group = page.getByTestId('adapters').getByRole('region', { name: 'Adapters of Tiny library model' });
    await group.getByTestId('adapter').filter({ hasText: 'Sums from a dataset' }).waitFor();
    await page.getByTestId('adapters').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await shoot(app, 'done');

    // Reuse settings: the same library model, dataset and settings.
    await page.getByTestId('run-panel').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await panel.getByRole('button', { name: 'Reuse settings' }).click();
    await expect(page.getByTestId('model-select').textContent()).resolves.toMatch(/^Tiny library model/);
    await expect(page.getByTestId('dataset-select').textContent()).resolves.toMatch(/^Sums/);
    await expect(page.getByLabel(/^Epochs/).inputValue()).resolves.toBe('4');

    // And on the Models page, as a variant of the model.
    await page.goto(app.server.url + '#/models');
    const card = page.getByTestId('model-card').filter({ hasText: 'Tiny library model' });
    await card.getByTestId('variant').filter({ hasText: 'Sums from a dataset' }).waitFor();
    expect(app.errors).toEqual([]);
  });
});
