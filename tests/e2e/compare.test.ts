import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeLoraAdapter, writeTinyChatModel } from '../helpers/models/testModels';
import { api, launchApp, type LatheApp } from './harness';
import { greedySides, shootBothThemes, toast } from './ui';

const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'compare', name);

describe('compare', () => {
  let app: LatheApp;
  let dir: string;
  let datasetId: string;
  let tinyId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-compare-'));
    const model = join(dir, 'tiny.gguf');
    writeTinyChatModel(model, 3);
    writeLoraAdapter(join(dir, 'strong.gguf'), { gain: 3, seed: 11 });
    app = await launchApp({ hash: '#/compare', colorScheme: 'light' });
    const { job } = await api<{ job: { id: string } }>(app, 'models.import', { path: model, name: 'Tiny' });
    const modelId = await (async () => {
      for (;;) {
        const done = await api<{ state: string; result?: { modelId: string } }>(app, 'jobs.get', { id: job.id });
        if (done.state === 'succeeded') return done.result!.modelId;
        if (done.state !== 'running' && done.state !== 'queued') throw new Error(`import ${done.state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    tinyId = modelId;
    const { sha256 } = await api<{ sha256: string }>(app, 'models.get', { id: modelId });
    // A fine-tune of the model, as training would record it.
    const db = new Database(join(app.server.dataDir, 'lathe.db'));
    db.prepare(
      `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
       VALUES ('strong', 'Strong tune', ?, ?, ?, NULL, 4, 4, '["q","v"]', 1, 1)`,
    ).run(join(dir, 'strong.gguf'), model, sha256);
    db.close();
    datasetId = (await api<{ id: string }>(app, 'datasets.create', { name: 'Compare picks' })).id;
    await app.page.reload();
    await app.page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('compares base and fine-tune blind, votes with the keyboard, edits the ideal answer into a dataset', async () => {
    const { page } = app;
    await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
    // Defaults: the model's base against its fine-tune, blind.
    await expect(page.getByLabel('Variant 2').textContent()).resolves.toContain('Strong tune');
    await expect(page.getByLabel('Blind', { exact: true }).getAttribute('data-state')).resolves.toBe('checked');
    // Greedy and short: answers the same from run to run, and quick on a busy machine.
    await greedySides(page, 8);
    await page.getByLabel('Prompt', { exact: true }).fill('Name three colours');
    await page.getByLabel('Prompt', { exact: true }).press('Enter');
    await page
      .getByTestId('status-a')
      .filter({ hasText: /Writing|Done/ })
      .waitFor();
    await expect(page.getByTestId('label-a').textContent()).resolves.toBe('Hidden until you vote');
    await page.getByTestId('status-a').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('status-b').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    await expect(page.getByTestId('label-b').textContent()).resolves.toBe('Hidden until you vote');
    await expect(page.getByTestId('stats-a').count()).resolves.toBe(0);
    await shoot(app, 'answers-blind');

    // Edit A into the ideal answer, give a reason, and vote B with the keyboard.
    await page.getByRole('button', { name: 'Edit A into the ideal answer' }).click();
    await page.getByLabel('Ideal answer from A').fill('Red, green and blue.');
    await shoot(app, 'edit-ideal');
    await page.getByRole('button', { name: 'Use as ideal answer' }).click();
    await page.getByTestId('ideal-answer').filter({ hasText: 'Red, green and blue.' }).waitFor();
    await page.getByPlaceholder('Why? (optional, saved with the vote)').fill('B lists them plainly');
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('2');
    await page.getByTestId('vote-saved').waitFor();
    await page.locator('[aria-label="Vote"] button[aria-pressed="true"]', { hasText: 'B is better' }).waitFor();
    const labels = [await page.getByTestId('label-a').textContent(), await page.getByTestId('label-b').textContent()];
    expect(labels.sort()).toEqual(['Tiny + Strong tune · T0', 'Tiny · T0']);
    await page.getByTestId('stats-a').waitFor();

    await page.getByRole('button', { name: 'Add to dataset' }).click();
    await toast(page, 'Added to Compare picks').waitFor();
    await page.getByRole('button', { name: 'Update in dataset' }).waitFor();
    await shoot(app, 'voted');
    const list = await api<{ items: { source: string; answer: string; hasRejected: boolean }[] }>(
      app,
      'datasets.examples.list',
      { datasetId },
    );
    expect(list.items).toEqual([
      expect.objectContaining({ source: 'comparison', answer: 'Red, green and blue.', hasRejected: true }),
    ]);
    // After a reload the comparison is still there: reopen it from the recent list.
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();
    const recent = page.getByTestId('recent-comparison').filter({ hasText: 'Name three colours' });
    await expect(recent.textContent()).resolves.toMatch(/in dataset.*B won/);
    await recent.click();
    await page.getByTestId('comparison-prompt').filter({ hasText: 'Name three colours' }).waitFor();
    await page.getByTestId('vote-saved').waitFor();
    await page.getByTestId('ideal-answer').filter({ hasText: 'Red, green and blue.' }).waitFor();
    await shoot(app, 'reopened');
    expect(app.errors).toEqual([]);
  }, 300_000);

  test('runs a batch review in the background and votes through it with keys 1–4', async () => {
    const { page } = app;
    await page.getByRole('radio', { name: 'Batch review' }).click();
    // The page was reloaded: short, greedy answers again.
    await greedySides(page, 8);
    await page.getByLabel('Prompts, one per line').fill('Say hi\n\nCount to three\nName a fruit');
    await page.getByLabel('Batch name').fill('Tune vs base');
    await page.getByRole('button', { name: 'Generate 3 comparisons' }).click();
    const row = page.getByTestId('batch-row').filter({ hasText: 'Tune vs base' });
    await row.waitFor();
    await shoot(app, 'batch-generating');
    await row.getByText('ready').waitFor({ timeout: 120_000 });
    await expect(row.textContent()).resolves.toContain('3/3 generated');
    await row.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('batch-review').waitFor();
    await expect(page.getByTestId('review-prompt').textContent()).resolves.toBe('Say hi');
    await shoot(app, 'batch-review');
    for (const [i, key] of ['1', '3', '4'].entries()) {
      // Votes are taken once the previous one is saved and the buttons are enabled again (a slow
      // machine shows the new count a moment before the mutation settles).
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLButtonElement>('[aria-label="Vote"] button')].every((b) => !b.disabled),
      );
      await page.keyboard.press(key);
      await page
        .getByTestId('review-progress')
        .filter({ hasText: `${i + 1} of 3 voted` })
        .waitFor();
    }
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('review-prompt').textContent()).resolves.toBe('Count to three');
    await shoot(app, 'batch-voted');
    await page.getByRole('button', { name: 'All batches' }).click();
    await row.getByText('3 voted').waitFor();
    expect(app.errors).toEqual([]);
  }, 300_000);

  test('shows win rates with intervals and the leaderboard, and exports preference pairs', async () => {
    const { page } = app;
    await page.getByRole('radio', { name: 'Results' }).click();
    await page.getByTestId('votes-count').filter({ hasText: '4 votes' }).waitFor();
    const rate = page.getByTestId('win-rate');
    await rate.waitFor();
    // Two decisive votes (B in the first comparison, 1 in the batch), one tie, one both-bad.
    await expect(rate.getByTestId('win-rate-text').textContent()).resolves.toMatch(
      /of 2 decisive votes · \d–\d · 1 tie · 1 both bad/,
    );
    await expect(page.getByTestId('leaderboard-row').count()).resolves.toBe(2);
    await expect(page.getByTestId('pairs-count').textContent()).resolves.toMatch(/^[1-9]\d* pairs? — /);
    const path = join(dir, 'pairs.jsonl');
    await page.getByLabel('Export path').fill(path);
    await page.getByRole('button', { name: 'Export' }).click();
    await toast(page, 'Wrote').waitFor();
    expect(existsSync(path)).toBe(true);
    for (const line of readFileSync(path, 'utf8').trimEnd().split('\n')) {
      const record = JSON.parse(line) as { prompt: unknown[]; chosen: unknown[]; rejected: unknown[] };
      expect(Object.keys(record).sort()).toEqual(['chosen', 'prompt', 'rejected']);
      expect(Array.isArray(record.prompt)).toBe(true);
    }
    await shoot(app, 'results');
    // Exporting again without "Overwrite" is refused, with the reason.
    await page.getByRole('button', { name: 'Export' }).click();
    await toast(page, 'CONFLICT').waitFor();
    expect(app.errors).toEqual([]);
  }, 120_000);

  test('while a blind comparison writes, the Models page hides which model is loaded', async () => {
    const { page } = app;
    const sampling = { temperature: 1, topP: 1, topK: 0, minP: 0, repeatPenalty: 1, maxTokens: 4000, seed: 5 };
    const started = await api<{ id: string }>(app, 'compare.start', {
      messages: [{ role: 'user', content: 'Keep talking' }],
      contenders: [
        { modelId: tinyId, sampling },
        { modelId: tinyId, adapters: [{ adapterId: 'strong' }], sampling },
      ],
      blind: true,
    });
    await page.evaluate(() => (window.location.hash = '#/models'));
    const notice = page.getByTestId('blind-comparison-notice');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toBe(
      'A blind comparison is writing its answers: which model is loaded stays hidden until it is done.',
    );
    await expect(page.getByTestId('loaded-badge').count()).resolves.toBe(0);
    // and loading another model waits until it is done (the engine would refuse it as busy)
    const card = page.locator(`[data-model-id="${tinyId}"]`);
    await expect(card.getByRole('button', { name: 'Load', exact: true }).isDisabled()).resolves.toBe(true);
    await notice.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shoot(app, 'models-blind-hidden');
    await api(app, 'compare.stop', { id: started.id });
    // Done: the model (the same for both sides here) shows as loaded again.
    await notice.waitFor({ state: 'detached' });
    await page.getByTestId('loaded-badge').waitFor();
    await expect(card.getByRole('button', { name: 'Unload', exact: true }).isEnabled()).resolves.toBe(true);
  });

  test('picks the best of two regenerated answers in chat, and the pick joins the preference pairs', async () => {
    const { page } = app;
    const models = await api<{ id: string }[]>(app, 'models.list', {});
    // Two fixed seeds: two different, non-empty versions (an empty answer cannot be preferred over).
    const conversation = await api<{ id: string }>(app, 'chat.conversations.create', {
      modelId: models[0]!.id,
      sampling: { temperature: 1, maxTokens: 6, seed: 1 },
    });
    const waitDone = async (messageId: string) => {
      for (;;) {
        const thread = await api<{ messages: { id: string; status: string; content: string }[] }>(app, 'chat.thread', {
          conversationId: conversation.id,
        });
        const m = thread.messages.find((x) => x.id === messageId && x.status !== 'streaming');
        if (m) return m.content;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await api<{ assistantMessageId: string }>(app, 'chat.send', {
      conversationId: conversation.id,
      content: 'Pick me',
    });
    const one = await waitDone(first.assistantMessageId);
    await api(app, 'chat.conversations.update', { id: conversation.id, sampling: { seed: 2 } });
    const second = await api<{ assistantMessageId: string }>(app, 'chat.regenerate', {
      messageId: first.assistantMessageId,
    });
    const two = await waitDone(second.assistantMessageId);
    expect(one.trim()).not.toBe('');
    expect(two.trim()).not.toBe('');
    await page.goto(`${app.server.url}#/chat/${conversation.id}`);
    const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
    await answer.getByTestId('branch-position').filter({ hasText: '2/2' }).waitFor();
    await answer.getByRole('button', { name: 'Best version' }).click();
    await toast(page, 'Preferred over 1 other version').waitFor();
    await answer.locator('button[aria-label="Best version"][aria-pressed="true"]').waitFor();
    await shoot(app, 'chat-pick');
    const pairs = await api<{ bySource: Record<string, number> }>(app, 'feedback.pairs', {});
    expect(pairs.bySource['chat-pick']).toBe(1);
    const target = await api<{ id: string }>(app, 'datasets.create', { name: 'Compare pairs' });
    await page.goto(`${app.server.url}#/compare`);
    await page.getByRole('radio', { name: 'Results' }).click();
    await page.getByTestId('pairs-count').filter({ hasText: '1 picked in chat' }).waitFor();

    // every pair into a dataset, then one click to a DPO fine-tune on it
    const total = (await api<{ total: number }>(app, 'feedback.pairs', {})).total;
    await page.getByLabel('Dataset for the pairs').click();
    await page.getByRole('option', { name: 'Compare pairs' }).click();
    await page.getByRole('button', { name: `Add ${total} pairs to the dataset` }).click();
    const added = page.getByTestId('pairs-added');
    await added.waitFor();
    await expect(added.textContent()).resolves.toBe(`Added ${total} pairs to Compare pairs. Fine-tune with DPO`);
    await shoot(app, 'pairs-to-dataset');
    // a second time adds none of them again
    await page.getByRole('button', { name: `Add ${total} pairs to the dataset` }).click();
    await added.filter({ hasText: `Added 0 pairs to Compare pairs (${total} already there).` }).waitFor();
    await page.getByRole('link', { name: 'Fine-tune with DPO' }).click();
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/finetune/dataset/${target.id}/dpo`);
    await expect(page.getByRole('radio', { name: 'Preference (DPO)' }).getAttribute('aria-checked')).resolves.toBe(
      'true',
    );
    await page.locator(`[data-testid="data-pairs"][data-pairs="${total}"]`).waitFor();
    expect(app.errors).toEqual([]);
  }, 120_000);
});
