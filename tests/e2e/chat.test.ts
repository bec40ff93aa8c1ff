import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { launchApp, type LatheApp } from './harness';
import { shootBothThemes, toast } from './ui';

const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'chat', name);

/**
 * Sends `text` and waits until its answer has streamed some text or has already ended (the random
 * test model can sample its end-of-turn token at any step); answers whether it is still streaming.
 */
async function sendUntilText(page: Page, text: string): Promise<boolean> {
  const answers = page.locator('[data-testid="message"][data-role="assistant"]');
  const before = await answers.count();
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect.poll(() => answers.count(), { timeout: 30_000 }).toBe(before + 1);
  await page.waitForFunction(() => {
    const content = document.querySelector('[data-status="streaming"] [data-testid="message-content"]');
    const last = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1);
    return (content?.textContent ?? '').length > 3 || last?.getAttribute('data-status') !== 'streaming';
  });
  return (await answers.last().getAttribute('data-status')) === 'streaming';
}

/** The model process (out/main/inference.js) the server started, found through /proc. */
function modelProcessOf(serverPid: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parent === serverPid && cmdline.includes('out/main/inference.js')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** Sets one sampling field through the header's popover. */
async function setSampling(page: Page, label: string, value: string) {
  await page.getByRole('button', { name: 'Sampling settings' }).click();
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.press('Enter');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Sampling settings' }).filter({ hasText: 'Custom' }).waitFor();
}

describe('chat', () => {
  let app: LatheApp;
  let dir: string;
  let model: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-chat-'));
    model = join(dir, 'tiny-chat.gguf');
    writeTinyChatModel(model, 3);
    app = await launchApp({ hash: '#/models', colorScheme: 'light' });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('refuses a file that is not GGUF, and says what to do', async () => {
    const { page } = app;
    const notModel = join(dir, 'notes.gguf');
    writeFileSync(notModel, 'Just some notes, not a model.\n');
    await page.getByLabel('Model file path').fill(notModel);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const invalid = toast(page, 'INVALID_INPUT');
    await invalid.waitFor();
    await expect(invalid.locator('[data-description]').textContent()).resolves.toContain('not a GGUF model');
    await expect(invalid.locator('[data-description]').textContent()).resolves.toContain('Pick a .gguf file');
    await page.getByRole('alert').filter({ hasText: 'convert_hf_to_gguf' }).waitFor();
    await expect(page.getByLabel('Model file path').getAttribute('aria-invalid')).resolves.toBe('true');
    await shoot(app, 'import-error');
    await invalid.getByRole('button', { name: /close/i }).click();
  });

  test('imports a model by path: the job finishes and the card appears', async () => {
    const { page } = app;
    await page.getByLabel('Model file path').fill(model);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await toast(page, 'Model imported').waitFor();
    const card = page.getByTestId('model-card');
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain('lathe-random-llama');
    expect(text).toContain('tiny-chat.gguf');
    expect(text).toContain('llama');
    await page.getByRole('button', { name: /tiny-chat\.gguf/ }).waitFor(); // remembered as a recent path
    await shoot(app, 'models');
    expect(app.errors).toEqual([]);
  });

  test('chats: streams an answer with stats, stops with Esc, regenerates and edits into branches', async () => {
    const { page } = app;
    await page.getByTestId('model-card').getByRole('button', { name: 'Chat with this' }).click();
    await page.waitForURL(/#\/chat\/.+/);
    await page.getByRole('heading', { level: 1, name: 'New chat' }).waitFor();

    // Keep answers short where length does not matter, and the random model's answers the same
    // from run to run (a fixed seed), so none ends by chance before the test has seen it.
    await setSampling(page, 'Max tokens', '4');
    await setSampling(page, 'Seed', '3');
    const composer = page.getByLabel('Message', { exact: true });
    await composer.fill('Hello there');
    await composer.press('Enter');

    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    await answers.first().waitFor();
    await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();
    const stats = answers.first().getByTestId('message-stats');
    await expect(stats.textContent()).resolves.toMatch(/tok\/s/);
    await expect(stats.textContent()).resolves.toMatch(/to first token/);
    await expect(answers.first().getByTestId('message-content').textContent()).resolves.not.toBe('');
    // The first message names the conversation.
    await page.getByRole('heading', { level: 1, name: 'Hello there' }).waitFor();
    await shoot(app, 'answer');

    // A long answer, stopped with Esc while it streams. The random model can end an answer by
    // chance (it samples its end-of-turn token) before the key lands; then the test asks again.
    await setSampling(page, 'Max tokens', '4000');
    const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
    const stopped = page.locator('[data-testid="message"][data-role="assistant"][data-status="stopped"]');
    for (let attempt = 0; attempt < 4 && (await stopped.count()) === 0; attempt++) {
      await sendUntilText(page, 'Tell me a long story');
      await page.keyboard.press('Escape');
      await expect.poll(() => streaming.count(), { timeout: 30_000 }).toBe(0);
    }
    await stopped.waitFor();
    await expect(stopped.getByTestId('message-stats').textContent()).resolves.toContain('Stopped');
    await setSampling(page, 'Max tokens', '4');

    // Regenerate the stopped answer: a second version, with < 2/2 > to go back.
    await stopped.hover();
    await stopped.getByRole('button', { name: 'Regenerate' }).click();
    const last = answers.last();
    await last.getByTestId('branch-position').filter({ hasText: '2/2' }).waitFor();
    await expect.poll(() => last.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    await last.getByRole('button', { name: 'Previous version' }).click();
    await last.getByTestId('branch-position').filter({ hasText: '1/2' }).waitFor();
    await expect(last.getAttribute('data-status')).resolves.toBe('stopped');
    await last.getByRole('button', { name: 'Next version' }).click();
    await last.getByTestId('branch-position').filter({ hasText: '2/2' }).waitFor();
    await shoot(app, 'branches');

    // Edit the first user message: a new branch from there, with its own answer.
    const firstUser = page.locator('[data-testid="message"][data-role="user"]').first();
    await firstUser.hover();
    await firstUser.getByRole('button', { name: 'Edit and resend' }).click();
    const editor = page.getByLabel('Edit your message');
    await editor.fill('Hello again, edited');
    await editor.press('Enter');
    const editedUser = page.locator('[data-testid="message"][data-role="user"]').first();
    await editedUser.getByTestId('branch-position').filter({ hasText: '2/2' }).waitFor();
    await expect(editedUser.textContent()).resolves.toContain('Hello again, edited');
    await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').first().waitFor();
    await expect(page.locator('[data-testid="message"]').count()).resolves.toBe(2);
    expect(app.errors).toEqual([]);
  });

  test('rates an answer, adds it to the dataset (edited) and exports the conversation', async () => {
    const { page } = app;
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').first();
    await answer.getByRole('button', { name: 'Good answer' }).click();
    await answer.locator('button[aria-label="Good answer"][aria-pressed="true"]').waitFor();

    await answer.getByRole('button', { name: 'Add to dataset' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add to dataset' });
    await dialog.getByLabel('Answer to keep').fill('Hello! How can I help you today?');
    await shoot(app, 'keep');
    await dialog.getByRole('button', { name: 'Keep edited answer' }).click();
    await toast(page, 'Added to dataset').waitFor();
    await answer.getByRole('button', { name: 'In dataset' }).waitFor();

    for (const [format, item] of [
      ['markdown', 'Markdown'],
      ['json', 'JSON'],
    ] as const) {
      await page.getByRole('button', { name: 'Export' }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('menuitem', { name: item }).click(),
      ]);
      const path = await download.path();
      const text = readFileSync(path, 'utf8');
      expect(text).toContain('Hello again, edited');
      expect(download.suggestedFilename()).toMatch(format === 'json' ? /\.json$/ : /\.md$/);
      if (format === 'json') expect(JSON.parse(text).messages).toHaveLength(2);
    }
    // A system prompt for the next answers, edited in its dialog.
    await page.getByRole('button', { name: 'System prompt' }).click();
    const prompt = page.getByRole('dialog', { name: 'System prompt' });
    await prompt.getByLabel('System prompt').fill('You are terse.');
    await prompt.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'System prompt' }).filter({ hasText: 'on' }).waitFor();
    await shoot(app, 'conversation');

    await page.getByRole('button', { name: 'Sampling settings' }).click();
    await page.getByRole('radio', { name: 'Precise' }).click();
    await page.getByRole('button', { name: 'Sampling settings' }).filter({ hasText: 'Precise' }).waitFor();
    await expect(page.getByLabel('Temperature', { exact: true }).inputValue()).resolves.toBe('0.2');
    await shoot(app, 'sampling');
    await page.keyboard.press('Escape');
    expect(app.errors).toEqual([]);
  });

  test('lists, searches, renames and deletes conversations', async () => {
    const { page } = app;
    const list = page.getByRole('navigation', { name: 'Conversation list' });
    await list.getByTestId('conversation').first().waitFor();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'New chat' }).waitFor();
    await expect(list.getByTestId('conversation').count()).resolves.toBe(2);

    await page.getByLabel('Search conversations').fill('edited');
    await expect.poll(() => list.getByTestId('conversation').count(), { timeout: 5000 }).toBe(1);
    await page.getByLabel('Search conversations').fill('');

    const row = list.getByTestId('conversation').filter({ hasText: 'New chat' });
    await row.hover();
    await row.getByRole('button', { name: /^Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => list.getByTestId('conversation').count(), { timeout: 5000 }).toBe(1);
    await page.getByRole('heading', { name: 'Start a chat' }).waitFor();
    await shoot(app, 'start');
    expect(app.errors).toEqual([]);
  });

  test('a small context: older turns are dropped with a notice; a message too long is refused with why', async () => {
    const { page } = app;
    const small = join(dir, 'small-context.gguf');
    writeTinyChatModel(small, 5, { nCtxTrain: 128 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.getByLabel('Model file path').fill(small);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const card = page.getByTestId('model-card').filter({ hasText: 'small-context.gguf' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Chat with this' }).click();
    await page.getByRole('heading', { level: 1, name: 'New chat' }).waitFor();
    await setSampling(page, 'Max tokens', '4');
    await setSampling(page, 'Seed', '3');

    // Byte-level tokens, and a ChatML template of ~50 tokens a turn: each turn is most of the context.
    const composer = page.getByLabel('Message', { exact: true });
    const done = page.locator('[data-testid="message"][data-role="assistant"]:not([data-status="streaming"])');
    for (const [i, words] of ['first', 'second'].entries()) {
      await composer.fill(`The ${words} message of a small chat`);
      await composer.press('Enter');
      await expect.poll(() => done.count(), { timeout: 30_000 }).toBe(i + 1);
    }
    await expect(done.first().getByTestId('truncated-notice').count()).resolves.toBe(0);
    await done.last().getByTestId('truncated-notice').waitFor();

    await composer.fill('x'.repeat(300));
    await composer.press('Enter');
    const invalid = toast(page, 'INVALID_INPUT');
    await invalid.waitFor();
    await expect(invalid.locator('[data-description]').textContent()).resolves.toContain(
      'longer than the model’s context',
    );
    // The text stays in the box, to shorten.
    await expect(composer.inputValue()).resolves.toHaveLength(300);
    await shoot(app, 'small-context');
    expect(app.errors).toEqual([]);
  });

  test('the model process crashes mid-answer: the answer keeps its text and says why, the next one works', async () => {
    const { page } = app;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page
      .getByTestId('model-card')
      .filter({ hasText: 'tiny-chat.gguf' })
      .getByRole('button', { name: 'Chat with this' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'New chat' }).waitFor();
    await setSampling(page, 'Max tokens', '4000');
    const composer = page.getByLabel('Message', { exact: true });
    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    // Kill the model process while an answer streams (the random model may end one by chance first:
    // then ask again).
    let pid: number | null = null;
    for (let attempt = 0; attempt < 4 && pid === null; attempt++) {
      if (!(await sendUntilText(page, 'Tell me a very long story'))) continue;
      pid = modelProcessOf(app.server.process.pid as number);
      expect(pid).not.toBeNull();
      process.kill(pid as number, 'SIGKILL');
    }

    const failed = page.locator('[data-testid="message"][data-role="assistant"][data-status="failed"]');
    await failed.waitFor();
    await expect(failed.textContent()).resolves.toContain('model runtime stopped unexpectedly');
    await expect(failed.textContent()).resolves.toContain('The model runs in a process of its own');
    await expect(failed.getByTestId('message-content').textContent()).resolves.not.toBe('');
    await shoot(app, 'runtime-crashed');

    await setSampling(page, 'Max tokens', '4');
    const before = await answers.count();
    await composer.fill('Are you back?');
    await composer.press('Enter');
    await expect.poll(() => answers.count(), { timeout: 30_000 }).toBe(before + 1);
    await expect.poll(() => answers.last().getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    const again = modelProcessOf(app.server.process.pid as number);
    expect(again).not.toBeNull();
    expect(again).not.toBe(pid);
    expect(app.errors).toEqual([]);
  });
});
