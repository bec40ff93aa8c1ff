import type { AppErrorData } from '../../../shared/errors';
import type {
  Conversation,
  ConversationSummary,
  GenerationStats,
  MessageStatus,
  Sampling,
  StoredMessage,
  Variant,
} from '../../../shared/domain';
import type { Db } from '../db/openDatabase';

interface ConversationRow {
  id: string;
  title: string;
  system_prompt: string;
  model_id: string | null;
  adapters: string;
  sampling: string;
  active_leaf_id: string | null;
  created_at: number;
  updated_at: number;
  message_count: number;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: 'user' | 'assistant';
  content: string;
  reasoning: string | null;
  edited: number;
  status: MessageStatus;
  error: string | null;
  variant: string | null;
  sampling: string | null;
  stats: string | null;
  truncated_context: number;
  rating: 'up' | 'down' | null;
  created_at: number;
  kept_id: string | null;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  title: r.title,
  systemPrompt: r.system_prompt,
  modelId: r.model_id,
  adapters: JSON.parse(r.adapters) as Conversation['adapters'],
  sampling: JSON.parse(r.sampling) as Sampling,
  activeLeafId: r.active_leaf_id,
  messageCount: r.message_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toMessage = (r: MessageRow): StoredMessage => ({
  id: r.id,
  conversationId: r.conversation_id,
  parentId: r.parent_id,
  role: r.role,
  content: r.content,
  reasoning: r.reasoning,
  edited: r.edited === 1,
  status: r.status,
  error: json<AppErrorData>(r.error),
  variant: json<Variant>(r.variant),
  sampling: json<Sampling>(r.sampling),
  stats: json<GenerationStats>(r.stats),
  truncatedContext: r.truncated_context === 1,
  rating: r.rating,
  keptExampleId: r.kept_id,
  createdAt: r.created_at,
});

const conversationColumns = `c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count`;
// The newest example (not in the trash) kept from this message, in any dataset.
const messageColumns = `m.*, (SELECT e.id FROM dataset_examples e WHERE e.source_message_id = m.id AND e.deleted_at IS NULL
  ORDER BY e.seq DESC LIMIT 1) AS kept_id`;

/** Persistence of conversations, their message trees and kept examples. */
export class ChatRepo {
  constructor(private readonly db: Db) {}

  /** Answers that were streaming when Lathe stopped end as `stopped`, with what was saved. */
  stopStreaming(): number {
    return this.db.prepare("UPDATE messages SET status = 'stopped' WHERE status = 'streaming'").run().changes;
  }

  insertConversation(c: Conversation): void {
    this.db
      .prepare(
        `INSERT INTO conversations (id, title, system_prompt, model_id, adapters, sampling, active_leaf_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.title,
        c.systemPrompt,
        c.modelId,
        JSON.stringify(c.adapters),
        JSON.stringify(c.sampling),
        c.activeLeafId,
        c.createdAt,
        c.updatedAt,
      );
  }

  conversation(id: string): Conversation | null {
    const row = this.db.prepare(`SELECT ${conversationColumns} FROM conversations c WHERE c.id = ?`).get(id) as
      ConversationRow | undefined;
    return row ? toConversation(row) : null;
  }

  /** Most recently updated first; `search` matches titles and message text, case-insensitively. */
  conversations(search: string | undefined, limit: number): ConversationSummary[] {
    const needle = search?.trim().toLowerCase() || null;
    const rows = this.db
      .prepare(
        `SELECT ${conversationColumns},
           (SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND instr(lower(m.content), :needle) > 0
            ORDER BY m.created_at LIMIT 1) AS hit
         FROM conversations c
         WHERE :needle IS NULL OR instr(lower(c.title), :needle) > 0
           OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND instr(lower(m.content), :needle) > 0)
         ORDER BY c.updated_at DESC, c.rowid DESC LIMIT :limit`,
      )
      .all({ needle, limit }) as (ConversationRow & { hit: string | null })[];
    return rows.map((r) => ({
      ...toConversation(r),
      snippet: needle && r.hit && !r.title.toLowerCase().includes(needle) ? excerpt(r.hit, needle) : null,
    }));
  }

  updateConversation(
    id: string,
    patch: Partial<Pick<Conversation, 'title' | 'systemPrompt' | 'modelId' | 'adapters' | 'sampling' | 'activeLeafId'>>,
    now: number,
  ): void {
    const sets: string[] = ['updated_at = @now'];
    const values: Record<string, unknown> = { id, now };
    const column = {
      title: 'title',
      systemPrompt: 'system_prompt',
      modelId: 'model_id',
      adapters: 'adapters',
      sampling: 'sampling',
      activeLeafId: 'active_leaf_id',
    } as const;
    for (const key of Object.keys(column) as (keyof typeof column)[]) {
      if (!(key in patch)) continue;
      const value = patch[key];
      sets.push(`${column[key]} = @${key}`);
      values[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
    }
    this.db.prepare(`UPDATE conversations SET ${sets.join(', ')} WHERE id = @id`).run(values);
  }

  deleteConversation(id: string): boolean {
    return this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }

  insertMessage(m: StoredMessage): void {
    this.db
      .prepare(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, edited, status, error, variant,
           sampling, stats, truncated_context, rating, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        m.conversationId,
        m.parentId,
        m.role,
        m.content,
        m.reasoning,
        m.edited ? 1 : 0,
        m.status,
        m.error === null ? null : JSON.stringify(m.error),
        m.variant === null ? null : JSON.stringify(m.variant),
        m.sampling === null ? null : JSON.stringify(m.sampling),
        m.stats === null ? null : JSON.stringify(m.stats),
        m.truncatedContext ? 1 : 0,
        m.rating,
        m.createdAt,
      );
  }

  finishMessage(
    id: string,
    end: {
      content: string;
      reasoning: string | null;
      status: MessageStatus;
      error: AppErrorData | null;
      stats: GenerationStats | null;
    },
  ): void {
    this.db
      .prepare('UPDATE messages SET content = ?, reasoning = ?, status = ?, error = ?, stats = ? WHERE id = ?')
      .run(
        end.content,
        end.reasoning,
        end.status,
        end.error === null ? null : JSON.stringify(end.error),
        end.stats === null ? null : JSON.stringify(end.stats),
        id,
      );
  }

  /** An answer written further (`chat.continue`): streaming again with `sampling`, its error cleared. */
  resumeMessage(id: string, sampling: Sampling): void {
    this.db
      .prepare("UPDATE messages SET status = 'streaming', error = NULL, sampling = ? WHERE id = ?")
      .run(JSON.stringify(sampling), id);
  }

  /** Saves the text streamed so far (answer and thought), so a crash keeps it. */
  saveProgress(id: string, content: string, reasoning: string | null): void {
    this.db
      .prepare("UPDATE messages SET content = ?, reasoning = ? WHERE id = ? AND status = 'streaming'")
      .run(content, reasoning, id);
  }

  setRating(id: string, rating: 'up' | 'down' | null): void {
    this.db.prepare('UPDATE messages SET rating = ? WHERE id = ?').run(rating, id);
  }

  message(id: string): StoredMessage | null {
    const row = this.db.prepare(`SELECT ${messageColumns} FROM messages m WHERE m.id = ?`).get(id) as
      MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /** Every message of a conversation, in creation order. */
  messages(conversationId: string): StoredMessage[] {
    return (
      this.db
        .prepare(`SELECT ${messageColumns} FROM messages m WHERE m.conversation_id = ? ORDER BY m.created_at, m.rowid`)
        .all(conversationId) as MessageRow[]
    ).map(toMessage);
  }
}

/** About 120 characters around the first match. */
function excerpt(text: string, needle: string): string {
  const at = text.toLowerCase().indexOf(needle);
  const start = Math.max(0, at - 40);
  const end = Math.min(text.length, at + needle.length + 80);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ')}${end < text.length ? '…' : ''}`;
}
