/** Read markers: moved forward as the reader sees messages, sent debounced. */
import type { ChatStore } from './chatStore';

export const READ_DEBOUNCE_MS = 400;

export class ReadsPart {
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(private readonly store: ChatStore) {}

  /** The user has seen `seq` in this room: move the read marker (debounced). */
  markRead(roomId: number, seq: number): void {
    const store = this.store;
    const view = store.getState().views[roomId];
    if (!view || seq <= view.readSeq) return;
    store.dispatch({ type: 'read/marked', roomId, seq });
    if (this.timers.has(roomId)) return;
    const timer = store.later(() => {
      this.timers.delete(roomId);
      const realtime = store.realtime;
      const current = store.getState().views[roomId];
      if (!realtime?.connected || !current?.joined) return;
      void realtime.request('read', { room_id: roomId, seq: current.readSeq }, 5000);
    }, READ_DEBOUNCE_MS);
    this.timers.set(roomId, timer);
  }

  reset(): void {
    this.timers.clear();
  }
}
