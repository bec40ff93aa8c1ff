import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { thinking } from '../helpers/thinkingFixture';
import { api, importModel, launchApp, waitForConnected, waitForJob, type LatheApp } from './harness';
import { shootBothThemes } from './ui';

const addonPath = resolve('native/build/Release/lathe_trainer.node');
const { thought, answer: learned, question } = thinking;

/** Opens a chat on `sampling` with the model (and adapter) and asks `text`; the finished answer. */
async function askInNewChat(
  app: LatheApp,
  chat: { modelId: string; adapters?: { adapterId: string; scale: number }[]; sampling: object },
  text: string = question,
) {
  const conversation = await api<{ id: string }>(app, 'chat.conversations.create', chat);
  await app.page.goto(`${app.server.url}#/chat/${conversation.id}`);
  await waitForConnected(app.page);
  const composer = app.page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  const answer = app.page.locator('[data-testid="message"][data-role="assistant"]');
  await app.page
    .locator('[data-testid="message"][data-role="assistant"][data-status="done"]')
    .waitFor({ timeout: 60_000 });
  return { conversation, answer };
}

/**
 * A reasoning model in the chat: a random model with Qwen 3's template and a fine-tune that learned
 * to think before answering. Its thought shows apart from the answer, folded, and the Think switch
 * (shown only for models whose template can think) is saved with the conversation.
 */
describe('chatting with a reasoning model', () => {
  let app: LatheApp;
  let dir: string;
  let modelId: string;
  let adapterId: string;
  let plainId: string;

  beforeAll(async () => {
    if (!existsSync(addonPath)) {
      throw new Error(`The trainer addon is not built (${addonPath}); run \`node native/scripts/build.mjs\` first.`);
    }
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-reasoning-'));
    const qwen3 = join(dir, 'qwen3-tiny.gguf');
    const llama3 = join(dir, 'llama3-tiny.gguf');
    await writeRealVocabModel(qwen3, 'qwen3', { seed: 17 });
    await writeRealVocabModel(llama3, 'llama3');
    app = await launchApp({ hash: '#/chat', colorScheme: 'light' });
    modelId = await importModel(app, qwen3, 'Qwen 3 tiny');
    plainId = await importModel(app, llama3, 'Llama 3 tiny');
    const dataset = await api<{ id: string }>(app, 'datasets.create', { name: 'Thinks first' });
    for (const messages of thinking.examples()) {
      await api(app, 'datasets.examples.create', { datasetId: dataset.id, messages });
    }
    const run = await api<{ jobId: string }>(app, 'training.start', {
      baseModelId: modelId,
      data: { kind: 'dataset', datasetId: dataset.id },
      hyperparams: thinking.hyperparams,
    });
    await waitForJob(app, run.jobId);
    adapterId = (await api<{ variants: { adapterId: string }[] }>(app, 'models.get', { id: modelId })).variants[0]!
      .adapterId;
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the thought shows folded apart from the answer, and opens on a click', async () => {
    const { page } = app;
    const { conversation, answer } = await askInNewChat(app, {
      modelId,
      adapters: [{ adapterId, scale: 1 }],
      sampling: { temperature: 0, maxTokens: 40, seed: 1, thinking: true },
    });
    await expect.poll(() => answer.getByTestId('message-content').innerText()).toBe(learned);
    const section = answer.getByTestId('message-thought');
    const toggle = section.getByRole('button');
    await expect.poll(() => toggle.innerText()).toBe('Thought · 8 words');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await section.innerText()).not.toContain(thought);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => section.innerText()).toContain(thought);
    // The answer alone is what "Add to dataset" would keep and what the stats count beside.
    expect(await answer.getByTestId('message-content').innerText()).not.toContain('lathe spins');
    await shootBothThemes(app, 'chat', 'thought');

    // Kept with its thought: the example's answer opens with it, as reasoning datasets write it.
    await answer.getByRole('button', { name: 'Add to dataset' }).click();
    await page.getByRole('checkbox', { name: 'Keep its thought too' }).click();
    await shootBothThemes(app, 'chat', 'keep-thought');
    await page.getByRole('button', { name: 'Keep answer' }).click();
    await expect.poll(() => answer.getByRole('button', { name: 'In dataset' }).count()).toBe(1);
    const messageId = await answer.getAttribute('data-message-id');
    const thread = await api<{ messages: { id: string; keptExampleId: string | null }[] }>(app, 'chat.thread', {
      conversationId: conversation.id,
    });
    const id = thread.messages.find((m) => m.id === messageId)!.keptExampleId;
    const kept = await api<{ datasetId: string; messages: { content: string }[] }>(app, 'datasets.examples.get', {
      id,
    });
    expect(kept.messages.at(-1)!.content).toBe(`<think>\n${thought}\n</think>\n\n${learned}`);
    // Its dataset lists it by its answer, marked as teaching thinking.
    await page.goto(`${app.server.url}#/datasets/${kept.datasetId}`);
    await waitForConnected(page);
    const row = page.getByTestId('example-row').first();
    await expect.poll(() => row.innerText()).toContain(learned);
    expect(await row.getByTestId('example-thinks').count()).toBe(1);
    expect(await row.innerText()).not.toContain('<think>');
    await shootBothThemes(app, 'datasets', 'thinking-example');
  });

  test('the run says its examples taught thinking, and Chat with it opens with Think on', async () => {
    const { page } = app;
    await page.goto(`${app.server.url}#/finetune`);
    await waitForConnected(page);
    const result = page.getByTestId('run-panel').getByTestId('run-result');
    await expect.poll(() => result.getByTestId('run-thinking').innerText()).toMatch(/^12 of them taught thinking/);
    await shootBothThemes(app, 'finetune', 'taught-thinking');
    await result.getByRole('button', { name: 'Chat with it' }).click();
    const think = page.getByRole('button', { name: 'Thinking' });
    await expect.poll(() => think.getAttribute('aria-pressed')).toBe('true');
    // Greedy, so the answer is the one learned (a changed value keeps Think on).
    await page.getByRole('button', { name: 'Sampling settings' }).click();
    await page.getByLabel('Temperature', { exact: true }).fill('0');
    await page.getByLabel('Temperature', { exact: true }).press('Enter');
    await page.keyboard.press('Escape');
    await expect.poll(() => think.getAttribute('aria-pressed')).toBe('true');
    const composer = page.getByLabel('Message', { exact: true });
    await composer.fill(question);
    await composer.press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"]');
    await page
      .locator('[data-testid="message"][data-role="assistant"][data-status="done"]')
      .waitFor({ timeout: 60_000 });
    await expect.poll(() => answer.getByTestId('message-content').innerText()).toBe(learned);
    expect(await answer.getByTestId('message-thought').getByRole('button').innerText()).toBe('Thought · 8 words');

    // Compare with the base: both sides think, as the fine-tune learned to answer.
    await page.goto(`${app.server.url}#/finetune`);
    await waitForConnected(page);
    await result.getByRole('link', { name: 'Compare with the base' }).click();
    for (const side of ['1', '2']) {
      await expect
        .poll(() => page.getByRole('button', { name: `Thinking ${side}` }).getAttribute('aria-pressed'))
        .toBe('true');
    }
  });

  test('an answer cut off at its token limit says so, and Continue writes it to its end', async () => {
    const { page } = app;
    const { answer } = await askInNewChat(app, {
      modelId,
      adapters: [{ adapterId, scale: 1 }],
      sampling: { temperature: 0, maxTokens: 9, seed: 1, thinking: true },
    });
    await expect
      .poll(() => answer.getByTestId('max-tokens-notice').innerText())
      .toBe(
        'The thought used up the token limit (9). Raise Max tokens in the sampling settings if needed, and continue it.',
      );
    expect(await answer.getByTestId('message-content').innerText()).toBe('');
    await shootBothThemes(app, 'chat', 'cut-off');

    await page.getByRole('button', { name: 'Sampling settings' }).click();
    const field = page.getByLabel('Max tokens', { exact: true });
    await field.fill('64');
    await field.press('Enter');
    await page.keyboard.press('Escape');
    await answer.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => answer.getByTestId('message-content').innerText(), { timeout: 60_000 }).toBe(learned);
    await expect.poll(() => answer.getAttribute('data-status')).toBe('done');
    expect(await answer.count()).toBe(1);
    expect(await answer.getByTestId('max-tokens-notice').count()).toBe(0);
    expect(await answer.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    await answer.getByTestId('message-thought').getByRole('button').click();
    expect(await answer.getByTestId('message-thought').innerText()).toContain(thought);
  });

  test('an answer edited by hand is a new version, marked Edited, that Continue goes on from', async () => {
    const { page } = app;
    const { answer } = await askInNewChat(
      app,
      { modelId: plainId, sampling: { temperature: 0, maxTokens: 6, seed: 1 } },
      'Tell me a story',
    );
    await answer.getByRole('button', { name: 'Edit answer' }).click();
    const editor = page.getByLabel('Edit the answer');
    await editor.fill('Once upon a time, a lathe');
    await shootBothThemes(app, 'chat', 'edit-answer');
    await page.getByRole('button', { name: 'Save version' }).click();
    await expect.poll(() => answer.getByTestId('message-content').innerText()).toBe('Once upon a time, a lathe');
    expect(await answer.getByTestId('edited-badge').innerText()).toBe('Edited');
    expect(await answer.getByTestId('branch-position').innerText()).toBe('2/2');
    await answer.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(async () => (await answer.getByTestId('message-content').innerText()).length, { timeout: 60_000 })
      .toBeGreaterThan('Once upon a time, a lathe'.length);
    await expect.poll(() => answer.getAttribute('data-status')).toBe('done');
    expect(await answer.getByTestId('message-content').innerText()).toMatch(/^Once upon a time, a lathe/);
  });

  test('the Think switch shows for a model that can think, and is saved with the conversation', async () => {
    const { page } = app;
    const conversation = await api<{ id: string }>(app, 'chat.conversations.create', { modelId });
    await page.goto(`${app.server.url}#/chat/${conversation.id}`);
    await waitForConnected(page);
    const think = page.getByRole('button', { name: 'Thinking' });
    await think.waitFor();
    expect(await think.getAttribute('aria-pressed')).toBe('false');
    await think.click();
    await expect.poll(() => think.getAttribute('aria-pressed')).toBe('true');
    await shootBothThemes(app, 'chat', 'think-on');
    await expect
      .poll(
        async () =>
          (await api<{ sampling: { thinking?: boolean } }>(app, 'chat.conversations.get', { id: conversation.id }))
            .sampling,
      )
      .toMatchObject({ thinking: true });
    await page.reload();
    await waitForConnected(page);
    await expect.poll(() => page.getByRole('button', { name: 'Thinking' }).getAttribute('aria-pressed')).toBe('true');

    // A model whose template cannot think has no switch.
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'Llama 3 tiny' }).click();
    await expect
      .poll(
        async () => (await api<{ modelId: string }>(app, 'chat.conversations.get', { id: conversation.id })).modelId,
      )
      .toBe(plainId);
    expect(await page.getByRole('button', { name: 'Thinking' }).count()).toBe(0);

    // Compare: a contender on a model that can think has its own switch.
    await page.goto(`${app.server.url}#/compare`);
    await waitForConnected(page);
    // (blind by default: the contenders are named 1 and 2)
    await page.getByLabel('Model 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Qwen 3 tiny' }).click();
    await page.getByLabel('Model 2', { exact: true }).click();
    await page.getByRole('option', { name: 'Llama 3 tiny' }).click();
    const think1 = page.getByRole('button', { name: 'Thinking 1' });
    await think1.click();
    await expect.poll(() => think1.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'Thinking 2' }).count()).toBe(0);
    await shootBothThemes(app, 'compare', 'think');
  });
});
