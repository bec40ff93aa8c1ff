import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { launchApp, type LatheApp } from './harness';
import { shootBothThemes, toast } from './ui';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/datasets-e2e');
const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'datasets', name);

const rows = (page: Page) => page.getByTestId('example-row');
const listTotal = (page: Page, total: number) =>
  page.locator(`[data-testid="example-list"][data-total="${total}"]`).waitFor();

/** Opens the import dialog, checks `path`, and imports it with the chosen policy. */
async function importFile(page: Page, path: string, options: { newName?: string } = {}) {
  await page
    .getByRole('button', { name: /^Import/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Import a dataset' });
  await dialog.getByLabel('File', { exact: true }).fill(path);
  await dialog.getByRole('button', { name: 'Check file' }).click();
  await dialog.getByTestId('import-confirm').waitFor();
  if (options.newName) {
    const into = dialog.getByRole('combobox', { name: 'Import into' });
    if (await into.count()) {
      await into.click();
      await page.getByRole('option', { name: 'A new dataset' }).click();
    }
    await dialog.getByLabel('New dataset name').fill(options.newName);
  }
  return dialog;
}

describe('datasets', () => {
  let app: LatheApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-datasets-'));
    app = await launchApp({ hash: '#/datasets', colorScheme: 'light' });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('starts empty, then imports a JSONL with a bad line: the valid rows, and the bad line with its reason', async () => {
    const { page } = app;
    await page.getByRole('heading', { name: 'No datasets yet' }).waitFor();
    await shoot(app, 'empty');

    const dialog = await importFile(page, join(fixtures, 'support.jsonl'));
    await expect(dialog.getByTestId('detected-format').textContent()).resolves.toContain('OpenAI messages');
    await expect(dialog.getByTestId('import-preview').textContent()).resolves.toContain('How do I reset my password?');
    await dialog.getByLabel('New dataset name').fill('Support answers');
    await dialog.getByRole('radio', { name: /Import the valid rows/ }).click();
    await shoot(app, 'import-confirm');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();

    const outcome = dialog.locator('[data-testid="import-outcome"][data-state="succeeded"]');
    await outcome.waitFor();
    await expect(outcome.textContent()).resolves.toContain('Imported 5 examples');
    const errors = dialog.getByTestId('import-errors');
    await expect(errors.textContent()).resolves.toMatch(/line 4/);
    await shoot(app, 'import-result');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('heading', { level: 1, name: 'Support answers' }).waitFor();
    await listTotal(page, 5);
    await expect(rows(page).count()).resolves.toBe(5);
    await expect(page.getByTestId('dataset-counts').textContent()).resolves.toContain('Import5');
    await shoot(app, 'list');
    expect(app.errors).toEqual([]);
  });

  test('the hygiene report flags the duplicate, and one click fixes it', async () => {
    const { page } = app;
    await page.getByRole('radio', { name: /Hygiene/ }).click();
    await page.getByRole('button', { name: 'Run report' }).click();
    const duplicates = page.locator('[data-testid="hygiene-kind"][data-kind="exact_duplicate"]');
    await duplicates.locator('[data-testid="hygiene-group"]').first().waitFor();
    await expect(duplicates.getAttribute('data-count')).resolves.toBe('1');
    await expect(duplicates.getByTestId('hygiene-group').textContent()).resolves.toContain(
      'How do I reset my password?',
    );
    await shoot(app, 'hygiene');

    await duplicates.getByRole('button', { name: 'Fix exact duplicates' }).click();
    await toast(page, '1 example moved to the trash').waitFor();
    await page.getByRole('radio', { name: /Trash/ }).click();
    await listTotal(page, 1);
    await page.getByRole('radio', { name: /Examples/ }).click();
    await listTotal(page, 4);
  });

  test('edits an example, saves with Ctrl+S, and undoes the change', async () => {
    const { page } = app;
    await rows(page).filter({ hasText: 'What is a LoRA adapter?' }).click();
    const editor = page.getByTestId('example-editor');
    await editor.waitFor();
    await expect(editor.getByRole('region', { name: 'System turn' }).count()).resolves.toBe(1);
    const answer = editor.getByRole('textbox', { name: 'Assistant turn 2' });
    await expect(answer.inputValue()).resolves.toContain('low-rank weights');
    await answer.fill('Low-rank weight updates, trained while the base model stays frozen.');
    await editor.locator('[data-testid="unsaved"]').waitFor();
    await shoot(app, 'editor');
    await page.keyboard.press('Control+s');
    await toast(page, 'Example saved').waitFor();
    await rows(page).filter({ hasText: 'Low-rank weight updates' }).waitFor();

    await editor.getByRole('button', { name: /Undo last change/ }).click();
    await toast(page, 'Change undone').waitFor();
    await expect(answer.inputValue()).resolves.toContain('low-rank weights');
    await rows(page).filter({ hasText: 'A small set of low-rank weights' }).waitFor();

    // Markdown preview, then close with Esc from outside the fields.
    await editor.getByRole('radio', { name: 'Preview' }).click();
    await expect(editor.getByRole('textbox', { name: 'Assistant turn 2' }).count()).resolves.toBe(0);
    await page.getByTestId('list-summary').click();
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
  });

  test('searches (/ focuses the box) and keyboard moves with j/k', async () => {
    const { page } = app;
    await page.getByTestId('list-summary').click();
    await page.keyboard.press('/');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(
      'Search examples',
    );
    await page.keyboard.type('bonj');
    await listTotal(page, 1);
    await expect(rows(page).first().textContent()).resolves.toContain('Bonjour.');
    await page.getByLabel('Search examples').fill('nothing-like-this');
    await page.getByRole('heading', { name: 'Nothing matches' }).waitFor();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await listTotal(page, 4);

    await page.getByTestId('list-summary').click();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page
      .locator('[data-testid="example-row"][data-active]')
      .filter({ hasText: 'What is a LoRA adapter?' })
      .waitFor();
    await page.keyboard.press('e');
    await page.getByTestId('example-editor').waitFor();
    await page.keyboard.press('k');
    await page.locator('[data-testid="example-row"][data-active]').filter({ hasText: 'reset my password' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('example-editor').waitFor({ state: 'detached' });
  });

  test('bulk-tags two examples chosen with click and Shift-click', async () => {
    const { page } = app;
    await page.getByRole('checkbox', { name: 'Select example 1' }).click();
    await page.getByRole('checkbox', { name: 'Select example 2' }).click({ modifiers: ['Shift'] });
    await expect(page.getByTestId('selected-count').textContent()).resolves.toBe('2 selected');
    const bar = page.getByTestId('bulk-bar');
    await bar.getByRole('button', { name: 'Add tag' }).click();
    const tagField = page.getByLabel('Add tag: tags');
    await tagField.fill('reviewed');
    await tagField.press('Enter');
    await page.getByRole('button', { name: 'Add tag', exact: true }).last().click();
    await toast(page, 'Tagged 2 examples').waitFor();
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="example-tag"]')].filter((t) => t.textContent === 'reviewed')
          .length === 2,
    );
    await shoot(app, 'bulk-tagged');
  });

  test('exports for the trainer to a path; the file on disk holds every live example', async () => {
    const { page } = app;
    const out = join(dir, 'support.jsonl');
    await page.getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: /Export/ });
    await dialog.getByLabel('Save to').fill(out);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const outcome = dialog.locator('[data-testid="export-outcome"][data-state="succeeded"]');
    await outcome.waitFor();
    await expect(outcome.getByTestId('export-path').textContent()).resolves.toBe(out);
    await expect(outcome.textContent()).resolves.toContain('4 written');
    await shoot(app, 'export');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    const records = lines.map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    expect(records.every((r) => Array.isArray(r.messages) && r.messages.at(-1)?.role === 'assistant')).toBe(true);
    expect(records.map((r) => r.messages.at(-1)?.content)).toContain('Bonjour.');
  });

  test('counts tokens with a tiny model and shows the histogram against the max length', async () => {
    const { page } = app;
    const model = join(dir, 'tiny-chat.gguf');
    writeTinyChatModel(model, 3);
    await page.evaluate(() => (window.location.hash = '#/models'));
    await page.getByLabel('Model file path').fill(model);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await toast(page, 'Model imported').waitFor();
    await page.evaluate(() => (window.location.hash = '#/datasets'));

    await page.getByRole('radio', { name: /Tokens/ }).click();
    await page.getByLabel('Max length (tokens)').fill('150');
    await page.getByRole('button', { name: 'Count tokens' }).click();
    await toast(page, 'Tokens counted').waitFor();
    const histogram = page.getByTestId('token-histogram');
    await histogram.getByTestId('histogram-limit').waitFor();
    // Bars past the limit are drawn apart (the destructive colour).
    await histogram.locator('[data-testid="histogram-bar"][data-over]').first().waitFor();
    const summary = await page.getByTestId('token-summary').textContent();
    expect(summary).toContain('Counted4');
    const over = Number(await histogram.getAttribute('data-over'));
    expect(over).toBeGreaterThan(0);
    expect(over).toBeLessThanOrEqual(4);
    await shoot(app, 'histogram');

    // The list shows each example's count; "Show … over" filters to them.
    await page.getByRole('button', { name: /^Show the .* over 150 tokens/ }).click();
    await listTotal(page, over);
    await expect(page.getByTestId('example-length').first().textContent()).resolves.toMatch(/tok$/);
    expect(app.errors).toEqual([]);
  });

  test('stays fluid with 20,000 rows: scrolling to the bottom renders the last row', async () => {
    const { page } = app;
    const big = join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 1; i <= 20_000; i++) {
      lines.push(
        JSON.stringify({
          messages: [
            { role: 'user', content: `Question ${i}: what is ${i} squared?` },
            { role: 'assistant', content: `${i} squared is ${i * i}.` },
          ],
        }),
      );
    }
    writeFileSync(big, lines.join('\n') + '\n');
    const dialog = await importFile(page, big, { newName: 'Squares' });
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.locator('[data-testid="import-outcome"][data-state="succeeded"]').waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 1, name: 'Squares' }).waitFor();
    await listTotal(page, 20_000);
    // Only a screenful of rows is in the DOM.
    expect(await page.locator('[role="row"]').count()).toBeLessThan(80);

    const list = page.getByTestId('example-list');
    for (const fraction of [0.25, 0.5, 0.75, 1]) {
      await list.evaluate((el, f) => (el.scrollTop = el.scrollHeight * f), fraction);
      await page.waitForTimeout(50);
    }
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = page.locator('[data-testid="example-row"][aria-rowindex="20000"]');
    await last.waitFor();
    await expect(last.textContent()).resolves.toContain('Question 20000');
    expect(await page.locator('[role="row"]').count()).toBeLessThan(80);
    await shoot(app, 'big-list-bottom');
    expect(app.errors).toEqual([]);
  });
});
