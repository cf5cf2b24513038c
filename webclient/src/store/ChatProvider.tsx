import { useEffect, type ReactNode } from 'react';
import { ChatContext } from './chatContext';
import type { ChatStore } from './chatStore';

interface Props {
  store: ChatStore;
  children: ReactNode;
}

export const FOCUS_REFRESH_MS = 10_000;

/**
 * Hands the store down and feeds it the browser's events: online/offline for the
 * connection badge, and focus to heal the room list (rooms come and go by pushed
 * events; a reconnect refreshes the list too).
 */
export function ChatProvider({ store, children }: Props) {
  useEffect(() => {
    const online = () => {
      store.setOnline(true);
    };
    const offline = () => {
      store.setOnline(false);
    };
    const focus = () => {
      if (document.visibilityState === 'visible') void store.refreshRoomsIfStale(FOCUS_REFRESH_MS);
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    window.addEventListener('focus', focus);
    document.addEventListener('visibilitychange', focus);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      window.removeEventListener('focus', focus);
      document.removeEventListener('visibilitychange', focus);
    };
  }, [store]);
  return <ChatContext.Provider value={store}>{children}</ChatContext.Provider>;
}
