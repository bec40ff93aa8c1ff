import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainerAddon } from '../../native/index';
import type { Core } from '../../src/main/core/createCore';
import type { Job, TrainingRun } from '../../src/shared/domain';
import { writeAddonNeedingLibrary } from '../helpers/addonNeedingLibrary';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
/** A shared object like a GPU build of the addon on a machine without that GPU's runtime. */
let needsMissing: string;
let garbage: string;
const missing = 'liblathe_test_runtime.so.7';

beforeAll(() => {
  dir = tempDir('lathe-addon-load-');
  needsMissing = writeAddonNeedingLibrary(dir.path, missing, 'gpu_build.node');
  garbage = join(dir.path, 'damaged.node');
  writeFileSync(garbage, 'not a shared object at all\n');
});
afterAll(() => dir?.remove());

describe('a trainer addon that cannot load', () => {
  it('names the missing library and what to do, for a build whose runtime is absent', () => {
    expect(() => loadTrainerAddon(needsMissing)).toThrow(
      expect.objectContaining({
        code: 'LOAD_FAILED',
        message: expect.stringMatching(
          new RegExp(
            `^the trainer addon \\(${needsMissing}\\) needs ${missing.replace(/\./g, '\\.')}, which this machine does not have: ` +
              'install the runtime of the GPU it was built for .*, or rebuild it for this machine with npm run build:native',
          ),
        ),
      }),
    );
  });

  it('names the file and the reason for a damaged one', () => {
    expect(() => loadTrainerAddon(garbage)).toThrow(
      expect.objectContaining({
        code: 'LOAD_FAILED',
        message: expect.stringMatching(/^the trainer addon \(.*damaged\.node\) cannot be loaded: .+; rebuild it/),
      }),
    );
  });

  describe('through the core', () => {
    let core: Core;
    let model: string;
    beforeAll(() => {
      model = join(dir.path, 'tiny.gguf');
      writeRandomLlama(model, { seed: 5 });
      writeFileSync(
        join(dir.path, 'chats.jsonl'),
        JSON.stringify({
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello' },
          ],
        }) + '\n',
      );
      core = testCore(join(dir.path, 'data'), { trainerAddonPath: needsMissing });
    });
    afterAll(async () => core?.close());

    it('the estimate and a run fail with UNSUPPORTED and the reason; the core carries on', async () => {
      const estimate = await core.dispatch('training.estimate', { baseModelPath: model, hyperparams: { rank: 4 } });
      expect(estimate).toMatchObject({
        ok: false,
        error: {
          code: 'UNSUPPORTED',
          message: expect.stringContaining(`Fine-tuning is unavailable: the trainer addon`),
        },
      });
      expect(estimate.ok === false && estimate.error.message).toContain(`needs ${missing}`);

      const started = await core.dispatch('training.start', {
        baseModelPath: model,
        data: { kind: 'file', path: join(dir.path, 'chats.jsonl') },
        hyperparams: { rank: 4, maxLength: 256, epochs: 1 },
      });
      expect(started.ok).toBe(true);
      const run = (started as { data: TrainingRun }).data;
      const job: Job = await core.jobs.wait(run.jobId!);
      expect(job.state).toBe('failed');
      expect(job.error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining(`needs ${missing}`) });
      // the core still answers
      const list = await core.dispatch('training.list', {});
      expect(list.ok).toBe(true);
    });
  });
});
