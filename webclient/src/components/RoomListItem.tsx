import type { Room } from '../api/events';
import { Icon } from './Icon';

interface Props {
  room: Room;
  active: boolean;
  onOpen: (roomId: number) => void;
}

/** One of the user's rooms: opens it; shows unread count. */
export function RoomListItem({ room, active, onOpen }: Props) {
  const unread = active ? 0 : (room.unread ?? 0);
  const label = unread > 0 ? `${room.name}, ${unread} unread` : room.name;
  return (
    <li>
      <button
        type="button"
        className={`room-link${active ? ' active' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={active ? 'page' : undefined}
        aria-label={label}
        data-room-name={room.name}
        onClick={() => {
          onOpen(room.id);
        }}
      >
        <Icon name={room.private ? 'lock' : 'hash'} size={16} className="room-icon" />
        <span className="room-name">{room.name}</span>
        {unread > 0 && (
          <span className="badge" data-testid="unread" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
    </li>
  );
}
