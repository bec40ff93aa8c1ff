import { randomUUID } from 'node:crypto';
import {
  samplingPresets,
  type ChatMessage,
  type ChatThread,
  type ChatTurnStarted,
  type Conversation,
  type ConversationSummary,
  type KeptExample,
  type Sampling,
  type SamplingPresetName,
  type StoredMessage,
} from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import type { DatasetsService } from '../datasets/DatasetsService';
import type { EventBus } from '../EventBus';
import { answerChannels } from '../inference/answerChannels';
import type { Inference } from '../inference/InferenceService';
import type { Logger } from '../logger';
import type { ModelsService } from '../models/ModelsService';
import { withThought } from '../models/thoughtText';
import type { ChatRepo } from './ChatRepo';
import { DeltaBatcher } from './DeltaBatcher';
import { exportConversation } from './exportConversation';
import { buildThread, pathTo } from './thread';

export const defaultConversationTitle = 'New chat';

export interface ChatServiceOptions {
  repo: ChatRepo;
  inference: Inference;
  models: ModelsService;
  /** Where kept answers go ("Add to dataset"). */
  datasets: DatasetsService;
  events: EventBus;
  logger: Logger;
  /** How often the text of a streaming answer is saved, ms (default 1000); a crash keeps it. */
  saveEveryMs?: number;
}

interface SettingsPatch {
  systemPrompt?: string | undefined;
  modelId?: string | null | undefined;
  adapters?: { adapterId: string; scale: number }[] | undefined;
  preset?: SamplingPresetName | undefined;
  sampling?: Partial<Sampling> | undefined;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Conversations as message trees, answered by the inference engine. A turn is stored before it
 * streams (the user message `done`, the answer `streaming`), streams as `chat.token` events and
 * ends with one `chat.message`; edits and regenerations are new siblings, never overwrites.
 */
export class ChatService {
  readonly #o: ChatServiceOptions;
  readonly #active = new Map<string, Active>();

  constructor(options: ChatServiceOptions) {
    this.#o = options;
    const stopped = options.repo.stopStreaming();
    if (stopped > 0) options.logger.warn('answers interrupted by the last shutdown', { count: stopped });
  }

  list(input: { search?: string | undefined; limit?: number | undefined }): ConversationSummary[] {
    return this.#o.repo.conversations(input.search, input.limit ?? 200);
  }

  get(id: string): Conversation {
    const conversation = this.#o.repo.conversation(id);
    if (!conversation) throw new AppError('NOT_FOUND', `No conversation with id ${id}.`, { id });
    return conversation;
  }

  create(input: SettingsPatch & { title?: string | undefined }): Conversation {
    const now = Date.now();
    const modelId = input.modelId ?? null;
    const adapters = input.adapters ?? [];
    this.#checkVariant(modelId, adapters);
    const conversation: Conversation = {
      id: randomUUID(),
      title: input.title ?? defaultConversationTitle,
      systemPrompt: input.systemPrompt ?? '',
      modelId,
      adapters,
      sampling: { ...samplingPresets[input.preset ?? 'balanced'], ...input.sampling },
      activeLeafId: null,
      messageCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.#o.repo.insertConversation(conversation);
    return this.#changed(conversation.id);
  }

  rename(id: string, title: string): Conversation {
    this.get(id);
    this.#o.repo.updateConversation(id, { title }, Date.now());
    return this.#changed(id);
  }

  update(id: string, patch: SettingsPatch): Conversation {
    const current = this.get(id);
    const modelId = patch.modelId === undefined ? current.modelId : patch.modelId;
    // Adapters belong to a base model: a new model without new adapters starts from its base.
    const adapters = patch.adapters ?? (modelId === current.modelId ? current.adapters : []);
    this.#checkVariant(modelId, adapters);
    // A preset sets how the model samples; whether it thinks is kept.
    const { thinking } = current.sampling;
    const sampling = {
      ...(patch.preset
        ? { ...samplingPresets[patch.preset], ...(thinking !== undefined ? { thinking } : {}) }
        : current.sampling),
      ...patch.sampling,
    };
    this.#o.repo.updateConversation(
      id,
      {
        modelId,
        adapters,
        sampling,
        ...(patch.systemPrompt !== undefined ? { systemPrompt: patch.systemPrompt } : {}),
      },
      Date.now(),
    );
    return this.#changed(id);
  }

  async delete(id: string): Promise<{ deleted: true }> {
    this.get(id);
    await this.stop(id);
    this.#o.repo.deleteConversation(id);
    return { deleted: true };
  }

  /** Adds a user message and starts its answer; see `chat.send`. */
  async send(input: {
    conversationId: string;
    parentId?: string | null | undefined;
    content: string;
  }): Promise<ChatTurnStarted> {
    const conversation = this.get(input.conversationId);
    const parentId = input.parentId === undefined ? conversation.activeLeafId : input.parentId;
    if (parentId !== null) this.#message(parentId, conversation.id);
    return this.#turn(conversation, { parentId, content: input.content });
  }

  /** A new answer to the user message that `messageId` (an answer) replied to. */
  async regenerate(messageId: string): Promise<ChatTurnStarted> {
    const answer = this.#message(messageId);
    if (answer.role !== 'assistant' || answer.parentId === null) {
      throw new AppError('CONFLICT', 'Only an answer can be regenerated.', { messageId });
    }
    return this.#turn(this.get(answer.conversationId), { existingUserId: answer.parentId });
  }

  /** A new sibling of the user message `messageId`, with `content`, and its answer. */
  async edit(messageId: string, content: string): Promise<ChatTurnStarted> {
    const original = this.#message(messageId);
    if (original.role !== 'user')
      throw new AppError('CONFLICT', 'Only your own messages can be edited.', { messageId });
    return this.#turn(this.get(original.conversationId), { parentId: original.parentId, content });
  }

  /**
   * Goes on with an answer that stopped early (stopped, at its token limit, or failed with text):
   * the same message grows, written by the model and adapters that began it, with the
   * conversation's sampling now (so a raised Max tokens applies) and the answer's own thinking
   * switch. Only the last answer of a branch; see `chat.continue`.
   */
  async continue(messageId: string): Promise<ChatTurnStarted> {
    const answer = this.#message(messageId);
    if (answer.role !== 'assistant' || answer.parentId === null) {
      throw new AppError('CONFLICT', 'Only an answer can be continued.', { messageId });
    }
    const conversation = this.get(answer.conversationId);
    this.#assertIdle(conversation.id);
    const all = this.#o.repo.messages(conversation.id);
    if (all.some((m) => m.parentId === answer.id)) {
      throw new AppError('CONFLICT', 'Only the last answer of a branch can be continued: this one has replies.', {
        messageId,
        reason: 'has-replies',
      });
    }
    if (!answer.content && !answer.reasoning) {
      throw new AppError('CONFLICT', 'This answer has no text to continue; regenerate it instead.', {
        messageId,
        reason: 'empty',
      });
    }
    const variant = answer.variant ?? { modelId: conversation.modelId, adapters: conversation.adapters };
    if (!variant.modelId) throw new AppError('CONFLICT', 'Choose a model for this conversation first.');
    const controller = new AbortController();
    const active: Active = { controller, done: Promise.resolve() };
    this.#active.set(conversation.id, active);
    try {
      const prepared = await this.#o.inference.prepare({
        owner: conversation.id,
        modelId: variant.modelId,
        adapters: variant.adapters,
        messages: toChatMessages(conversation.systemPrompt, pathTo(all, answer.parentId)),
        sampling: { ...conversation.sampling, thinking: answer.sampling?.thinking === true },
        continueFrom: { content: answer.content, reasoning: answer.reasoning },
      });
      if (controller.signal.aborted) {
        prepared.discard();
        throw new AppError('CANCELLED', 'Stopped before the answer went on.');
      }
      try {
        this.#o.repo.resumeMessage(answer.id, prepared.sampling);
        this.#o.repo.updateConversation(conversation.id, { activeLeafId: answer.id }, Date.now());
      } catch (error) {
        prepared.discard();
        throw error;
      }
      this.#o.events.emit('chat.message', this.#message(answer.id));
      this.#changed(conversation.id);
      active.done = this.#stream(conversation.id, answer, prepared, controller.signal, answer);
      return { userMessageId: answer.parentId, assistantMessageId: answer.id };
    } catch (error) {
      this.#active.delete(conversation.id);
      throw error;
    }
  }

  /**
   * A new version of the answer `messageId`, written by hand: a sibling shown at once, what the
   * next turns see, what Continue goes on from and what Add to dataset keeps. It has no thought
   * (that was the model's, for its own answer). BUSY while the conversation answers.
   */
  editAnswer(messageId: string, content: string): StoredMessage {
    const original = this.#message(messageId);
    if (original.role !== 'assistant' || original.parentId === null) {
      throw new AppError('CONFLICT', 'Only an answer can be edited as an answer.', { messageId });
    }
    this.#assertIdle(original.conversationId);
    const now = Date.now();
    const version: StoredMessage = {
      ...blankMessage(original.conversationId, original.parentId, 'assistant', now),
      content,
      edited: true,
      status: 'done',
      variant: original.variant,
      sampling: original.sampling,
    };
    this.#o.repo.insertMessage(version);
    this.#o.repo.updateConversation(original.conversationId, { activeLeafId: version.id }, now);
    const stored = this.#message(version.id);
    this.#o.events.emit('chat.message', stored);
    this.#changed(original.conversationId);
    return stored;
  }

  async stop(conversationId: string): Promise<{ stopped: boolean }> {
    const active = this.#active.get(conversationId);
    if (!active) return { stopped: false };
    active.controller.abort(new AppError('CANCELLED', 'Stopped by the user.'));
    await active.done;
    return { stopped: true };
  }

  thread(conversationId: string, leafId?: string): ChatThread {
    let conversation = this.get(conversationId);
    const all = this.#o.repo.messages(conversationId);
    if (leafId !== undefined) {
      this.#message(leafId, conversationId);
      const messages = buildThread(all, leafId);
      const leaf = messages.at(-1)?.id ?? null;
      if (leaf !== conversation.activeLeafId) {
        this.#o.repo.updateConversation(conversationId, { activeLeafId: leaf }, conversation.updatedAt);
        conversation = this.#changed(conversationId);
      }
      return { conversation, messages };
    }
    return { conversation, messages: buildThread(all, conversation.activeLeafId) };
  }

  export(
    conversationId: string,
    format: 'json' | 'markdown',
    leafId?: string,
  ): { filename: string; mimeType: string; text: string } {
    const { conversation, messages } = this.thread(conversationId, leafId);
    let model: { name: string; sha256: string } | null = null;
    if (conversation.modelId) {
      try {
        model = this.#o.models.get(conversation.modelId);
      } catch {
        model = null;
      }
    }
    return exportConversation({ conversation, messages, model }, format);
  }

  feedback(messageId: string, rating: 'up' | 'down' | null): StoredMessage {
    const message = this.#message(messageId);
    if (message.role !== 'assistant') throw new AppError('CONFLICT', 'Only answers can be rated.', { messageId });
    this.#o.repo.setRating(messageId, rating);
    const updated = this.#message(messageId);
    this.#o.events.emit('chat.message', updated);
    return updated;
  }

  /**
   * Keeps the conversation up to this answer as an example in `datasetId` (default: "Kept from
   * chat"), linked to the message; keeping it again in the same dataset replaces the example.
   */
  keep(messageId: string, editedContent?: string, datasetId?: string, keepThought = false): KeptExample {
    const answer = this.#message(messageId);
    if (answer.role !== 'assistant') throw new AppError('CONFLICT', 'Only answers can be kept.', { messageId });
    if (answer.status === 'streaming' || answer.status === 'failed') {
      throw new AppError('CONFLICT', `This answer is ${answer.status}; keep it once it is written.`, { messageId });
    }
    const conversation = this.get(answer.conversationId);
    const path = pathTo(this.#o.repo.messages(conversation.id), messageId);
    const messages = toChatMessages(conversation.systemPrompt, path.slice(0, -1));
    const content = editedContent ?? answer.content;
    messages.push({ role: 'assistant', content });
    if (!content.trim()) {
      throw new AppError('CONFLICT', 'This answer has no text to keep (only a thought); continue it first.', {
        messageId,
        reason: 'empty',
      });
    }
    const edited = answer.edited || (editedContent !== undefined && editedContent !== answer.content);
    if (keepThought) {
      const thought = answer.reasoning?.trim();
      if (!thought) {
        throw new AppError('CONFLICT', 'This answer has no thought to keep.', { messageId, reason: 'no-thought' });
      }
      messages[messages.length - 1] = { role: 'assistant', content: withThought(content, thought) };
    }
    const example = this.#o.datasets.keepFromChat({
      datasetId,
      conversationId: conversation.id,
      messageId,
      messages,
      edited,
    });
    this.#o.events.emit('chat.message', this.#message(messageId));
    return {
      id: example.id,
      datasetId: example.datasetId,
      conversationId: conversation.id,
      messageId,
      messages,
      edited,
      createdAt: example.createdAt,
    };
  }

  /** Stops every answer (stored as `stopped`) and waits for them. */
  async close(): Promise<void> {
    const all = [...this.#active.values()];
    for (const a of all) a.controller.abort(new AppError('CANCELLED', 'Lathe is shutting down.'));
    await Promise.allSettled(all.map((a) => a.done));
  }

  async #turn(
    conversation: Conversation,
    user: { parentId: string | null; content: string } | { existingUserId: string },
  ): Promise<ChatTurnStarted> {
    const modelId = conversation.modelId;
    if (!modelId) throw new AppError('CONFLICT', 'Choose a model for this conversation first.');
    this.#assertIdle(conversation.id);
    const controller = new AbortController();
    const active: Active = { controller, done: Promise.resolve() };
    this.#active.set(conversation.id, active);
    try {
      const all = this.#o.repo.messages(conversation.id);
      const existing = 'existingUserId' in user ? all.find((m) => m.id === user.existingUserId) : undefined;
      const parentId = existing ? existing.parentId : 'parentId' in user ? user.parentId : null;
      const content = existing ? existing.content : 'content' in user ? user.content : '';
      const prior = parentId === null ? [] : pathTo(all, parentId);
      const messages = toChatMessages(conversation.systemPrompt, prior);
      messages.push({ role: 'user', content });
      const prepared = await this.#o.inference.prepare({
        owner: conversation.id,
        modelId,
        adapters: conversation.adapters,
        messages,
        sampling: conversation.sampling,
      });
      if (controller.signal.aborted) {
        prepared.discard();
        throw new AppError('CANCELLED', 'Stopped before the answer started.');
      }
      const now = Date.now();
      const userMessage: StoredMessage = existing ?? {
        ...blankMessage(conversation.id, parentId, 'user', now),
        content,
        status: 'done',
      };
      const answer: StoredMessage = {
        ...blankMessage(conversation.id, userMessage.id, 'assistant', now),
        variant: { modelId, adapters: conversation.adapters },
        sampling: prepared.sampling,
        truncatedContext: prepared.droppedMessages > 0,
      };
      const isFirst = all.length === 0;
      try {
        if (!existing) this.#o.repo.insertMessage(userMessage);
        this.#o.repo.insertMessage(answer);
        this.#o.repo.updateConversation(
          conversation.id,
          {
            activeLeafId: answer.id,
            ...(isFirst && conversation.title === defaultConversationTitle ? { title: titleFrom(content) } : {}),
          },
          now,
        );
      } catch (error) {
        prepared.discard();
        throw error;
      }
      if (!existing) this.#o.events.emit('chat.message', this.#message(userMessage.id));
      this.#changed(conversation.id);
      active.done = this.#stream(conversation.id, answer, prepared, controller.signal);
      return { userMessageId: userMessage.id, assistantMessageId: answer.id };
    } catch (error) {
      this.#active.delete(conversation.id);
      throw error;
    }
  }

  async #stream(
    conversationId: string,
    answer: StoredMessage,
    prepared: Awaited<ReturnType<Inference['prepare']>>,
    signal: AbortSignal,
    /** A continued answer: what it had before (the new text is added to it). */
    prior: Pick<StoredMessage, 'content' | 'reasoning' | 'stats'> | null = null,
  ): Promise<void> {
    const { repo, events } = this.#o;
    const batcher = new DeltaBatcher((delta) =>
      events.emit('chat.token', { conversationId, messageId: answer.id, delta }),
    );
    const thought = new DeltaBatcher((delta) =>
      events.emit('chat.token', { conversationId, messageId: answer.id, delta, thought: true }),
    );
    const before = prior?.content ?? '';
    // An unclosed thought keeps its trailing whitespace: a continuation gives the model its own text back.
    const thoughtSoFar = (added = thought.text, closed = false) => {
      const text = ((prior?.reasoning ?? '') + added).trimStart();
      return (closed ? text.trimEnd() : text) || null;
    };
    const saver = setInterval(
      () => repo.saveProgress(answer.id, before + batcher.text, thoughtSoFar()),
      this.#o.saveEveryMs ?? 1000,
    );
    try {
      const outcome = await prepared.run({ signal, ...answerChannels(batcher, thought) });
      thought.flush();
      batcher.flush();
      repo.finishMessage(answer.id, {
        content: before + outcome.text,
        reasoning: thoughtSoFar(outcome.thought, before + outcome.text !== ''),
        status: outcome.stopReason === 'aborted' ? 'stopped' : 'done',
        error: null,
        // A continued answer counts all its tokens; its speed is the last part's.
        stats: prior?.stats
          ? { ...outcome.stats, completionTokens: prior.stats.completionTokens + outcome.stats.completionTokens }
          : outcome.stats,
      });
    } catch (error) {
      thought.flush();
      batcher.flush();
      const data = toAppErrorData(error);
      if (data.code === 'INTERNAL') this.#o.logger.error('generation failed', { conversationId, error });
      try {
        repo.finishMessage(answer.id, {
          content: before + batcher.text,
          reasoning: thoughtSoFar(),
          status: 'failed',
          error: data,
          stats: null,
        });
      } catch (dbError) {
        this.#o.logger.error('could not store a failed answer', { error: dbError });
      }
    } finally {
      clearInterval(saver);
      this.#active.delete(conversationId);
    }
    const final = repo.message(answer.id);
    if (final) events.emit('chat.message', final);
  }

  /** BUSY while the conversation writes an answer. */
  #assertIdle(conversationId: string): void {
    if (this.#active.has(conversationId)) {
      throw new AppError('BUSY', 'This conversation is still answering; stop it or wait.', { conversationId });
    }
  }

  #message(id: string, conversationId?: string): StoredMessage {
    const message = this.#o.repo.message(id);
    if (!message || (conversationId !== undefined && message.conversationId !== conversationId)) {
      throw new AppError('NOT_FOUND', `No message with id ${id}${conversationId ? ' in this conversation' : ''}.`, {
        id,
      });
    }
    return message;
  }

  #checkVariant(modelId: string | null, adapters: readonly { adapterId: string; scale: number }[]): void {
    if (modelId === null) {
      if (adapters.length > 0) throw new AppError('CONFLICT', 'Adapters need a model.');
      return;
    }
    const model = this.#o.models.get(modelId);
    const own = new Set(model.variants.map((v) => v.adapterId));
    for (const a of adapters) {
      if (!own.has(a.adapterId)) {
        throw new AppError('CONFLICT', `The adapter ${a.adapterId} is not a fine-tune of "${model.name}".`, {
          reason: 'adapter-mismatch',
          adapterId: a.adapterId,
          modelId,
        });
      }
    }
  }

  #changed(id: string): Conversation {
    const conversation = this.get(id);
    this.#o.events.emit('chat.conversation', conversation);
    return conversation;
  }
}

function blankMessage(
  conversationId: string,
  parentId: string | null,
  role: 'user' | 'assistant',
  now: number,
): StoredMessage {
  return {
    id: randomUUID(),
    conversationId,
    parentId,
    role,
    content: '',
    reasoning: null,
    edited: false,
    status: 'streaming',
    error: null,
    variant: null,
    sampling: null,
    stats: null,
    truncatedContext: false,
    rating: null,
    keptExampleId: null,
    createdAt: now,
  };
}

/** The system prompt and a branch as chat turns; failed or empty answers are left out. */
function toChatMessages(systemPrompt: string, path: readonly StoredMessage[]): ChatMessage[] {
  const messages: ChatMessage[] = systemPrompt.trim() ? [{ role: 'system', content: systemPrompt }] : [];
  for (const m of path) {
    if (m.role === 'assistant' && (m.status === 'failed' || m.content === '')) continue;
    messages.push({ role: m.role, content: m.content });
  }
  return messages;
}

function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0]?.trim() ?? '';
  const title = line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
  return title || defaultConversationTitle;
}
