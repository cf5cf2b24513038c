import { useContext, useSyncExternalStore } from 'react';
import { ChatContext } from './chatContext';
import type { ChatStore } from './chatStore';
import type { ChatState } from './reducer';

export function useStore(): ChatStore {
  const store = useContext(ChatContext);
  if (!store) throw new Error('useStore() needs a <ChatProvider> above it.');
  return store;
}

/**
 * Subscribe to one slice of the state. The selector must return a piece of the state
 * itself (or a primitive), never a freshly built object, or every change re-renders.
 */
export function useChatState<T>(selector: (state: ChatState) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
