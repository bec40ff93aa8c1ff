import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { appPages } from './appPages';
import { backgroundRgb, launchApp, luminance, type LatheApp } from './harness';

const isDark = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('dark'));

/** Waits until <html> has (or lacks) the `dark` class: theme changes apply on the next render. */
async function waitForDark(page: Page, dark: boolean) {
  await page.waitForFunction((want) => document.documentElement.classList.contains('dark') === want, dark);
}

/** Waits until the theme picker shows `label` as the chosen option (settings load asynchronously). */
async function waitForChosen(page: Page, label: 'System' | 'Light' | 'Dark') {
  await page.getByRole('radio', { name: label, checked: true }).waitFor();
}

async function pickTheme(page: Page, label: 'System' | 'Light' | 'Dark') {
  await page.getByRole('radio', { name: label }).click();
  await waitForChosen(page, label);
}

describe('theme', () => {
  let app: LatheApp;
  beforeAll(async () => {
    app = await launchApp({ hash: '#/settings', colorScheme: 'light' });
  });
  afterAll(() => app?.close());

  test('starts as System, following a light OS', async () => {
    const { page } = app;
    await waitForChosen(page, 'System');
    await expect(isDark(page)).resolves.toBe(false);
    expect(luminance(await backgroundRgb(page))).toBeGreaterThan(0.8);
  });

  test('Dark applies at once and persists across a reload, from the first paint', async () => {
    const { page } = app;
    await pickTheme(page, 'Dark');
    await waitForDark(page, true);
    expect(luminance(await backgroundRgb(page))).toBeLessThan(0.05);

    // The cached theme is applied by a blocking script before the app's code runs: no white flash.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect(isDark(page)).resolves.toBe(true);
    await waitForChosen(page, 'Dark');
    expect(luminance(await backgroundRgb(page))).toBeLessThan(0.05);
  });

  test('the choice is stored by the core, not just in this browser', async () => {
    const { page } = app;
    const fresh = await app.browser.newPage({ colorScheme: 'light' });
    try {
      await fresh.goto(app.server.url + '#/settings');
      await waitForChosen(fresh, 'Dark');
      await waitForDark(fresh, true);
      // A change in one window reaches the other through `settings.changed`.
      await pickTheme(fresh, 'Light');
      await waitForDark(page, false);
    } finally {
      await fresh.close();
    }
  });

  test('Light ignores a dark OS; System follows the OS live', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'dark' });
    await pickTheme(page, 'Light');
    await waitForDark(page, false);

    await pickTheme(page, 'System');
    await waitForDark(page, true);
    await page.emulateMedia({ colorScheme: 'light' });
    await waitForDark(page, false);
    expect(app.errors).toEqual([]);
  });

  test('screenshots of every page, light and dark', async () => {
    const { page } = app;
    for (const scheme of ['light', 'dark'] as const) {
      // The theme is System, so the emulated OS preference decides.
      await page.emulateMedia({ colorScheme: scheme });
      for (const { id, label } of appPages) {
        await page.goto(`${app.server.origin}/#/${id}`);
        await page.getByRole('heading', { level: 1, name: label, exact: true }).waitFor();
        if (id === 'settings') await page.getByText('Browser (server mode)').waitFor();
        await waitForDark(page, scheme === 'dark');
        await app.screenshot(`page-${id}-${scheme}`);
      }
      await page.getByRole('heading', { name: 'About Lathe' }).evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await app.screenshot(`page-settings-about-${scheme}`);
    }
  });
});
