/**
 * A room's history over REST: the newest page when it opens, older pages as the
 * reader scrolls up, and the gaps a resume could not carry (`after`).
 */
import { ApiError } from '../api/http';
import type { ChatStore } from './chatStore';
import { firstMissingSeq, highestSeq, lowestSeq } from './timeline';

export const PAGE_SIZE = 50;
export const GAP_PAGE_SIZE = 200;
const MAX_GAP_PAGES = 100;

/** What a reader is told when a room's messages cannot be loaded (never the raw answer). */
export function loadFailure(error: unknown): string {
  const status = error instanceof ApiError ? error.status : -1;
  if (status === 0) return 'Cannot reach the server. The messages load once it answers again.';
  if (status === 403 || status === 404) return 'This room is not available to you.';
  return 'The messages of this room could not be loaded.';
}

export class HistoryPart {
  private readonly loading = new Set<number>();

  constructor(private readonly store: ChatStore) {}

  isLoading(roomId: number): boolean {
    return this.loading.has(roomId);
  }

  /** The first page of a room; false when it failed (or the session changed). */
  async loadNewest(roomId: number): Promise<boolean> {
    const store = this.store;
    if (this.loading.has(roomId)) return true;
    this.loading.add(roomId);
    const epoch = store.epoch;
    try {
      const page = await store.http.messages(roomId, { limit: PAGE_SIZE });
      if (epoch !== store.epoch) return false;
      store.dispatch({
        type: 'room/history',
        roomId,
        messages: page.messages,
        kind: 'newest',
        hasMore: page.has_more,
      });
      return true;
    } catch (error) {
      if (epoch !== store.epoch) return false;
      store.dispatch({ type: 'room/failed', roomId, error: loadFailure(error) });
      return false;
    } finally {
      this.loading.delete(roomId);
    }
  }

  /**
   * Fetch over REST (`after`) whatever the join ack could not carry: holes between
   * held seqs, and pages above the top while the server says there is more.
   */
  async fillGaps(roomId: number, moreAbove: boolean): Promise<void> {
    const store = this.store;
    let needTop = moreAbove;
    const epoch = store.epoch;
    for (let page = 0; page < MAX_GAP_PAGES; page += 1) {
      const view = store.getState().views[roomId];
      if (!view || epoch !== store.epoch) return;
      const hole = firstMissingSeq(view.timeline);
      let cursor: number;
      if (hole !== null) cursor = hole - 1;
      else if (needTop) cursor = highestSeq(view.timeline);
      else return;
      let result;
      try {
        result = await store.http.messages(roomId, { after: cursor, limit: GAP_PAGE_SIZE });
      } catch {
        return; // the next reconnect or reload tries again
      }
      if (epoch !== store.epoch) return;
      store.dispatch({
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
    const store = this.store;
    const view = store.getState().views[roomId];
    if (!view || !view.hasOlder || view.loadingOlder || view.timeline.seqs.length === 0) return;
    store.dispatch({ type: 'room/loadingOlder', roomId, loading: true });
    const epoch = store.epoch;
    try {
      const page = await store.http.messages(roomId, {
        before: lowestSeq(view.timeline),
        limit: PAGE_SIZE,
      });
      if (epoch !== store.epoch) return;
      store.dispatch({
        type: 'room/history',
        roomId,
        messages: page.messages,
        kind: 'older',
        hasMore: page.has_more,
      });
    } catch {
      if (epoch === store.epoch) store.dispatch({ type: 'room/loadingOlder', roomId, loading: false });
    }
  }
}
