/**
 * An in-memory server that speaks the contract, for store and component tests:
 * the REST client (HttpApi) and the socket (RealtimeFactory) both talk to it.
 * It is a fake at the true outside boundary — the network — not of our own code.
 */
import type {
  Ack,
  ClientEventName,
  ClientRequests,
  Message,
  Room,
  User,
} from '../api/events';
import { ApiError, type HttpApi, type HttpOptions } from '../api/http';
import { fakeRest } from './fakeRest';
import type { Realtime, RealtimeFactory, RealtimeHandlers } from '../api/socket';

type Handler<E extends ClientEventName> = (
  payload: ClientRequests[E]['payload'],
  connection: FakeConnection,
) => Ack<ClientRequests[E]['result']> | Promise<Ack<ClientRequests[E]['result']>>;

export class FakeConnection implements Realtime {
  connected = false;
  closed = false;
  readonly requests: { event: ClientEventName; payload: unknown }[] = [];

  constructor(
    readonly backend: FakeBackend,
    readonly token: string,
    readonly handlers: RealtimeHandlers,
  ) {}

  get user(): User | undefined {
    return this.backend.userForToken(this.token);
  }

  async request<E extends ClientEventName>(
    event: E,
    payload: ClientRequests[E]['payload'],
  ): Promise<Ack<ClientRequests[E]['result']>> {
    this.requests.push({ event, payload });
    if (!this.connected) {
      return { ok: false, error: { code: 'disconnected', message: 'Not connected.' } };
    }
    const override = this.backend.overrides[event];
    if (override) return override(payload, this);
    return this.backend.handle(event, payload, this);
  }

  close(): void {
    this.closed = true;
    this.connected = false;
  }

  /** Server side: accept the connection (or refuse it). */
  open(): void {
    if (!this.backend.userForToken(this.token)) {
      this.handlers.connectError('unauthorized', false);
      return;
    }
    this.connected = true;
    this.handlers.connect();
  }

  /** Network drop: the client will try to reconnect. */
  drop(): void {
    this.connected = false;
    for (const room of this.backend.rooms.values()) room.sockets.delete(this);
    this.handlers.disconnect('transport close', true);
  }

  sent(event: ClientEventName): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }
}

export interface RoomRecord {
  room: Room;
  members: Set<number>;
  messages: Message[];
  sockets: Set<FakeConnection>;
}

export class FakeBackend {
  users: { user: User; password: string }[] = [];
  tokens = new Map<string, number>();
  rooms = new Map<number, RoomRecord>();
  connections: FakeConnection[] = [];
  overrides: Partial<{ [E in ClientEventName]: Handler<E> }> = {};
  /** Connect new sockets at once (false: the test calls open() itself). */
  autoConnect = true;
  joinLimit = 200;
  private nextId = 1;

  // ------------------------------------------------------------ setup helpers

  addUser(username: string, password = 'password123'): User {
    const user = { id: this.nextId++, username };
    this.users.push({ user, password });
    return user;
  }

  tokenFor(user: User): string {
    const token = `token-${user.id}-${this.tokens.size}`;
    this.tokens.set(token, user.id);
    return token;
  }

  userForToken(token: string): User | undefined {
    const id = this.tokens.get(token);
    return this.users.find((u) => u.user.id === id)?.user;
  }

  addRoom(name: string, owner: User, isPrivate = false, members: User[] = [owner]): Room {
    const room: Room = {
      id: this.nextId++,
      name,
      private: isPrivate,
      owner,
      created_at: '2026-01-01T10:00:00Z',
      last_seq: 0,
    };
    this.rooms.set(room.id, {
      room,
      members: new Set(members.map((m) => m.id)),
      messages: [],
      sockets: new Set(),
    });
    return room;
  }

  /** A message committed by someone (no socket emit unless `broadcast`). */
  post(roomId: number, sender: User, body: string, broadcast = false, clientId?: string): Message {
    const record = this.record(roomId);
    const seq = record.room.last_seq + 1;
    record.room = { ...record.room, last_seq: seq };
    const message: Message = {
      id: this.nextId++,
      room_id: roomId,
      seq,
      sender,
      body,
      client_id: clientId ?? `c-${seq}-${Math.random().toString(36).slice(2)}`,
      created_at: new Date(Date.UTC(2026, 0, 1, 10, 0, seq)).toISOString(),
      edited_at: null,
      deleted: false,
    };
    record.messages.push(message);
    if (broadcast) for (const socket of record.sockets) socket.handlers.message(message);
    return message;
  }

  /** The connected sockets of a user (every tab). */
  socketsOf(userId: number): FakeConnection[] {
    return this.connections.filter((c) => c.connected && c.user?.id === userId);
  }

  /** The server's `room_added` to every socket of a new member. */
  pushAdded(userId: number, roomId: number): void {
    const room = this.record(roomId).room;
    for (const socket of this.socketsOf(userId)) socket.handlers.room_added(room);
  }

  /** The membership ends: the user's sockets leave the room and hear `room_removed`. */
  endMembership(roomId: number, userId: number): void {
    const record = this.record(roomId);
    record.members.delete(userId);
    for (const socket of this.socketsOf(userId)) {
      record.sockets.delete(socket);
      socket.handlers.room_removed({ room_id: roomId });
    }
  }

  /** `room_created` to every connected socket, for a public room. */
  pushCreated(roomId: number): void {
    const room = this.record(roomId).room;
    if (room.private) return;
    for (const socket of this.connections) if (socket.connected) socket.handlers.room_created(room);
  }

  record(roomId: number): RoomRecord {
    const record = this.rooms.get(roomId);
    if (!record) throw new ApiError(404, 'not_found', 'Room not found.');
    return record;
  }

  latestConnection(): FakeConnection {
    const last = this.connections[this.connections.length - 1];
    if (!last) throw new Error('no connection yet');
    return last;
  }

  // ------------------------------------------------------------ socket side

  readonly realtime: RealtimeFactory = (token, handlers) => {
    const connection = new FakeConnection(this, token, handlers);
    this.connections.push(connection);
    if (this.autoConnect) queueMicrotask(() => {
      connection.open();
    });
    return connection;
  };

  handle<E extends ClientEventName>(
    event: E,
    payload: ClientRequests[E]['payload'],
    connection: FakeConnection,
  ): Ack<ClientRequests[E]['result']> {
    const user = connection.user;
    if (!user) return { ok: false, error: { code: 'unauthorized', message: 'unauthorized' } };
    const fail = (code: 'not_found' | 'forbidden' | 'invalid', message: string) =>
      ({ ok: false, error: { code, message } }) as const;
    switch (event) {
      case 'join': {
        const p = payload as ClientRequests['join']['payload'];
        const record = this.rooms.get(p.room_id);
        if (!record) return fail('not_found', 'No such room.');
        if (record.room.private && !record.members.has(user.id)) {
          return fail('not_found', 'No such room.');
        }
        record.members.add(user.id);
        const wasOnline = [...record.sockets].some((s) => s.user?.id === user.id);
        record.sockets.add(connection);
        if (!wasOnline) {
          for (const socket of record.sockets) {
            if (socket !== connection) {
              socket.handlers.presence({ room_id: p.room_id, user, online: true });
            }
          }
        }
        const since = p.since_seq ?? 0;
        const newer = record.messages.filter((m) => m.seq > since);
        const online = new Map<number, User>();
        for (const socket of record.sockets) if (socket.user) online.set(socket.user.id, socket.user);
        return {
          ok: true,
          room: record.room,
          messages: newer.slice(0, this.joinLimit),
          has_more: newer.length > this.joinLimit,
          online: [...online.values()],
        } as Ack<ClientRequests[E]['result']>;
      }
      case 'leave': {
        const p = payload as ClientRequests['leave']['payload'];
        this.rooms.get(p.room_id)?.sockets.delete(connection);
        return { ok: true } as Ack<ClientRequests[E]['result']>;
      }
      case 'send': {
        const p = payload as ClientRequests['send']['payload'];
        const record = this.rooms.get(p.room_id);
        if (!record?.sockets.has(connection)) return fail('forbidden', 'Join first.');
        const existing = record.messages.find(
          (m) => m.client_id === p.client_id && m.sender.id === user.id,
        );
        const message = existing ?? this.post(p.room_id, user, p.body, true, p.client_id);
        return { ok: true, message } as Ack<ClientRequests[E]['result']>;
      }
      case 'typing': {
        const p = payload as ClientRequests['typing']['payload'];
        const record = this.rooms.get(p.room_id);
        for (const socket of record?.sockets ?? []) {
          if (socket.user?.id !== user.id) socket.handlers.typing({ room_id: p.room_id, user });
        }
        return { ok: true } as Ack<ClientRequests[E]['result']>;
      }
      case 'read':
        return { ok: true } as Ack<ClientRequests[E]['result']>;
      case 'edit':
      case 'delete': {
        const p = payload as { message_id: number; body?: string };
        for (const record of this.rooms.values()) {
          const index = record.messages.findIndex((m) => m.id === p.message_id);
          const found = record.messages[index];
          if (!found) continue;
          if (found.sender.id !== user.id && record.room.owner.id !== user.id) {
            return fail('forbidden', 'Not yours.');
          }
          const updated: Message =
            event === 'edit'
              ? { ...found, body: p.body ?? '', edited_at: '2026-01-01T11:00:00Z' }
              : { ...found, body: '', deleted: true };
          record.messages[index] = updated;
          for (const socket of record.sockets) socket.handlers.message_updated(updated);
          return { ok: true, message: updated } as Ack<ClientRequests[E]['result']>;
        }
        return fail('not_found', 'No such message.');
      }
    }
    return fail('invalid', 'Unknown event.');
  }

  // ------------------------------------------------------------ REST side

  httpCalls: string[] = [];
  httpOptions: HttpOptions | null = null;
  /** REST calls that fail with the given error the next `times` times they are made. */
  readonly httpFailures = new Map<keyof HttpApi, { error: ApiError; times: number }>();

  failHttp(method: keyof HttpApi, error: ApiError, times = 1): void {
    this.httpFailures.set(method, { error, times });
  }

  readonly http = (options: HttpOptions): HttpApi => fakeRest(this, options);
}

/** A Storage stand-in (jsdom has localStorage, but tests want their own). */
export function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => {
      data.set(key, value);
    },
    removeItem: (key: string) => {
      data.delete(key);
    },
    data,
  };
}

/** Let chains of awaited promises settle (works with fake timers too). */
export async function flush(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await new Promise<void>((resolve) => {
      queueMicrotask(resolve);
    });
  }
}
