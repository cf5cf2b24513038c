import { describe, expect, it, vi } from 'vitest';
import type { User } from '../api/events';
import { flush } from '../test/fakeBackend';
import { bodies, signedIn, t, setUpStoreTests } from '../test/storeHarness';
import { READ_DEBOUNCE_MS, TYPING_SHOW_MS, TYPING_THROTTLE_MS } from './chatStore';

setUpStoreTests();

describe('live events', () => {
  it('shows live messages, edits and deletions', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const m = t.backend.post(room.id, t.bob, 'hello', true);
    expect(bodies(store, room.id)).toEqual(['hello']);
    const c = t.backend.latestConnection();
    c.handlers.message_updated({ ...m, body: 'hello!', edited_at: '2026-01-01T12:00:00Z' });
    expect(bodies(store, room.id)).toEqual(['hello!']);
  });

  it('counts unread while the room is not watched', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.visible = false;
    t.backend.post(room.id, t.bob, 'one', true);
    t.backend.post(room.id, t.bob, 'two', true);
    expect(store.getState().rooms[room.id]?.unread).toBe(2);
    t.visible = true;
    store.closeActiveRoom();
    t.backend.post(room.id, t.bob, 'three', true);
    expect(store.getState().rooms[room.id]?.unread).toBe(3);
  });

  it("never counts one's own messages from another tab or device as unread", async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const quiet = t.backend.addRoom('quiet', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(quiet.id);
    await store.openRoom(room.id);
    t.visible = false;
    // Sent by alice elsewhere: arrives here as a live `message` whose sender is alice.
    t.backend.post(room.id, t.alice, 'from my phone', true);
    t.backend.post(quiet.id, t.alice, 'from my laptop', true);
    expect(bodies(store, room.id)).toEqual(['from my phone']);
    expect(store.getState().rooms[room.id]?.unread).toBe(0);
    expect(store.getState().rooms[quiet.id]?.unread).toBe(0);
    t.backend.post(quiet.id, t.bob, 'from bob', true);
    expect(store.getState().rooms[quiet.id]?.unread).toBe(1);
  });

  it('shows who types, for a few seconds', async () => {
    vi.useFakeTimers();
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.backend.latestConnection().handlers.typing({ room_id: room.id, user: t.bob });
    expect(Object.values(store.getState().views[room.id]!.typing).map((t) => t.user)).toEqual([
      t.bob,
    ]);
    t.now += TYPING_SHOW_MS + 1;
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getState().views[room.id]!.typing).toEqual({});
  });

  it('keeps the online list from the join ack and presence events', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const c = t.backend.latestConnection();
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([t.alice]);
    c.handlers.presence({ room_id: room.id, user: t.bob, online: true });
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([t.alice, t.bob]);
    c.handlers.presence({ room_id: room.id, user: t.bob, online: false });
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([t.alice]);
  });

  it('keeps the last known online list (oneself included) while reconnecting', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const store = await signedIn();
    await store.openRoom(room.id);
    const c = t.backend.latestConnection();
    c.handlers.presence({ room_id: room.id, user: t.bob, online: true });
    c.drop();
    expect(store.getState().connection).toBe('reconnecting');
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([t.alice, t.bob]);
    c.open();
    await flush();
    // The rejoin's ack is the truth again: bob has no socket in the room.
    expect(Object.values(store.getState().views[room.id]!.online)).toEqual([t.alice]);
  });

  it('tolerates usernames in `online`', async () => {
    const room = t.backend.addRoom('general', t.alice);
    t.backend.overrides.join = ({ room_id }) => ({
      ok: true,
      room: t.backend.record(room_id).room,
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

describe('typing and read markers', () => {
  it('emits typing at most once per throttle window', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.typing(room.id);
    store.typing(room.id);
    t.now += TYPING_THROTTLE_MS - 1;
    store.typing(room.id);
    expect(t.backend.latestConnection().sent('typing')).toHaveLength(1);
    t.now += 2;
    store.typing(room.id);
    expect(t.backend.latestConnection().sent('typing')).toHaveLength(2);
    store.typing(999); // not joined: nothing
    expect(t.backend.latestConnection().sent('typing')).toHaveLength(2);
  });

  it('sends the highest seen seq, debounced, and never goes back', async () => {
    vi.useFakeTimers();
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    store.markRead(room.id, 3);
    store.markRead(room.id, 5);
    store.markRead(room.id, 4);
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS + 1);
    expect(t.backend.latestConnection().sent('read')).toEqual([{ room_id: room.id, seq: 5 }]);
    store.markRead(room.id, 5);
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS + 1);
    expect(t.backend.latestConnection().sent('read')).toHaveLength(1);
  });
});
