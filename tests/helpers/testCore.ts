import { resolve } from 'node:path';
import { createCore, type Core, type CoreConfig } from '../../src/main/core/createCore';
import { silentLogger } from '../../src/main/core/logger';
import { inferenceProcessEnv } from '../../src/main/core/inference/InferenceClient';
import { forkLauncher } from '../../src/main/core/processes';
import { forkTrainerLauncher } from '../../src/main/core/training/TrainerLauncher';

/** The built training process entry (`npm run build` makes it). */
export const trainerEntry = resolve('out/main/trainer.js');
/** The built model runtime process entry. */
export const inferenceEntry = resolve('out/main/inference.js');
export const trainerAddon = resolve('native/build/Release/lathe_trainer.node');

/** A real core over a real SQLite file in `dataDir`, as the hosts build it. */
export function testCore(dataDir: string, overrides: Partial<CoreConfig> = {}): Core {
  return createCore({
    dataDir,
    logger: silentLogger,
    host: 'test',
    appVersion: '0.0.0-test',
    trainerLauncher: forkTrainerLauncher(trainerEntry),
    trainerAddonPath: trainerAddon,
    inferenceLauncher: forkLauncher(inferenceEntry, { ...process.env, ...inferenceProcessEnv }),
    ...overrides,
  });
}
