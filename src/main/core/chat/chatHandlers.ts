import type { HandlerMap } from '../dispatch';
import type { ChatService } from './ChatService';

export function chatHandlers(
  chat: ChatService,
): HandlerMap<
  | 'chat.conversations.list'
  | 'chat.conversations.get'
  | 'chat.conversations.create'
  | 'chat.conversations.rename'
  | 'chat.conversations.delete'
  | 'chat.conversations.update'
  | 'chat.send'
  | 'chat.regenerate'
  | 'chat.edit'
  | 'chat.continue'
  | 'chat.editAnswer'
  | 'chat.stop'
  | 'chat.thread'
  | 'chat.export'
  | 'chat.feedback'
  | 'chat.keep'
> {
  return {
    'chat.conversations.list': (input) => chat.list(input),
    'chat.conversations.get': ({ id }) => chat.get(id),
    'chat.conversations.create': (input) => chat.create(input),
    'chat.conversations.rename': ({ id, title }) => chat.rename(id, title),
    'chat.conversations.delete': ({ id }) => chat.delete(id),
    'chat.conversations.update': ({ id, ...patch }) => chat.update(id, patch),
    'chat.send': (input) => chat.send(input),
    'chat.regenerate': ({ messageId }) => chat.regenerate(messageId),
    'chat.edit': ({ messageId, content }) => chat.edit(messageId, content),
    'chat.continue': ({ messageId }) => chat.continue(messageId),
    'chat.editAnswer': ({ messageId, content }) => chat.editAnswer(messageId, content),
    'chat.stop': ({ conversationId }) => chat.stop(conversationId),
    'chat.thread': ({ conversationId, leafId }) => chat.thread(conversationId, leafId),
    'chat.export': ({ conversationId, format, leafId }) => chat.export(conversationId, format, leafId),
    'chat.feedback': ({ messageId, rating }) => chat.feedback(messageId, rating),
    'chat.keep': ({ messageId, editedContent, datasetId, withThought }) =>
      chat.keep(messageId, editedContent, datasetId, withThought),
  };
}
