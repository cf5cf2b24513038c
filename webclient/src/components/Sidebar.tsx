import { useMemo, useState } from 'react';
import { splitRooms } from '../store/roomList';
import { useChatState, useStore } from '../store/useChat';
import { Avatar } from './Avatar';
import { ConnectionBadge } from './ConnectionBadge';
import { CreateRoomForm } from './CreateRoomForm';
import { Icon } from './Icon';
import { MessageSearch } from './MessageSearch';
import { RoomListItem } from './RoomListItem';
import { moveFocus } from './rovingFocus';

interface Props {
  id: string;
  /** Called after the user picked a room (closes the drawer on phones). */
  onNavigate: () => void;
  onClose: () => void;
}

export function Sidebar({ id, onNavigate, onClose }: Props) {
  const store = useStore();
  const rooms = useChatState((s) => s.rooms);
  const roomsLoaded = useChatState((s) => s.roomsLoaded);
  const activeRoomId = useChatState((s) => s.activeRoomId);
  const user = useChatState((s) => s.session.user);
  const [filter, setFilter] = useState('');
  const [joinError, setJoinError] = useState<string | null>(null);
  const [focusId, setFocusId] = useState<number | null>(null);
  const [searching, setSearching] = useState(false);
  const { mine, discover } = useMemo(() => splitRooms(rooms), [rooms]);
  const needle = filter.trim().toLowerCase();
  const match = (name: string) => !needle || name.toLowerCase().includes(needle);
  const shownMine = mine.filter((room) => match(room.name));
  const shownDiscover = discover.filter((room) => match(room.name));
  // Each list is one tab stop: the room last focused, else the open one, else the first.
  const stop = (rooms: { id: number }[]) =>
    rooms.find((r) => r.id === focusId)?.id ??
    rooms.find((r) => r.id === activeRoomId)?.id ??
    rooms[0]?.id;
  const mineStop = stop(shownMine);
  const discoverStop = stop(shownDiscover);
  const onFocusRoom = (roomId: number) => {
    setFocusId(roomId);
  };

  const open = (roomId: number) => {
    void store.openRoom(roomId);
    onNavigate();
  };

  const join = async (roomId: number) => {
    setJoinError(null);
    const result = await store.joinPublicRoom(roomId);
    if (result.ok) onNavigate();
    else setJoinError(result.message);
  };

  return (
    <aside id={id} className="sidebar" aria-label="Rooms">
      <div className="sidebar-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>ChatApp</span>
        </div>
        <button
          type="button"
          className="icon-button drawer-close"
          aria-label="Close room list"
          onClick={onClose}
        >
          <Icon name="close" />
        </button>
      </div>
      <div className="sidebar-user">
        {user && <Avatar username={user.username} online />}
        <div className="sidebar-user-text">
          <span className="sidebar-username" data-testid="current-user">
            {user?.username}
          </span>
          <ConnectionBadge />
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Log out"
          title="Log out"
          onClick={() => void store.logout()}
        >
          <Icon name="logout" />
        </button>
      </div>
      <MessageSearch onActive={setSearching} onNavigate={onNavigate} />
      <CreateRoomForm onCreated={onNavigate} />
      <div className="search" hidden={searching}>
        <Icon name="search" size={16} />
        <input
          type="search"
          aria-label="Filter rooms"
          placeholder="Find a room"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
          }}
        />
      </div>
      <div className="room-lists" hidden={searching}>
        <nav aria-labelledby={`${id}-mine`}>
          <h2 id={`${id}-mine`} className="list-title">
            Your rooms
          </h2>
          {roomsLoaded && mine.length === 0 && (
            <p className="list-empty">You have not joined any room yet.</p>
          )}
          {/* Arrow keys move between the rooms (roving focus, one tab stop). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
          <ul
            className="room-list"
            data-testid="my-rooms"
            onKeyDown={(event) => {
              moveFocus(event, 'button.room-link');
            }}
          >
            {shownMine.map((room) => (
              <RoomListItem
                key={room.id}
                room={room}
                active={room.id === activeRoomId}
                tabbable={room.id === mineStop}
                onOpen={open}
                onFocus={onFocusRoom}
              />
            ))}
          </ul>
        </nav>
        <section aria-labelledby={`${id}-discover`}>
          <h2 id={`${id}-discover`} className="list-title">
            Public rooms
          </h2>
          {roomsLoaded && discover.length === 0 && (
            <p className="list-empty">No other public rooms yet.</p>
          )}
          {joinError && (
            <p className="field-error" role="alert">
              {joinError}
            </p>
          )}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
          <ul
            className="room-list"
            data-testid="public-rooms"
            onKeyDown={(event) => {
              moveFocus(event, 'button.join-button');
            }}
          >
            {shownDiscover.map((room) => (
              <li key={room.id} className="discover-item" data-room-name={room.name}>
                <Icon name="hash" size={16} className="room-icon" />
                <span className="room-name">{room.name}</span>
                <button
                  type="button"
                  className="button small join-button"
                  aria-label={`Join ${room.name}`}
                  tabIndex={room.id === discoverStop ? 0 : -1}
                  onClick={() => void join(room.id)}
                  onFocus={() => {
                    onFocusRoom(room.id);
                  }}
                >
                  Join
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </aside>
  );
}
