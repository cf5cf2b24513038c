import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Room, User } from '../api/events';
import { dayKey, formatDay, sameGroup } from '../lib/format';
import type { RoomView } from '../store/state';
import { highestSeq, orderedMessages } from '../store/timeline';
import { useStore } from '../store/useChat';
import { Icon } from './Icon';
import { MessageItem } from './MessageItem';
import { PendingItem } from './PendingItem';

interface Props {
  room: Room;
  view: RoomView;
  me: User;
  editingId: number | null;
  onStartEdit: (messageId: number | null) => void;
}

/** Pixels from an edge that still count as "at" it. */
const EDGE = 64;
const LOAD_OLDER_AT = 200;

function isAtBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= EDGE;
}

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

export function MessageList({ room, view, me, editingId, onStartEdit }: Props) {
  const store = useStore();
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const previous = useRef<{ first: number | undefined; height: number; pending: number }>({
    first: undefined,
    height: 0,
    pending: 0,
  });
  const [atBottom, setAtBottom] = useState(true);
  const messages = useMemo(() => orderedMessages(view.timeline), [view.timeline]);
  const top = highestSeq(view.timeline);
  const roomId = room.id;
  const { hasOlder, loadingOlder } = view;

  const markSeen = useCallback(() => {
    const el = scrollRef.current;
    if (!el || document.visibilityState !== 'visible') return;
    const seq = atBottomRef.current ? highestSeq(view.timeline) : lastVisibleSeq(el);
    if (seq > 0) store.markRead(roomId, seq);
  }, [store, roomId, view.timeline]);

  // Keep the reader's place: after an older page is prepended, shift by what was
  // added above; otherwise follow the bottom while the reader is there, and go to
  // it when the user sends something.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const first = view.timeline.seqs[0];
    const prev = previous.current;
    const sent = view.pending.length > prev.pending;
    if (!sent && prev.first !== undefined && first !== undefined && first < prev.first) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atBottomRef.current || sent) {
      el.scrollTop = el.scrollHeight;
      atBottomRef.current = true;
    }
    previous.current = { first, height: el.scrollHeight, pending: view.pending.length };
  }, [view.timeline, view.pending]);

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
    atBottomRef.current = bottom;
    setAtBottom(bottom);
    if (el.scrollTop < LOAD_OLDER_AT && hasOlder && !loadingOlder) void store.loadOlder(roomId);
    markSeen();
  };

  const jumpToLatest = () => {
    const el = scrollRef.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottomRef.current = true;
    setAtBottom(true);
    markSeen();
  };

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
  const unseen = top > view.readSeq;
  const lastMessage = messages[messages.length - 1];

  return (
    <div className="message-pane">
      <div
        ref={scrollRef}
        className="message-scroll"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={`Messages in ${room.name}`}
        // A scrollable log must be reachable by keyboard to be scrolled.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        onScroll={onScroll}
        data-testid="message-scroll"
      >
        <div className="history-edge">
          {hasOlder ? (
            <button
              type="button"
              className="button ghost small"
              disabled={loadingOlder}
              onClick={() => void store.loadOlder(roomId)}
            >
              {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
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
          <p className="form-error center" role="alert">
            {view.error}
          </p>
        )}
        <ol className="messages" data-testid="messages">
          {messages.map((message, index) => {
            const before = messages[index - 1];
            const newDay = !before || dayKey(before.created_at) !== dayKey(message.created_at);
            const grouped =
              before !== undefined &&
              !newDay &&
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
                <MessageItem
                  message={message}
                  grouped={grouped}
                  own={message.sender.id === me.id}
                  canDelete={message.sender.id === me.id || isOwner}
                  editing={editingId === message.id}
                  onStartEdit={onStartEdit}
                  onEdit={onEdit}
                  onDelete={onDelete}
                />
              </Fragment>
            );
          })}
          {view.pending.map((pending, index) => (
            <PendingItem
              key={pending.client_id}
              pending={pending}
              username={me.username}
              grouped={index > 0 || lastMessage?.sender.id === me.id}
              onRetry={onRetry}
              onDiscard={onDiscard}
            />
          ))}
        </ol>
      </div>
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={jumpToLatest}>
          <Icon name="down" size={16} />
          {unseen ? 'New messages' : 'Jump to latest'}
        </button>
      )}
    </div>
  );
}
