/**
 * The client's one store: it owns the token, the REST client and the socket, binds
 * the socket's listeners once per session, and exposes the actions screens call.
 * React reads it through useSyncExternalStore (see useChat.ts), so StrictMode's
 * double effects never open a second socket.
 */
import type { Message, Room, User } from '../api/events';
import { LIMITS } from '../api/events';
import { ApiError, createHttp, type HttpApi, type HttpOptions } from '../api/http';
import { connectRealtime, type Realtime, type RealtimeFactory } from '../api/socket';
import { initialState, reducer, type Action, type ChatState, type PendingMessage } from './reducer';
import { firstMissingSeq, highestSeq, lowestSeq } from './timeline';

export const TOKEN_KEY = 'chatapp.token';
export const ROOM_KEY = 'chatapp.room';

export const PAGE_SIZE = 50;
export const GAP_PAGE_SIZE = 200;
export const TYPING_THROTTLE_MS = 2500;
export const TYPING_SHOW_MS = 5000;
export const READ_DEBOUNCE_MS = 400;
export const SEND_TIMEOUT_MS = 8000;
export const MAX_AUTO_ATTEMPTS = 5;
const MAX_GAP_PAGES = 100;

export type Result = { ok: true } | { ok: false; message: string; code: string };

export interface StoreDeps {
  http: (options: HttpOptions) => HttpApi;
  realtime: RealtimeFactory;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  randomId: () => string;
  now: () => number;
  isVisible: () => boolean;
  isOnline: () => boolean;
}

function defaultDeps(): StoreDeps {
  return {
    http: createHttp,
    realtime: connectRealtime,
    storage: window.localStorage,
    randomId: () => crypto.randomUUID(),
    now: () => Date.now(),
    isVisible: () => document.visibilityState === 'visible',
    isOnline: () => navigator.onLine,
  };
}

function errorResult(error: unknown): Result {
  if (error instanceof ApiError) return { ok: false, message: error.message, code: error.code };
  return { ok: false, message: 'Something went wrong. Please try again.', code: 'unknown' };
}

/** Ack errors worth another try with the same client_id. */
const TRANSIENT = new Set(['timeout', 'disconnected', 'unavailable', 'rate_limited']);

export class ChatStore {
  private state: ChatState = initialState;
  private readonly listeners = new Set<() => void>();
  private readonly deps: StoreDeps;
  readonly http: HttpApi;
  private token: string | null = null;
  private realtime: Realtime | null = null;
  /** Bumped on every sign-in/out so late answers of an old session are dropped. */
  private epoch = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private typingPruneTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly lastTypingSent = new Map<number, number>();
  private readonly readTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Map<string, symbol>();
  private readonly joining = new Set<number>();
  private readonly loading = new Set<number>();
  private roomsFetchedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: Partial<StoreDeps> = {}) {
    this.deps = { ...defaultDeps(), ...deps };
    this.http = this.deps.http({
      getToken: () => this.token,
      onUnauthorized: () => {
        if (this.state.session.status === 'signed_in') {
          this.signOut('Your session has ended. Please log in again.');
        }
      },
    });
  }

  // ------------------------------------------------------------ external store

  getState = (): ChatState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  dispatch(action: Action): void {
    const next = reducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  // ------------------------------------------------------------ session

  /** On page load: a stored token keeps the user logged in across reloads. */
  async restore(): Promise<void> {
    const token = this.deps.storage.getItem(TOKEN_KEY);
    if (!token) {
      this.dispatch({ type: 'session/signedOut', notice: null });
      return;
    }
    this.token = token;
    this.dispatch({ type: 'session/checking' });
    try {
      const user = await this.http.me();
      await this.begin(user);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.signOut('Your session has ended. Please log in again.');
      } else {
        this.token = null;
        this.dispatch({
          type: 'session/signedOut',
          notice: 'Cannot reach the server right now. Reload to try again, or log in.',
        });
      }
    }
  }

  async login(username: string, password: string): Promise<Result> {
    try {
      const response = await this.http.login({ username, password });
      this.token = response.access_token;
      this.deps.storage.setItem(TOKEN_KEY, response.access_token);
      const user = await this.http.me();
      await this.begin(user);
      return { ok: true };
    } catch (error) {
      this.token = null;
      this.deps.storage.removeItem(TOKEN_KEY);
      return errorResult(error);
    }
  }

  async register(username: string, password: string): Promise<Result> {
    try {
      await this.http.register({ username, password });
    } catch (error) {
      return errorResult(error);
    }
    return this.login(username, password);
  }

  async logout(): Promise<void> {
    // Close the socket first: the server cuts sockets of a revoked token, and the
    // socket module would otherwise try to reconnect once.
    this.closeRealtime();
    try {
      if (this.token) await this.http.logout();
    } catch {
      // The token is dropped either way; a failed revoke only means it expires later.
    }
    this.signOut(null);
  }

  /** Drop everything of the session: token, socket, timers, state. */
  signOut(notice: string | null): void {
    this.epoch += 1;
    this.token = null;
    this.deps.storage.removeItem(TOKEN_KEY);
    this.deps.storage.removeItem(ROOM_KEY);
    this.closeRealtime();
    this.clearTimers();
    this.dispatch({ type: 'session/signedOut', notice });
  }

  private async begin(user: User): Promise<void> {
    this.epoch += 1;
    this.dispatch({ type: 'session/signedIn', user });
    this.openRealtime();
    await this.refreshRooms();
    const saved = Number(this.deps.storage.getItem(ROOM_KEY));
    if (saved && this.state.rooms[saved] && this.state.activeRoomId === null) {
      await this.openRoom(saved);
    }
  }

  // ------------------------------------------------------------ connection

  private openRealtime(): void {
    this.closeRealtime();
    const token = this.token;
    if (!token) return;
    const epoch = this.epoch;
    const current = () => epoch === this.epoch;
    this.dispatch({ type: 'connection/status', status: 'connecting' });
    this.realtime = this.deps.realtime(token, {
      connect: () => {
        if (current()) this.onConnect();
      },
      disconnect: (_reason, willReconnect) => {
        if (!current()) return;
        this.inFlight.clear();
        this.joining.clear();
        this.dispatch({
          type: 'connection/lost',
          status: willReconnect && this.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      connectError: (message, willReconnect) => {
        if (!current()) return;
        if (message === 'unauthorized') {
          this.signOut('Your session has ended. Please log in again.');
          return;
        }
        this.dispatch({
          type: 'connection/status',
          status: willReconnect && this.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      reconnecting: () => {
        if (!current()) return;
        this.dispatch({
          type: 'connection/status',
          status: this.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      message: (message) => {
        if (current()) this.onMessage(message);
      },
      message_updated: (message) => {
        if (current()) this.dispatch({ type: 'message/updated', message });
      },
      typing: (event) => {
        if (!current()) return;
        this.dispatch({
          type: 'typing/started',
          roomId: event.room_id,
          user: event.user,
          until: this.deps.now() + TYPING_SHOW_MS,
        });
        this.schedulePrune();
      },
      presence: (event) => {
        if (current()) {
          this.dispatch({
            type: 'presence',
            roomId: event.room_id,
            user: event.user,
            online: event.online,
          });
        }
      },
    });
  }

  private closeRealtime(): void {
    const realtime = this.realtime;
    this.realtime = null;
    this.inFlight.clear();
    this.joining.clear();
    realtime?.close();
  }

  private isConnected(): boolean {
    return this.realtime?.connected ?? false;
  }

  /** The browser's online/offline events, for the connection badge. */
  setOnline(online: boolean): void {
    if (this.state.session.status !== 'signed_in') return;
    if (!online) {
      this.dispatch({ type: 'connection/status', status: 'offline' });
    } else if (!this.realtime?.connected) {
      this.dispatch({ type: 'connection/status', status: 'reconnecting' });
    }
  }

  private onConnect(): void {
    this.dispatch({ type: 'connection/status', status: 'connected' });
    // Resume: every open room is joined again from the highest seq it holds.
    for (const roomId of Object.keys(this.state.views).map(Number)) {
      void this.join(roomId);
    }
    void this.refreshRooms();
  }

  private onMessage(message: Message): void {
    const watching =
      this.state.activeRoomId === message.room_id && this.deps.isVisible();
    this.dispatch({ type: 'message/received', message, countUnread: !watching });
  }

  // ------------------------------------------------------------ rooms

  async refreshRooms(): Promise<Result> {
    const epoch = this.epoch;
    this.roomsFetchedAt = this.deps.now();
    try {
      const rooms = await this.http.listRooms();
      if (epoch === this.epoch) this.dispatch({ type: 'rooms/loaded', rooms });
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /**
   * New public rooms and unread counts of rooms not open here only come with a
   * listing: refresh it when the tab regains focus, and now and then.
   */
  async refreshRoomsIfStale(maxAgeMs: number): Promise<void> {
    if (this.state.session.status !== 'signed_in') return;
    if (this.deps.now() - this.roomsFetchedAt < maxAgeMs) return;
    await this.refreshRooms();
  }

  async createRoom(name: string, isPrivate: boolean): Promise<Result> {
    try {
      const room = await this.http.createRoom(name, isPrivate);
      this.dispatch({ type: 'rooms/upsert', room: { ...room, member: true, unread: 0 } });
      await this.openRoom(room.id);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /** The "Join" button of a public room the user does not belong to yet. */
  async joinPublicRoom(roomId: number): Promise<Result> {
    try {
      await this.http.joinRoom(roomId);
      const room = this.state.rooms[roomId];
      if (room) {
        this.dispatch({
          type: 'rooms/upsert',
          room: { ...room, member: true, unread: room.unread ?? 0 },
        });
      }
      await this.openRoom(roomId);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  async addMember(roomId: number, username: string): Promise<Result> {
    try {
      await this.http.addMember(roomId, username);
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  async leaveRoom(roomId: number): Promise<Result> {
    try {
      if (this.state.views[roomId]?.joined && this.realtime) {
        await this.realtime.request('leave', { room_id: roomId });
      }
      await this.http.leaveRoom(roomId);
      this.dispatch({ type: 'room/closed', roomId });
      if (this.deps.storage.getItem(ROOM_KEY) === String(roomId)) {
        this.deps.storage.removeItem(ROOM_KEY);
      }
      return { ok: true };
    } catch (error) {
      return errorResult(error);
    }
  }

  /** Show a room: newest history over REST, then a socket join from its top seq. */
  async openRoom(roomId: number): Promise<void> {
    this.dispatch({ type: 'room/opened', roomId });
    this.deps.storage.setItem(ROOM_KEY, String(roomId));
    const view = this.state.views[roomId];
    if (!view) return;
    if (view.status !== 'ready' && !this.loading.has(roomId)) {
      this.loading.add(roomId);
      const epoch = this.epoch;
      try {
        const page = await this.http.messages(roomId, { limit: PAGE_SIZE });
        if (epoch !== this.epoch) return;
        this.dispatch({
          type: 'room/history',
          roomId,
          messages: page.messages,
          kind: 'newest',
          hasMore: page.has_more,
        });
      } catch (error) {
        if (epoch !== this.epoch) return;
        this.dispatch({
          type: 'room/failed',
          roomId,
          error: error instanceof ApiError ? error.message : 'Could not load this room.',
        });
        return;
      } finally {
        this.loading.delete(roomId);
      }
    }
    if (!this.state.views[roomId]?.joined) await this.join(roomId);
  }

  /** Back to the room list (phones) without leaving the room. */
  closeActiveRoom(): void {
    this.dispatch({ type: 'room/activated', roomId: null });
    this.deps.storage.removeItem(ROOM_KEY);
  }

  /**
   * Join (or rejoin after a reconnect) with since_seq = the highest seq held; merge
   * the ack's messages by seq and fill any remaining gap over REST.
   */
  async join(roomId: number): Promise<void> {
    const realtime = this.realtime;
    const view = this.state.views[roomId];
    if (!realtime?.connected || !view || view.joined || this.joining.has(roomId)) return;
    if (view.status === 'loading' && this.loading.has(roomId)) return; // openRoom joins after
    this.joining.add(roomId);
    const since = highestSeq(view.timeline);
    const epoch = this.epoch;
    const ack = await realtime.request('join', { room_id: roomId, since_seq: since });
    this.joining.delete(roomId);
    if (epoch !== this.epoch || realtime !== this.realtime) return;
    if (!ack.ok) {
      const { code, message } = ack.error;
      if (code === 'unauthorized') {
        this.signOut('Your session has ended. Please log in again.');
      } else if (code === 'forbidden' || code === 'not_found') {
        this.dispatch({ type: 'room/failed', roomId, error: message });
      } else if (this.isConnected()) {
        this.later(() => void this.join(roomId), 1500);
      }
      return;
    }
    this.dispatch({
      type: 'room/joined',
      roomId,
      room: ack.room,
      messages: ack.messages,
      online: ack.online.map(normalizeUser),
    });
    await this.fillGaps(roomId, ack.has_more);
    this.flushPending(roomId);
  }

  /**
   * Fetch over REST (`after`) whatever the join ack could not carry: holes between
   * held seqs, and pages above the top while the server says there is more.
   */
  async fillGaps(roomId: number, moreAbove: boolean): Promise<void> {
    let needTop = moreAbove;
    const epoch = this.epoch;
    for (let page = 0; page < MAX_GAP_PAGES; page += 1) {
      const view = this.state.views[roomId];
      if (!view || epoch !== this.epoch) return;
      const hole = firstMissingSeq(view.timeline);
      let cursor: number;
      if (hole !== null) cursor = hole - 1;
      else if (needTop) cursor = highestSeq(view.timeline);
      else return;
      let result;
      try {
        result = await this.http.messages(roomId, { after: cursor, limit: GAP_PAGE_SIZE });
      } catch {
        return; // the next reconnect or reload tries again
      }
      if (epoch !== this.epoch) return;
      this.dispatch({
        type: 'room/history',
        roomId,
        messages: result.messages,
        kind: 'gap',
        hasMore: result.has_more,
      });
      if (result.messages.length === 0) return;
      needTop = result.has_more;
    }
  }

  async loadOlder(roomId: number): Promise<void> {
    const view = this.state.views[roomId];
    if (!view || !view.hasOlder || view.loadingOlder || view.timeline.seqs.length === 0) return;
    this.dispatch({ type: 'room/loadingOlder', roomId, loading: true });
    const epoch = this.epoch;
    try {
      const page = await this.http.messages(roomId, {
        before: lowestSeq(view.timeline),
        limit: PAGE_SIZE,
      });
      if (epoch !== this.epoch) return;
      this.dispatch({
        type: 'room/history',
        roomId,
        messages: page.messages,
        kind: 'older',
        hasMore: page.has_more,
      });
    } catch {
      if (epoch === this.epoch) this.dispatch({ type: 'room/loadingOlder', roomId, loading: false });
    }
  }

  // ------------------------------------------------------------ messages

  /** Optimistic send: shown at once, confirmed by the ack, retried with one client_id. */
  send(roomId: number, text: string): Result {
    const body = text.trim();
    if (!body) return { ok: false, code: 'invalid', message: 'Write something first.' };
    if (body.length > LIMITS.bodyMax) {
      return {
        ok: false,
        code: 'too_large',
        message: `Messages are limited to ${LIMITS.bodyMax} characters.`,
      };
    }
    const pending: PendingMessage = {
      client_id: this.deps.randomId(),
      room_id: roomId,
      body,
      status: 'queued',
      error: null,
      attempts: 0,
      created_at: new Date(this.deps.now()).toISOString(),
    };
    this.dispatch({ type: 'pending/added', pending });
    this.lastTypingSent.delete(roomId);
    void this.deliver(roomId, pending.client_id);
    return { ok: true };
  }

  /** Manual retry of a failed message: same client_id, so never a duplicate. */
  retry(roomId: number, clientId: string): void {
    this.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'queued',
      error: null,
      attempts: 0,
    });
    void this.deliver(roomId, clientId);
  }

  discard(roomId: number, clientId: string): void {
    this.dispatch({ type: 'pending/removed', roomId, clientId });
  }

  private flushPending(roomId: number): void {
    for (const pending of this.state.views[roomId]?.pending ?? []) {
      if (pending.status !== 'failed') void this.deliver(roomId, pending.client_id);
    }
  }

  private async deliver(roomId: number, clientId: string): Promise<void> {
    const realtime = this.realtime;
    const view = this.state.views[roomId];
    const pending = view?.pending.find((p) => p.client_id === clientId);
    if (!pending || this.inFlight.has(clientId)) return;
    if (!realtime?.connected || !view?.joined) {
      // Sent from the join ack's flush once the room is joined again.
      this.dispatch({ type: 'pending/status', roomId, clientId, status: 'queued', error: null });
      return;
    }
    const attempts = pending.attempts + 1;
    const ticket = Symbol(clientId);
    this.inFlight.set(clientId, ticket);
    this.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'sending',
      error: null,
      attempts,
    });
    const epoch = this.epoch;
    const ack = await realtime.request(
      'send',
      { room_id: roomId, body: pending.body, client_id: clientId },
      SEND_TIMEOUT_MS,
    );
    if (this.inFlight.get(clientId) === ticket) this.inFlight.delete(clientId);
    if (epoch !== this.epoch) return;
    if (ack.ok) {
      this.dispatch({ type: 'send/acked', message: ack.message });
      return;
    }
    const { code, message } = ack.error;
    if (TRANSIENT.has(code) && attempts < MAX_AUTO_ATTEMPTS) {
      if (code === 'disconnected' || !this.isConnected()) {
        this.dispatch({ type: 'pending/status', roomId, clientId, status: 'queued', error: null });
        return;
      }
      const delay = Math.min(8000, 500 * 2 ** attempts);
      this.dispatch({ type: 'pending/status', roomId, clientId, status: 'queued', error: null });
      this.later(() => void this.deliver(roomId, clientId), delay);
      return;
    }
    this.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'failed',
      error: message.length > 0 ? message : 'Not sent.',
    });
  }

  async edit(messageId: number, text: string): Promise<Result> {
    const body = text.trim();
    if (!body) return { ok: false, code: 'invalid', message: 'A message cannot be empty.' };
    if (body.length > LIMITS.bodyMax) {
      return {
        ok: false,
        code: 'too_large',
        message: `Messages are limited to ${LIMITS.bodyMax} characters.`,
      };
    }
    if (!this.realtime) return { ok: false, code: 'disconnected', message: 'Not connected.' };
    const ack = await this.realtime.request('edit', { message_id: messageId, body });
    if (!ack.ok) return { ok: false, code: ack.error.code, message: ack.error.message };
    this.dispatch({ type: 'message/updated', message: ack.message });
    return { ok: true };
  }

  async remove(messageId: number): Promise<Result> {
    if (!this.realtime) return { ok: false, code: 'disconnected', message: 'Not connected.' };
    const ack = await this.realtime.request('delete', { message_id: messageId });
    if (!ack.ok) return { ok: false, code: ack.error.code, message: ack.error.message };
    this.dispatch({ type: 'message/updated', message: ack.message });
    return { ok: true };
  }

  // ------------------------------------------------------------ typing and reads

  /** Called on every keystroke; emits at most once per TYPING_THROTTLE_MS per room. */
  typing(roomId: number): void {
    const realtime = this.realtime;
    if (!realtime?.connected || !this.state.views[roomId]?.joined) return;
    const now = this.deps.now();
    const last = this.lastTypingSent.get(roomId);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
    this.lastTypingSent.set(roomId, now);
    void realtime.request('typing', { room_id: roomId }, 5000);
  }

  private schedulePrune(): void {
    if (this.typingPruneTimer !== null) return;
    const tick = () => {
      this.typingPruneTimer = null;
      this.dispatch({ type: 'typing/pruned', now: this.deps.now() });
      const anyone = Object.values(this.state.views).some(
        (view) => Object.keys(view.typing).length > 0,
      );
      if (anyone) this.typingPruneTimer = this.later(tick, 1000);
    };
    this.typingPruneTimer = this.later(tick, 1000);
  }

  /** The user has seen `seq` in this room: move the read marker (debounced). */
  markRead(roomId: number, seq: number): void {
    const view = this.state.views[roomId];
    if (!view || seq <= view.readSeq) return;
    this.dispatch({ type: 'read/marked', roomId, seq });
    if (this.readTimers.has(roomId)) return;
    const timer = this.later(() => {
      this.readTimers.delete(roomId);
      const realtime = this.realtime;
      const current = this.state.views[roomId];
      if (!realtime?.connected || !current?.joined) return;
      void realtime.request('read', { room_id: roomId, seq: current.readSeq }, 5000);
    }, READ_DEBOUNCE_MS);
    this.readTimers.set(roomId, timer);
  }

  // ------------------------------------------------------------ timers

  private later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.readTimers.clear();
    this.typingPruneTimer = null;
    this.lastTypingSent.clear();
  }

  /** Room of the given id as the directory knows it. */
  room(roomId: number): Room | undefined {
    return this.state.rooms[roomId];
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

export function createChatStore(deps: Partial<StoreDeps> = {}): ChatStore {
  return new ChatStore(deps);
}
