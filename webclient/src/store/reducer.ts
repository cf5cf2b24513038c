/**
 * The client's state and its pure reducer. Everything the screens show comes from
 * here; the store (chatStore.ts) turns REST answers, acks and socket events into
 * these actions.
 */
import type { Message, Room, User } from '../api/events';
import { EMPTY_TIMELINE, highestSeq, mergeMessages, type Timeline } from './timeline';

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
}

export interface ChatState {
  session: Session;
  connection: ConnectionStatus;
  rooms: Readonly<Record<number, Room>>;
  roomsLoaded: boolean;
  /** Rooms opened in this session, each with its timeline: the "open rooms". */
  views: Readonly<Record<number, RoomView>>;
  activeRoomId: number | null;
}

export const initialState: ChatState = {
  session: { status: 'checking', user: null, notice: null },
  connection: 'idle',
  rooms: {},
  roomsLoaded: false,
  views: {},
  activeRoomId: null,
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
  | { type: 'room/failed'; roomId: number; error: string }
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
  };
}

function withView(
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

function withRoom(state: ChatState, roomId: number, update: (room: Room) => Room): ChatState {
  const room = state.rooms[roomId];
  if (!room) return state;
  const next = update(room);
  if (next === room) return state;
  return { ...state, rooms: { ...state.rooms, [roomId]: next } };
}

function bumpLastSeq(state: ChatState, roomId: number, seq: number): ChatState {
  return withRoom(state, roomId, (room) =>
    seq > room.last_seq ? { ...room, last_seq: seq } : room,
  );
}

/** Drop the pending copy of a message once the server's copy is in the timeline. */
function settlePending(view: RoomView, message: Message): RoomView {
  if (!view.pending.some((p) => p.client_id === message.client_id)) return view;
  return { ...view, pending: view.pending.filter((p) => p.client_id !== message.client_id) };
}

function withoutTypist(view: RoomView, userId: number): RoomView {
  if (!(userId in view.typing)) return view;
  const typing = { ...view.typing };
  delete typing[userId];
  return { ...view, typing };
}

function mergeInto(view: RoomView, messages: Message[], ownUserId: number | undefined): RoomView {
  const timeline = mergeMessages(view.timeline, messages);
  let next = timeline === view.timeline ? view : { ...view, timeline };
  for (const message of messages) {
    if (message.sender.id === ownUserId) next = settlePending(next, message);
  }
  return next;
}

function maxSeq(messages: readonly Message[]): number {
  return messages.reduce((max, m) => (m.seq > max ? m.seq : max), 0);
}

function isMember(room: Room): boolean {
  return room.member ?? room.unread !== undefined;
}

export function reducer(state: ChatState, action: Action): ChatState {
  const ownId = state.session.user?.id;
  switch (action.type) {
    case 'session/checking':
      return { ...initialState, session: { status: 'checking', user: null, notice: null } };
    case 'session/signedIn':
      return {
        ...state,
        session: { status: 'signed_in', user: action.user, notice: null },
      };
    case 'session/signedOut':
      return {
        ...initialState,
        session: { status: 'signed_out', user: null, notice: action.notice },
      };
    case 'connection/status':
      return state.connection === action.status ? state : { ...state, connection: action.status };
    case 'connection/lost': {
      // Joins, presence and typing belong to a connection: all of it is void now.
      const views: Record<number, RoomView> = {};
      for (const [id, view] of Object.entries(state.views)) {
        views[Number(id)] = { ...view, joined: false, online: {}, typing: {} };
      }
      return { ...state, connection: action.status, views };
    }
    case 'rooms/loaded': {
      const rooms: Record<number, Room> = {};
      for (const room of action.rooms) {
        const known = state.rooms[room.id];
        // A listing may be older than the live events already seen.
        const last_seq = Math.max(room.last_seq, known?.last_seq ?? 0);
        const view = state.views[room.id];
        // A room read to its end here may still count unread on a listing in flight.
        const readHere = view !== undefined && view.readSeq >= last_seq;
        rooms[room.id] = {
          ...room,
          last_seq,
          ...(readHere && room.unread !== undefined ? { unread: 0 } : {}),
        };
      }
      return { ...state, rooms, roomsLoaded: true };
    }
    case 'rooms/upsert': {
      const known = state.rooms[action.room.id];
      const merged: Room = { ...known, ...action.room };
      merged.last_seq = Math.max(action.room.last_seq, known?.last_seq ?? 0);
      return { ...state, rooms: { ...state.rooms, [action.room.id]: merged } };
    }
    case 'rooms/removed': {
      const rooms = { ...state.rooms };
      delete rooms[action.roomId];
      const views = { ...state.views };
      delete views[action.roomId];
      return {
        ...state,
        rooms,
        views,
        activeRoomId: state.activeRoomId === action.roomId ? null : state.activeRoomId,
      };
    }
    case 'room/opened': {
      const views = state.views[action.roomId]
        ? state.views
        : { ...state.views, [action.roomId]: newView(action.roomId) };
      return { ...state, views, activeRoomId: action.roomId };
    }
    case 'room/activated':
      return state.activeRoomId === action.roomId
        ? state
        : { ...state, activeRoomId: action.roomId };
    case 'room/closed': {
      // The user left: a private room disappears from the directory, a public one
      // moves back to "discover".
      const views = { ...state.views };
      delete views[action.roomId];
      const rooms = { ...state.rooms };
      const room = rooms[action.roomId];
      if (room?.private) {
        delete rooms[action.roomId];
      } else if (room) {
        const left: Room = { ...room, member: false };
        delete left.unread;
        rooms[action.roomId] = left;
      }
      return {
        ...state,
        rooms,
        views,
        activeRoomId: state.activeRoomId === action.roomId ? null : state.activeRoomId,
      };
    }
    case 'room/failed':
      return withView(state, action.roomId, (view) => ({
        ...view,
        status: 'error',
        error: action.error,
        loadingOlder: false,
      }));
    case 'room/history': {
      const next = withView(state, action.roomId, (view) => {
        const merged = mergeInto(view, action.messages, ownId);
        switch (action.kind) {
          case 'newest':
            return { ...merged, status: 'ready', error: null, hasOlder: action.hasMore };
          case 'older':
            return { ...merged, hasOlder: action.hasMore, loadingOlder: false };
          case 'gap':
            return merged;
        }
      });
      return bumpLastSeq(next, action.roomId, maxSeq(action.messages));
    }
    case 'room/loadingOlder':
      return withView(state, action.roomId, (view) =>
        view.loadingOlder === action.loading ? view : { ...view, loadingOlder: action.loading },
      );
    case 'room/joined': {
      let next = withView(state, action.roomId, (view) => {
        const merged = mergeInto(view, action.messages, ownId);
        const online: Record<number, User> = {};
        for (const user of action.online) online[user.id] = user;
        return { ...merged, joined: true, online, status: 'ready', error: null };
      });
      const known = next.rooms[action.roomId];
      const room: Room = {
        ...known,
        ...action.room,
        member: true,
        unread: known?.unread ?? 0,
        last_seq: Math.max(action.room.last_seq, known?.last_seq ?? 0, maxSeq(action.messages)),
      };
      next = { ...next, rooms: { ...next.rooms, [action.roomId]: room } };
      return next;
    }
    case 'message/received': {
      const { message } = action;
      const roomId = message.room_id;
      const view = state.views[roomId];
      const isNew = view ? view.timeline.bySeq[message.seq] === undefined : true;
      let next = withView(state, roomId, (v) =>
        withoutTypist(mergeInto(v, [message], ownId), message.sender.id),
      );
      const room = next.rooms[roomId];
      if (room) {
        const unseen = isNew && message.seq > room.last_seq;
        const countIt = action.countUnread && unseen && message.sender.id !== ownId;
        if (unseen || countIt) {
          next = {
            ...next,
            rooms: {
              ...next.rooms,
              [roomId]: {
                ...room,
                last_seq: Math.max(room.last_seq, message.seq),
                ...(countIt ? { unread: (room.unread ?? 0) + 1 } : {}),
              },
            },
          };
        }
      }
      return next;
    }
    case 'message/updated':
      return withView(state, action.message.room_id, (view) =>
        mergeInto(view, [action.message], ownId),
      );
    case 'pending/added':
      return withView(state, action.pending.room_id, (view) => ({
        ...view,
        pending: [...view.pending, action.pending],
      }));
    case 'pending/status':
      return withView(state, action.roomId, (view) => {
        if (!view.pending.some((p) => p.client_id === action.clientId)) return view;
        return {
          ...view,
          pending: view.pending.map((p) =>
            p.client_id === action.clientId
              ? {
                  ...p,
                  status: action.status,
                  error: action.error,
                  attempts: action.attempts ?? p.attempts,
                }
              : p,
          ),
        };
      });
    case 'pending/removed':
      return withView(state, action.roomId, (view) =>
        view.pending.some((p) => p.client_id === action.clientId)
          ? { ...view, pending: view.pending.filter((p) => p.client_id !== action.clientId) }
          : view,
      );
    case 'send/acked': {
      const { message } = action;
      const next = withView(state, message.room_id, (view) =>
        settlePending(mergeInto(view, [message], ownId), message),
      );
      return bumpLastSeq(next, message.room_id, message.seq);
    }
    case 'typing/started':
      if (action.user.id === ownId) return state;
      return withView(state, action.roomId, (view) => ({
        ...view,
        typing: { ...view.typing, [action.user.id]: { user: action.user, until: action.until } },
      }));
    case 'typing/pruned': {
      let changed = false;
      const views: Record<number, RoomView> = {};
      for (const [id, view] of Object.entries(state.views)) {
        const live = Object.entries(view.typing).filter(([, t]) => t.until > action.now);
        if (live.length !== Object.keys(view.typing).length) {
          changed = true;
          views[Number(id)] = { ...view, typing: Object.fromEntries(live) };
        } else {
          views[Number(id)] = view;
        }
      }
      return changed ? { ...state, views } : state;
    }
    case 'presence':
      return withView(state, action.roomId, (view) => {
        const present = action.user.id in view.online;
        if (present === action.online) return view;
        const online = { ...view.online };
        if (action.online) online[action.user.id] = action.user;
        else delete online[action.user.id];
        const next = { ...view, online };
        return action.online ? next : withoutTypist(next, action.user.id);
      });
    case 'read/marked': {
      const next = withView(state, action.roomId, (view) =>
        action.seq > view.readSeq ? { ...view, readSeq: action.seq } : view,
      );
      return withRoom(next, action.roomId, (room) => {
        if (room.unread === undefined || room.unread === 0) return room;
        const view = next.views[action.roomId];
        const top = Math.max(room.last_seq, view ? highestSeq(view.timeline) : 0);
        if (action.seq >= top) return { ...room, unread: 0 };
        // Unread counts what lies above the marker; never more than before.
        return { ...room, unread: Math.min(room.unread, top - action.seq) };
      });
    }
  }
}

/** Rooms the user belongs to, and public rooms to discover, each sorted by name. */
export function splitRooms(rooms: Readonly<Record<number, Room>>): {
  mine: Room[];
  discover: Room[];
} {
  const mine: Room[] = [];
  const discover: Room[] = [];
  for (const room of Object.values(rooms)) {
    if (isMember(room)) mine.push(room);
    else if (!room.private) discover.push(room);
  }
  const byName = (a: Room, b: Room) => a.name.localeCompare(b.name);
  return { mine: mine.sort(byName), discover: discover.sort(byName) };
}

export { isMember };
