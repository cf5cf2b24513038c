/** The sidebar's two lists, derived from the room directory. */
import type { Room } from '../api/events';

export function isMember(room: Room): boolean {
  return room.member ?? room.unread !== undefined;
}

/** Rooms the user belongs to, and public rooms to discover, each sorted by name. */
export function splitRooms(rooms: Readonly<Record<number, Room>>): {
  mine: Room[];
  discover: Room[];
} {
  const mine: Room[] = [];
  const discover: Room[] = [];
  for (const room of Object.values(rooms)) {
    if (isMember(room)) mine.push(room);
    else if (!room.private) discover.push(room);
  }
  const byName = (a: Room, b: Room) => a.name.localeCompare(b.name);
  return { mine: mine.sort(byName), discover: discover.sort(byName) };
}
