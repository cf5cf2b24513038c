/**
 * The client's state: its shape, the actions that change it, and the small
 * immutable updates the reducers share.
 */
import type { Message, Room, User } from '../api/events';
import { EMPTY_TIMELINE, mergeMessages, type Timeline } from './timeline';

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

export type SessionStatus = 'checking' | 'signed_out' | 'signed_in';

export interface Session {
  status: SessionStatus;
  user: User | null;
  /** Shown on the login screen, e.g. why the user was signed out. */
  notice: string | null;
}

/** A message the user sent that the server has not acknowledged yet. */
export interface PendingMessage {
  client_id: string;
  room_id: number;
  body: string;
  /** queued: waits for the connection; sending: emitted, ack awaited; failed: gave up. */
  status: 'queued' | 'sending' | 'failed';
  error: string | null;
  attempts: number;
  created_at: string;
}

export interface TypingEntry {
  user: User;
  until: number;
}

export interface RoomView {
  roomId: number;
  timeline: Timeline;
  pending: readonly PendingMessage[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The socket joined the room on the current connection. */
  joined: boolean;
  online: Readonly<Record<number, User>>;
  typing: Readonly<Record<number, TypingEntry>>;
  /** Highest seq this client marked read. */
  readSeq: number;
  /**
   * Where the "new messages" divider goes: the room's unread count and last seq
   * when it was opened (0 and 0: no divider).
   */
  unreadAtOpen: number;
  lastSeqAtOpen: number;
  /** A message to scroll into view and highlight (a search result was opened). */
  jumpSeq: number | null;
}

export interface ChatState {
  session: Session;
  connection: ConnectionStatus;
  rooms: Readonly<Record<number, Room>>;
  roomsLoaded: boolean;
  /** Rooms opened in this session, each with its timeline: the "open rooms". */
  views: Readonly<Record<number, RoomView>>;
  activeRoomId: number | null;
  /** Why the open room closed by itself (the user was removed or left elsewhere). */
  roomNotice: string | null;
}

export const initialState: ChatState = {
  session: { status: 'checking', user: null, notice: null },
  connection: 'idle',
  rooms: {},
  roomsLoaded: false,
  views: {},
  activeRoomId: null,
  roomNotice: null,
};

export type Action =
  | { type: 'session/checking' }
  | { type: 'session/signedIn'; user: User }
  | { type: 'session/signedOut'; notice: string | null }
  | { type: 'connection/status'; status: ConnectionStatus }
  | { type: 'connection/lost'; status: ConnectionStatus }
  | { type: 'rooms/loaded'; rooms: Room[] }
  | { type: 'rooms/upsert'; room: Room }
  | { type: 'rooms/removed'; roomId: number }
  | { type: 'room/opened'; roomId: number }
  | { type: 'room/activated'; roomId: number | null }
  | { type: 'room/closed'; roomId: number }
  | { type: 'room/lost'; roomId: number; notice: string }
  | { type: 'room/failed'; roomId: number; error: string }
  | { type: 'room/retrying'; roomId: number }
  | { type: 'room/jump'; roomId: number; seq: number | null }
  | { type: 'outbox/restored'; pending: PendingMessage[] }
  | {
      type: 'room/history';
      roomId: number;
      messages: Message[];
      /** newest: the first page; older: a page below; gap: a page filling a hole. */
      kind: 'newest' | 'older' | 'gap';
      hasMore: boolean;
    }
  | { type: 'room/loadingOlder'; roomId: number; loading: boolean }
  | { type: 'room/joined'; roomId: number; room: Room; messages: Message[]; online: User[] }
  | { type: 'message/received'; message: Message; countUnread: boolean }
  | { type: 'message/updated'; message: Message }
  | { type: 'pending/added'; pending: PendingMessage }
  | {
      type: 'pending/status';
      roomId: number;
      clientId: string;
      status: PendingMessage['status'];
      error: string | null;
      attempts?: number;
    }
  | { type: 'pending/removed'; roomId: number; clientId: string }
  | { type: 'send/acked'; message: Message }
  | { type: 'typing/started'; roomId: number; user: User; until: number }
  | { type: 'typing/pruned'; now: number }
  | { type: 'presence'; roomId: number; user: User; online: boolean }
  | { type: 'read/marked'; roomId: number; seq: number };

export function newView(roomId: number): RoomView {
  return {
    roomId,
    timeline: EMPTY_TIMELINE,
    pending: [],
    status: 'loading',
    error: null,
    hasOlder: false,
    loadingOlder: false,
    joined: false,
    online: {},
    typing: {},
    readSeq: 0,
    unreadAtOpen: 0,
    lastSeqAtOpen: 0,
    jumpSeq: null,
  };
}
export function withView(
  state: ChatState,
  roomId: number,
  update: (view: RoomView) => RoomView,
): ChatState {
  const view = state.views[roomId];
  if (!view) return state;
  const next = update(view);
  if (next === view) return state;
  return { ...state, views: { ...state.views, [roomId]: next } };
}

export function withRoom(state: ChatState, roomId: number, update: (room: Room) => Room): ChatState {
  const room = state.rooms[roomId];
  if (!room) return state;
  const next = update(room);
  if (next === room) return state;
  return { ...state, rooms: { ...state.rooms, [roomId]: next } };
}

export function bumpLastSeq(state: ChatState, roomId: number, seq: number): ChatState {
  return withRoom(state, roomId, (room) =>
    seq > room.last_seq ? { ...room, last_seq: seq } : room,
  );
}

/** Drop the pending copy of a message once the server's copy is in the timeline. */
export function settlePending(view: RoomView, message: Message): RoomView {
  if (!view.pending.some((p) => p.client_id === message.client_id)) return view;
  return { ...view, pending: view.pending.filter((p) => p.client_id !== message.client_id) };
}

export function withoutTypist(view: RoomView, userId: number): RoomView {
  if (!(userId in view.typing)) return view;
  const typing = { ...view.typing };
  delete typing[userId];
  return { ...view, typing };
}

export function mergeInto(view: RoomView, messages: Message[], ownUserId: number | undefined): RoomView {
  const timeline = mergeMessages(view.timeline, messages);
  let next = timeline === view.timeline ? view : { ...view, timeline };
  for (const message of messages) {
    if (message.sender.id === ownUserId) next = settlePending(next, message);
  }
  return next;
}

export function maxSeq(messages: readonly Message[]): number {
  return messages.reduce((max, m) => (m.seq > max ? m.seq : max), 0);
}
