import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message, User } from '../api/events';
import { FakeBackend, flush, memoryStorage } from '../test/fakeBackend';
import {
  MAX_AUTO_ATTEMPTS,
  READ_DEBOUNCE_MS,
  ROOM_KEY,
  TOKEN_KEY,
  TYPING_SHOW_MS,
  TYPING_THROTTLE_MS,
  createChatStore,
  type ChatStore,
} from './chatStore';
import { orderedMessages } from './timeline';

let backend: FakeBackend;
let storage: ReturnType<typeof memoryStorage>;
let now: number;
let ids: number;
let visible: boolean;
let online: boolean;
let alice: User;
let bob: User;

function makeStore(): ChatStore {
  return createChatStore({
    http: backend.http,
    realtime: backend.realtime,
    storage,
    randomId: () => `uuid-${++ids}`,
    now: () => now,
    isVisible: () => visible,
    isOnline: () => online,
  });
}

async function signedIn(user: User = alice): Promise<ChatStore> {
  storage.setItem(TOKEN_KEY, backend.tokenFor(user));
  const store = makeStore();
  await store.restore();
  await flush();
  return store;
}

function bodies(store: ChatStore, roomId: number): string[] {
  const view = store.getState().views[roomId];
  return view ? orderedMessages(view.timeline).map((m) => m.body) : [];
}

function seqs(store: ChatStore, roomId: number): number[] {
  return [...(store.getState().views[roomId]?.timeline.seqs ?? [])];
}

beforeEach(() => {
  backend = new FakeBackend();
  storage = memoryStorage();
  now = 1_000_000;
  ids = 0;
  visible = true;
  online = true;
  alice = backend.addUser('alice', 'password123');
  bob = backend.addUser('bob', 'password123');
});

afterEach(() => {
  vi.useRealTimers();
});

describe('session', () => {
  it('starts signed out without a stored token', async () => {
    const store = makeStore();
    await store.restore();
    expect(store.getState().session.status).toBe('signed_out');
    expect(backend.connections).toHaveLength(0);
  });

  it('a stored token keeps the user logged in across reloads', async () => {
    const room = backend.addRoom('general', bob, false, [bob]);
    const store = await signedIn();
    expect(store.getState().session).toMatchObject({ status: 'signed_in', user: alice });
    expect(store.getState().connection).toBe('connected');
    expect(backend.latestConnection().token).toBe(storage.getItem(TOKEN_KEY));
    expect(store.getState().rooms[room.id]).toMatchObject({ name: 'general', member: false });
  });

  it('a stored token the server refuses leads to the login screen', async () => {
    storage.setItem(TOKEN_KEY, 'expired');
    const store = makeStore();
    await store.restore();
    expect(store.getState().session.status).toBe('signed_out');
    expect(store.getState().session.notice).toMatch(/session has ended/);
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('a server it cannot reach keeps the token for the next reload', async () => {
    storage.setItem(TOKEN_KEY, backend.tokenFor(alice));
    const store = createChatStore({
      http: (options) => ({
        ...backend.http(options),
        me: () => Promise.reject(new Error('network down')),
      }),
      realtime: backend.realtime,
      storage,
    });
    await store.restore();
    expect(store.getState().session).toMatchObject({ status: 'signed_out' });
    expect(store.getState().session.notice).toMatch(/Cannot reach the server/);
    expect(storage.getItem(TOKEN_KEY)).not.toBeNull();
  });

  it('logs in, storing the token; a wrong password is reported', async () => {
    const store = makeStore();
    await store.restore();
    const bad = await store.login('alice', 'wrong-password');
    expect(bad).toEqual({ ok: false, code: 'unauthorized', message: 'Wrong username or password.' });
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    const good = await store.login('alice', 'password123');
    expect(good).toEqual({ ok: true });
    expect(storage.getItem(TOKEN_KEY)).toMatch(/^token-/);
    expect(store.getState().session.user).toEqual(alice);
  });

  it('registers then logs in; a taken name is reported', async () => {
    const store = makeStore();
    await store.restore();
    expect(await store.register('ALICE', 'password123')).toMatchObject({
      ok: false,
      code: 'conflict',
    });
    expect(await store.register('carol', 'password123')).toEqual({ ok: true });
    expect(store.getState().session.user?.username).toBe('carol');
  });

  it('logout revokes the token, clears it and closes the socket', async () => {
    const store = await signedIn();
    const token = storage.getItem(TOKEN_KEY)!;
    const connection = backend.latestConnection();
    await store.logout();
    expect(backend.httpCalls).toContain('logout');
    expect(backend.tokens.has(token)).toBe(false);
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(connection.closed).toBe(true);
    expect(store.getState().session).toEqual({ status: 'signed_out', user: null, notice: null });
  });

  it('connect_error `unauthorized` sends the user to the login screen', async () => {
    backend.autoConnect = false;
    storage.setItem(TOKEN_KEY, backend.tokenFor(alice));
    const store = makeStore();
    await store.restore();
    expect(store.getState().connection).toBe('connecting');
    backend.tokens.clear(); // revoked elsewhere
    backend.latestConnection().open();
    expect(store.getState().session.status).toBe('signed_out');
    expect(store.getState().session.notice).toMatch(/log in again/);
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(backend.latestConnection().closed).toBe(true);
  });

  it('a 401 on any REST call ends the session', async () => {
    const store = await signedIn();
    backend.tokens.clear();
    const result = await store.refreshRooms();
    expect(result).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(store.getState().session.status).toBe('signed_out');
  });

  it('reopens the room that was open before the reload', async () => {
    const room = backend.addRoom('general', alice);
    storage.setItem(ROOM_KEY, String(room.id));
    const store = await signedIn();
    expect(store.getState().activeRoomId).toBe(room.id);
    expect(store.getState().views[room.id]?.joined).toBe(true);
  });
});

describe('rooms', () => {
  it('creates a public or private room and opens it', async () => {
    const store = await signedIn();
    expect(await store.createRoom('design', true)).toEqual({ ok: true });
    const created = Object.values(store.getState().rooms).find((r) => r.name === 'design')!;
    expect(created).toMatchObject({ private: true, member: true });
    expect(store.getState().activeRoomId).toBe(created.id);
    expect(await store.createRoom('design', false)).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('joins a public room over REST, then the socket', async () => {
    const room = backend.addRoom('general', bob, false, [bob]);
    const store = await signedIn();
    expect(await store.joinPublicRoom(room.id)).toEqual({ ok: true });
    expect(backend.httpCalls).toContain(`joinRoom ${room.id}`);
    expect(store.getState().rooms[room.id]).toMatchObject({ member: true });
    expect(backend.latestConnection().sent('join')).toEqual([{ room_id: room.id, since_seq: 0 }]);
    expect(await store.joinPublicRoom(999)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('leaves a room', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(await store.leaveRoom(room.id)).toEqual({ ok: true });
    expect(backend.latestConnection().sent('leave')).toEqual([{ room_id: room.id }]);
    expect(store.getState().activeRoomId).toBeNull();
    expect(store.getState().rooms[room.id]?.member).toBe(false);
    expect(await store.leaveRoom(999)).toMatchObject({ ok: false });
  });

  it('adds a member to a private room', async () => {
    const room = backend.addRoom('secret', alice, true);
    const store = await signedIn();
    expect(await store.addMember(room.id, 'bob')).toEqual({ ok: true });
    expect(await store.addMember(room.id, 'nobody')).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('closing the active room keeps it open for resume', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.closeActiveRoom();
    expect(store.getState().activeRoomId).toBeNull();
    expect(store.getState().views[room.id]).toBeDefined();
  });

  it('refreshes the room list when it is stale', async () => {
    const store = await signedIn();
    const listings = () => backend.httpCalls.filter((c) => c === 'listRooms').length;
    const before = listings();
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before);
    now += 10_001;
    backend.addRoom('brand-new', bob);
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before + 1);
    expect(Object.values(store.getState().rooms).map((r) => r.name)).toContain('brand-new');
    store.signOut(null);
    now += 10_001;
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before + 1);
  });

  it('shows the error of a room it cannot load', async () => {
    const room = backend.addRoom('secret', bob, true, [bob]);
    const store = await signedIn();
    backend.rooms.delete(room.id);
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]).toMatchObject({
      status: 'error',
      error: 'Room not found.',
    });
  });
});

describe('history', () => {
  it('opens with the newest page over REST, then joins from its top seq', async () => {
    const room = backend.addRoom('general', alice);
    for (let i = 1; i <= 120; i += 1) backend.post(room.id, bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(store.getState().views[room.id]?.hasOlder).toBe(true);
    expect(backend.latestConnection().sent('join')).toEqual([{ room_id: room.id, since_seq: 120 }]);
  });

  it('loads older pages with `before` as the user scrolls up', async () => {
    const room = backend.addRoom('general', alice);
    for (let i = 1; i <= 120; i += 1) backend.post(room.id, bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    await store.loadOlder(room.id);
    expect(backend.httpCalls).toContain(`messages ${room.id} {"before":71,"limit":50}`);
    expect(seqs(store, room.id)[0]).toBe(21);
    await store.loadOlder(room.id);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(store.getState().views[room.id]?.hasOlder).toBe(false);
    const calls = backend.httpCalls.length;
    await store.loadOlder(room.id); // nothing more to load
    expect(backend.httpCalls.length).toBe(calls);
  });

  it('a failed older page can be tried again', async () => {
    const room = backend.addRoom('general', alice);
    for (let i = 1; i <= 60; i += 1) backend.post(room.id, bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    backend.rooms.delete(room.id);
    await store.loadOlder(room.id);
    expect(store.getState().views[room.id]?.loadingOlder).toBe(false);
  });
});

describe('live events', () => {
  it('shows live messages, edits and deletions', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const m = backend.post(room.id, bob, 'hello', true);
    expect(bodies(store, room.id)).toEqual(['hello']);
    const c = backend.latestConnection();
    c.handlers.message_updated({ ...m, body: 'hello!', edited_at: '2026-01-01T12:00:00Z' });
    expect(bodies(store, room.id)).toEqual(['hello!']);
  });

  it('counts unread while the room is not watched', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    visible = false;
    backend.post(room.id, bob, 'one', true);
    backend.post(room.id, bob, 'two', true);
    expect(store.getState().rooms[room.id]?.unread).toBe(2);
    visible = true;
    store.closeActiveRoom();
    backend.post(room.id, bob, 'three', true);
    expect(store.getState().rooms[room.id]?.unread).toBe(3);
  });

  it('shows who types, for a few seconds', async () => {
    vi.useFakeTimers();
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    backend.latestConnection().handlers.typing({ room_id: room.id, user: bob });
    expect(Object.values(store.getState().views[room.id]!.typing).map((t) => t.user)).toEqual([
      bob,
    ]);
    now += TYPING_SHOW_MS + 1;
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getState().views[room.id]!.typing).toEqual({});
  });

  it('keeps the online list from the join ack and presence events', async () => {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const c = backend.latestConnection();
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([alice]);
    c.handlers.presence({ room_id: room.id, user: bob, online: true });
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([alice, bob]);
    c.handlers.presence({ room_id: room.id, user: bob, online: false });
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([alice]);
  });

  it('tolerates usernames in `online`', async () => {
    const room = backend.addRoom('general', alice);
    backend.overrides.join = ({ room_id }) => ({
      ok: true,
      room: backend.record(room_id).room,
      messages: [],
      has_more: false,
      online: ['alice'] as unknown as User[],
    });
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(Object.values(store.getState().views[room.id]!.online).map((u) => u.username)).toEqual([
      'alice',
    ]);
  });
});

describe('sending', () => {
  it('shows a sent message at once and confirms it by the ack', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    let release: (() => void) | undefined;
    backend.overrides.send = (payload, connection) =>
      new Promise((resolve) => {
        release = () => {
          resolve(backend.handle('send', payload, connection));
        };
      });
    expect(store.send(room.id, '  hi there  ')).toEqual({ ok: true });
    await flush();
    const view = () => store.getState().views[room.id]!;
    expect(view().pending).toMatchObject([{ body: 'hi there', status: 'sending', client_id: 'uuid-1' }]);
    expect(view().timeline.seqs).toEqual([]);
    release?.();
    await flush();
    expect(view().pending).toEqual([]);
    expect(bodies(store, room.id)).toEqual(['hi there']);
  });

  it('refuses empty and oversized messages', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.send(room.id, '   ')).toMatchObject({ ok: false, code: 'invalid' });
    expect(store.send(room.id, 'x'.repeat(4001))).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('retries a timed-out send with the same client_id; one message results', async () => {
    vi.useFakeTimers();
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    let calls = 0;
    backend.overrides.send = (payload, connection) => {
      calls += 1;
      if (calls === 1) {
        // The first attempt is committed, but its ack and its echo are lost.
        backend.post(payload.room_id, alice, payload.body, false, payload.client_id);
        return { ok: false, error: { code: 'timeout', message: 'no answer' } };
      }
      return backend.handle('send', payload, connection);
    };
    store.send(room.id, 'once');
    await flush();
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({ status: 'queued' });
    await vi.advanceTimersByTimeAsync(2000);
    const sends = backend.latestConnection().sent('send') as { client_id: string }[];
    expect(sends.map((s) => s.client_id)).toEqual(['uuid-1', 'uuid-1']);
    expect(backend.record(room.id).messages).toHaveLength(1);
    expect(bodies(store, room.id)).toEqual(['once']);
    expect(store.getState().views[room.id]!.pending).toEqual([]);
  });

  it('gives up after several transient failures; a manual retry keeps the client_id', async () => {
    vi.useFakeTimers();
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    backend.overrides.send = () => ({
      ok: false,
      error: { code: 'unavailable', message: 'Try again later.' },
    });
    store.send(room.id, 'stubborn');
    await vi.advanceTimersByTimeAsync(60_000);
    const connection = backend.latestConnection();
    expect(connection.sent('send')).toHaveLength(MAX_AUTO_ATTEMPTS);
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({
      status: 'failed',
      error: 'Try again later.',
    });
    delete backend.overrides.send;
    store.retry(room.id, 'uuid-1');
    await flush();
    expect(bodies(store, room.id)).toEqual(['stubborn']);
    const ids = (connection.sent('send') as { client_id: string }[]).map((s) => s.client_id);
    expect(new Set(ids)).toEqual(new Set(['uuid-1']));
  });

  it('a refused message fails at once and can be discarded', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    backend.overrides.send = () => ({ ok: false, error: { code: 'too_large', message: '' } });
    store.send(room.id, 'big');
    await flush();
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({
      status: 'failed',
      error: 'Not sent.',
    });
    store.discard(room.id, 'uuid-1');
    expect(store.getState().views[room.id]!.pending).toEqual([]);
  });

  it('queues while offline and sends after the room is joined again', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    const connection = backend.latestConnection();
    connection.drop();
    expect(store.getState().connection).toBe('reconnecting');
    store.send(room.id, 'written offline');
    await flush();
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({ status: 'queued' });
    connection.open();
    await flush();
    expect(bodies(store, room.id)).toEqual(['written offline']);
    expect(store.getState().views[room.id]!.pending).toEqual([]);
  });

  it('edits and deletes own messages', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.send(room.id, 'typo');
    await flush();
    const id = store.getState().views[room.id]!.timeline.bySeq[1]!.id;
    expect(await store.edit(id, ' fixed ')).toEqual({ ok: true });
    expect(bodies(store, room.id)).toEqual(['fixed']);
    expect(await store.edit(id, '  ')).toMatchObject({ ok: false, code: 'invalid' });
    expect(await store.edit(id, 'y'.repeat(4001))).toMatchObject({ ok: false, code: 'too_large' });
    expect(await store.edit(424242, 'x')).toMatchObject({ ok: false, code: 'not_found' });
    expect(await store.remove(id)).toEqual({ ok: true });
    expect(store.getState().views[room.id]!.timeline.bySeq[1]).toMatchObject({ deleted: true });
    expect(await store.remove(424242)).toMatchObject({ ok: false, code: 'not_found' });
  });
});

describe('typing and read markers', () => {
  it('emits typing at most once per throttle window', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.typing(room.id);
    store.typing(room.id);
    now += TYPING_THROTTLE_MS - 1;
    store.typing(room.id);
    expect(backend.latestConnection().sent('typing')).toHaveLength(1);
    now += 2;
    store.typing(room.id);
    expect(backend.latestConnection().sent('typing')).toHaveLength(2);
    store.typing(999); // not joined: nothing
    expect(backend.latestConnection().sent('typing')).toHaveLength(2);
  });

  it('sends the highest seen seq, debounced, and never goes back', async () => {
    vi.useFakeTimers();
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.markRead(room.id, 3);
    store.markRead(room.id, 5);
    store.markRead(room.id, 4);
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS + 1);
    expect(backend.latestConnection().sent('read')).toEqual([{ room_id: room.id, seq: 5 }]);
    store.markRead(room.id, 5);
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS + 1);
    expect(backend.latestConnection().sent('read')).toHaveLength(1);
  });
});

describe('resume after a drop', () => {
  async function openAndDrop(count: number) {
    const room = backend.addRoom('general', alice, false, [alice, bob]);
    for (let i = 1; i <= count; i += 1) backend.post(room.id, bob, `before ${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    const connection = backend.latestConnection();
    connection.drop();
    return { room, store, connection };
  }

  it('rejoins with since_seq = highest seq seen and shows each message once, in order', async () => {
    const { room, store, connection } = await openAndDrop(3);
    for (let i = 1; i <= 5; i += 1) backend.post(room.id, bob, `missed ${i}`);
    connection.open();
    await flush();
    // The server repeats one it already sent: still shown once.
    connection.handlers.message(backend.record(room.id).messages[7] as Message);
    expect(connection.sent('join').at(-1)).toEqual({ room_id: room.id, since_seq: 3 });
    expect(seqs(store, room.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bodies(store, room.id).slice(3)).toEqual([
      'missed 1',
      'missed 2',
      'missed 3',
      'missed 4',
      'missed 5',
    ]);
    expect(store.getState().connection).toBe('connected');
  });

  it('fills what the ack could not carry over REST with `after`', async () => {
    backend.joinLimit = 200;
    const { room, store, connection } = await openAndDrop(2);
    for (let i = 1; i <= 450; i += 1) backend.post(room.id, bob, `missed ${i}`);
    connection.open();
    await flush(60);
    expect(backend.httpCalls).toContain(`messages ${room.id} {"after":202,"limit":200}`);
    expect(backend.httpCalls).toContain(`messages ${room.id} {"after":402,"limit":200}`);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 452 }, (_, i) => i + 1));
  });

  it('fills a hole left by an ack that carried the newest messages', async () => {
    const { room, store, connection } = await openAndDrop(2);
    for (let i = 1; i <= 300; i += 1) backend.post(room.id, bob, `missed ${i}`);
    backend.overrides.join = ({ room_id, since_seq }) => {
      const record = backend.record(room_id);
      const newer = record.messages.filter((m) => m.seq > (since_seq ?? 0));
      record.sockets.add(connection);
      return {
        ok: true,
        room: record.room,
        messages: newer.slice(-200),
        has_more: true,
        online: [alice],
      };
    };
    connection.open();
    await flush(60);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 302 }, (_, i) => i + 1));
  });

  it('marks the connection offline when the browser is offline', async () => {
    const room = backend.addRoom('general', alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    online = false;
    store.setOnline(false);
    expect(store.getState().connection).toBe('offline');
    backend.latestConnection().drop();
    expect(store.getState().connection).toBe('offline');
    online = true;
    store.setOnline(true);
    expect(store.getState().connection).toBe('reconnecting');
    backend.latestConnection().handlers.reconnecting(2);
    expect(store.getState().connection).toBe('reconnecting');
    backend.latestConnection().handlers.connectError('xhr poll error', true);
    expect(store.getState().connection).toBe('reconnecting');
  });

  it('retries a join the server could not answer', async () => {
    vi.useFakeTimers();
    const room = backend.addRoom('general', alice);
    let refuse = true;
    backend.overrides.join = (payload, connection) => {
      if (refuse) return { ok: false, error: { code: 'unavailable', message: 'busy' } };
      return backend.handle('join', payload, connection);
    };
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]!.joined).toBe(false);
    refuse = false;
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.getState().views[room.id]!.joined).toBe(true);
  });

  it('a join refused as forbidden shows the error; as unauthorized ends the session', async () => {
    const room = backend.addRoom('general', alice);
    backend.overrides.join = () => ({ ok: false, error: { code: 'forbidden', message: 'No.' } });
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]).toMatchObject({ status: 'error', error: 'No.' });
    backend.overrides.join = () => ({
      ok: false,
      error: { code: 'unauthorized', message: 'unauthorized' },
    });
    backend.latestConnection().drop();
    backend.latestConnection().open();
    await flush();
    expect(store.getState().session.status).toBe('signed_out');
  });
});

describe('external store', () => {
  it('notifies subscribers until they unsubscribe', async () => {
    const store = makeStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    await store.restore();
    expect(listener).toHaveBeenCalled();
    listener.mockClear();
    unsubscribe();
    store.signOut('x');
    expect(listener).not.toHaveBeenCalled();
  });
});
