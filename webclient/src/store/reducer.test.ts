import { describe, expect, it } from 'vitest';
import { alice, bob, message, room } from '../test/factories';
import { initialState, reducer, type Action, type ChatState } from './reducer';
import { splitRooms } from './roomList';
import type { PendingMessage } from './state';

function run(actions: Action[], start: ChatState = initialState): ChatState {
  return actions.reduce(reducer, start);
}

const signedIn: Action = { type: 'session/signedIn', user: alice };

function withRoom(extra: Action[] = []): ChatState {
  return run([
    signedIn,
    { type: 'rooms/loaded', rooms: [room(10), room(11, { name: 'other' })] },
    { type: 'room/opened', roomId: 10 },
    ...extra,
  ]);
}

function pending(clientId: string, overrides: Partial<PendingMessage> = {}): PendingMessage {
  return {
    client_id: clientId,
    room_id: 10,
    body: 'hello',
    status: 'sending',
    error: null,
    attempts: 1,
    created_at: '2026-01-01T10:00:00Z',
    ...overrides,
  };
}

describe('session', () => {
  it('signs in and out, dropping everything of the session', () => {
    const state = withRoom();
    expect(state.session).toEqual({ status: 'signed_in', user: alice, notice: null });
    const out = reducer(state, { type: 'session/signedOut', notice: 'bye' });
    expect(out.session).toEqual({ status: 'signed_out', user: null, notice: 'bye' });
    expect(out.rooms).toEqual({});
    expect(out.views).toEqual({});
    expect(reducer(out, { type: 'session/checking' }).session.status).toBe('checking');
  });
});

describe('history and live messages', () => {
  it('merges REST pages, join acks and live events by seq', () => {
    const state = withRoom([
      { type: 'room/history', roomId: 10, messages: [message(3), message(4)], kind: 'newest', hasMore: true },
      {
        type: 'room/joined',
        roomId: 10,
        room: room(10, { last_seq: 6 }),
        messages: [message(4), message(5), message(6)],
        online: [alice, bob],
      },
      { type: 'message/received', message: message(6), countUnread: false },
      { type: 'message/received', message: message(7), countUnread: false },
      { type: 'room/history', roomId: 10, messages: [message(1), message(2)], kind: 'older', hasMore: false },
    ]);
    const view = state.views[10]!;
    expect(view.timeline.seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(view.hasOlder).toBe(false);
    expect(view.joined).toBe(true);
    expect(Object.keys(view.online)).toEqual(['1', '2']);
    expect(state.rooms[10]!.last_seq).toBe(7);
  });

  it('counts unread only for new messages of others when asked to', () => {
    const state = withRoom([
      { type: 'message/received', message: message(1), countUnread: true },
      { type: 'message/received', message: message(1), countUnread: true },
      { type: 'message/received', message: message(2, { sender: alice }), countUnread: true },
      { type: 'message/received', message: message(3), countUnread: false },
    ]);
    expect(state.rooms[10]!.unread).toBe(1);
    expect(state.rooms[10]!.last_seq).toBe(3);
  });

  it('counts unread for a room with no view open', () => {
    const state = withRoom([
      { type: 'message/received', message: message(1, { room_id: 11 }), countUnread: true },
    ]);
    expect(state.rooms[11]!.unread).toBe(1);
  });

  it('applies edits and deletions, never undone by a late copy', () => {
    const edited = message(1, { body: 'edited', edited_at: '2026-01-01T11:00:00Z' });
    const state = withRoom([
      { type: 'message/received', message: message(1), countUnread: false },
      { type: 'message/updated', message: edited },
      { type: 'message/received', message: message(1), countUnread: false },
    ]);
    expect(state.views[10]!.timeline.bySeq[1]!.body).toBe('edited');
  });

  it('drops the typing entry of whoever just sent', () => {
    const state = withRoom([
      { type: 'typing/started', roomId: 10, user: bob, until: 100 },
      { type: 'message/received', message: message(1), countUnread: false },
    ]);
    expect(state.views[10]!.typing).toEqual({});
  });

  it('marks a failed room and records loading of older pages', () => {
    let state = withRoom([{ type: 'room/loadingOlder', roomId: 10, loading: true }]);
    expect(state.views[10]!.loadingOlder).toBe(true);
    expect(reducer(state, { type: 'room/loadingOlder', roomId: 10, loading: true })).toBe(state);
    state = reducer(state, { type: 'room/failed', roomId: 10, error: 'gone' });
    expect(state.views[10]).toMatchObject({ status: 'error', error: 'gone', loadingOlder: false });
  });

  it('ignores actions for rooms without a view', () => {
    const state = withRoom();
    expect(reducer(state, { type: 'room/failed', roomId: 99, error: 'x' })).toBe(state);
    expect(reducer(state, { type: 'message/updated', message: message(1, { room_id: 99 }) })).toBe(
      state,
    );
  });
});

describe('optimistic send', () => {
  it('settles the pending copy when the ack or the echo arrives', () => {
    const own = message(1, { sender: alice, client_id: 'abc' });
    let state = withRoom([{ type: 'pending/added', pending: pending('abc') }]);
    expect(state.views[10]!.pending).toHaveLength(1);
    state = reducer(state, { type: 'message/received', message: own, countUnread: true });
    expect(state.views[10]!.pending).toHaveLength(0);
    expect(state.rooms[10]!.unread).toBe(0);

    state = run([
      { type: 'pending/added', pending: pending('def') },
      { type: 'send/acked', message: message(2, { sender: alice, client_id: 'def' }) },
    ], state);
    expect(state.views[10]!.pending).toHaveLength(0);
    expect(state.views[10]!.timeline.seqs).toEqual([1, 2]);
  });

  it('tracks status changes and removal of a pending message', () => {
    let state = withRoom([
      { type: 'pending/added', pending: pending('abc') },
      { type: 'pending/status', roomId: 10, clientId: 'abc', status: 'failed', error: 'nope', attempts: 5 },
    ]);
    expect(state.views[10]!.pending[0]).toMatchObject({ status: 'failed', error: 'nope', attempts: 5 });
    expect(
      reducer(state, { type: 'pending/status', roomId: 10, clientId: 'zzz', status: 'queued', error: null }),
    ).toBe(state);
    state = reducer(state, { type: 'pending/removed', roomId: 10, clientId: 'abc' });
    expect(state.views[10]!.pending).toHaveLength(0);
    expect(reducer(state, { type: 'pending/removed', roomId: 10, clientId: 'abc' })).toBe(state);
  });
});

describe('the new-messages divider', () => {
  it('remembers what was unread when the room was opened, until it is opened afresh', () => {
    const opened = run([
      signedIn,
      {
        type: 'rooms/loaded',
        rooms: [room(10, { unread: 3, last_seq: 9 }), room(11, { name: 'other' })],
      },
      { type: 'room/opened', roomId: 10 },
    ]);
    expect(opened.views[10]).toMatchObject({ unreadAtOpen: 3, lastSeqAtOpen: 9 });
    const read = run([{ type: 'read/marked', roomId: 10, seq: 9 }], opened);
    expect(read.rooms[10]?.unread).toBe(0);
    // Opening it again while shown keeps the divider; coming back from elsewhere drops it.
    expect(run([{ type: 'room/opened', roomId: 10 }], read).views[10]).toMatchObject({
      unreadAtOpen: 3,
    });
    const back = run(
      [
        { type: 'room/opened', roomId: 11 },
        { type: 'room/opened', roomId: 10 },
      ],
      read,
    );
    expect(back.views[10]).toMatchObject({ unreadAtOpen: 0, lastSeqAtOpen: 0 });
  });

  it('a failed room can be retried; restored unsent messages open their rooms unseen', () => {
    const failed = withRoom([{ type: 'room/failed', roomId: 10, error: 'x' }]);
    const retrying = reducer(failed, { type: 'room/retrying', roomId: 10 });
    expect(retrying.views[10]).toMatchObject({ status: 'loading', error: null });
    expect(reducer(retrying, { type: 'room/retrying', roomId: 10 })).toBe(retrying);
    const restored = reducer(retrying, {
      type: 'outbox/restored',
      pending: [pending('a', { room_id: 11 }), pending('a', { room_id: 11 }), pending('b')],
    });
    expect(restored.views[11]?.pending.map((p) => p.client_id)).toEqual(['a']);
    expect(restored.views[10]?.pending.map((p) => p.client_id)).toEqual(['b']);
    expect(restored.activeRoomId).toBe(10);
  });
});

describe('connection', () => {
  it('a lost connection voids joins and typing, keeps the messages and who was online', () => {
    const state = withRoom([
      {
        type: 'room/joined',
        roomId: 10,
        room: room(10),
        messages: [message(1)],
        online: [alice, bob],
      },
      { type: 'typing/started', roomId: 10, user: bob, until: 100 },
      { type: 'connection/lost', status: 'reconnecting' },
    ]);
    expect(state.connection).toBe('reconnecting');
    expect(state.views[10]).toMatchObject({ joined: false, typing: {} });
    expect(Object.values(state.views[10]!.online)).toEqual([alice, bob]);
    expect(state.views[10]!.timeline.seqs).toEqual([1]);
    expect(reducer(state, { type: 'connection/status', status: 'reconnecting' })).toBe(state);
  });
});

describe('typing and presence', () => {
  it('shows typists until their time runs out, never oneself', () => {
    let state = withRoom([
      { type: 'typing/started', roomId: 10, user: bob, until: 100 },
      { type: 'typing/started', roomId: 10, user: alice, until: 100 },
    ]);
    expect(Object.keys(state.views[10]!.typing)).toEqual(['2']);
    expect(reducer(state, { type: 'typing/pruned', now: 50 })).toBe(state);
    state = reducer(state, { type: 'typing/pruned', now: 150 });
    expect(state.views[10]!.typing).toEqual({});
  });

  it('adds and removes online users', () => {
    let state = withRoom([
      { type: 'room/joined', roomId: 10, room: room(10), messages: [], online: [alice] },
      { type: 'presence', roomId: 10, user: bob, online: true },
    ]);
    expect(Object.values(state.views[10]!.online)).toEqual([alice, bob]);
    expect(reducer(state, { type: 'presence', roomId: 10, user: bob, online: true })).toBe(state);
    state = run([
      { type: 'typing/started', roomId: 10, user: bob, until: 100 },
      { type: 'presence', roomId: 10, user: bob, online: false },
    ], state);
    expect(Object.values(state.views[10]!.online)).toEqual([alice]);
    expect(state.views[10]!.typing).toEqual({});
  });
});

describe('rooms', () => {
  it('keeps the highest last_seq and clears unread of a room read here', () => {
    let state = withRoom([
      { type: 'message/received', message: message(5), countUnread: false },
      { type: 'read/marked', roomId: 10, seq: 5 },
    ]);
    state = reducer(state, {
      type: 'rooms/loaded',
      rooms: [room(10, { last_seq: 3, unread: 2 }), room(11, { unread: 4 })],
    });
    expect(state.rooms[10]).toMatchObject({ last_seq: 5, unread: 0 });
    expect(state.rooms[11]!.unread).toBe(4);
  });

  it('read markers lower the unread count', () => {
    let state = withRoom([
      { type: 'rooms/upsert', room: room(10, { last_seq: 10, unread: 6 }) },
      { type: 'read/marked', roomId: 10, seq: 7 },
    ]);
    expect(state.rooms[10]!.unread).toBe(3);
    expect(state.views[10]!.readSeq).toBe(7);
    state = reducer(state, { type: 'read/marked', roomId: 10, seq: 4 });
    expect(state.views[10]!.readSeq).toBe(7);
    state = reducer(state, { type: 'read/marked', roomId: 10, seq: 10 });
    expect(state.rooms[10]!.unread).toBe(0);
  });

  it('upserts without lowering last_seq', () => {
    const state = withRoom([
      { type: 'rooms/upsert', room: room(10, { last_seq: 9 }) },
      { type: 'rooms/upsert', room: room(10, { last_seq: 2, name: 'renamed' }) },
    ]);
    expect(state.rooms[10]).toMatchObject({ last_seq: 9, name: 'renamed' });
  });

  it('leaving: a public room goes back to discover, a private one disappears', () => {
    let state = withRoom([
      { type: 'rooms/upsert', room: room(12, { private: true }) },
      { type: 'room/opened', roomId: 12 },
    ]);
    state = reducer(state, { type: 'room/closed', roomId: 12 });
    expect(state.rooms[12]).toBeUndefined();
    expect(state.activeRoomId).toBeNull();
    state = reducer(state, { type: 'room/closed', roomId: 10 });
    expect(state.rooms[10]).toMatchObject({ member: false });
    expect(state.rooms[10]!.unread).toBeUndefined();
    expect(state.views[10]).toBeUndefined();
  });

  it('removes a room and activates another', () => {
    let state = withRoom([{ type: 'room/activated', roomId: 11 }]);
    expect(state.activeRoomId).toBe(11);
    expect(reducer(state, { type: 'room/activated', roomId: 11 })).toBe(state);
    state = reducer(state, { type: 'rooms/removed', roomId: 11 });
    expect(state.rooms[11]).toBeUndefined();
    expect(state.activeRoomId).toBeNull();
  });

  it('splits rooms into mine and discoverable, by name', () => {
    const { mine, discover } = splitRooms({
      1: room(1, { name: 'b' }),
      2: room(2, { name: 'a' }),
      3: room(3, { name: 'z', member: false, unread: undefined }),
      4: room(4, { name: 'secret', private: true, member: false, unread: undefined }),
      5: room(5, { name: 'legacy', member: undefined, unread: 2 }),
    });
    expect(mine.map((r) => r.name)).toEqual(['a', 'b', 'legacy']);
    expect(discover.map((r) => r.name)).toEqual(['z']);
  });
});
