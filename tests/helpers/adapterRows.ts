import type { Core } from '../../src/main/core/createCore';

/** Records adapters in the library as a finished run would (rank 4, alpha 4, q and v), without training them. */
export function recordAdapters(
  core: Core,
  base: { path: string; sha256: string },
  adapters: readonly { id: string; name: string; path: string; createdAt: number }[],
): void {
  const insert = core.db.prepare(
    `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
     VALUES (?, ?, ?, ?, ?, NULL, 4, 4, '["q","v"]', 1, ?)`,
  );
  for (const a of adapters) insert.run(a.id, a.name, a.path, base.path, base.sha256, a.createdAt);
}
