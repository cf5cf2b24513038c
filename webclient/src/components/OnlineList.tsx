import type { User } from '../api/events';
import { Avatar } from './Avatar';

interface Props {
  id: string;
  online: Readonly<Record<number, User>>;
  me: User;
  roomName: string;
}

/** Who is connected to the room: the join ack's `online`, kept by `presence`. */
export function OnlineList({ id, online, me, roomName }: Props) {
  // Oneself is in the room while the page shows it, connected or not.
  const known = me.id in online ? Object.values(online) : [me, ...Object.values(online)];
  const users = known.sort((a, b) => {
    if (a.id === me.id) return -1;
    if (b.id === me.id) return 1;
    return a.username.localeCompare(b.username);
  });
  return (
    <aside id={id} className="online-panel" aria-label={`Online in ${roomName}`}>
      <h2 className="list-title">
        Online <span className="count">{users.length}</span>
      </h2>
      <ul className="online-list" data-testid="online-list">
        {users.map((user) => (
          <li key={user.id} data-testid="online-user" data-username={user.username}>
            <Avatar username={user.username} size="sm" online />
            <span className="online-name">{user.username}</span>
            {user.id === me.id && <span className="you">you</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
