import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTinyChatModel } from '../helpers/models/testModels';
import { api, importModel, launchApp, type LatheApp } from './harness';
import { shootBothThemes } from './ui';

const addonPath = resolve('native/build/Release/lathe_trainer.node');
const shoot = (app: LatheApp, name: string) => shootBothThemes(app, 'preference', name);

describe('preference training (DPO) from the Fine-tune page', () => {
  let app: LatheApp;
  let dir: string;
  let pairsId: string;
  let plainId: string;

  beforeAll(async () => {
    if (!existsSync(addonPath)) {
      throw new Error(`The trainer addon is not built (${addonPath}); run \`node native/scripts/build.mjs\` first.`);
    }
    dir = mkdtempSync(join(tmpdir(), 'lathe-e2e-preference-'));
    const model = join(dir, 'tiny-chat.gguf');
    writeTinyChatModel(model, 5);
    app = await launchApp({ hash: '#/finetune', colorScheme: 'light' });
    await importModel(app, model, 'Tiny chat model');
    // 24 pairs (the last 4 held out), as Compare's "Add to dataset" leaves them, and 2 plain examples
    const plain = await api<{ id: string }>(app, 'datasets.create', { name: 'Plain notes' });
    plainId = plain.id;
    const pairs = await api<{ id: string }>(app, 'datasets.create', { name: 'Preferred answers' });
    pairsId = pairs.id;
    for (let i = 0; i < 26; i++) {
      await api(app, 'datasets.examples.create', {
        datasetId: pairsId,
        messages: [
          { role: 'user', content: `Tell me about topic ${i}.` },
          { role: 'assistant', content: 'Lathe keeps it short.' },
        ],
        ...(i < 24 ? { rejected: 'I am not sure, maybe ask someone else about that one.' } : {}),
        ...(i >= 20 && i < 24 ? { split: 'eval' } : {}),
      });
    }
    await api(app, 'datasets.examples.create', {
      datasetId: plainId,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a dataset without rejected answers says there is nothing to learn preferences from', async () => {
    const { page } = app;
    await page.evaluate((id) => (location.hash = `#/finetune/dataset/${id}`), plainId);
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    await expect(page.getByTestId('method-hint').textContent()).resolves.toBe('Learns the answers of your examples.');
    await expect(page.getByLabel(/^DPO β/).count()).resolves.toBe(0);
    await page.getByRole('radio', { name: 'Preference (DPO)' }).click();
    await page.locator('[data-testid="data-pairs"][data-pairs="0"]').waitFor();
    await expect(page.getByTestId('data-pairs').textContent()).resolves.toMatch(
      /No example here has a rejected answer/,
    );
    // starting anyway is refused by the core with the same advice, on the data field
    await page.getByRole('button', { name: 'Start fine-tune' }).click();
    const dataField = page.getByLabel('Training data', { exact: true });
    await page
      .getByText(/Preference training \(DPO\) needs examples with a rejected answer/)
      .first()
      .waitFor();
    await expect(dataField.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await dataField.getAttribute('aria-describedby')) ?? '';
    const fieldError = page.locator(`[id="${describedBy.split(' ')[0]}"]`);
    await expect(fieldError.textContent()).resolves.toMatch(
      /^Preference training \(DPO\) needs examples with a rejected answer, and Plain notes has none of its 1\./,
    );
    await shoot(app, 'no-pairs');
  });

  test('trains on the pairs and says how the fine-tune ranks the held-out ones', async () => {
    const { page } = app;
    await page.evaluate((id) => (location.hash = `#/finetune/dataset/${id}`), pairsId);
    await page.getByRole('heading', { name: 'New fine-tune' }).waitFor();
    await page.getByTestId('dataset-select').getByText('Preferred answers').waitFor();
    // with SFT chosen, the form points to the pairs it would leave unused
    await expect(page.getByTestId('data-pairs-hint').textContent()).resolves.toBe(
      '24 of them have a rejected answer: Preference (DPO) learns from those pairs; Instruction (SFT) learns the answers alone.',
    );
    await page.getByRole('radio', { name: 'Preference (DPO)' }).click();
    await expect(page.getByTestId('data-pairs-hint').count()).resolves.toBe(0);
    await page.locator('[data-testid="data-pairs"][data-pairs="24"]').waitFor();
    await expect(page.getByTestId('data-pairs').textContent()).resolves.toContain(
      'Trains on 24 preference pairs (examples with a rejected answer; 2 examples without one are left out)',
    );
    await expect(page.getByTestId('method-hint').textContent()).resolves.toMatch(/rejected answer/);
    await expect(page.getByLabel(/^DPO β/).inputValue()).resolves.toBe('0.1');
    await page.getByLabel(/^DPO β/).fill('0.5');
    await page.getByLabel(/^Rank/).fill('4');
    await page.getByLabel(/^Alpha/).fill('8');
    await page.getByLabel(/^Epochs/).fill('3');
    await page.getByLabel(/^Learning rate/).fill('1e-2');
    await page.getByRole('button', { name: /Advanced/ }).click();
    await page.getByLabel(/^Batch tokens/).fill('1024');
    await page.getByLabel(/^Warmup/).fill('0');
    await page.getByLabel(/^Seed/).fill('11');
    await page.getByRole('heading', { name: 'New fine-tune' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot(app, 'form');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();

    const panel = page.getByTestId('run-panel');
    await panel.locator('[data-testid="run-state"][data-state="running"]').waitFor();
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor({ timeout: 120_000 });
    await expect(panel.getByTestId('stat-reward-accuracy').textContent()).resolves.toContain('100 %');
    // DPO's loss starts at ln 2 = 0.693 and falls
    const evalLoss = Number(await panel.getByTestId('stat-eval-loss').textContent());
    expect(evalLoss).toBeLessThan(0.6);
    const result = panel.getByTestId('run-result');
    await expect(result.textContent()).resolves.toContain(
      'Trained on 20 preference pairs, evaluated on 4 · 2 examples without a rejected answer left out.',
    );
    await expect(panel.getByTestId('run-preference').textContent()).resolves.toMatch(
      /^On the held-out pairs the fine-tune prefers the chosen answer more than its base does in 100 % \(mean reward margin \d+\.\d\d\)/,
    );
    await expect(panel.getByRole('heading', { name: 'DPO loss' }).count()).resolves.toBe(1);
    // the run list says what kind of run it was and how it did
    await page
      .getByRole('list', { name: 'Runs' })
      .getByText(/^DPO loss \d\.\d{3} · 100 % pairs won$/)
      .waitFor();
    await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot(app, 'done');
  });

  test('goes on from that fine-tune: its rank and alpha, and it is the new run’s reference', async () => {
    const { page } = app;
    const startFrom = page.getByTestId('init-adapter');
    await expect(startFrom.textContent()).resolves.toBe('A new adapter');
    await startFrom.click();
    await page.getByRole('option', { name: 'Tiny chat model · Preferred answers' }).click();
    await expect(page.getByLabel(/^Rank/).isDisabled()).resolves.toBe(true);
    await expect(page.getByLabel(/^Rank/).inputValue()).resolves.toBe('4');
    await expect(page.getByLabel(/^Alpha/).inputValue()).resolves.toBe('8');
    await page.getByText(/^Training goes on from "Tiny chat model · Preferred answers"/).waitFor();
    await page.getByLabel(/^Run name/).fill('On top');
    await shoot(app, 'start-from');
    await page.getByRole('button', { name: 'Start fine-tune' }).click();
    const panel = page.getByTestId('run-panel');
    await panel.getByRole('heading', { name: 'On top' }).waitFor();
    await panel.locator('[data-testid="run-state"][data-state="succeeded"]').waitFor({ timeout: 120_000 });
    const runs = await api<{ name: string; hyperparams: { initAdapterId?: string; rank: number } }[]>(
      app,
      'training.list',
      {},
    );
    const adapters = await api<{ id: string; name: string }[]>(app, 'adapters.list', {});
    const onTop = runs.find((r) => r.name === 'On top')!;
    expect(onTop.hyperparams.rank).toBe(4);
    expect(onTop.hyperparams.initAdapterId).toBe(
      adapters.find((a) => a.name === 'Tiny chat model · Preferred answers')!.id,
    );
    // before its first step the run is its reference (the fine-tune it started from): DPO's loss is ln 2
    const { metrics } = await api<{ metrics: { step: number; evalLoss: number | null }[] }>(app, 'training.get', {
      id: (await api<{ id: string; name: string }[]>(app, 'training.list', {})).find((r) => r.name === 'On top')!.id,
    });
    // (the evaluation before the first step is reported with step 1; the next is at step 3)
    expect(metrics.find((m) => m.step === 1)!.evalLoss).toBeCloseTo(Math.log(2), 3);
    expect(app.errors).toEqual([]);
  });
});
