import type { Migration } from '../migrate';

/**
 * Instruction datasets and their examples, with per-example edit history (undo), a trash
 * (`deleted_at`), full-text search and the last hygiene report; answers kept from chat move into a
 * dataset named "Kept from chat" (same ids, so messages still point at them) and `kept_examples` goes.
 *
 * Choices, and why:
 * - `dataset_examples.seq` is an INTEGER PRIMARY KEY so the FTS rowid stays stable across VACUUM
 *   (an implicit rowid may be renumbered); `id` is the public, unique text id.
 * - Search is FTS5 with `unicode61` (diacritics folded) and 2/3-character prefix indexes, queried as
 *   per-term prefixes ("tok" finds "tokenizer"). A trigram index would find any substring but is
 *   about three times the text in size and several times slower to write, which an import of 100k
 *   examples pays row by row; prefixes of words are what people type into a search box.
 *   The table is contentless (`contentless_delete=1`): the text lives once, in `messages`, and the
 *   triggers below index the turns' content and the rejected answer. A second column, `scope`, holds
 *   the dataset (`d<id without hyphens>`) and `live` or `trash`, so a search in one dataset is one
 *   FTS query (`text : (…) AND scope : (…)`): its count and its first page come from the index
 *   alone, in rowid (= insertion) order, instead of joining every match against the table (a word
 *   found in most of 100k examples took ~250 ms that way, ~20 ms this way). The price: moving an
 *   example to another dataset or the trash re-indexes it.
 * - `char_count` and `turn_count` are stored at write time so length filters and sorting need no
 *   JSON parsing; `token_count` caches a count for the model named in `token_model`. The list, each
 *   sort order and the per-split/source/token counts have their own small index, so a page or the
 *   counts of a 100k-example dataset never read the (large) rows themselves.
 * - `source_message_id` (generated from `source_ref`) lets chat find the example kept from a message.
 * - `example_history` keeps the previous state of an example before each change, the newest 20 per
 *   example (the trigger trims older ones).
 * - `datasets.staging_job` marks a hidden dataset that an import job fills batch by batch; the import
 *   becomes visible in one short transaction at the end (or the staging dataset is deleted), so a
 *   long import never holds a transaction open while chat and jobs write on the same connection.
 *   A deleted dataset is hidden the same way while its rows are removed in slices. An import into
 *   an existing dataset writes its rows there directly with a negative `deleted_at` (hidden; already
 *   `live` for search), so publishing them clears one column and re-indexes no text; a positive
 *   `deleted_at` is the trash.
 * - `example_issues` holds which examples the last hygiene report flagged, for the "has issues" filter.
 */
export const migration005: Migration = {
  version: 5,
  name: 'datasets',
  sql: `
    CREATE TABLE datasets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(trim(name)) > 0),
      description TEXT NOT NULL DEFAULT '',
      tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
      default_max_length INTEGER CHECK (default_max_length IS NULL OR default_max_length > 0),
      staging_job TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX datasets_name ON datasets (name COLLATE NOCASE);

    CREATE TABLE dataset_examples (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
      messages TEXT NOT NULL CHECK (json_valid(messages) AND json_type(messages) = 'array'
        AND json_array_length(messages) > 0),
      rejected TEXT,
      source TEXT NOT NULL CHECK (source IN ('manual', 'chat', 'import', 'comparison')),
      source_ref TEXT CHECK (source_ref IS NULL OR (json_valid(source_ref) AND json_type(source_ref) = 'object')),
      source_message_id TEXT GENERATED ALWAYS AS (json_extract(source_ref, '$.messageId')) VIRTUAL,
      tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
      split TEXT NOT NULL DEFAULT 'auto' CHECK (split IN ('train', 'eval', 'auto')),
      note TEXT NOT NULL DEFAULT '',
      char_count INTEGER NOT NULL CHECK (char_count >= 0),
      turn_count INTEGER NOT NULL CHECK (turn_count > 0),
      token_count INTEGER CHECK (token_count IS NULL OR token_count >= 0),
      token_model TEXT,
      deleted_at INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX dataset_examples_list ON dataset_examples (dataset_id, deleted_at, seq);
    CREATE INDEX dataset_examples_by_chars ON dataset_examples (dataset_id, deleted_at, char_count);
    CREATE INDEX dataset_examples_by_tokens ON dataset_examples (dataset_id, deleted_at, token_count);
    CREATE INDEX dataset_examples_by_updated ON dataset_examples (dataset_id, deleted_at, updated_at);
    CREATE INDEX dataset_examples_counts ON dataset_examples (dataset_id, deleted_at, split, source, token_model, token_count);
    CREATE INDEX dataset_examples_message ON dataset_examples (source_message_id) WHERE source_message_id IS NOT NULL;

    CREATE VIRTUAL TABLE dataset_examples_fts USING fts5 (
      text,
      scope,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '2 3'
    );
    CREATE TRIGGER dataset_examples_fts_insert AFTER INSERT ON dataset_examples BEGIN
      INSERT INTO dataset_examples_fts (rowid, text, scope) VALUES (new.seq,
        (SELECT group_concat(json_extract(m.value, '$.content'), char(10)) FROM json_each(new.messages) m)
          || coalesce(char(10) || new.rejected, ''),
        'd' || replace(new.dataset_id, '-', '') || CASE WHEN new.deleted_at IS NULL OR new.deleted_at < 0 THEN ' live' ELSE ' trash' END);
    END;
    CREATE TRIGGER dataset_examples_fts_delete AFTER DELETE ON dataset_examples BEGIN
      DELETE FROM dataset_examples_fts WHERE rowid = old.seq;
    END;
    CREATE TRIGGER dataset_examples_fts_update AFTER UPDATE OF messages, rejected, dataset_id, deleted_at
      ON dataset_examples
      WHEN old.messages IS NOT new.messages OR old.rejected IS NOT new.rejected
        OR old.dataset_id IS NOT new.dataset_id
        OR (old.deleted_at IS NULL OR old.deleted_at < 0) IS NOT (new.deleted_at IS NULL OR new.deleted_at < 0)
    BEGIN
      DELETE FROM dataset_examples_fts WHERE rowid = old.seq;
      INSERT INTO dataset_examples_fts (rowid, text, scope) VALUES (new.seq,
        (SELECT group_concat(json_extract(m.value, '$.content'), char(10)) FROM json_each(new.messages) m)
          || coalesce(char(10) || new.rejected, ''),
        'd' || replace(new.dataset_id, '-', '') || CASE WHEN new.deleted_at IS NULL OR new.deleted_at < 0 THEN ' live' ELSE ' trash' END);
    END;

    CREATE TABLE example_history (
      id INTEGER PRIMARY KEY,
      example_id TEXT NOT NULL REFERENCES dataset_examples (id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('edit', 'tags', 'split', 'move', 'delete', 'restore', 'fix')),
      snapshot TEXT NOT NULL CHECK (json_valid(snapshot)),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX example_history_example ON example_history (example_id, id);
    CREATE TRIGGER example_history_trim AFTER INSERT ON example_history BEGIN
      DELETE FROM example_history WHERE example_id = new.example_id AND id <= (
        SELECT id FROM example_history WHERE example_id = new.example_id ORDER BY id DESC LIMIT 1 OFFSET 20);
    END;

    CREATE TABLE dataset_reports (
      dataset_id TEXT PRIMARY KEY REFERENCES datasets (id) ON DELETE CASCADE,
      report TEXT NOT NULL CHECK (json_valid(report)),
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE example_issues (
      example_id TEXT NOT NULL REFERENCES dataset_examples (id) ON DELETE CASCADE,
      dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      PRIMARY KEY (example_id, kind)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX example_issues_dataset ON example_issues (dataset_id);

    INSERT INTO datasets (id, name, description, tags, default_max_length, created_at, updated_at)
      SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
               || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
             'Kept from chat', 'Answers kept from chat with "Add to dataset".', '[]', NULL,
             min(created_at), max(created_at)
      FROM kept_examples HAVING count(*) > 0;
    INSERT INTO dataset_examples (id, dataset_id, messages, rejected, source, source_ref, tags, split, note,
        char_count, turn_count, created_at, updated_at)
      SELECT k.id, (SELECT id FROM datasets WHERE name = 'Kept from chat'), k.messages, NULL, 'chat',
             json_object('conversationId', k.conversation_id, 'messageId', k.message_id,
               'edited', json(CASE k.edited WHEN 1 THEN 'true' ELSE 'false' END)),
             '[]', 'auto', '',
             (SELECT coalesce(sum(length(json_extract(m.value, '$.content'))), 0) FROM json_each(k.messages) m),
             json_array_length(k.messages), k.created_at, k.created_at
      FROM kept_examples k
      WHERE json_type(k.messages) = 'array' AND json_array_length(k.messages) > 0
      ORDER BY k.created_at, k.rowid;
    DROP TABLE kept_examples;
  `,
};
