import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { chatMlTemplate, writeTinyChatModel } from '../helpers/models/testModels';
import { launchApp, type LatheApp } from './harness';
import { shootBothThemes, toast } from './ui';

const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'models', name);

async function importModel(page: Page, path: string) {
  await page.getByLabel('Model file path').fill(path);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

describe('the model library', () => {
  let app: LatheApp;
  let dir: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-models-'));
    first = join(dir, 'first.gguf');
    second = join(dir, 'second.gguf');
    writeTinyChatModel(first, 1);
    writeTinyChatModel(second, 2);
    app = await launchApp({ hash: '#/models', colorScheme: 'light' });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('imports two models, refuses a duplicate, and renames one inline', async () => {
    const { page } = app;
    await page.getByTestId('empty-state').waitFor();
    await shoot(app, 'empty');
    const cards = page.getByTestId('model-card');
    await importModel(page, first);
    await cards.first().waitFor();
    await importModel(page, second);
    await expect.poll(() => cards.count()).toBe(2);

    // The same file again: CONFLICT, named after the model already there.
    await importModel(page, first);
    const conflict = toast(page, 'CONFLICT');
    await conflict.waitFor();
    await expect(conflict.textContent()).resolves.toContain('already in the library');
    await conflict.getByRole('button', { name: /close/i }).click();

    const card = cards.filter({ hasText: 'first.gguf' });
    await card.getByRole('button', { name: /^Rename/ }).click();
    const name = card.getByLabel('Model name');
    await name.fill('My first model');
    await name.press('Enter');
    await card.getByRole('heading', { name: 'My first model' }).waitFor();
    // Loading ahead of the first message, and unloading.
    // (exact: a name matches as a case-insensitive substring, and "Unload" holds "load")
    await card.getByRole('button', { name: 'Load', exact: true }).click();
    await card.getByTestId('loaded-badge').waitFor();
    await card.getByRole('button', { name: 'Unload', exact: true }).click();
    await card.getByRole('button', { name: 'Load', exact: true }).waitFor();
    await expect(card.getByTestId('loaded-badge').count()).resolves.toBe(0);

    // The new name is stored: it survives a reload.
    await page.reload();
    await page.getByTestId('model-card').filter({ hasText: 'My first model' }).waitFor();
    await shoot(app, 'library');
    expect(app.errors).toEqual([]);
  });

  test('a file dropped in browser mode is explained (no path reaches a page), and no Browse button shows', async () => {
    const { page } = app;
    const card = page.getByTestId('import-model');
    await expect(card.getByRole('button', { name: 'Browse…' }).count()).resolves.toBe(0);
    const drop = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['GGUF'], 'dropped.gguf'));
      return transfer;
    });
    await card.dispatchEvent('dragover', { dataTransfer: drop });
    await expect(card.getAttribute('data-dragging')).resolves.toBe('true');
    await card.dispatchEvent('drop', { dataTransfer: drop });
    await card
      .getByRole('alert')
      .getByText(/In browser mode a dropped file has no path/)
      .waitFor();
    await expect(card.getAttribute('data-dragging')).resolves.toBeNull();
    await expect.poll(() => page.getByTestId('model-card').count()).toBe(2);
  });

  test('shows a missing-file badge when the file is gone', async () => {
    const { page } = app;
    unlinkSync(second);
    await page.reload();
    const card = page.getByTestId('model-card').filter({ hasText: 'second.gguf' });
    await card.getByTestId('missing-badge').waitFor();
    await expect(card.textContent()).resolves.toContain('moved or deleted since it was imported');
    await expect(card.getByRole('button', { name: 'Chat with this' }).isDisabled()).resolves.toBe(true);
    await expect(
      page.getByTestId('model-card').filter({ hasText: 'first.gguf' }).getByTestId('missing-badge').count(),
    ).resolves.toBe(0);
    await shoot(app, 'missing');
    expect(app.errors).toEqual([]);
  });

  test('removes a model, and with the checkbox its file too', async () => {
    const { page } = app;
    // The missing one: removed from the library only.
    const missing = page.getByTestId('model-card').filter({ hasText: 'second.gguf' });
    await missing.getByRole('button', { name: /^Remove/ }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('checkbox', { name: 'Also delete the file' }).isDisabled()).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => page.getByTestId('model-card').count()).toBe(1);

    const card = page.getByTestId('model-card').filter({ hasText: 'My first model' });
    await card.getByRole('button', { name: /^Remove/ }).click();
    await dialog.getByRole('checkbox', { name: 'Also delete the file' }).click();
    await shoot(app, 'delete');
    await dialog.getByRole('button', { name: 'Remove and delete file' }).click();
    await toast(page, 'Removed My first model').waitFor();
    await page.getByTestId('empty-state').waitFor();
    expect(existsSync(first)).toBe(false);
    expect(app.errors).toEqual([]);
  });

  test('downloads a model from a URL into the library, with the catalog and a fit estimate', async () => {
    const { page } = app;
    const served = join(dir, 'served.gguf');
    writeTinyChatModel(served, 3);
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(served).size });
      createReadStream(served).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const panel = page.getByTestId('download-panel');
      await expect.poll(() => panel.getByTestId('catalog-entry').count()).toBeGreaterThan(0);
      await panel
        .getByLabel('Source', { exact: true })
        .fill(`http://127.0.0.1:${(server.address() as AddressInfo).port}/served.gguf`);
      await panel.getByRole('button', { name: 'Download' }).click();
      const card = page.getByTestId('model-card').filter({ hasText: 'served.gguf' });
      await card.waitFor({ timeout: 60_000 });
      await expect.poll(() => panel.getByTestId('download-job').first().getAttribute('data-state')).toBe('succeeded');
      const fit = card.getByTestId('fit-badge');
      await fit.waitFor();
      await expect(fit.textContent()).resolves.toContain('CPU');
      await shoot(app, 'downloaded');
      expect(app.errors).toEqual([]);
    } finally {
      server.close();
    }
  });

  test('imports a split model by its first part, and says so when given another part', async () => {
    const { page } = app;
    writeRandomLlama(join(dir, 'big.gguf'), { chatTemplate: chatMlTemplate, seed: 4, splits: 3 });
    await importModel(page, join(dir, 'big-00002-of-00003.gguf'));
    const refused = toast(page, 'INVALID_INPUT');
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toMatch(/part 2 of 3 .*big-00001-of-00003\.gguf/);
    await expect(refused.textContent()).resolves.toContain('Lathe finds the others beside it');
    await refused.getByRole('button', { name: /close/i }).click();

    await importModel(page, join(dir, 'big-00001-of-00003.gguf'));
    const card = page.getByTestId('model-card').filter({ hasText: 'big-00001-of-00003.gguf' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toMatch(/in 3 files/);
    await card.getByText(/in 3 files/).scrollIntoViewIfNeeded();
    await shoot(app, 'split');
    expect(app.errors).toEqual([]);
  });
});
