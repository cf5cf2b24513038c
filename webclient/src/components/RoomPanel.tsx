import { useCallback, useState } from 'react';
import type { User } from '../api/events';
import { orderedMessages } from '../store/timeline';
import { useChatState } from '../store/useChat';
import { Composer } from './Composer';
import { ConnectionBadge } from './ConnectionBadge';
import { Icon } from './Icon';
import { MessageList } from './MessageList';
import { OnlineList } from './OnlineList';
import { RoomMenu } from './RoomMenu';
import { TypingIndicator } from './TypingIndicator';

interface Props {
  roomId: number;
  me: User;
  menuButton: React.ReactNode;
}

export function RoomPanel({ roomId, me, menuButton }: Props) {
  const room = useChatState((s) => s.rooms[roomId]);
  const view = useChatState((s) => s.views[roomId]);
  const [editingId, setEditingId] = useState<number | null>(null);
  const [showOnline, setShowOnline] = useState(false);

  const onStartEdit = useCallback((messageId: number | null) => {
    setEditingId(messageId);
  }, []);

  const editLast = useCallback(() => {
    if (!view) return;
    const mine = orderedMessages(view.timeline).filter(
      (m) => m.sender.id === me.id && !m.deleted,
    );
    const last = mine[mine.length - 1];
    if (last) setEditingId(last.id);
  }, [view, me.id]);

  if (!room || !view) {
    return (
      <section className="room room-missing">
        <header className="room-header">{menuButton}</header>
        <p className="list-empty center">This room is no longer available.</p>
      </section>
    );
  }

  const onlineUsers = Object.values(view.online);
  // Oneself is online while the page is open, even before (or between) joins.
  const onlineCount = onlineUsers.length + (me.id in view.online ? 0 : 1);
  const onlineId = `online-${roomId}`;

  return (
    <section className={`room${showOnline ? ' show-online' : ''}`} aria-labelledby="room-title">
      <header className="room-header">
        {menuButton}
        <div className="room-heading">
          <h1 id="room-title" className="room-title">
            <Icon name={room.private ? 'lock' : 'hash'} size={18} className="room-icon" />
            <span>{room.name}</span>
          </h1>
          <p className="room-meta">
            {room.private ? 'Private' : 'Public'} · owned by {room.owner.username}
          </p>
        </div>
        <ConnectionBadge className="header-conn" />
        <button
          type="button"
          className="online-toggle"
          aria-label={`${onlineCount} online — show who`}
          aria-expanded={showOnline}
          aria-controls={onlineId}
          onClick={() => {
            setShowOnline((v) => !v);
          }}
        >
          <Icon name="users" size={16} />
          <span aria-hidden="true">{onlineCount}</span>
        </button>
        <RoomMenu room={room} me={me} members={onlineUsers} />
      </header>
      <div className="room-body">
        <div className="room-main">
          <MessageList
            room={room}
            view={view}
            me={me}
            editingId={editingId}
            onStartEdit={onStartEdit}
          />
          <TypingIndicator typing={view.typing} />
          <Composer
            key={roomId}
            roomId={roomId}
            roomName={room.name}
            disabled={view.status === 'error'}
            onEditLast={editLast}
          />
        </div>
        <OnlineList id={onlineId} online={view.online} me={me} roomName={room.name} />
      </div>
    </section>
  );
}
