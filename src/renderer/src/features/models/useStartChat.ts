import { useQueryClient } from '@tanstack/react-query';
import type { AdapterRef } from '@shared/domain';
import { useApiMutation } from '@renderer/lib/useApiMutation';

/** The Chat page's address for one conversation. */
export function chatHref(conversationId: string): string {
  return `#/chat/${encodeURIComponent(conversationId)}`;
}

/** Creates a conversation with a model (and adapters) and opens it on the Chat page. */
export function useStartChat() {
  const queryClient = useQueryClient();
  return useApiMutation('chat.conversations.create', {
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: ['chat.conversations.list'] });
      window.location.hash = chatHref(conversation.id);
    },
  });
}

export type StartChatInput = { modelId: string; adapters?: AdapterRef[] };
