import type { Migration } from '../migrate';

/**
 * Where a model of the library came from when Lathe made it by merging a fine-tune into its base
 * (`adapters.merge`): JSON `{base, adapter}` read from the GGUF's own metadata; null for every other model.
 */
export const migration009: Migration = {
  version: 9,
  name: 'model_merged_from',
  sql: `
    ALTER TABLE models ADD COLUMN merged_from TEXT CHECK (merged_from IS NULL OR json_valid(merged_from));
  `,
};
