import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../helpers/freePort';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { importModel, launchApp, type LatheApp } from './harness';
import { shootBothThemes } from './ui';

describe('the local API from Settings', () => {
  let app: LatheApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-api-'));
    const model = join(dir, 'tiny-chat.gguf');
    writeTinyChatModel(model, 3);
    app = await launchApp({ hash: '#/settings', colorScheme: 'light' });
    await importModel(app, model, 'Tiny Chat');
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('switches it on at a port, shows the base URL and key a client uses, and off again', async () => {
    const { page } = app;
    await page.getByRole('heading', { name: 'Local API' }).waitFor();
    await expect(page.getByTestId('api-state').textContent()).resolves.toBe('Off');
    const port = await freePort();
    await page.getByLabel('Port', { exact: true }).fill(String(port));
    await page.getByRole('button', { name: 'Change port' }).click();
    await page.getByLabel('Serve the local API').click();
    await page.locator('[data-testid="api-state"]', { hasText: 'Running' }).waitFor();
    const baseUrl = await page.getByTestId('api-base-url').textContent();
    expect(baseUrl).toBe(`http://127.0.0.1:${port}/v1`);
    const key = (await page.getByTestId('api-key').textContent()) ?? '';
    expect(key).toMatch(/^lathe-/);
    await expect(page.getByTestId('api-example').textContent()).resolves.toContain(`Bearer ${key}`);
    await page.getByRole('heading', { name: 'Local API' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shootBothThemes(app, 'settings', 'local-api');

    // what the page shows is what a client needs
    const models = await fetch(`${baseUrl}/models`, { headers: { Authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    const list = (await models.json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(['tiny-chat']);

    // a new key: the old one is refused
    await page.getByRole('button', { name: 'Draw a new API key' }).click();
    await page.waitForFunction((old) => document.querySelector('[data-testid="api-key"]')?.textContent !== old, key);
    const refused = await fetch(`${baseUrl}/models`, { headers: { Authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);

    await page.getByLabel('Serve the local API').click();
    await page.locator('[data-testid="api-state"]', { hasText: 'Off' }).waitFor();
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
    expect(app.errors).toEqual([]);
  });
});
