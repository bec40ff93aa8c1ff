import type { Migration } from '../migrate';

/**
 * Side-by-side comparisons and the preference data they produce. A comparison stores its sides as
 * shown (`a` left, `b` right) with each contender's full configuration, and `swapped` records
 * whether blind mode put the second contender picked on the left, so the pick order can always be
 * recovered. Batch reviews group comparisons; deleting a batch deletes its comparisons. A chat
 * preference ("regenerate, then pick the better") links two sibling answers; one per pair of
 * answers, whichever way round (`pair_key` is the two ids sorted).
 */
export const migration006: Migration = {
  version: 6,
  name: 'compare',
  sql: `
    CREATE TABLE compare_batches (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      job_id TEXT,
      blind INTEGER NOT NULL CHECK (blind IN (0, 1)),
      contenders TEXT NOT NULL CHECK (json_valid(contenders)),
      source_dataset_id TEXT,
      state TEXT NOT NULL CHECK (state IN ('generating', 'ready', 'cancelled', 'failed')),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX compare_batches_created ON compare_batches (created_at);

    CREATE TABLE comparisons (
      id TEXT PRIMARY KEY,
      batch_id TEXT REFERENCES compare_batches (id) ON DELETE CASCADE,
      position INTEGER NOT NULL DEFAULT 0,
      messages TEXT NOT NULL CHECK (json_valid(messages)),
      blind INTEGER NOT NULL CHECK (blind IN (0, 1)),
      swapped INTEGER NOT NULL CHECK (swapped IN (0, 1)),
      mode TEXT NOT NULL CHECK (mode IN ('parallel', 'sequential')),
      mode_reason TEXT,
      contender_a TEXT NOT NULL CHECK (json_valid(contender_a)),
      contender_b TEXT NOT NULL CHECK (json_valid(contender_b)),
      answer_a TEXT NOT NULL DEFAULT '',
      answer_b TEXT NOT NULL DEFAULT '',
      status_a TEXT NOT NULL CHECK (status_a IN ('pending', 'streaming', 'done', 'stopped', 'failed')),
      status_b TEXT NOT NULL CHECK (status_b IN ('pending', 'streaming', 'done', 'stopped', 'failed')),
      error_a TEXT CHECK (error_a IS NULL OR json_valid(error_a)),
      error_b TEXT CHECK (error_b IS NULL OR json_valid(error_b)),
      stats_a TEXT CHECK (stats_a IS NULL OR json_valid(stats_a)),
      stats_b TEXT CHECK (stats_b IS NULL OR json_valid(stats_b)),
      vote TEXT CHECK (vote IS NULL OR vote IN ('a', 'b', 'tie', 'both_bad')),
      reason TEXT,
      ideal_answer TEXT,
      source_dataset_id TEXT,
      source_example_id TEXT,
      created_at INTEGER NOT NULL,
      voted_at INTEGER,
      CHECK ((vote IS NULL) = (voted_at IS NULL))
    ) STRICT;
    CREATE INDEX comparisons_batch ON comparisons (batch_id, position);
    CREATE INDEX comparisons_created ON comparisons (created_at);

    CREATE TABLE chat_preferences (
      id TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      chosen_message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
      rejected_message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
      pair_key TEXT NOT NULL UNIQUE,
      reason TEXT,
      created_at INTEGER NOT NULL,
      CHECK (chosen_message_id <> rejected_message_id)
    ) STRICT;
  `,
};
