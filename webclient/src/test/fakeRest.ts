/**
 * The REST side of the fake server (see fakeBackend.ts): every endpoint of HttpApi,
 * answering as the contract says, logging each call and failing on demand.
 */
import type { Message, Room, User } from '../api/events';
import { queryWords } from '../lib/excerpt';
import { ApiError, type HttpApi, type HttpOptions } from '../api/http';
import type { FakeBackend, RoomRecord } from './fakeBackend';

export function fakeRest(backend: FakeBackend, options: HttpOptions): HttpApi {
  backend.httpOptions = options;
  const me = (): User => {
    const token = options.getToken();
    const user = token ? backend.userForToken(token) : undefined;
    if (!user) {
      options.onUnauthorized?.();
      throw new ApiError(401, 'unauthorized', 'unauthorized');
    }
    return user;
  };
  const log = (call: string) => {
    backend.httpCalls.push(call);
    const method = call.split(' ')[0] as keyof HttpApi;
    const failure = backend.httpFailures.get(method);
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) backend.httpFailures.delete(method);
      throw failure.error;
    }
  };
  const listing = (record: RoomRecord, user: User): Room => {
    const member = record.members.has(user.id);
    return member
      ? { ...record.room, member, unread: 0 }
      : { ...record.room, member };
  };
  return {
    register: async ({ username, password }) => {
      log('register');
      if (username.length < 3) throw new ApiError(400, 'invalid', 'Username too short.');
      if (backend.users.some((u) => u.user.username.toLowerCase() === username.toLowerCase())) {
        throw new ApiError(409, 'conflict', 'That username is taken.');
      }
      return backend.addUser(username, password);
    },
    login: async ({ username, password }) => {
      log('login');
      const found = backend.users.find((u) => u.user.username === username);
      if (found?.password !== password) {
        throw new ApiError(401, 'unauthorized', 'Wrong username or password.');
      }
      return { access_token: backend.tokenFor(found.user), token_type: 'bearer', expires_in: 3600 };
    },
    logout: async () => {
      log('logout');
      me();
      const token = options.getToken();
      if (token) backend.tokens.delete(token);
    },
    me: async () => {
      log('me');
      return me();
    },
    listRooms: async () => {
      log('listRooms');
      const user = me();
      return [...backend.rooms.values()]
        .filter((r) => !r.room.private || r.members.has(user.id))
        .map((r) => listing(r, user));
    },
    createRoom: async (name, isPrivate) => {
      log(`createRoom ${name}`);
      const user = me();
      if ([...backend.rooms.values()].some((r) => r.room.name === name)) {
        throw new ApiError(409, 'conflict', 'A room with that name exists.');
      }
      const room = backend.addRoom(name, user, isPrivate);
      backend.pushAdded(user.id, room.id);
      backend.pushCreated(room.id);
      return room;
    },
    getRoom: async (roomId) => {
      me();
      return backend.record(roomId).room;
    },
    joinRoom: async (roomId) => {
      log(`joinRoom ${roomId}`);
      const user = me();
      backend.record(roomId).members.add(user.id);
      backend.pushAdded(user.id, roomId);
    },
    addMember: async (roomId, username) => {
      log(`addMember ${roomId} ${username}`);
      const user = backend.users.find((u) => u.user.username === username);
      if (!user) throw new ApiError(404, 'not_found', 'No such user.');
      backend.record(roomId).members.add(user.user.id);
      backend.pushAdded(user.user.id, roomId);
    },
    leaveRoom: async (roomId) => {
      log(`leaveRoom ${roomId}`);
      const user = me();
      const record = backend.record(roomId);
      if (record.room.owner.id === user.id && record.members.size > 1) {
        throw new ApiError(409, 'conflict', 'Hand the room over before leaving it.');
      }
      backend.endMembership(roomId, user.id);
    },
    updateRoom: async (roomId, { owner }) => {
      log(`updateRoom ${roomId} ${owner}`);
      const user = me();
      const record = backend.record(roomId);
      if (record.room.owner.id !== user.id) {
        throw new ApiError(403, 'forbidden', 'Only the owner can hand the room over.');
      }
      const next = backend.users.find((u) => u.user.username === owner)?.user;
      if (!next || !record.members.has(next.id)) {
        throw new ApiError(404, 'not_found', 'No such member.');
      }
      record.room = { ...record.room, owner: next };
      return { ...record.room, member: true, unread: 0 };
    },
    search: async ({ q, room_id, before, limit = 20 }) => {
      log(`search ${q}${before === undefined ? '' : ` before ${before}`}`);
      const user = me();
      const words = queryWords(q);
      if (q.trim() === '' || q.length > 200 || words.length === 0) {
        throw new ApiError(400, 'invalid', 'Search for 1 to 200 characters.');
      }
      const matches = (m: Message) => {
        const own = (m.body.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase());
        return words.every((w) => own.some((o) => o.startsWith(w)));
      };
      const found = [...backend.rooms.values()]
        .filter((r) => r.members.has(user.id) && (room_id === undefined || r.room.id === room_id))
        .flatMap((r) => r.messages)
        .filter((m) => !m.deleted && matches(m) && (before === undefined || m.id < before))
        .sort((a, b) => b.id - a.id);
      return { results: found.slice(0, limit), has_more: found.length > limit };
    },
    messages: async (roomId, query = {}) => {
      log(`messages ${roomId} ${JSON.stringify(query)}`);
      me();
      const all = backend.record(roomId).messages;
      const limit = query.limit ?? 50;
      if (query.after !== undefined) {
        const above = all.filter((m) => m.seq > (query.after ?? 0));
        return { messages: above.slice(0, limit), has_more: above.length > limit };
      }
      const below =
        query.before !== undefined ? all.filter((m) => m.seq < (query.before ?? 0)) : all;
      return {
        messages: below.slice(Math.max(0, below.length - limit)),
        has_more: below.length > limit,
      };
    },
  };
}
