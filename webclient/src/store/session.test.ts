import { describe, expect, it, vi } from 'vitest';
import { makeStore, signedIn, t, setUpStoreTests } from '../test/storeHarness';
import { ROOM_KEY, TOKEN_KEY, createChatStore } from './chatStore';

setUpStoreTests();

describe('session', () => {
  it('starts signed out without a stored token', async () => {
    const store = makeStore();
    await store.restore();
    expect(store.getState().session.status).toBe('signed_out');
    expect(t.backend.connections).toHaveLength(0);
  });

  it('a stored token keeps the user logged in across reloads', async () => {
    const room = t.backend.addRoom('general', t.bob, false, [t.bob]);
    const store = await signedIn();
    expect(store.getState().session).toMatchObject({ status: 'signed_in', user: t.alice });
    expect(store.getState().connection).toBe('connected');
    expect(t.backend.latestConnection().token).toBe(t.storage.getItem(TOKEN_KEY));
    expect(store.getState().rooms[room.id]).toMatchObject({ name: 'general', member: false });
  });

  it('a stored token the server refuses leads to the login screen', async () => {
    t.storage.setItem(TOKEN_KEY, 'expired');
    const store = makeStore();
    await store.restore();
    expect(store.getState().session.status).toBe('signed_out');
    expect(store.getState().session.notice).toMatch(/session has ended/);
    expect(t.storage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('a server it cannot reach keeps the token for the next reload', async () => {
    t.storage.setItem(TOKEN_KEY, t.backend.tokenFor(t.alice));
    const store = createChatStore({
      http: (options) => ({
        ...t.backend.http(options),
        me: () => Promise.reject(new Error('network down')),
      }),
      realtime: t.backend.realtime,
      storage: t.storage,
    });
    await store.restore();
    expect(store.getState().session).toMatchObject({ status: 'signed_out' });
    expect(store.getState().session.notice).toMatch(/Cannot reach the server/);
    expect(t.storage.getItem(TOKEN_KEY)).not.toBeNull();
  });

  it('logs in, storing the token; a wrong password is reported', async () => {
    const store = makeStore();
    await store.restore();
    const bad = await store.login('alice', 'wrong-password');
    expect(bad).toEqual({ ok: false, code: 'unauthorized', message: 'Wrong username or password.' });
    expect(t.storage.getItem(TOKEN_KEY)).toBeNull();
    const good = await store.login('alice', 'password123');
    expect(good).toEqual({ ok: true });
    expect(t.storage.getItem(TOKEN_KEY)).toMatch(/^token-/);
    expect(store.getState().session.user).toEqual(t.alice);
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
    const token = t.storage.getItem(TOKEN_KEY)!;
    const connection = t.backend.latestConnection();
    await store.logout();
    expect(t.backend.httpCalls).toContain('logout');
    expect(t.backend.tokens.has(token)).toBe(false);
    expect(t.storage.getItem(TOKEN_KEY)).toBeNull();
    expect(connection.closed).toBe(true);
    expect(store.getState().session).toEqual({ status: 'signed_out', user: null, notice: null });
  });

  it('connect_error `unauthorized` sends the user to the login screen', async () => {
    t.backend.autoConnect = false;
    t.storage.setItem(TOKEN_KEY, t.backend.tokenFor(t.alice));
    const store = makeStore();
    await store.restore();
    expect(store.getState().connection).toBe('connecting');
    t.backend.tokens.clear(); // revoked elsewhere
    t.backend.latestConnection().open();
    expect(store.getState().session.status).toBe('signed_out');
    expect(store.getState().session.notice).toMatch(/log in again/);
    expect(t.storage.getItem(TOKEN_KEY)).toBeNull();
    expect(t.backend.latestConnection().closed).toBe(true);
  });

  it('a 401 on any REST call ends the session', async () => {
    const store = await signedIn();
    t.backend.tokens.clear();
    const result = await store.refreshRooms();
    expect(result).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(store.getState().session.status).toBe('signed_out');
  });

  it('reopens the room that was open before the reload', async () => {
    const room = t.backend.addRoom('general', t.alice);
    t.storage.setItem(ROOM_KEY, String(room.id));
    const store = await signedIn();
    expect(store.getState().activeRoomId).toBe(room.id);
    expect(store.getState().views[room.id]?.joined).toBe(true);
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
