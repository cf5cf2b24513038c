import { describe, expect, it, vi } from 'vitest';
import { flush } from '../test/fakeBackend';
import { bodies, makeStore, signedIn, t, setUpStoreTests } from '../test/storeHarness';
import { MAX_AUTO_ATTEMPTS, TOKEN_KEY } from './chatStore';
import { OUTBOX_KEY } from './outbox';

setUpStoreTests();

describe('sending', () => {
  it('shows a sent message at once and confirms it by the ack', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    let release: (() => void) | undefined;
    t.backend.overrides.send = (payload, connection) =>
      new Promise((resolve) => {
        release = () => {
          resolve(t.backend.handle('send', payload, connection));
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
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    expect(store.send(room.id, '   ')).toMatchObject({ ok: false, code: 'invalid' });
    expect(store.send(room.id, 'x'.repeat(4001))).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('retries a timed-out send with the same client_id; one message results', async () => {
    vi.useFakeTimers();
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    let calls = 0;
    t.backend.overrides.send = (payload, connection) => {
      calls += 1;
      if (calls === 1) {
        // The first attempt is committed, but its ack and its echo are lost.
        t.backend.post(payload.room_id, t.alice, payload.body, false, payload.client_id);
        return { ok: false, error: { code: 'timeout', message: 'no answer' } };
      }
      return t.backend.handle('send', payload, connection);
    };
    store.send(room.id, 'once');
    await flush();
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({ status: 'queued' });
    await vi.advanceTimersByTimeAsync(2000);
    const sends = t.backend.latestConnection().sent('send') as { client_id: string }[];
    expect(sends.map((s) => s.client_id)).toEqual(['uuid-1', 'uuid-1']);
    expect(t.backend.record(room.id).messages).toHaveLength(1);
    expect(bodies(store, room.id)).toEqual(['once']);
    expect(store.getState().views[room.id]!.pending).toEqual([]);
  });

  it('gives up after several transient failures; a manual retry keeps the client_id', async () => {
    vi.useFakeTimers();
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.backend.overrides.send = () => ({
      ok: false,
      error: { code: 'unavailable', message: 'Try again later.' },
    });
    store.send(room.id, 'stubborn');
    await vi.advanceTimersByTimeAsync(60_000);
    const connection = t.backend.latestConnection();
    expect(connection.sent('send')).toHaveLength(MAX_AUTO_ATTEMPTS);
    expect(store.getState().views[room.id]!.pending[0]).toMatchObject({
      status: 'failed',
      error: 'Try again later.',
    });
    delete t.backend.overrides.send;
    store.retry(room.id, 'uuid-1');
    await flush();
    expect(bodies(store, room.id)).toEqual(['stubborn']);
    const ids = (connection.sent('send') as { client_id: string }[]).map((s) => s.client_id);
    expect(new Set(ids)).toEqual(new Set(['uuid-1']));
  });

  it('a refused message fails at once and can be discarded', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.backend.overrides.send = () => ({ ok: false, error: { code: 'too_large', message: '' } });
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
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    const connection = t.backend.latestConnection();
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

  it('keeps unsent messages over a reload and sends each once', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const first = await signedIn();
    await first.openRoom(room.id);
    first.closeActiveRoom();
    t.backend.latestConnection().drop();
    first.send(room.id, 'one');
    first.send(room.id, 'two');
    await flush();
    const key = OUTBOX_KEY + String(t.alice.id);
    expect(JSON.parse(t.storage.getItem(key) ?? '[]')).toHaveLength(2);
    // Reload: a new store on the same storage, the old socket gone.
    t.backend.latestConnection().close();
    const second = makeStore();
    await second.restore();
    await flush();
    expect(bodies(second, room.id)).toEqual(['one', 'two']);
    expect(second.getState().views[room.id]?.pending).toEqual([]);
    expect(t.backend.record(room.id).messages.map((m) => m.client_id)).toEqual([
      'uuid-1',
      'uuid-2',
    ]);
    expect(t.storage.getItem(key)).toBeNull();
    expect(second.getState().activeRoomId).toBeNull();
  });

  it('a message stored before the reload whose ack was lost is not stored twice', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const first = await signedIn();
    await first.openRoom(room.id);
    // Committed, but neither the ack nor the broadcast reaches this tab.
    t.backend.overrides.send = (payload) => {
      t.backend.post(payload.room_id, t.alice, payload.body, false, payload.client_id);
      return { ok: false, error: { code: 'timeout', message: 'No answer.' } };
    };
    first.send(room.id, 'maybe');
    await flush();
    expect(t.storage.getItem(OUTBOX_KEY + String(t.alice.id))).toContain('maybe');
    delete t.backend.overrides.send;
    t.backend.latestConnection().close();
    const second = makeStore();
    await second.restore();
    await flush();
    expect(bodies(second, room.id)).toEqual(['maybe']);
    expect(second.getState().views[room.id]?.pending).toEqual([]);
    expect(t.backend.record(room.id).messages).toHaveLength(1);
  });

  it('the outbox belongs to its user and goes with a logout', async () => {
    const room = t.backend.addRoom('general', t.alice);
    const store = await signedIn();
    await store.openRoom(room.id);
    t.backend.latestConnection().drop();
    store.send(room.id, 'for later');
    await flush();
    const key = OUTBOX_KEY + String(t.alice.id);
    expect(t.storage.getItem(key)).not.toBeNull();
    t.storage.setItem(TOKEN_KEY, t.backend.tokenFor(t.bob));
    t.storage.setItem(`${OUTBOX_KEY}${String(t.bob.id)}`, '{not json');
    const asBob = makeStore();
    await asBob.restore();
    await flush();
    expect(asBob.getState().views[room.id]?.pending ?? []).toEqual([]);
    expect(t.storage.getItem(key)).not.toBeNull();
    await store.logout();
    expect(t.storage.getItem(key)).toBeNull();
  });

  it('edits and deletes own messages', async () => {
    const room = t.backend.addRoom('general', t.alice);
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
