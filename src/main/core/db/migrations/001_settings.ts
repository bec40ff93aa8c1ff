import type { Migration } from '../migrate';

/** Key-value application settings; values are JSON. */
export const migration001: Migration = {
  version: 1,
  name: 'settings',
  sql: `
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL CHECK (json_valid(value)),
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
};
