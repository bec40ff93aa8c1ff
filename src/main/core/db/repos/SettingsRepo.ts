import type { Db } from '../openDatabase';

/** Key-value settings stored as JSON. */
export class SettingsRepo {
  readonly #all;
  readonly #upsert;
  readonly #delete;

  constructor(db: Db) {
    this.#all = db.prepare('SELECT key, value FROM settings');
    this.#upsert = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.#delete = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  all(): Record<string, unknown> {
    const rows = this.#all.all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }

  set(key: string, value: unknown, now = Date.now()): void {
    this.#upsert.run(key, JSON.stringify(value), now);
  }

  delete(key: string): void {
    this.#delete.run(key);
  }
}
