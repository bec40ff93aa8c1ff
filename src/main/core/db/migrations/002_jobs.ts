import type { Migration } from '../migrate';

/** Long operations (downloads, imports, training) and their last known progress. */
export const migration002: Migration = {
  version: 2,
  name: 'jobs',
  sql: `
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
      progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
      message TEXT NOT NULL DEFAULT '',
      args TEXT NOT NULL CHECK (json_valid(args)),
      result TEXT CHECK (result IS NULL OR json_valid(result)),
      error TEXT CHECK (error IS NULL OR json_valid(error)),
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    ) STRICT;
    CREATE INDEX jobs_state ON jobs (state);
    CREATE INDEX jobs_kind_created ON jobs (kind, created_at);
  `,
};
