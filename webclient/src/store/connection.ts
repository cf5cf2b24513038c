/**
 * The socket of the session: opened at sign-in, its events turned into actions, and
 * on every (re)connect each open room joined again from the highest seq it holds.
 */
import type { Message } from '../api/events';
import type { ChatStore } from './chatStore';
import { SESSION_ENDED } from './core';

export class ConnectionPart {
  constructor(private readonly store: ChatStore) {}

  open(): void {
    const store = this.store;
    this.close();
    const token = store.token;
    if (!token) return;
    const epoch = store.epoch;
    const current = () => epoch === store.epoch;
    store.dispatch({ type: 'connection/status', status: 'connecting' });
    store.realtime = store.deps.realtime(token, {
      connect: () => {
        if (current()) this.onConnect();
      },
      disconnect: (_reason, willReconnect) => {
        if (!current()) return;
        store.outbox.forgetInFlight();
        store.rooms.forgetJoins();
        store.dispatch({
          type: 'connection/lost',
          status: willReconnect && store.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      connectError: (message, willReconnect) => {
        if (!current()) return;
        if (message === 'unauthorized') {
          store.session.signOut(SESSION_ENDED);
          return;
        }
        store.dispatch({
          type: 'connection/status',
          status: willReconnect && store.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      reconnecting: () => {
        if (!current()) return;
        store.dispatch({
          type: 'connection/status',
          status: store.deps.isOnline() ? 'reconnecting' : 'offline',
        });
      },
      message: (message) => {
        if (current()) this.onMessage(message);
      },
      message_updated: (message) => {
        if (current()) store.dispatch({ type: 'message/updated', message });
      },
      typing: (event) => {
        if (current()) store.typists.received(event.room_id, event.user);
      },
      presence: (event) => {
        if (current()) {
          store.dispatch({
            type: 'presence',
            roomId: event.room_id,
            user: event.user,
            online: event.online,
          });
        }
      },
      room_added: (room) => {
        if (current()) store.rooms.added(room);
      },
      room_removed: (event) => {
        if (current()) store.rooms.removed(event.room_id);
      },
      room_created: (room) => {
        if (current()) store.rooms.created(room);
      },
    });
  }

  close(): void {
    const store = this.store;
    const realtime = store.realtime;
    store.realtime = null;
    store.outbox.forgetInFlight();
    store.rooms.forgetJoins();
    realtime?.close();
  }

  /** The browser's online/offline events, for the connection badge. */
  setOnline(online: boolean): void {
    const store = this.store;
    if (store.getState().session.status !== 'signed_in') return;
    if (!online) {
      store.dispatch({ type: 'connection/status', status: 'offline' });
    } else if (!store.realtime?.connected) {
      store.dispatch({ type: 'connection/status', status: 'reconnecting' });
    }
  }

  private onConnect(): void {
    const store = this.store;
    store.dispatch({ type: 'connection/status', status: 'connected' });
    // Resume: every open room is joined again from the highest seq it holds; one
    // whose history failed (or never loaded) loads its newest page first.
    for (const roomId of Object.keys(store.getState().views).map(Number)) {
      void store.rooms.load(roomId);
    }
    void store.rooms.refresh();
  }

  private onMessage(message: Message): void {
    const store = this.store;
    const watching = store.getState().activeRoomId === message.room_id && store.deps.isVisible();
    store.dispatch({ type: 'message/received', message, countUnread: !watching });
  }
}
