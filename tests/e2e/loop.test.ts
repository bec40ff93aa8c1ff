import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { api, importModel, launchApp, waitForConnected, type LatheApp } from './harness';
import { greedySides, shootBothThemes, toast } from './ui';

const addonPath = resolve('native/build/Release/lathe_trainer.node');
const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'loop', name);

/** What the dataset teaches, and how it is asked. */
const learned = 'Lathe turns wood.';
const question = 'What does a lathe do? (99)';

/** The Fine-tune page, opened afresh, and its finished run's result. */
async function openRunResult(app: LatheApp) {
  await app.page.goto(app.server.url + '#/finetune');
  await waitForConnected(app.page);
  return app.page.getByTestId('run-panel').getByTestId('run-result');
}

/** Asks the question in the open chat, greedy and short; the finished answer. */
async function askGreedy(page: Page) {
  await page.getByRole('button', { name: 'Sampling settings' }).click();
  for (const [label, value] of [
    ['Temperature', '0'],
    ['Max tokens', '24'],
  ] as const) {
    const field = page.getByLabel(label, { exact: true });
    await field.fill(value);
    await field.press('Enter');
  }
  await page.keyboard.press('Escape');
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(question);
  await composer.press('Enter');
  const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
  await answer.waitFor({ timeout: 60_000 });
  return answer;
}

/**
 * The product's loop in the UI, on a random model with Llama 3's real tokenizer and template: a
 * dataset teaches one answer, the fine-tune learns it, and from the finished run one click opens a
 * chat with the fine-tune (which gives the answer back) or a blind comparison with its base.
 */
describe('chat → curate → fine-tune → chat again', () => {
  let app: LatheApp;
  let dir: string;
  let datasetId: string;

  beforeAll(async () => {
    if (!existsSync(addonPath)) {
      throw new Error(`The trainer addon is not built (${addonPath}); run \`node native/scripts/build.mjs\` first.`);
    }
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-loop-'));
    const model = join(dir, 'llama3-tiny.gguf');
    await writeRealVocabModel(model, 'llama3');
    app = await launchApp({ hash: '#/finetune', colorScheme: 'light' });
    await importModel(app, model, 'Llama 3 tiny');
    datasetId = (await api<{ id: string }>(app, 'datasets.create', { name: 'What a lathe does' })).id;
    for (let i = 0; i < 12; i++) {
      await api(app, 'datasets.examples.create', {
        datasetId,
        messages: [
          { role: 'user', content: `What does a lathe do? (${i})` },
          { role: 'assistant', content: learned },
        ],
        // two held out, for the review on the eval split
        ...(i >= 10 ? { split: 'eval' } : {}),
      });
    }
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a finished run opens a chat with the fine-tune, which answers what it learned', async () => {
    const { page } = app;
    await page.goto(app.server.url + `#/finetune/dataset/${datasetId}`);
    await waitForConnected(page);
    await expect(page.getByTestId('model-select').textContent()).resolves.toMatch(/^Llama 3 tiny/);
    await page.getByLabel(/^Run name/).fill('Lathe answers');
    await page.getByLabel(/^Epochs/).fill('8');
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByLabel(/^Learning rate/).fill('1e-2');
    await page.getByLabel(/^Rank/).fill('8');
    await page.getByLabel(/^Batch tokens/).fill('256');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const panel = page.getByTestId('run-panel');
    await panel.getByRole('heading', { name: 'Lathe answers' }).waitFor();
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor({ timeout: 120_000 });
    const result = panel.getByTestId('run-result');
    await result.and(page.locator('[data-place="ready"]')).waitFor();
    await expect(result.textContent()).resolves.toMatch(/^Trained on \d+ examples/);
    await result.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shoot(app, 'result');

    await result.getByRole('button', { name: 'Chat with it' }).click();
    await page.waitForURL(/#\/chat\/.+/);
    // The conversation is the library model with the new adapter.
    await expect(page.getByLabel('Variant', { exact: true }).textContent()).resolves.toContain('Lathe answers');
    const answer = await askGreedy(page);
    await expect(answer.getByTestId('message-content').textContent()).resolves.toBe(learned);
    await expect(answer.getByTestId('message-author').textContent()).resolves.toBe('Llama 3 tiny + Lathe answers');
    await shoot(app, 'chat');
    expect(app.errors).toEqual([]);
  });

  test('exports the fine-tune as a standalone model, which joins the library and answers alone', async () => {
    const { page } = app;
    await page.goto(app.server.url + '#/finetune');
    await waitForConnected(page);
    // From the finished run (every row of the Adapters list has the same button).
    const row = page.getByTestId('adapters').getByTestId('adapter').filter({ hasText: 'Lathe answers' });
    await row.getByRole('button', { name: 'Export Lathe answers as a standalone model' }).waitFor();
    await page.getByTestId('run-result').getByRole('button', { name: 'Export as a model' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export as a standalone model' });
    await expect(dialog.getByLabel('Name').getAttribute('placeholder')).resolves.toBe('Llama 3 tiny + Lathe answers');
    // A file that exists is refused in the dialog, with why.
    await dialog.getByLabel('File (optional)').fill(join(dir, 'llama3-tiny.gguf'));
    await dialog.getByRole('button', { name: 'Export' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('already exists');
    await dialog.getByLabel('File (optional)').fill('');
    await dialog.getByLabel('Name').fill('Lathe llama');
    await shoot(app, 'export-dialog');
    await dialog.getByRole('button', { name: 'Export' }).click();
    await dialog.waitFor({ state: 'detached' });
    const done = toast(page, 'Exported Lathe llama');
    await done.waitFor({ timeout: 60_000 });
    await expect(done.textContent()).resolves.toMatch(/Lathe llama\.gguf/);
    await shoot(app, 'exported');
    await done.getByRole('button', { name: 'Chat with it' }).click();
    await page.waitForURL(/#\/chat\/.+/);
    await expect(page.getByLabel('Model', { exact: true }).textContent()).resolves.toContain('Lathe llama');
    const answer = await askGreedy(page);
    await expect(answer.getByTestId('message-content').textContent()).resolves.toBe(learned);
    await expect(answer.getByTestId('message-author').textContent()).resolves.toBe('Lathe llama');
    // On the Models page it says what it was made from.
    await page.goto(app.server.url + '#/models');
    const card = page.getByTestId('model-card').filter({ hasText: 'Lathe llama' });
    await expect(card.getByTestId('merged-from').textContent()).resolves.toBe(
      'Merged from Llama 3 tiny + Lathe answers',
    );
    await card.scrollIntoViewIfNeeded();
    await shoot(app, 'merged-model');
    expect(app.errors).toEqual([]);
  });

  test('"Compare with the base" opens a blind comparison of the fine-tune and its base', async () => {
    const { page } = app;
    const result = await openRunResult(app);
    await result.getByRole('link', { name: 'Compare with the base' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
    await expect(page.getByLabel('Variant 1').textContent()).resolves.toMatch(/Base model/);
    await expect(page.getByLabel('Variant 2').textContent()).resolves.toContain('Lathe answers');
    await expect(page.getByLabel('Blind', { exact: true }).getAttribute('data-state')).resolves.toBe('checked');
    await greedySides(page, 24);
    await page.getByLabel('Prompt', { exact: true }).fill(question);
    await page.getByLabel('Prompt', { exact: true }).press('Enter');
    await page.getByTestId('status-a').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('status-b').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    const answers = await Promise.all(
      ['a', 'b'].map((side) => page.getByTestId(`answer-${side}`).locator('.markdown').textContent()),
    );
    // Exactly one side, hidden until the vote, answers what the fine-tune learned.
    expect(answers.filter((a) => a?.trim() === learned)).toHaveLength(1);
    await shoot(app, 'compare');
    expect(app.errors).toEqual([]);
  });

  test('"Review on its eval split" runs a blind batch of the held-out prompts through the fine-tune and its base', async () => {
    const { page } = app;
    const result = await openRunResult(app);
    await result.getByRole('link', { name: 'Review on its eval split (2)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
    await expect(page.getByRole('radio', { name: 'Batch review' }).getAttribute('data-state')).resolves.toBe('on');
    await expect(page.getByLabel('Prompts from').textContent()).resolves.toBe('Eval split of What a lathe does (2)');
    await expect(page.getByLabel('Variant 2').textContent()).resolves.toContain('Lathe answers');
    await greedySides(page, 24);
    await page.getByLabel('Batch name').fill('Eval review');
    await page.getByRole('button', { name: 'Generate 2 comparisons' }).click();
    const row = page.getByTestId('batch-row').filter({ hasText: 'Eval review' });
    await row.getByText('ready').waitFor({ timeout: 120_000 });
    await row.getByRole('button', { name: 'Review', exact: true }).click();
    await page.getByTestId('batch-review').waitFor();
    await expect(page.getByTestId('review-prompt').textContent()).resolves.toMatch(
      /^What does a lathe do\? \(1[01]\)$/,
    );
    // Blind: one side, unnamed, gives the learned answer to the held-out question.
    const answers = await Promise.all(
      ['a', 'b'].map((side) => page.getByTestId(`answer-${side}`).locator('.markdown').textContent()),
    );
    expect(answers.filter((a) => a?.trim() === learned)).toHaveLength(1);
    await shoot(app, 'eval-review');
    expect(app.errors).toEqual([]);
  });
});
