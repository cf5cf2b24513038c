import { describe, expect, it } from 'vitest';
import { flush } from '../test/fakeBackend';
import { signedIn, t, setUpStoreTests } from '../test/storeHarness';
import { ROOM_KEY } from './chatStore';

setUpStoreTests();

const listings = () => t.backend.httpCalls.filter((c) => c === 'listRooms').length;

describe('pushed membership', () => {
  it('a public room created by someone else appears at once, to discover', async () => {
    const alice = await signedIn(t.alice);
    const bob = await signedIn(t.bob);
    const before = listings();
    expect(await bob.createRoom('launch', false)).toEqual({ ok: true });
    await flush();
    const seen = Object.values(alice.getState().rooms).find((r) => r.name === 'launch');
    expect(seen).toMatchObject({ private: false, member: false });
    expect(seen?.owner.username).toBe('bob');
    // The creator hears room_added and room_created: it stays a member.
    const own = Object.values(bob.getState().rooms).find((r) => r.name === 'launch');
    expect(own).toMatchObject({ member: true, unread: 0 });
    expect(listings()).toBe(before);
  });

  it('a private room appears when the user is added to it', async () => {
    const alice = await signedIn(t.alice);
    const bob = await signedIn(t.bob);
    await bob.createRoom('secret', true);
    const room = Object.values(bob.getState().rooms).find((r) => r.name === 'secret')!;
    expect(alice.getState().rooms[room.id]).toBeUndefined();
    const before = listings();
    expect(await bob.addMember(room.id, 'alice')).toEqual({ ok: true });
    expect(alice.getState().rooms[room.id]).toMatchObject({
      name: 'secret',
      private: true,
      member: true,
      unread: 0,
    });
    expect(listings()).toBe(before);
    // A room_created is never about a private room, even if one arrived.
    t.backend.latestConnection().handlers.room_created({ ...room, id: 999, private: true });
    expect(bob.getState().rooms[999]).toBeUndefined();
  });

  it('a room the user is removed from closes, even while open', async () => {
    const room = t.backend.addRoom('secret', t.bob, true, [t.bob, t.alice]);
    const store = await signedIn(t.alice);
    await store.openRoom(room.id);
    expect(store.getState().activeRoomId).toBe(room.id);
    t.backend.endMembership(room.id, t.alice.id);
    expect(store.getState().activeRoomId).toBeNull();
    expect(store.getState().views[room.id]).toBeUndefined();
    expect(store.getState().rooms[room.id]).toBeUndefined();
    expect(store.getState().roomNotice).toBe('You are no longer a member of secret.');
    expect(t.storage.getItem(ROOM_KEY)).toBeNull();
    // Late events of the room do nothing (and throw nothing).
    const c = t.backend.latestConnection();
    c.handlers.room_removed({ room_id: room.id });
    c.handlers.message({ ...t.backend.post(room.id, t.bob, 'after') });
    expect(store.getState().views[room.id]).toBeUndefined();
  });

  it('leaving in one tab closes the room in the other; a public one goes back to discover', async () => {
    const room = t.backend.addRoom('general', t.bob, false, [t.bob, t.alice]);
    const tab1 = await signedIn(t.alice);
    const tab2 = await signedIn(t.alice);
    await tab1.openRoom(room.id);
    await tab2.openRoom(room.id);
    expect(await tab1.leaveRoom(room.id)).toEqual({ ok: true });
    expect(tab2.getState().views[room.id]).toBeUndefined();
    expect(tab2.getState().activeRoomId).toBeNull();
    expect(tab2.getState().rooms[room.id]).toMatchObject({ member: false });
    // The tab that left needs no explaining; the other says why the room closed.
    expect(tab1.getState().roomNotice).toBeNull();
    expect(tab2.getState().roomNotice).toBe('You are no longer a member of general.');
    // Joining it again elsewhere brings it back as the user's.
    expect(await tab1.joinPublicRoom(room.id)).toEqual({ ok: true });
    expect(tab2.getState().rooms[room.id]).toMatchObject({ member: true });
    await tab2.openRoom(room.id);
    expect(tab2.getState().roomNotice).toBeNull();
  });

  it('a push missed while disconnected heals on reconnect', async () => {
    const alice = await signedIn(t.alice);
    const connection = t.backend.latestConnection();
    connection.drop();
    const room = t.backend.addRoom('while-away', t.bob);
    t.backend.pushCreated(room.id); // alice's socket is down: she misses it
    expect(alice.getState().rooms[room.id]).toBeUndefined();
    connection.open();
    await flush();
    expect(alice.getState().rooms[room.id]).toMatchObject({ name: 'while-away', member: false });
  });
});
