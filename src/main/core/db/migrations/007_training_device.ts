import type { Migration } from '../migrate';

/**
 * Where a fine-tuning run trains: the device, the window it chose, the memory estimate made before
 * the first step, what was really allocated after it, and the training-graph nodes a GPU backend
 * could not run (kept on the CPU). JSON of `TrainingDeviceReport`; null for runs from before.
 */
export const migration007: Migration = {
  version: 7,
  name: 'training_device',
  sql: `
    ALTER TABLE training_runs ADD COLUMN device TEXT CHECK (device IS NULL OR json_valid(device));
  `,
};
