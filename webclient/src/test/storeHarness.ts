/**
 * A fresh fake backend, storage, clock and two users before each store test, and
 * the helpers the store tests share. `t` is reset before every test.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import type { User } from '../api/events';
import { createChatStore, TOKEN_KEY, type ChatStore } from '../store/chatStore';
import { orderedMessages } from '../store/timeline';
import { FakeBackend, flush, memoryStorage } from './fakeBackend';

interface Harness {
  backend: FakeBackend;
  storage: ReturnType<typeof memoryStorage>;
  now: number;
  ids: number;
  visible: boolean;
  online: boolean;
  alice: User;
  bob: User;
}

export const t = {} as Harness;

export function setUpStoreTests(): void {
  beforeEach(() => {
    t.backend = new FakeBackend();
    t.storage = memoryStorage();
    t.now = 1_000_000;
    t.ids = 0;
    t.visible = true;
    t.online = true;
    t.alice = t.backend.addUser('alice', 'password123');
    t.bob = t.backend.addUser('bob', 'password123');
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

export function makeStore(): ChatStore {
  return createChatStore({
    http: t.backend.http,
    realtime: t.backend.realtime,
    storage: t.storage,
    randomId: () => `uuid-${++t.ids}`,
    now: () => t.now,
    isVisible: () => t.visible,
    isOnline: () => t.online,
  });
}

export async function signedIn(user: User = t.alice): Promise<ChatStore> {
  t.storage.setItem(TOKEN_KEY, t.backend.tokenFor(user));
  const store = makeStore();
  await store.restore();
  await flush();
  return store;
}

export function bodies(store: ChatStore, roomId: number): string[] {
  const view = store.getState().views[roomId];
  return view ? orderedMessages(view.timeline).map((m) => m.body) : [];
}

export function seqs(store: ChatStore, roomId: number): number[] {
  return [...(store.getState().views[roomId]?.timeline.seqs ?? [])];
}
