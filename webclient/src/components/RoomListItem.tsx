import type { Room } from '../api/events';
import { Icon } from './Icon';

interface Props {
  room: Room;
  active: boolean;
  /** The list's one tab stop (arrow keys move between rooms). */
  tabbable: boolean;
  onOpen: (roomId: number) => void;
  onFocus: (roomId: number) => void;
}

/**
 * One of the user's rooms: opens it; shows the unread count. The accessible name is
 * the visible text plus a word only a screen reader hears ("general 3 unread").
 */
export function RoomListItem({ room, active, tabbable, onOpen, onFocus }: Props) {
  const unread = active ? 0 : (room.unread ?? 0);
  return (
    <li>
      <button
        type="button"
        className={`room-link${active ? ' active' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-room-name={room.name}
        data-room-id={room.id}
        tabIndex={tabbable ? 0 : -1}
        onClick={() => {
          onOpen(room.id);
        }}
        onFocus={() => {
          onFocus(room.id);
        }}
      >
        <Icon name={room.private ? 'lock' : 'hash'} size={16} className="room-icon" />
        <span className="room-name">{room.name}</span>
        {unread > 0 && (
          <>
            {' '}
            <span className="badge" data-testid="unread">
              {unread > 99 ? '99+' : unread}
            </span>
            <span className="visually-hidden"> unread</span>
          </>
        )}
      </button>
    </li>
  );
}
