import { useState } from 'react';
import type { Message } from '../api/events';

/** At most this many messages are mounted; the rest stay in the store only. */
export const MAX_MOUNTED = 150;
/** How many the window moves by when the reader nears one of its ends. */
export const WINDOW_STEP = 50;

export interface MessageWindow {
  start: number;
  end: number;
  /** The window reaches the newest loaded message. */
  atEnd: boolean;
  /** Mount earlier loaded messages; false when the window already starts at the oldest. */
  expandUp(): boolean;
  /** Mount later ones (dropping the earliest); false when it already reaches the end. */
  expandDown(): boolean;
  /** Keep the window where it is (the reader scrolled away from the end). */
  pin(): void;
  /** Start from the oldest loaded (an older page is on its way). */
  pinOldest(): void;
  /** Back to following the newest. */
  follow(): void;
  /** Mount the message at `index` (of the loaded ones), with some of those before it. */
  reveal(index: number): void;
}

function lowerBound(messages: readonly Message[], seq: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((messages[mid]?.seq ?? 0) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Which slice of a room's loaded messages is in the DOM: the newest MAX_MOUNTED
 * while following the end, else a window that starts at a chosen seq.
 */
export function useMessageWindow(messages: readonly Message[]): MessageWindow {
  const [startSeq, setStartSeq] = useState<number | null>(null);
  const n = messages.length;
  const start = startSeq === null ? Math.max(0, n - MAX_MOUNTED) : lowerBound(messages, startSeq);
  const end = startSeq === null ? n : Math.min(n, start + MAX_MOUNTED);
  const seqAt = (index: number) => messages[index]?.seq ?? 0;
  return {
    start,
    end,
    atEnd: end === n,
    expandUp() {
      if (start === 0) return false;
      setStartSeq(seqAt(Math.max(0, start - WINDOW_STEP)));
      return true;
    },
    expandDown() {
      if (end === n) return false;
      const next = start + WINDOW_STEP;
      setStartSeq(next + MAX_MOUNTED >= n ? null : seqAt(next));
      return true;
    },
    pin() {
      if (startSeq === null && start > 0) setStartSeq(seqAt(start));
    },
    pinOldest() {
      setStartSeq(0);
    },
    follow() {
      setStartSeq(null);
    },
    reveal(index) {
      if (index >= start && index < end) return;
      if (index >= n - MAX_MOUNTED) setStartSeq(null);
      else setStartSeq(seqAt(Math.max(0, index - WINDOW_STEP / 2)));
    },
  };
}
