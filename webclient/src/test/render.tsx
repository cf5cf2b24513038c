import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { App } from '../App';
import { ChatProvider } from '../store/ChatProvider';
import { createChatStore, TOKEN_KEY, type ChatStore } from '../store/chatStore';
import { FakeBackend, flush, memoryStorage } from './fakeBackend';

export function renderWithStore(ui: ReactElement, store: ChatStore) {
  return render(<ChatProvider store={store}>{ui}</ChatProvider>);
}

let counter = 0;

/** The whole app against a fake backend; optionally already logged in as `as`. */
export async function renderApp(backend: FakeBackend, as?: string) {
  const storage = memoryStorage();
  if (as) {
    const user = backend.users.find((u) => u.user.username === as)?.user;
    if (!user) throw new Error(`no user ${as}`);
    storage.setItem(TOKEN_KEY, backend.tokenFor(user));
  }
  const store = createChatStore({
    http: backend.http,
    realtime: backend.realtime,
    storage,
    randomId: () => `uuid-${++counter}`,
    isVisible: () => true,
    isOnline: () => true,
  });
  const view = renderWithStore(<App />, store);
  await store.restore();
  await flush();
  return { ...view, store, storage };
}
