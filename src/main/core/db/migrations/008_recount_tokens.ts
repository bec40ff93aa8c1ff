import type { Migration } from '../migrate';

/**
 * Token counts are counted again: they now count what training tokenizes (a folded system prompt,
 * the last answer in its generation prompt's context, reasoning off), which differs from the
 * earlier plain rendering for some templates (Gemma 2, Mistral, Qwen 3). Only the cached counts go;
 * the Tokens job (or the estimate's "Count the dataset's tokens") fills them in again.
 */
export const migration008: Migration = {
  version: 8,
  name: 'recount_tokens',
  sql: `
    UPDATE dataset_examples SET token_count = NULL, token_model = NULL WHERE token_model IS NOT NULL;
  `,
};
