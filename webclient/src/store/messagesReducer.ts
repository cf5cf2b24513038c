/**
 * What happens inside an open room: live messages and edits, the outbox of pending
 * sends, typing, presence and the read marker.
 */
import {
  bumpLastSeq,
  mergeInto,
  settlePending,
  withRoom,
  withView,
  withoutTypist,
  type Action,
  type ChatState,
  type RoomView,
} from './state';
import { highestSeq } from './timeline';

export type MessageAction = Extract<
  Action,
  {
    type:
      | 'message/received'
      | 'message/updated'
      | 'pending/added'
      | 'pending/status'
      | 'pending/removed'
      | 'send/acked'
      | 'typing/started'
      | 'typing/pruned'
      | 'presence'
      | 'read/marked';
  }
>;

export function messagesReducer(state: ChatState, action: MessageAction): ChatState {
  const ownId = state.session.user?.id;
  switch (action.type) {
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
