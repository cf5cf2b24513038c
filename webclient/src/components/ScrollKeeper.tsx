import { Component, type ReactNode, type RefObject } from 'react';

/** Pixels from the bottom that still count as "at" it. */
export const BOTTOM_EDGE = 64;

interface Snapshot {
  atBottom: boolean;
  /** The first message at least partly visible, and its offset from the top. */
  seq: number | null;
  offset: number;
  count: number;
}

interface Props {
  scrollRef: RefObject<HTMLDivElement | null>;
  /** The window reaches the newest message: a reader at the bottom stays there. */
  follow: boolean;
  /** Changes when the view must go to the bottom (the user sent something, "Jump"). */
  bottomRequest: number;
  children: ReactNode;
}

function items(el: HTMLElement): NodeListOf<HTMLElement> {
  return el.querySelectorAll<HTMLElement>('[data-seq]');
}

export function isAtBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_EDGE;
}

function measure(el: HTMLElement): Snapshot {
  const top = el.getBoundingClientRect().top;
  const all = items(el);
  for (const item of all) {
    const rect = item.getBoundingClientRect();
    if (rect.bottom > top) {
      return { atBottom: isAtBottom(el), seq: Number(item.dataset.seq), offset: rect.top - top, count: all.length };
    }
  }
  return { atBottom: isAtBottom(el), seq: null, offset: 0, count: all.length };
}

function toBottom(el: HTMLElement): void {
  el.scrollTop = el.scrollHeight;
}

/** Opening a room with unread messages: show the divider near the top, else the end. */
function toStart(el: HTMLElement): void {
  const divider = el.querySelector<HTMLElement>('[data-divider]');
  if (!divider) {
    toBottom(el);
    return;
  }
  const offset = divider.getBoundingClientRect().top - el.getBoundingClientRect().top;
  el.scrollTop += offset - 16;
}

/**
 * Keeps the reader's place in the message list. The browser's own scroll anchoring
 * is off (`overflow-anchor: none` on the list): it and a manual correction fought
 * each other. Instead, before every update that touches the list, the first
 * visible message and its offset are measured (getSnapshotBeforeUpdate, which runs
 * before React changes the DOM), and after it the list is scrolled so that message
 * sits exactly where it was — whatever moved the view (scrollbar, keys, wheel,
 * a script) and whatever changed (older pages prepended, the window trimmed,
 * edits above). A reader at the bottom stays at the bottom instead.
 */
export class ScrollKeeper extends Component<Props> {
  override componentDidMount(): void {
    const el = this.props.scrollRef.current;
    if (el) toStart(el);
  }

  override getSnapshotBeforeUpdate(): Snapshot | null {
    const el = this.props.scrollRef.current;
    return el ? measure(el) : null;
  }

  override componentDidUpdate(previous: Props, _state: unknown, snapshot: Snapshot | null): void {
    const el = this.props.scrollRef.current;
    if (!el || !snapshot) return;
    if (previous.bottomRequest !== this.props.bottomRequest) {
      toBottom(el);
    } else if (snapshot.count === 0) {
      toStart(el);
    } else if (this.props.follow && snapshot.atBottom) {
      toBottom(el);
    } else if (snapshot.seq !== null) {
      const item = el.querySelector<HTMLElement>(`[data-seq="${String(snapshot.seq)}"]`);
      if (!item) return;
      const offset = item.getBoundingClientRect().top - el.getBoundingClientRect().top;
      const delta = offset - snapshot.offset;
      if (Math.abs(delta) >= 1) el.scrollTop += delta;
    }
  }

  override render(): ReactNode {
    return this.props.children;
  }
}
