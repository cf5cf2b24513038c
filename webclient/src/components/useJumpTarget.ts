import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';
import type { Message } from '../api/events';
import { useStore } from '../store/useChat';
import type { MessageWindow } from './useMessageWindow';

/** How long a message opened from a search stays highlighted. */
export const HIGHLIGHT_MS = 2500;

/**
 * A message to show (RoomView.jumpSeq, set when a search result is opened): mount
 * it, scroll it to the middle of the list, focus it and highlight it briefly.
 * Returns the seq highlighted now, if any.
 */
export function useJumpTarget(
  roomId: number,
  jumpSeq: number | null,
  messages: readonly Message[],
  win: MessageWindow,
  scrollRef: RefObject<HTMLDivElement | null>,
  onFocusSeq: (seq: number) => void,
): number | null {
  const store = useStore();
  const [highlight, setHighlight] = useState<number | null>(null);
  const index = jumpSeq === null ? -1 : messages.findIndex((m) => m.seq === jumpSeq);

  // In the commit that mounts it, before the browser paints or fires a scroll event
  // that could move the window away again.
  useLayoutEffect(() => {
    if (jumpSeq === null || index < 0) return;
    const item = scrollRef.current?.querySelector<HTMLElement>(`[data-seq="${String(jumpSeq)}"]`);
    if (!item) {
      win.reveal(index);
      return;
    }
    item.scrollIntoView({ block: 'center' });
    item.focus({ preventScroll: true });
    onFocusSeq(jumpSeq);
    setHighlight(jumpSeq);
    store.jumped(roomId);
  }, [store, roomId, jumpSeq, index, win, scrollRef, onFocusSeq]);

  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => {
      setHighlight(null);
    }, HIGHLIGHT_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [highlight]);

  return highlight;
}
