import { useEffect, type ReactNode } from 'react';
import { ChatContext } from './chatContext';
import type { ChatStore } from './chatStore';

interface Props {
  store: ChatStore;
  children: ReactNode;
}

/** Hands the store down and feeds it the browser's online/offline events. */
export function ChatProvider({ store, children }: Props) {
  useEffect(() => {
    const online = () => {
      store.setOnline(true);
    };
    const offline = () => {
      store.setOnline(false);
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }, [store]);
  return <ChatContext.Provider value={store}>{children}</ChatContext.Provider>;
}
