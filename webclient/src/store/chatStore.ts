/**
 * The client's one store: it owns the token, the REST client and the socket, binds
 * the socket's listeners once per session, and exposes the actions screens call.
 * React reads it through useSyncExternalStore (see useChat.ts), so StrictMode's
 * double effects never open a second socket.
 *
 * Each job lives in a part of its own (session, connection, rooms, history,
 * outbox, edits, typing, reads); this class wires them and is the screens' API.
 */
import type { Message } from '../api/events';
import { SESSION_ENDED, StoreCore, type Result, type StoreDeps } from './core';
import { ConnectionPart } from './connection';
import { EditsPart } from './edits';
import { HistoryPart } from './history';
import { OutboxPart } from './outbox';
import { ReadsPart } from './reads';
import { RoomsPart } from './rooms';
import { SearchPart, type SearchResult } from './search';
import { SessionPart } from './session';
import { TypingPart } from './typing';

export type { Result, StoreDeps } from './core';
export { GAP_PAGE_SIZE, PAGE_SIZE } from './history';
export { MAX_AUTO_ATTEMPTS, SEND_TIMEOUT_MS } from './outbox';
export { READ_DEBOUNCE_MS } from './reads';
export { SEARCH_PAGE_SIZE, type SearchResult } from './search';
export { ROOM_KEY, TOKEN_KEY } from './session';
export { TYPING_SHOW_MS, TYPING_THROTTLE_MS } from './typing';

export class ChatStore extends StoreCore {
  readonly session: SessionPart = new SessionPart(this);
  readonly connection: ConnectionPart = new ConnectionPart(this);
  readonly rooms: RoomsPart = new RoomsPart(this);
  readonly history: HistoryPart = new HistoryPart(this);
  readonly outbox: OutboxPart = new OutboxPart(this);
  readonly edits: EditsPart = new EditsPart(this);
  readonly typists: TypingPart = new TypingPart(this);
  readonly reads: ReadsPart = new ReadsPart(this);
  readonly finder: SearchPart = new SearchPart(this);

  constructor(deps: Partial<StoreDeps> = {}) {
    super(deps, () => {
      if (this.getState().session.status === 'signed_in') this.session.signOut(SESSION_ENDED);
    });
  }

  // session
  restore = (): Promise<void> => this.session.restore();
  login = (username: string, password: string): Promise<Result> =>
    this.session.login(username, password);
  register = (username: string, password: string): Promise<Result> =>
    this.session.register(username, password);
  logout = (): Promise<void> => this.session.logout();
  signOut = (notice: string | null): void => {
    this.session.signOut(notice);
  };

  // connection
  setOnline = (online: boolean): void => {
    this.connection.setOnline(online);
  };

  // rooms
  refreshRooms = (): Promise<Result> => this.rooms.refresh();
  refreshRoomsIfStale = (maxAgeMs: number): Promise<void> => this.rooms.refreshIfStale(maxAgeMs);
  createRoom = (name: string, isPrivate: boolean): Promise<Result> =>
    this.rooms.create(name, isPrivate);
  joinPublicRoom = (roomId: number): Promise<Result> => this.rooms.joinPublic(roomId);
  addMember = (roomId: number, username: string): Promise<Result> =>
    this.rooms.addMember(roomId, username);
  leaveRoom = (roomId: number): Promise<Result> => this.rooms.leave(roomId);
  handOver = (roomId: number, username: string): Promise<Result> =>
    this.rooms.handOver(roomId, username);
  /** The Retry of a room whose messages could not be loaded. */
  retryRoom = (roomId: number): Promise<void> => this.rooms.load(roomId);
  openRoom = (roomId: number): Promise<void> => this.rooms.open(roomId);
  closeActiveRoom = (): void => {
    this.rooms.closeActive();
  };
  join = (roomId: number): Promise<void> => this.rooms.join(roomId);

  // history
  fillGaps = (roomId: number, moreAbove: boolean): Promise<void> =>
    this.history.fillGaps(roomId, moreAbove);
  loadOlder = (roomId: number): Promise<void> => this.history.loadOlder(roomId);

  // search
  searchMessages = (q: string, before?: number): Promise<SearchResult> =>
    this.finder.search(q, before);
  openMessage = (message: Message): Promise<Result> => this.finder.openMessage(message);
  jumped = (roomId: number): void => {
    this.finder.jumped(roomId);
  };

  // outbox and edits
  send = (roomId: number, text: string): Result => this.outbox.send(roomId, text);
  retry = (roomId: number, clientId: string): void => {
    this.outbox.retry(roomId, clientId);
  };
  discard = (roomId: number, clientId: string): void => {
    this.outbox.discard(roomId, clientId);
  };
  edit = (messageId: number, text: string): Promise<Result> => this.edits.edit(messageId, text);
  remove = (messageId: number): Promise<Result> => this.edits.remove(messageId);

  // typing and reads
  typing = (roomId: number): void => {
    this.typists.typing(roomId);
  };
  markRead = (roomId: number, seq: number): void => {
    this.reads.markRead(roomId, seq);
  };
}

export function createChatStore(deps: Partial<StoreDeps> = {}): ChatStore {
  return new ChatStore(deps);
}
