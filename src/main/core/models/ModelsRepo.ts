import type { MergedFrom, ReasoningMode } from '../../../shared/domain';
import type { Db } from '../db/openDatabase';

/** A model row as stored; `missing` and `variants` are added by the service. */
export interface ModelRecord {
  id: string;
  name: string;
  path: string;
  sha256: string;
  sizeBytes: number;
  mtimeMs: number;
  architecture: string;
  parameterCount: number | null;
  fileType: string | null;
  contextLength: number | null;
  hasChatTemplate: boolean;
  /** Made by Lathe from a fine-tune: the base model and adapter it was merged from. */
  mergedFrom: MergedFrom | null;
  /** How its chat template handles reasoning; null until read (models imported before it was recorded). */
  reasoning: ReasoningMode | null;
  createdAt: number;
}

interface Row {
  id: string;
  name: string;
  path: string;
  sha256: string;
  size_bytes: number;
  mtime_ms: number;
  architecture: string;
  parameter_count: number | null;
  file_type: string | null;
  context_length: number | null;
  has_chat_template: number;
  merged_from: string | null;
  reasoning: ReasoningMode | null;
  created_at: number;
}

const toRecord = (r: Row): ModelRecord => ({
  id: r.id,
  name: r.name,
  path: r.path,
  sha256: r.sha256,
  sizeBytes: r.size_bytes,
  mtimeMs: r.mtime_ms,
  architecture: r.architecture,
  parameterCount: r.parameter_count,
  fileType: r.file_type,
  contextLength: r.context_length,
  hasChatTemplate: r.has_chat_template === 1,
  mergedFrom: r.merged_from ? (JSON.parse(r.merged_from) as MergedFrom) : null,
  reasoning: r.reasoning,
  createdAt: r.created_at,
});

/** Persistence of the model library. */
export class ModelsRepo {
  constructor(private readonly db: Db) {}

  insert(m: ModelRecord): void {
    this.db
      .prepare(
        `INSERT INTO models (id, name, path, sha256, size_bytes, mtime_ms, architecture, parameter_count, file_type,
           context_length, has_chat_template, merged_from, reasoning, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        m.name,
        m.path,
        m.sha256,
        m.sizeBytes,
        m.mtimeMs,
        m.architecture,
        m.parameterCount === null ? null : Math.round(m.parameterCount),
        m.fileType,
        m.contextLength,
        m.hasChatTemplate ? 1 : 0,
        m.mergedFrom ? JSON.stringify(m.mergedFrom) : null,
        m.reasoning,
        m.createdAt,
      );
  }

  get(id: string): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  bySha256(sha256: string): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE sha256 = ?').get(sha256) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  byPath(path: string): ModelRecord[] {
    return (this.db.prepare('SELECT * FROM models WHERE path = ?').all(path) as Row[]).map(toRecord);
  }

  list(): ModelRecord[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY created_at DESC, rowid DESC').all() as Row[]).map(toRecord);
  }

  /** Models whose reasoning mode has not been read yet. */
  withoutReasoning(): ModelRecord[] {
    return (this.db.prepare('SELECT * FROM models WHERE reasoning IS NULL').all() as Row[]).map(toRecord);
  }

  setReasoning(id: string, reasoning: ReasoningMode): boolean {
    return this.db.prepare('UPDATE models SET reasoning = ? WHERE id = ?').run(reasoning, id).changes > 0;
  }

  rename(id: string, name: string): boolean {
    return this.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(name, id).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
  }
}
