import { createContext, useContext } from 'react';
import type { ThreadMessage } from '@shared/domain';
import type { StreamStore } from './streamStore';

/** What a message can ask of the conversation it is in; stable for the conversation's life. */
export interface ChatActions {
  store: StreamStore;
  regenerate: (messageId: string) => void;
  /** Goes on with an answer that stopped early. */
  continue: (messageId: string) => void;
  edit: (messageId: string, content: string) => void;
  /** Saves a hand-written version of an answer. */
  editAnswer: (messageId: string, content: string) => void;
  switchBranch: (siblingId: string) => void;
  rate: (messageId: string, rating: 'up' | 'down' | null) => void;
  keep: (message: ThreadMessage) => void;
}

export const ChatActionsContext = createContext<ChatActions | null>(null);

export function useChatActions(): ChatActions {
  const actions = useContext(ChatActionsContext);
  if (!actions) throw new Error('useChatActions must be used inside a conversation.');
  return actions;
}

/** Names of the library's models and of their variants' adapters, by id, for the label above each answer. */
export const ModelNamesContext = createContext<ReadonlyMap<string, string>>(new Map());
