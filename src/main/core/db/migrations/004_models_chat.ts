import type { Migration } from '../migrate';

/**
 * The model library, conversations with branching messages (edits and regenerations are siblings
 * under one `parent_id`), and answers kept as instruction data. A model is identified by its
 * content hash, like the base of an adapter; `mtime_ms`/`size_bytes` let a moved or replaced file
 * be noticed without rehashing.
 */
export const migration004: Migration = {
  version: 4,
  name: 'models_chat',
  sql: `
    CREATE TABLE models (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      path TEXT NOT NULL,
      sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
      size_bytes INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      architecture TEXT NOT NULL,
      parameter_count INTEGER,
      file_type TEXT,
      context_length INTEGER,
      has_chat_template INTEGER NOT NULL CHECK (has_chat_template IN (0, 1)),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX models_path ON models (path);

    CREATE TABLE conversations (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      system_prompt TEXT NOT NULL,
      model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
      adapters TEXT NOT NULL CHECK (json_valid(adapters)),
      sampling TEXT NOT NULL CHECK (json_valid(sampling)),
      active_leaf_id TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX conversations_updated ON conversations (updated_at);

    CREATE TABLE messages (
      id TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      parent_id TEXT REFERENCES messages (id) ON DELETE CASCADE,
      role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
      content TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('streaming', 'done', 'stopped', 'failed')),
      error TEXT CHECK (error IS NULL OR json_valid(error)),
      variant TEXT CHECK (variant IS NULL OR json_valid(variant)),
      sampling TEXT CHECK (sampling IS NULL OR json_valid(sampling)),
      stats TEXT CHECK (stats IS NULL OR json_valid(stats)),
      truncated_context INTEGER NOT NULL DEFAULT 0 CHECK (truncated_context IN (0, 1)),
      rating TEXT CHECK (rating IS NULL OR rating IN ('up', 'down')),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
    CREATE INDEX messages_parent ON messages (parent_id);

    CREATE TABLE kept_examples (
      id TEXT PRIMARY KEY,
      conversation_id TEXT REFERENCES conversations (id) ON DELETE SET NULL,
      message_id TEXT UNIQUE REFERENCES messages (id) ON DELETE SET NULL,
      messages TEXT NOT NULL CHECK (json_valid(messages)),
      edited INTEGER NOT NULL CHECK (edited IN (0, 1)),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX kept_examples_created ON kept_examples (created_at);
  `,
};
