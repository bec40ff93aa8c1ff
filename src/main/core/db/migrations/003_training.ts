import type { Migration } from '../migrate';

/**
 * Fine-tuning runs, their per-step metrics (for the loss chart) and the adapters they produce.
 * A base model is identified by its path and content hash, so an adapter is never applied to a
 * different model that happens to sit at the same path.
 */
export const migration003: Migration = {
  version: 3,
  name: 'training',
  sql: `
    CREATE TABLE training_runs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
      job_id TEXT REFERENCES jobs (id) ON DELETE SET NULL,
      base_model_path TEXT NOT NULL,
      base_model_sha256 TEXT NOT NULL,
      data_source TEXT NOT NULL CHECK (json_valid(data_source)),
      data_sha256 TEXT NOT NULL,
      hyperparams TEXT NOT NULL CHECK (json_valid(hyperparams)),
      summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
      error TEXT CHECK (error IS NULL OR json_valid(error)),
      checkpoint_path TEXT,
      step INTEGER NOT NULL DEFAULT 0,
      total_steps INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER
    ) STRICT;
    CREATE INDEX training_runs_created ON training_runs (created_at);

    CREATE TABLE training_metrics (
      run_id TEXT NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      epoch REAL NOT NULL,
      train_loss REAL,
      eval_loss REAL,
      learning_rate REAL NOT NULL,
      tokens_per_second REAL NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (run_id, step)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE adapters (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      path TEXT NOT NULL UNIQUE,
      base_model_path TEXT NOT NULL,
      base_model_sha256 TEXT NOT NULL,
      run_id TEXT REFERENCES training_runs (id) ON DELETE SET NULL,
      rank INTEGER NOT NULL CHECK (rank > 0),
      alpha REAL NOT NULL,
      targets TEXT NOT NULL CHECK (json_valid(targets)),
      size_bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX adapters_base ON adapters (base_model_sha256);
  `,
};
