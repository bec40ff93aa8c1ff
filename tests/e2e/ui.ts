import type { Page } from 'playwright-core';
import type { LatheApp } from './harness';

/** The sonner toast whose title is `title` (an error code, or a success message). */
export function toast(page: Page, title: string) {
  return page.locator('[data-sonner-toast]').filter({ has: page.locator('[data-title]', { hasText: title }) });
}

export async function waitForDark(page: Page, dark: boolean): Promise<void> {
  await page.waitForFunction((want) => document.documentElement.classList.contains('dark') === want, dark);
}

/**
 * Saves `test-results/e2e/<prefix>-<name>-light.png` and `-dark.png` (the theme is System, so the
 * emulated OS scheme decides), then returns to light.
 */
export async function shootBothThemes(app: LatheApp, prefix: string, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await app.page.emulateMedia({ colorScheme: scheme });
    await waitForDark(app.page, scheme === 'dark');
    await app.screenshot(`${prefix}-${name}-${scheme}`);
  }
  await app.page.emulateMedia({ colorScheme: 'light' });
  await waitForDark(app.page, false);
}

/** Both sides of a comparison (Compare or Batch review) greedy, with answers of at most `maxTokens`. */
export async function greedySides(page: Page, maxTokens: number): Promise<void> {
  for (const side of ['1', '2']) {
    for (const [field, value] of [
      ['Temperature', '0'],
      ['Max tokens', String(maxTokens)],
    ] as const) {
      const input = page.getByLabel(`${field} ${side}`);
      await input.fill(value);
      await input.press('Enter');
    }
  }
}
