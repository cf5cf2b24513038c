import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { flush } from '../test/fakeBackend';
import { bodies, seqs, signedIn, t, setUpStoreTests } from '../test/storeHarness';

setUpStoreTests();

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
    const room = t.backend.addRoom('general', t.bob, false, [t.bob]);
    const store = await signedIn();
    expect(await store.joinPublicRoom(room.id)).toEqual({ ok: true });
    expect(t.backend.httpCalls).toContain(`joinRoom ${room.id}`);
    expect(store.getState().rooms[room.id]).toMatchObject({ member: true });
    expect(t.backend.latestConnection().sent('join')).toEqual([{ room_id: room.id, since_seq: 0 }]);
    expect(await store.joinPublicRoom(999)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('leaves a room', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(await store.leaveRoom(room.id)).toEqual({ ok: true });
    expect(t.backend.latestConnection().sent('leave')).toEqual([{ room_id: room.id }]);
    expect(store.getState().activeRoomId).toBeNull();
    expect(store.getState().rooms[room.id]?.member).toBe(false);
    expect(await store.leaveRoom(999)).toMatchObject({ ok: false });
  });

  it('adds a member to a private room', async () => {
    const room = t.backend.addRoom('secret', t.alice, true);
    const store = await signedIn();
    expect(await store.addMember(room.id, 'bob')).toEqual({ ok: true });
    expect(await store.addMember(room.id, 'nobody')).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('closing the active room keeps it open for resume', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.closeActiveRoom();
    expect(store.getState().activeRoomId).toBeNull();
    expect(store.getState().views[room.id]).toBeDefined();
  });

  it('refreshes the room list when it is stale', async () => {
    const store = await signedIn();
    const listings = () => t.backend.httpCalls.filter((c) => c === 'listRooms').length;
    const before = listings();
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before);
    t.now += 10_001;
    t.backend.addRoom('brand-new', t.bob);
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before + 1);
    expect(Object.values(store.getState().rooms).map((r) => r.name)).toContain('brand-new');
    store.signOut(null);
    t.now += 10_001;
    await store.refreshRoomsIfStale(10_000);
    expect(listings()).toBe(before + 1);
  });

  it('shows the error of a room it cannot load', async () => {
    const room = t.backend.addRoom('secret', t.bob, true, [t.bob]);
    const store = await signedIn();
    t.backend.rooms.delete(room.id);
    await store.openRoom(room.id);
    // A clear message, never the server's raw text.
    expect(store.getState().views[room.id]).toMatchObject({
      status: 'error',
      error: 'This room is not available to you.',
    });
  });

  it('a history load that failed can be retried, and retries by itself on reconnect', async () => {
    const room = t.backend.addRoom('general', t.alice);
    t.backend.post(room.id, t.bob, 'hello');
    const store = await signedIn();
    const down = new ApiError(0, 'network', 'Cannot reach the server.');
    t.backend.failHttp('messages', down);
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]).toMatchObject({
      status: 'error',
      error: 'Cannot reach the server. The messages load once it answers again.',
    });
    await store.retryRoom(room.id);
    expect(store.getState().views[room.id]?.status).toBe('ready');
    expect(bodies(store, room.id)).toEqual(['hello']);

    const other = t.backend.addRoom('other', t.alice);
    t.backend.post(other.id, t.bob, 'there');
    t.backend.failHttp('messages', new ApiError(500, 'http_500', 'Internal Server Error'));
    await store.openRoom(other.id);
    expect(store.getState().views[other.id]).toMatchObject({
      status: 'error',
      error: 'The messages of this room could not be loaded.',
    });
    t.backend.latestConnection().drop();
    t.backend.latestConnection().open();
    await flush();
    expect(store.getState().views[other.id]).toMatchObject({ status: 'ready', joined: true });
    expect(bodies(store, other.id)).toEqual(['there']);
  });
});

describe('an owner leaving', () => {
  it('is refused while others are members; hands the room over, then leaves', async () => {
    const room = t.backend.addRoom('secret', t.alice, true, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const refused = await store.leaveRoom(room.id);
    expect(refused).toMatchObject({ ok: false, code: 'conflict' });
    expect(store.getState().views[room.id]).toBeDefined();
    expect(await store.handOver(room.id, 'nobody')).toMatchObject({ ok: false, code: 'not_found' });
    expect(await store.handOver(room.id, 'bob')).toEqual({ ok: true });
    expect(store.getState().rooms[room.id]?.owner).toEqual(t.bob);
    expect(t.backend.httpCalls).toContain(`updateRoom ${room.id} bob`);
    expect(await store.leaveRoom(room.id)).toEqual({ ok: true });
    expect(store.getState().rooms[room.id]).toBeUndefined();
  });

  it('an owner alone leaves at once', async () => {
    const room = t.backend.addRoom('solo', t.alice, true, [t.alice]);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(await store.leaveRoom(room.id)).toEqual({ ok: true });
    expect(t.backend.httpCalls.filter((c) => c.startsWith('updateRoom'))).toEqual([]);
  });
});

describe('history', () => {
  it('opens with the newest page over REST, then joins from its top seq', async () => {
    const room = t.backend.addRoom('general', t.alice);
    for (let i = 1; i <= 120; i += 1) t.backend.post(room.id, t.bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(store.getState().views[room.id]?.hasOlder).toBe(true);
    expect(t.backend.latestConnection().sent('join')).toEqual([{ room_id: room.id, since_seq: 120 }]);
  });

  it('loads older pages with `before` as the user scrolls up', async () => {
    const room = t.backend.addRoom('general', t.alice);
    for (let i = 1; i <= 120; i += 1) t.backend.post(room.id, t.bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    await store.loadOlder(room.id);
    expect(t.backend.httpCalls).toContain(`messages ${room.id} {"before":71,"limit":50}`);
    expect(seqs(store, room.id)[0]).toBe(21);
    await store.loadOlder(room.id);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(store.getState().views[room.id]?.hasOlder).toBe(false);
    const calls = t.backend.httpCalls.length;
    await store.loadOlder(room.id); // nothing more to load
    expect(t.backend.httpCalls.length).toBe(calls);
  });

  it('a failed older page can be tried again', async () => {
    const room = t.backend.addRoom('general', t.alice);
    for (let i = 1; i <= 60; i += 1) t.backend.post(room.id, t.bob, `m${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.backend.rooms.delete(room.id);
    await store.loadOlder(room.id);
    expect(store.getState().views[room.id]?.loadingOlder).toBe(false);
  });
});
