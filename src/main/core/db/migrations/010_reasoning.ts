import type { Migration } from '../migrate';

/**
 * Reasoning models. `models.reasoning`: how the model's chat template handles thinking (`none`,
 * `switchable`, `always`), read from the GGUF; NULL for models imported before this version until
 * the library reads their files again at start. `messages.reasoning`: the thought a reasoning model
 * wrote before its answer, kept apart from the answer (`content`); NULL when it wrote none.
 * `messages.edited`: an answer written by hand (`chat.editAnswer`), not by the model.
 */
export const migration010: Migration = {
  version: 10,
  name: 'reasoning_and_edited_answers',
  sql: `
    ALTER TABLE models ADD COLUMN reasoning TEXT CHECK (reasoning IS NULL OR reasoning IN ('none', 'switchable', 'always'));
    ALTER TABLE messages ADD COLUMN reasoning TEXT;
    ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1));
  `,
};
