import { describe, expect, it, vi } from 'vitest';
import type { Message } from '../api/events';
import { flush } from '../test/fakeBackend';
import { bodies, seqs, signedIn, t, setUpStoreTests } from '../test/storeHarness';

setUpStoreTests();

describe('resume after a drop', () => {
  async function openAndDrop(count: number) {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    for (let i = 1; i <= count; i += 1) t.backend.post(room.id, t.bob, `before ${i}`);
    const store = await signedIn();
    await store.openRoom(room.id);
    const connection = t.backend.latestConnection();
    connection.drop();
    return { room, store, connection };
  }

  it('rejoins with since_seq = highest seq seen and shows each message once, in order', async () => {
    const { room, store, connection } = await openAndDrop(3);
    for (let i = 1; i <= 5; i += 1) t.backend.post(room.id, t.bob, `missed ${i}`);
    connection.open();
    await flush();
    // The server repeats one it already sent: still shown once.
    connection.handlers.message(t.backend.record(room.id).messages[7] as Message);
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
    t.backend.joinLimit = 200;
    const { room, store, connection } = await openAndDrop(2);
    for (let i = 1; i <= 450; i += 1) t.backend.post(room.id, t.bob, `missed ${i}`);
    connection.open();
    await flush(60);
    expect(t.backend.httpCalls).toContain(`messages ${room.id} {"after":202,"limit":200}`);
    expect(t.backend.httpCalls).toContain(`messages ${room.id} {"after":402,"limit":200}`);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 452 }, (_, i) => i + 1));
  });

  it('fills a hole left by an ack that carried the newest messages', async () => {
    const { room, store, connection } = await openAndDrop(2);
    for (let i = 1; i <= 300; i += 1) t.backend.post(room.id, t.bob, `missed ${i}`);
    t.backend.overrides.join = ({ room_id, since_seq }) => {
      const record = t.backend.record(room_id);
      const newer = record.messages.filter((m) => m.seq > (since_seq ?? 0));
      record.sockets.add(connection);
      return {
        ok: true,
        room: record.room,
        messages: newer.slice(-200),
        has_more: true,
        online: [t.alice],
      };
    };
    connection.open();
    await flush(60);
    expect(seqs(store, room.id)).toEqual(Array.from({ length: 302 }, (_, i) => i + 1));
  });

  it('marks the connection offline when the browser is offline', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.online = false;
    store.setOnline(false);
    expect(store.getState().connection).toBe('offline');
    t.backend.latestConnection().drop();
    expect(store.getState().connection).toBe('offline');
    t.online = true;
    store.setOnline(true);
    expect(store.getState().connection).toBe('reconnecting');
    t.backend.latestConnection().handlers.reconnecting(2);
    expect(store.getState().connection).toBe('reconnecting');
    t.backend.latestConnection().handlers.connectError('xhr poll error', true);
    expect(store.getState().connection).toBe('reconnecting');
  });

  it('retries a join the server could not answer', async () => {
    vi.useFakeTimers();
    const room = t.backend.addRoom('general', t.alice);
    let refuse = true;
    t.backend.overrides.join = (payload, connection) => {
      if (refuse) return { ok: false, error: { code: 'unavailable', message: 'busy' } };
      return t.backend.handle('join', payload, connection);
    };
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]!.joined).toBe(false);
    refuse = false;
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.getState().views[room.id]!.joined).toBe(true);
  });

  it('a join refused as forbidden shows the error; as unauthorized ends the session', async () => {
    const room = t.backend.addRoom('general', t.alice);
    t.backend.overrides.join = () => ({ ok: false, error: { code: 'forbidden', message: 'No.' } });
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.getState().views[room.id]).toMatchObject({
      status: 'error',
      error: 'This room is not available to you.',
    });
    t.backend.overrides.join = () => ({
      ok: false,
      error: { code: 'unauthorized', message: 'unauthorized' },
    });
    t.backend.latestConnection().drop();
    t.backend.latestConnection().open();
    await flush();
    expect(store.getState().session.status).toBe('signed_out');
  });
});
