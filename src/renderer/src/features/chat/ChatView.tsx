import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ArrowRight, MessageSquare, MessageSquarePlus } from 'lucide-react';
import type { ChatThread, InferenceStatus, ModelInfo, ThreadMessage } from '@shared/domain';
import { PageLink } from '@renderer/app/PageLink';
import { EmptyState } from '@renderer/components/EmptyState';
import { Page } from '@renderer/components/Page';
import { Button } from '@renderer/components/ui/Button';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { notifyModelError } from '@renderer/features/models/modelErrors';
import { useInferenceStatus, useModels } from '@renderer/features/models/modelQueries';
import type { ApiError } from '@renderer/lib/ApiError';
import { useApi } from '@renderer/lib/useApi';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { ChatActionsContext, ModelNamesContext, type ChatActions } from './ChatActions';
import { ChatHeader } from './ChatHeader';
import { conversationsPrefix, threadKey, useChatEvents } from './chatQueries';
import { useChatRoute } from './chatRoute';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { KeepDialog } from './KeepDialog';
import { MessageList } from './MessageList';
import { StreamStore } from './streamStore';

const noModels: ModelInfo[] = [];

/**
 * The Chat page: conversations on the left; the open one with its model, settings, the thread
 * (streaming answers, branches, ratings, "Add to dataset") and the composer.
 */
export function ChatView() {
  const queryClient = useQueryClient();
  const [store] = useState(() => new StreamStore());
  useChatEvents(store);
  const models = useModels();
  const status = useInferenceStatus();
  const [selectedId, open] = useChatRoute();
  const recent = useApiQuery('chat.conversations.list', { limit: 1 });

  const create = useApiMutation('chat.conversations.create', {
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: conversationsPrefix });
      open(conversation.id);
    },
  });
  const available = (models.data ?? []).filter((m) => !m.missing);
  const newChat = useCallback(() => {
    // The model of the latest conversation, else the newest model.
    const last = recent.data?.[0]?.modelId;
    const modelId = available.some((m) => m.id === last) ? last : (available[0]?.id ?? null);
    create.mutate({ modelId });
  }, [available, create, recent.data]);

  if (models.isPending) return <Page title="Chat">{null}</Page>;

  if ((models.data ?? []).length === 0 && !selectedId && (recent.data ?? []).length === 0) {
    return (
      <Page title="Chat" description="Talk to a local model and keep the answers worth training on.">
        <EmptyState
          icon={MessageSquare}
          title="No model to chat with yet"
          description="Chat with a local model. Import or download a model on the Models page first."
          actions={
            <Button asChild>
              <PageLink to="models">
                Go to Models
                <ArrowRight />
              </PageLink>
            </Button>
          }
          footnote="Everything runs on this machine; nothing you type leaves it."
        />
      </Page>
    );
  }

  return (
    <div className="flex h-full min-h-0">
      <ConversationList selectedId={selectedId} onSelect={open} onNew={newChat} creating={create.isPending} />
      <div className="flex min-w-0 flex-1 flex-col">
        {selectedId ? (
          <ConversationPane
            key={selectedId}
            conversationId={selectedId}
            store={store}
            models={models.data ?? noModels}
            status={status.data}
            onMissing={() => open(null)}
          />
        ) : (
          <>
            <h1 className="sr-only">Chat</h1>
            <EmptyState
              icon={MessageSquarePlus}
              title="Start a chat"
              description="Pick a conversation on the left, or start a new one with your latest model."
              actions={
                <Button onClick={newChat} disabled={create.isPending || available.length === 0}>
                  <MessageSquarePlus />
                  New chat
                </Button>
              }
              footnote="Everything runs on this machine; nothing you type leaves it."
            />
          </>
        )}
      </div>
    </div>
  );
}

function ConversationPane({
  conversationId,
  store,
  models,
  status,
  onMissing,
}: {
  conversationId: string;
  store: StreamStore;
  models: ModelInfo[];
  status: InferenceStatus | undefined;
  onMissing: () => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = threadKey(conversationId);
  const thread = useApiQuery('chat.thread', { conversationId }, { staleTime: 0, meta: { silent: true } });
  const [keeping, setKeeping] = useState<ThreadMessage | null>(null);

  const refetch = useCallback(() => queryClient.invalidateQueries({ queryKey: key }), [queryClient, key]);
  const fail = useCallback((error: unknown) => notifyModelError(error as ApiError), []);

  // Stable for the pane's life, so memoised messages do not re-render when the thread changes.
  const latest = useRef({ api, refetch, fail, queryClient, conversationId });
  useEffect(() => {
    latest.current = { api, refetch, fail, queryClient, conversationId };
  });
  const actions = useMemo<ChatActions>(
    () => ({
      store,
      regenerate: (messageId) => {
        const { api, refetch, fail } = latest.current;
        api.call('chat.regenerate', { messageId }).then(() => refetch(), fail);
      },
      continue: (messageId) => {
        const { api, refetch, fail } = latest.current;
        api.call('chat.continue', { messageId }).then(() => refetch(), fail);
      },
      editAnswer: (messageId, content) => {
        const { api, refetch, fail } = latest.current;
        api.call('chat.editAnswer', { messageId, content }).then(() => refetch(), fail);
      },
      edit: (messageId, content) => {
        const { api, refetch, fail } = latest.current;
        api.call('chat.edit', { messageId, content }).then(() => refetch(), fail);
      },
      switchBranch: (leafId) => {
        const { api, queryClient, conversationId, fail } = latest.current;
        api
          .call('chat.thread', { conversationId, leafId })
          .then((t) => queryClient.setQueryData<ChatThread>(threadKey(conversationId), t), fail);
      },
      rate: (messageId, rating) => {
        const { api, fail } = latest.current;
        api.call('chat.feedback', { messageId, rating }).catch(fail);
      },
      keep: (message) => setKeeping(message),
    }),
    [store],
  );

  const onSend = useCallback(
    async (content: string) => {
      try {
        await api.call('chat.send', { conversationId, content });
        void refetch();
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    },
    [api, conversationId, refetch, fail],
  );
  const names = useMemo(
    () =>
      new Map([
        ...models.map((m): [string, string] => [m.id, m.name]),
        ...models.flatMap((m) => m.variants.map((v): [string, string] => [v.adapterId, v.name])),
      ]),
    [models],
  );
  const onStop = useCallback(() => {
    api.call('chat.stop', { conversationId }).catch(fail);
  }, [api, conversationId, fail]);

  if (thread.isError) {
    return (
      <EmptyState
        icon={MessageSquare}
        title="This conversation is gone"
        description={thread.error.message}
        actions={<Button onClick={onMissing}>Back to chats</Button>}
      />
    );
  }
  if (!thread.data) {
    return (
      <div className="flex flex-col gap-4 p-6">
        <Skeleton className="h-10" />
        <Skeleton className="h-40" />
      </div>
    );
  }

  const { conversation, messages } = thread.data;
  const streaming = messages.some((m) => m.status === 'streaming');
  const model = models.find((m) => m.id === conversation.modelId);
  const blocked = !conversation.modelId
    ? 'Choose a model above to start…'
    : model?.missing
      ? 'The model’s file is missing; choose another model…'
      : null;

  return (
    <ChatActionsContext value={actions}>
      <ModelNamesContext value={names}>
        <ChatHeader conversation={conversation} models={models} status={status} />
        {messages.length === 0 ? (
          <div className="flex min-h-0 flex-1 items-center justify-center px-6 text-center">
            <div>
              <p className="text-sm font-medium">{model ? `Say hello to ${model.name}` : 'No model chosen'}</p>
              <p className="mt-1 text-xs text-muted-foreground">
                {model
                  ? 'Your first message names the conversation.'
                  : 'Pick one of your models in the header to start.'}
              </p>
            </div>
          </div>
        ) : (
          <MessageList messages={messages} busy={streaming} />
        )}
        <Composer streaming={streaming} blocked={blocked} onSend={onSend} onStop={onStop} />
        <KeepDialog message={keeping} onClose={() => setKeeping(null)} />
      </ModelNamesContext>
    </ChatActionsContext>
  );
}
