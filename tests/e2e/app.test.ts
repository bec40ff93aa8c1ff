import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { appPages } from './appPages';
import { launchApp, type LatheApp } from './harness';

async function expectOnPage(page: Page, { id, label, firstStep }: (typeof appPages)[number]) {
  await page.getByRole('heading', { level: 1, name: label, exact: true }).waitFor();
  expect(new URL(page.url()).hash).toBe(`#/${id}`);
  const current = page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]');
  await expect(current.textContent()).resolves.toContain(label);
  if (firstStep) {
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    await expect(empty.textContent()).resolves.toContain(firstStep);
  } else {
    await page.getByRole('heading', { name: 'Appearance' }).waitFor();
  }
}

/** Loads `url` as a new document, so focus starts at the top. */
async function freshLoad(page: Page, url: string) {
  await page.goto(url);
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
}

describe('the app shell', () => {
  let app: LatheApp;
  beforeAll(async () => {
    app = await launchApp();
  });
  afterAll(() => app?.close());

  test('loads in browser mode, connected, without errors', async () => {
    const { page } = app;
    await expect(page.title()).resolves.toBe('Lathe');
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toHaveLength(6);
    await expect(nav.getByRole('link', { name: 'Chat' }).getAttribute('aria-current')).resolves.toBe('page');
    expect(app.errors).toEqual([]);
  });

  test('takes the token out of the address bar and still works after a reload', async () => {
    const { page } = app;
    expect(page.url()).not.toContain('token=');
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();
    // A call that needs the WebSocket: the About card fills in from app.info.
    await page.goto(`${app.server.origin}/#/settings`);
    await page.getByText('Browser (server mode)').waitFor();
    expect(app.errors).toEqual([]);
  });
  test('every page opens from the sidebar and shows what to do first', async () => {
    const nav = app.page.getByRole('navigation', { name: 'Main' });
    for (const entry of [...appPages].reverse()) {
      await nav.getByRole('link', { name: entry.label, exact: true }).click();
      await expectOnPage(app.page, entry);
    }
  });

  test('Ctrl+1..6 open each page', async () => {
    for (const entry of appPages) {
      await app.page.keyboard.press(`Control+${entry.key}`);
      await expectOnPage(app.page, entry);
    }
  });

  test('the sidebar works with Tab and the arrow keys, after a skip link', async () => {
    const { page } = app;
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await freshLoad(page, `${app.server.origin}/#/chat`);

    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toMatch(/^Chat/);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toMatch(/^Datasets/);
    await page.keyboard.press('ArrowDown');
    await expect(focused()).resolves.toMatch(/^Compare/);
    await page.keyboard.press('End');
    await expect(focused()).resolves.toMatch(/^Settings/);
    await page.keyboard.press('ArrowDown');
    await expect(focused()).resolves.toMatch(/^Chat/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(focused()).resolves.toMatch(/^Models/);
    await app.screenshot('keyboard-focus');
    await page.keyboard.press('Enter');
    await expectOnPage(page, appPages[4]);
  });

  test('the skip link moves focus to the page without changing the route', async () => {
    const { page } = app;
    await freshLoad(page, `${app.server.origin}/#/models`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    expect(new URL(page.url()).hash).toBe('#/models');
  });

  test('an empty state leads to the first step, and pages deep-link', async () => {
    const { page } = app;
    await page.goto(`${app.server.origin}/#/chat`);
    await page.getByRole('link', { name: 'Go to Models' }).click();
    await expectOnPage(page, appPages[4]);

    await page.goto(`${app.server.origin}/#/finetune`);
    await expectOnPage(page, appPages[3]);
    await page.goto(`${app.server.origin}/#/no-such-page`);
    await expectOnPage(page, appPages[0]);
    expect(app.errors).toEqual([]);
  });

  test('the activity panel opens from the sidebar and says when nothing runs', async () => {
    const { page } = app;
    await page.getByRole('button', { name: /^Activity/ }).click();
    const panel = page.getByRole('dialog');
    await panel.getByText('Nothing yet.', { exact: false }).waitFor();
    await expect(panel.getByRole('button', { name: 'Clear finished' }).isDisabled()).resolves.toBe(true);
    await app.screenshot('activity-empty');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });
});
