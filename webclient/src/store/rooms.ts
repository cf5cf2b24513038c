/**
 * The room directory and the rooms open in this session: listing, creating,
 * joining, leaving, and the socket `join` (again after every reconnect) from the
 * highest seq held.
 */
import type { Room, User } from '../api/events';
import { ApiError } from '../api/http';
import type { ChatStore } from './chatStore';
import { errorResult, SESSION_ENDED, type Result } from './core';
import { loadFailure } from './history';
import { ROOM_KEY } from './session';
import { highestSeq } from './timeline';

export class RoomsPart {
  private readonly joining = new Set<number>();
  /** Rooms this tab is leaving: their `room_removed` needs no explaining. */
  private readonly leaving = new Set<number>();
  private fetchedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly store: ChatStore) {}

  async refresh(): Promise<Result> {
    const store = this.store;
    const epoch = store.epoch;
    this.fetchedAt = store.deps.now();
    try {
      const rooms = await store.http.listRooms();
      if (epoch === store.epoch) store.dispatch({ type: 'rooms/loaded', rooms });
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /**
   * Pushes may be missed while disconnected (the reconnect refreshes the list) and
   * unread counts of rooms not open here only come with a listing: refresh it when
   * the tab regains focus, if it is older than `maxAgeMs`.
   */
  async refreshIfStale(maxAgeMs: number): Promise<void> {
    if (this.store.getState().session.status !== 'signed_in') return;
    if (this.store.deps.now() - this.fetchedAt < maxAgeMs) return;
    await this.refresh();
  }

  /** `room_added`: the user became a member (here, in another tab, or was added). */
  added(room: Room): void {
    const known = this.store.getState().rooms[room.id];
    const unread = known?.unread ?? room.unread ?? 0;
    this.store.dispatch({ type: 'rooms/upsert', room: { ...room, member: true, unread } });
  }

  /**
   * `room_removed`: the user left (perhaps in another tab) or the owner removed
   * them. An open room closes; its unsent messages go with it.
   */
  removed(roomId: number): void {
    const store = this.store;
    const state = store.getState();
    const room = state.rooms[roomId];
    if (!room && !state.views[roomId]) return;
    if (room && state.activeRoomId === roomId && !this.leaving.has(roomId)) {
      const notice = `You are no longer a member of ${room.name}.`;
      store.dispatch({ type: 'room/lost', roomId, notice });
    } else {
      store.dispatch({ type: 'room/closed', roomId });
    }
    if (store.deps.storage.getItem(ROOM_KEY) === String(roomId)) {
      store.deps.storage.removeItem(ROOM_KEY);
    }
  }

  /** `room_created`: a public room to discover (or one this user just created). */
  created(room: Room): void {
    if (room.private) return;
    const known = this.store.getState().rooms[room.id];
    // A room already known keeps what this client knows of its membership.
    const update: Room = known ? { ...room } : { ...room, member: false };
    delete update.unread;
    if (known) delete update.member;
    this.store.dispatch({ type: 'rooms/upsert', room: update });
  }

  async create(name: string, isPrivate: boolean): Promise<Result> {
    try {
      const room = await this.store.http.createRoom(name, isPrivate);
      this.store.dispatch({ type: 'rooms/upsert', room: { ...room, member: true, unread: 0 } });
      await this.open(room.id);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /** The "Join" button of a public room the user does not belong to yet. */
  async joinPublic(roomId: number): Promise<Result> {
    const store = this.store;
    try {
      await store.http.joinRoom(roomId);
      const room = store.getState().rooms[roomId];
      if (room) {
        store.dispatch({
          type: 'rooms/upsert',
          room: { ...room, member: true, unread: room.unread ?? 0 },
        });
      }
      await this.open(roomId);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  async addMember(roomId: number, username: string): Promise<Result> {
    try {
      await this.store.http.addMember(roomId, username);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  async leave(roomId: number): Promise<Result> {
    const store = this.store;
    this.leaving.add(roomId);
    try {
      if (store.getState().views[roomId]?.joined && store.realtime) {
        await store.realtime.request('leave', { room_id: roomId });
      }
      await store.http.leaveRoom(roomId);
      store.dispatch({ type: 'room/closed', roomId });
      if (store.deps.storage.getItem(ROOM_KEY) === String(roomId)) {
        store.deps.storage.removeItem(ROOM_KEY);
      }
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    } finally {
      this.leaving.delete(roomId);
    }
  }

  /** Show a room: newest history over REST, then a socket join from its top seq. */
  async open(roomId: number): Promise<void> {
    const store = this.store;
    store.dispatch({ type: 'room/opened', roomId });
    store.deps.storage.setItem(ROOM_KEY, String(roomId));
    await this.load(roomId);
  }

  /**
   * Bring an open room up to date: its newest page unless it has one, then the
   * socket join. Run for every open room on each (re)connect, and by the Retry
   * button of a room whose messages could not be loaded.
   */
  async load(roomId: number): Promise<void> {
    const store = this.store;
    const view = store.getState().views[roomId];
    if (!view) return;
    if (view.status === 'error') store.dispatch({ type: 'room/retrying', roomId });
    if (view.status !== 'ready' && !(await store.history.loadNewest(roomId))) return;
    if (!store.getState().views[roomId]?.joined) await this.join(roomId);
  }

  /** The owner hands the room to a member (then may leave it). */
  async handOver(roomId: number, username: string): Promise<Result> {
    const store = this.store;
    try {
      const room = await store.http.updateRoom(roomId, { owner: username });
      const known = store.getState().rooms[roomId];
      store.dispatch({
        type: 'rooms/upsert',
        room: { ...room, member: true, unread: known?.unread ?? room.unread ?? 0 },
      });
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /** Back to the room list (phones) without leaving the room. */
  closeActive(): void {
    this.store.dispatch({ type: 'room/activated', roomId: null });
    this.store.deps.storage.removeItem(ROOM_KEY);
  }

  /** Joins belong to a connection: forget those in flight when it ends. */
  forgetJoins(): void {
    this.joining.clear();
  }

  /**
   * Join (or rejoin after a reconnect) with since_seq = the highest seq held; merge
   * the ack's messages by seq and fill any remaining gap over REST.
   */
  async join(roomId: number): Promise<void> {
    const store = this.store;
    const realtime = store.realtime;
    const view = store.getState().views[roomId];
    if (!realtime?.connected || !view || view.joined || this.joining.has(roomId)) return;
    if (view.status === 'loading' && store.history.isLoading(roomId)) return; // open() joins after
    this.joining.add(roomId);
    const since = highestSeq(view.timeline);
    const epoch = store.epoch;
    const ack = await realtime.request('join', { room_id: roomId, since_seq: since });
    this.joining.delete(roomId);
    if (epoch !== store.epoch || realtime !== store.realtime) return;
    if (!ack.ok) {
      const { code, message } = ack.error;
      if (code === 'unauthorized') {
        store.session.signOut(SESSION_ENDED);
      } else if (code === 'forbidden' || code === 'not_found') {
        const refusal = new ApiError(code === 'forbidden' ? 403 : 404, code, message);
        store.dispatch({ type: 'room/failed', roomId, error: loadFailure(refusal) });
      } else if (store.isConnected()) {
        store.later(() => void this.join(roomId), 1500);
      }
      return;
    }
    store.dispatch({
      type: 'room/joined',
      roomId,
      room: ack.room,
      messages: ack.messages,
      online: ack.online.map(normalizeUser),
    });
    await store.history.fillGaps(roomId, ack.has_more);
    store.outbox.flush(roomId);
  }
}

/** `online` entries are users; tolerate a bare username from a looser server. */
function normalizeUser(value: User | string): User {
  return typeof value === 'string' ? { id: -hash(value), username: value } : value;
}

function hash(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return Math.abs(h) + 1;
}
