/** Typing indicators: ours throttled out, others' shown for a few seconds. */
import type { User } from '../api/events';
import type { ChatStore } from './chatStore';

export const TYPING_THROTTLE_MS = 2500;
export const TYPING_SHOW_MS = 5000;

export class TypingPart {
  private pruneTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly lastSent = new Map<number, number>();

  constructor(private readonly store: ChatStore) {}

  /** Called on every keystroke; emits at most once per TYPING_THROTTLE_MS per room. */
  typing(roomId: number): void {
    const store = this.store;
    const realtime = store.realtime;
    if (!realtime?.connected || !store.getState().views[roomId]?.joined) return;
    const now = store.deps.now();
    const last = this.lastSent.get(roomId);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
    this.lastSent.set(roomId, now);
    void realtime.request('typing', { room_id: roomId }, 5000);
  }

  /** A message went out: the next keystroke announces typing again at once. */
  sent(roomId: number): void {
    this.lastSent.delete(roomId);
  }

  received(roomId: number, user: User): void {
    const store = this.store;
    store.dispatch({
      type: 'typing/started',
      roomId,
      user,
      until: store.deps.now() + TYPING_SHOW_MS,
    });
    this.schedulePrune();
  }

  reset(): void {
    this.pruneTimer = null;
    this.lastSent.clear();
  }

  private schedulePrune(): void {
    const store = this.store;
    if (this.pruneTimer !== null) return;
    const tick = () => {
      this.pruneTimer = null;
      store.dispatch({ type: 'typing/pruned', now: store.deps.now() });
      const anyone = Object.values(store.getState().views).some(
        (view) => Object.keys(view.typing).length > 0,
      );
      if (anyone) this.pruneTimer = store.later(tick, 1000);
    };
    this.pruneTimer = store.later(tick, 1000);
  }
}
