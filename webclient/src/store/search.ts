/**
 * Message search (`GET /api/search`) and opening a result: its room shows, with
 * the history around the message loaded, and the message is marked to be scrolled
 * into view and highlighted (RoomView.jumpSeq).
 */
import type { Message, SearchPage } from '../api/events';
import type { ChatStore } from './chatStore';
import { errorResult, type Result } from './core';
import { PAGE_SIZE } from './history';
import { lowestSeq } from './timeline';

export const SEARCH_PAGE_SIZE = 20;

export type SearchResult = { ok: true; page: SearchPage } | Exclude<Result, { ok: true }>;

export class SearchPart {
  constructor(private readonly store: ChatStore) {}

  /** One page of results, newest first; `before` is the last result's id of the page above. */
  async search(q: string, before?: number): Promise<SearchResult> {
    try {
      const page = await this.store.http.search({
        q,
        limit: SEARCH_PAGE_SIZE,
        ...(before === undefined ? {} : { before }),
      });
      return { ok: true, page };
    } catch (error) {
      return errorResult(error) as Exclude<Result, { ok: true }>;
    }
  }

  /** Open a result's room with the message loaded, then ask the list to show it. */
  async openMessage(message: Message): Promise<Result> {
    const store = this.store;
    const roomId = message.room_id;
    await store.rooms.open(roomId);
    const view = store.getState().views[roomId];
    if (!view || view.status === 'error') {
      return { ok: false, code: 'unavailable', message: 'This message cannot be shown.' };
    }
    if (!(message.seq in view.timeline.bySeq)) {
      const epoch = store.epoch;
      try {
        const page = await store.http.messages(roomId, { before: message.seq + 1, limit: PAGE_SIZE });
        if (epoch !== store.epoch) return { ok: true };
        // A page below everything held is the new bottom of the history; one inside a
        // hole only fills it.
        const below = message.seq < lowestSeq(view.timeline);
        store.dispatch({
          type: 'room/history',
          roomId,
          messages: page.messages,
          kind: below ? 'older' : 'gap',
          hasMore: page.has_more,
        });
      } catch (error) {
        return errorResult(error);
      }
      // Between that page and the newest held: fetched so the timeline is whole.
      await store.history.fillGaps(roomId, false);
    }
    store.dispatch({ type: 'room/jump', roomId, seq: message.seq });
    return { ok: true };
  }

  /** The list showed the message. */
  jumped(roomId: number): void {
    this.store.dispatch({ type: 'room/jump', roomId, seq: null });
  }
}
