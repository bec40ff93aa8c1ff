import { useQueryClient } from '@tanstack/react-query';
import type { ChatThread, Conversation, ConversationSummary } from '@shared/domain';
import { apiQueryKey } from '@renderer/lib/useApiQuery';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import type { StreamStore } from './streamStore';

/** Every `chat.conversations.list` query, whatever its search. */
export const conversationsPrefix = ['chat.conversations.list'] as const;
export const threadKey = (conversationId: string) => apiQueryKey('chat.thread', { conversationId });

/**
 * Keeps the chat queries live from push events (no polling): tokens go to the stream store, a
 * finished or changed message replaces its copy in the thread (then the thread is refetched, for
 * its siblings), and a changed conversation updates the list and the thread's header.
 */
export function useChatEvents(store: StreamStore): void {
  const queryClient = useQueryClient();

  useApiEvent('chat.token', ({ messageId, delta, thought }) =>
    thought ? store.appendThought(messageId, delta) : store.append(messageId, delta),
  );

  useApiEvent('chat.message', (message) => {
    const key = threadKey(message.conversationId);
    // An answer streaming from text it has (continued): its deltas add to that text.
    if (message.status === 'streaming' && message.role === 'assistant') {
      store.seed(message.id, message.content, message.reasoning);
    }
    let found = false;
    queryClient.setQueryData<ChatThread>(key, (thread) => {
      if (!thread) return thread;
      const messages = thread.messages.map((m) => {
        if (m.id !== message.id) return m;
        found = true;
        return { ...m, ...message };
      });
      return found ? { ...thread, messages } : thread;
    });
    if (message.status !== 'streaming') {
      store.clear(message.id);
      void queryClient.invalidateQueries({ queryKey: conversationsPrefix });
    }
    // A new message, or a finished one whose in-flight refetch might still say "streaming".
    if (!found || message.status !== 'streaming') void queryClient.invalidateQueries({ queryKey: key });
  });

  useApiEvent('chat.conversation', (conversation) => {
    let listed = false;
    queryClient.setQueriesData<ConversationSummary[]>({ queryKey: conversationsPrefix }, (list) =>
      list?.map((c) => {
        if (c.id !== conversation.id) return c;
        listed = true;
        return { ...c, ...conversation };
      }),
    );
    if (!listed) void queryClient.invalidateQueries({ queryKey: conversationsPrefix });
    const key = threadKey(conversation.id);
    const thread = queryClient.getQueryData<ChatThread>(key);
    if (!thread) return;
    if (thread.conversation.activeLeafId !== conversation.activeLeafId) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
    queryClient.setQueryData<ChatThread>(key, (t) => (t ? { ...t, conversation } : t));
  });
}

/** Puts an updated conversation into the caches right away (before its event arrives). */
export function applyConversation(queryClient: ReturnType<typeof useQueryClient>, conversation: Conversation): void {
  queryClient.setQueryData<ChatThread>(threadKey(conversation.id), (t) => (t ? { ...t, conversation } : t));
  queryClient.setQueriesData<ConversationSummary[]>({ queryKey: conversationsPrefix }, (list) =>
    list?.map((c) => (c.id === conversation.id ? { ...c, ...conversation } : c)),
  );
}
