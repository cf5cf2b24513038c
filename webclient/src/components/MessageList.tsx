import {
  Fragment,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import type { Room, User } from '../api/events';
import { dayKey, formatDay, sameGroup } from '../lib/format';
import type { RoomView } from '../store/state';
import { firstUnreadSeq, highestSeq, orderedMessages, unreadFromOthers } from '../store/timeline';
import { useStore } from '../store/useChat';
import { Icon } from './Icon';
import { MessageItem } from './MessageItem';
import { PendingItem } from './PendingItem';
import { isAtBottom, ScrollKeeper } from './ScrollKeeper';
import { useJumpTarget } from './useJumpTarget';
import { useMessageWindow } from './useMessageWindow';

interface Props {
  room: Room;
  view: RoomView;
  me: User;
  editingId: number | null;
  onStartEdit: (messageId: number | null) => void;
}

/** Pixels from an end of the mounted window at which it grows (or older pages load). */
const NEAR_EDGE = 200;

/** The highest seq whose element shows in the scroll container right now. */
function lastVisibleSeq(el: HTMLElement): number {
  const bottom = el.getBoundingClientRect().bottom;
  const items = el.querySelectorAll<HTMLElement>('[data-seq]');
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item && item.getBoundingClientRect().top < bottom) return Number(item.dataset.seq);
  }
  return 0;
}

const MOVE_KEYS = new Set(['ArrowUp', 'ArrowDown', 'Home', 'End']);

export function MessageList({ room, view, me, editingId, onStartEdit }: Props) {
  const store = useStore();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [bottomRequest, setBottomRequest] = useState(0);
  const [focusSeq, setFocusSeq] = useState<number | null>(null);
  const [pendingSeen, setPendingSeen] = useState(view.pending.length);
  const messages = useMemo(() => orderedMessages(view.timeline), [view.timeline]);
  const win = useMessageWindow(messages);
  const shown = messages.slice(win.start, win.end);
  const roomId = room.id;
  const { hasOlder, loadingOlder } = view;
  const divider = useMemo(
    () => firstUnreadSeq(view.timeline, view.lastSeqAtOpen, view.unreadAtOpen, me.id),
    [view.timeline, view.lastSeqAtOpen, view.unreadAtOpen, me.id],
  );

  // Sending something goes to the end (adjusted while rendering, not in an effect).
  if (view.pending.length !== pendingSeen) {
    if (view.pending.length > pendingSeen) {
      setBottomRequest((n) => n + 1);
      if (!win.atEnd) win.follow();
    }
    setPendingSeen(view.pending.length);
  }

  const markSeen = useCallback(() => {
    const el = scrollRef.current;
    if (!el || document.visibilityState !== 'visible') return;
    // Measured now: the view may have just been moved (to the divider, say).
    const seq = isAtBottom(el) && win.atEnd ? highestSeq(view.timeline) : lastVisibleSeq(el);
    if (seq > 0) store.markRead(roomId, seq);
  }, [store, roomId, view.timeline, win.atEnd]);

  const loadOlder = useCallback(() => {
    if (win.expandUp()) return;
    if (hasOlder && !loadingOlder) {
      win.pinOldest();
      void store.loadOlder(roomId);
    }
  }, [win, hasOlder, loadingOlder, store, roomId]);

  // A page too short to scroll cannot trigger "older on scroll": fetch until it can.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.clientHeight > 0 && el.scrollHeight <= el.clientHeight && hasOlder && !loadingOlder) {
      void store.loadOlder(roomId);
    }
  }, [store, roomId, hasOlder, loadingOlder, view.timeline]);

  useEffect(() => {
    markSeen();
    const onVisible = () => {
      markSeen();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [markSeen]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = isAtBottom(el);
    setAtBottom(bottom);
    // A message about to be shown (a search result) decides where the window is.
    if (view.jumpSeq !== null) return;
    if (!bottom) win.pin();
    if (el.scrollTop < NEAR_EDGE) loadOlder();
    else if (el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_EDGE) win.expandDown();
    markSeen();
  };

  const jumpToLatest = () => {
    win.follow();
    setAtBottom(true);
    setBottomRequest((n) => n + 1);
  };

  // Roving focus: the list is one tab stop (the last focused message, else the
  // newest); arrow keys, Home and End move between messages; Tab from a message
  // reaches its own Edit and Delete.
  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    const target = event.target as HTMLElement;
    if (!MOVE_KEYS.has(event.key) || !target.matches('li[data-seq]')) return;
    const list = [...event.currentTarget.querySelectorAll<HTMLElement>(':scope > li[data-seq]')];
    const index = list.indexOf(target);
    const to =
      event.key === 'ArrowUp'
        ? index - 1
        : event.key === 'ArrowDown'
          ? index + 1
          : event.key === 'Home'
            ? 0
            : list.length - 1;
    event.preventDefault();
    const next = list[to];
    if (next) next.focus();
    else if (to < 0) loadOlder();
    else if (!win.expandDown()) jumpToLatest();
  };

  const onFocusMessage = useCallback((seq: number) => {
    setFocusSeq(seq);
  }, []);
  const highlightSeq = useJumpTarget(roomId, view.jumpSeq, messages, win, scrollRef, onFocusMessage);
  const onEdit = useCallback(
    async (messageId: number, body: string) => {
      const result = await store.edit(messageId, body);
      return result.ok ? null : result.message;
    },
    [store],
  );
  const onDelete = useCallback(
    async (messageId: number) => {
      const result = await store.remove(messageId);
      return result.ok ? null : result.message;
    },
    [store],
  );
  const onRetry = useCallback(
    (clientId: string) => {
      store.retry(roomId, clientId);
    },
    [store, roomId],
  );
  const onDiscard = useCallback(
    (clientId: string) => {
      store.discard(roomId, clientId);
    },
    [store, roomId],
  );

  const isOwner = room.owner.id === me.id;
  const unseen = unreadFromOthers(view.timeline, view.readSeq, me.id);
  const lastShown = shown[shown.length - 1];
  const tabSeq =
    focusSeq !== null && shown.some((m) => m.seq === focusSeq) ? focusSeq : lastShown?.seq;

  return (
    <div className="message-pane">
      <div
        ref={scrollRef}
        className="message-scroll"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={`Messages in ${room.name}`}
        onScroll={onScroll}
        data-testid="message-scroll"
      >
        <div className="history-edge">
          {win.start > 0 || hasOlder ? (
            <button
              type="button"
              className="button ghost small"
              disabled={win.start === 0 && loadingOlder}
              onClick={loadOlder}
            >
              {win.start === 0 && loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          ) : view.status === 'ready' ? (
            <div className="room-start">
              <span className="room-start-icon" aria-hidden="true">
                <Icon name={room.private ? 'lock' : 'hash'} size={22} />
              </span>
              <p>
                This is the start of <strong>{room.name}</strong>.
              </p>
            </div>
          ) : null}
        </div>
        {view.status === 'loading' && messages.length === 0 && (
          <p className="list-empty center">Loading messages…</p>
        )}
        {view.status === 'error' && (
          <div className="load-error center" role="alert">
            <p>{view.error}</p>
            <button
              type="button"
              className="button small"
              onClick={() => void store.retryRoom(roomId)}
            >
              <Icon name="retry" size={14} /> Retry
            </button>
          </div>
        )}
        <ScrollKeeper scrollRef={scrollRef} follow={win.atEnd} bottomRequest={bottomRequest}>
          {/* Arrow keys move the roving focus between the messages (one handler for all). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
          <ol className="messages" data-testid="messages" onKeyDown={onKeyDown}>
            {shown.map((message, index) => {
              const before = shown[index - 1];
              const newDay = !before || dayKey(before.created_at) !== dayKey(message.created_at);
              const isDivider = message.seq === divider;
              const grouped =
                before !== undefined &&
                !newDay &&
                !isDivider &&
                !before.deleted &&
                before.sender.id === message.sender.id &&
                before.seq === message.seq - 1 &&
                sameGroup(before.created_at, message.created_at);
              return (
                <Fragment key={message.seq}>
                  {newDay && (
                    <li className="day-divider" aria-hidden="true">
                      <span>{formatDay(message.created_at)}</span>
                    </li>
                  )}
                  {isDivider && (
                    <li className="new-divider" data-divider data-testid="new-divider">
                      <span>New messages</span>
                    </li>
                  )}
                  <MessageItem
                    message={message}
                    grouped={grouped}
                    own={message.sender.id === me.id}
                    canDelete={message.sender.id === me.id || isOwner}
                    editing={editingId === message.id}
                    tabbable={message.seq === tabSeq}
                    highlighted={message.seq === highlightSeq}
                    onFocus={onFocusMessage}
                    onStartEdit={onStartEdit}
                    onEdit={onEdit}
                    onDelete={onDelete}
                  />
                </Fragment>
              );
            })}
            {win.atEnd &&
              view.pending.map((pending, index) => (
                <PendingItem
                  key={pending.client_id}
                  pending={pending}
                  username={me.username}
                  grouped={index > 0 || lastShown?.sender.id === me.id}
                  onRetry={onRetry}
                  onDiscard={onDiscard}
                />
              ))}
          </ol>
        </ScrollKeeper>
      </div>
      {(!atBottom || !win.atEnd) && (
        <button type="button" className="jump-latest" onClick={jumpToLatest}>
          <Icon name="down" size={16} />
          {unseen ? 'New messages' : 'Jump to latest'}
        </button>
      )}
    </div>
  );
}
