/**
 * The pure reducer of the client's state (state.ts). The store (chatStore.ts)
 * turns REST answers, acks and socket events into actions; this file handles the
 * session, the connection and the rooms, messagesReducer.ts what happens inside a
 * room (messages, the outbox, typing, presence, read markers).
 */
import type { Room, User } from '../api/events';
import { messagesReducer } from './messagesReducer';
import {
  bumpLastSeq,
  initialState,
  maxSeq,
  mergeInto,
  newView,
  withView,
  type Action,
  type ChatState,
  type RoomView,
} from './state';

export type { Action, ChatState } from './state';
export { initialState } from './state';

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
      // Joins and typing belong to a connection: they are void now. The online list
      // stays as last known until the rejoin's ack replaces it.
      const views: Record<number, RoomView> = {};
      for (const [id, view] of Object.entries(state.views)) {
        views[Number(id)] = { ...view, joined: false, typing: {} };
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
      const room = state.rooms[action.roomId];
      const unread = room?.unread ?? 0;
      const view = state.views[action.roomId] ?? newView(action.roomId);
      // The divider marks what was unread when the room was opened, and stays put.
      const opened: RoomView =
        unread > 0 && room
          ? { ...view, unreadAtOpen: unread, lastSeqAtOpen: room.last_seq }
          : view.unreadAtOpen > 0 && state.activeRoomId !== action.roomId
            ? { ...view, unreadAtOpen: 0, lastSeqAtOpen: 0 }
            : view;
      const views =
        opened === state.views[action.roomId]
          ? state.views
          : { ...state.views, [action.roomId]: opened };
      return { ...state, views, activeRoomId: action.roomId, roomNotice: null };
    }
    case 'room/lost': {
      // Closed by the server (removed, or left in another tab): say why.
      const closed = reducer(state, { type: 'room/closed', roomId: action.roomId });
      return { ...closed, roomNotice: action.notice };
    }
    case 'room/jump':
      return withView(state, action.roomId, (view) =>
        view.jumpSeq === action.seq ? view : { ...view, jumpSeq: action.seq },
      );
    case 'room/retrying':
      return withView(state, action.roomId, (view) =>
        view.status === 'error' ? { ...view, status: 'loading', error: null } : view,
      );
    case 'outbox/restored': {
      // Unsent messages kept over a reload: their rooms open (not shown) to send them.
      const views = { ...state.views };
      for (const pending of action.pending) {
        const view = views[pending.room_id] ?? newView(pending.room_id);
        if (view.pending.some((p) => p.client_id === pending.client_id)) continue;
        views[pending.room_id] = { ...view, pending: [...view.pending, pending] };
      }
      return { ...state, views };
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
    default:
      return messagesReducer(state, action);
  }
}
