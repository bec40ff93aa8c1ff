import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchApp, type LatheApp } from './harness';

function toast(page: Page, title: string) {
  return page.locator('[data-sonner-toast]').filter({ has: page.locator('[data-title]', { hasText: title }) });
}

async function saveModelsFolder(page: Page, path: string) {
  const field = page.getByLabel('Folder path');
  await field.fill(path);
  await page.locator('form').filter({ has: field }).getByRole('button', { name: 'Save' }).click();
}

describe('failures are visible', () => {
  let app: LatheApp;
  beforeAll(async () => {
    app = await launchApp({ hash: '#/settings' });
  });
  afterAll(() => app?.close());

  test('a failed call shows a toast with its code and message', async () => {
    const { page } = app;
    await page.getByLabel('Folder path').and(page.locator(':enabled')).waitFor();
    await saveModelsFolder(page, '/definitely/not/here');

    const error = toast(page, 'NOT_FOUND');
    await error.waitFor();
    await expect(error.locator('[data-description]').textContent()).resolves.toContain('/definitely/not/here');
    // The field says what is wrong too, next to where it can be fixed.
    await expect(page.getByLabel('Folder path').getAttribute('aria-invalid')).resolves.toBe('true');
    await app.screenshot('error-toast-not-found');
  });

  test('a relative path is refused as INVALID_INPUT', async () => {
    await saveModelsFolder(app.page, 'models/here');
    await toast(app.page, 'INVALID_INPUT').waitFor();
  });

  test('an existing folder is saved and shown on the Models page', async () => {
    const { page } = app;
    const folder = join(app.server.dataDir, 'my-models');
    mkdirSync(folder);
    await saveModelsFolder(page, folder);
    await toast(page, 'Models folder saved').waitFor();
    await expect(page.getByLabel('Folder path').getAttribute('aria-invalid')).resolves.toBeNull();

    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByTestId('empty-state').getByText(folder).waitFor();
    expect(app.errors).toEqual([]);
  });

  test('a Hugging Face token is saved write-only, refused when malformed, and removed', async () => {
    const { page } = app;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const field = page.getByLabel('Access token');
    const form = page.locator('form').filter({ has: field });
    await page.getByTestId('hf-token-state').getByText('No token stored.').waitFor();
    await field.fill('sk-not-a-hub-token');
    await form.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'INVALID_INPUT').filter({ hasText: 'must be a Hugging Face access token' }).waitFor();

    await field.fill('hf_' + 'E2eTestToken'.repeat(3));
    await form.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Hugging Face token saved').waitFor();
    await page.getByTestId('hf-token-state').getByText('A token is stored.').waitFor();
    await expect(field.inputValue()).resolves.toBe('');
    // The token never comes back to the renderer.
    await expect(page.content()).resolves.not.toContain('E2eTestToken');
    await app.screenshot('settings-hf-token');

    await form.getByRole('button', { name: 'Remove' }).click();
    await page.getByTestId('hf-token-state').getByText('No token stored.').waitFor();
  });

  // Last: it stops the server.
  test('losing the server shows the disconnected state, and calls fail as UNAVAILABLE', async () => {
    const { page } = app;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('radio', { name: 'System', checked: true }).waitFor();
    await app.server.stop();

    const banner = page.getByTestId('connection-banner');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toContain('Disconnected — reconnecting');
    await page.locator('[data-testid="connection-status"][data-state="disconnected"]').waitFor();

    // A person's action while disconnected fails visibly, and the optimistic theme rolls back.
    await page.getByRole('radio', { name: 'Dark' }).click();
    await toast(page, 'UNAVAILABLE').waitFor();
    await page.getByRole('radio', { name: 'System', checked: true }).waitFor();
    await app.screenshot('connection-lost');
  });
});
