import type { Message, Room, User } from '../api/events';

export const alice: User = { id: 1, username: 'alice' };
export const bob: User = { id: 2, username: 'bob' };

export function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: 1000 + seq,
    room_id: 10,
    seq,
    sender: bob,
    body: `message ${seq}`,
    client_id: `client-${seq}`,
    created_at: new Date(Date.UTC(2026, 0, 1, 10, 0, seq)).toISOString(),
    edited_at: null,
    deleted: false,
    ...overrides,
  };
}

export function room(id = 10, overrides: Partial<Room> = {}): Room {
  return {
    id,
    name: `room-${id}`,
    private: false,
    owner: alice,
    created_at: '2026-01-01T09:00:00Z',
    last_seq: 0,
    member: true,
    unread: 0,
    ...overrides,
  };
}
