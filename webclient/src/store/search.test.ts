import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { seqs, signedIn, t, setUpStoreTests } from '../test/storeHarness';
import { SEARCH_PAGE_SIZE } from './chatStore';

setUpStoreTests();

describe('search', () => {
  it('pages results newest first with `before`', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    for (let i = 1; i <= SEARCH_PAGE_SIZE + 5; i += 1) t.backend.post(room.id, t.bob, `deploy ${i}`);
    t.backend.post(room.id, t.bob, 'unrelated');
    const store = await signedIn();
    const first = await store.searchMessages('DEPLOY');
    if (!first.ok) throw new Error(first.message);
    expect(first.page.results).toHaveLength(SEARCH_PAGE_SIZE);
    expect(first.page.results[0]?.body).toBe(`deploy ${SEARCH_PAGE_SIZE + 5}`);
    expect(first.page.has_more).toBe(true);
    const last = first.page.results[first.page.results.length - 1]!;
    const second = await store.searchMessages('DEPLOY', last.id);
    if (!second.ok) throw new Error(second.message);
    expect(second.page.results.map((m) => m.body)).toEqual([
      'deploy 5',
      'deploy 4',
      'deploy 3',
      'deploy 2',
      'deploy 1',
    ]);
    expect(second.page.has_more).toBe(false);
  });

  it('reports a failed search', async () => {
    const store = await signedIn();
    t.backend.failHttp('search', new ApiError(0, 'network', 'Cannot reach the server.'));
    expect(await store.searchMessages('x')).toMatchObject({ ok: false, code: 'network' });
  });

  it('opens an old result with the history around it, whole up to the newest', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    for (let i = 1; i <= 200; i += 1) t.backend.post(room.id, t.bob, i === 20 ? 'the needle' : `m${i}`);
    const store = await signedIn();
    const found = await store.searchMessages('needle');
    if (!found.ok) throw new Error(found.message);
    const hit = found.page.results[0]!;
    expect(await store.openMessage(hit)).toEqual({ ok: true });
    const state = store.getState();
    expect(state.activeRoomId).toBe(room.id);
    expect(state.views[room.id]?.jumpSeq).toBe(20);
    const held = seqs(store, room.id);
    expect(held[0]).toBeLessThanOrEqual(20);
    expect(held[held.length - 1]).toBe(200);
    // No hole: every seq from the lowest held to the newest.
    expect(held).toEqual(Array.from({ length: held.length }, (_, i) => (held[0] ?? 0) + i));
    expect(t.backend.httpCalls).toContain(`messages ${room.id} {"before":21,"limit":50}`);
    store.jumped(room.id);
    expect(store.getState().views[room.id]?.jumpSeq).toBeNull();
  });

  it('opens a recent result without fetching more', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    t.backend.post(room.id, t.bob, 'fresh news');
    const store = await signedIn();
    const found = await store.searchMessages('news');
    if (!found.ok) throw new Error(found.message);
    const before = t.backend.httpCalls.filter((c) => c.startsWith('messages')).length;
    expect(await store.openMessage(found.page.results[0]!)).toEqual({ ok: true });
    expect(t.backend.httpCalls.filter((c) => c.startsWith('messages')).length).toBe(before + 1);
    expect(store.getState().views[room.id]?.jumpSeq).toBe(1);
  });

  it('tells when the room of a result cannot be shown', async () => {
    const room = t.backend.addRoom('general', t.alice, false, [t.alice, t.bob]);
    const message = t.backend.post(room.id, t.bob, 'gone soon');
    const store = await signedIn();
    t.backend.rooms.delete(room.id);
    expect(await store.openMessage(message)).toMatchObject({ ok: false });
  });
});
