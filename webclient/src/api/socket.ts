/**
 * The one Socket.IO module. It opens the connection with the bearer token, binds
 * every server event once, and turns each client event into a promise of its ack
 * (`{ok: true, ...}` or `{ok: false, error}`), never a rejection.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AckFailure,
  ClientEventName,
  ClientRequests,
  ClientToServerEvents,
  ServerToClientEvents,
} from './events';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeHandlers extends ServerToClientEvents {
  connect(): void;
  /** `willReconnect` is false once the client gave up or was closed on purpose. */
  disconnect(reason: string, willReconnect: boolean): void;
  /** `message` is `unauthorized` when the server refused the token. */
  connectError(message: string, willReconnect: boolean): void;
  reconnecting(attempt: number): void;
}

export interface Realtime {
  readonly connected: boolean;
  request<E extends ClientEventName>(
    event: E,
    payload: ClientRequests[E]['payload'],
    timeoutMs?: number,
  ): Promise<Ack<ClientRequests[E]['result']>>;
  /** Disconnect for good (logout); no reconnection follows. */
  close(): void;
}

export type RealtimeFactory = (token: string, handlers: RealtimeHandlers) => Realtime;

export const DEFAULT_ACK_TIMEOUT_MS = 10_000;

export interface SocketOptions {
  /** Server URL; undefined means the page's own origin. */
  url?: string;
  /** Exposed for tests: the io() to call. */
  ioImpl?: typeof io;
}

function failure(code: AckFailure['error']['code'], message: string): AckFailure {
  return { ok: false, error: { code, message } };
}

function isAck(value: unknown): value is Ack {
  return typeof value === 'object' && value !== null && typeof (value as Ack).ok === 'boolean';
}

export function createRealtimeFactory(options: SocketOptions = {}): RealtimeFactory {
  const ioImpl = options.ioImpl ?? io;
  return (token, handlers) => {
    const socketOptions = {
      path: '/socket.io',
      auth: { token },
      // Websocket first: behind several server processes without sticky sessions,
      // polling clients connected 5 times in 20 and websocket clients 20 in 20
      // (python-socketio #1263); polling stays as the fallback.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      randomizationFactor: 0.3,
      timeout: 10_000,
    };
    const socket: ChatSocket =
      options.url === undefined ? ioImpl(socketOptions) : ioImpl(options.url, socketOptions);
    let closed = false;

    socket.on('connect', () => {
      handlers.connect();
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect' && !closed) {
        // The server cut us (e.g. the token was revoked elsewhere). Try once more:
        // a revoked token then comes back as connect_error `unauthorized`.
        handlers.disconnect(reason, true);
        socket.connect();
        return;
      }
      handlers.disconnect(reason, socket.active);
    });
    socket.on('connect_error', (error: Error) => {
      handlers.connectError(error.message, socket.active);
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      handlers.reconnecting(attempt);
    });

    socket.on('message', (message) => {
      handlers.message(message);
    });
    socket.on('message_updated', (message) => {
      handlers.message_updated(message);
    });
    socket.on('typing', (event) => {
      handlers.typing(event);
    });
    socket.on('presence', (event) => {
      handlers.presence(event);
    });
    socket.on('room_added', (room) => {
      handlers.room_added(room);
    });
    socket.on('room_removed', (event) => {
      handlers.room_removed(event);
    });
    socket.on('room_created', (room) => {
      handlers.room_created(room);
    });

    return {
      get connected() {
        return socket.connected;
      },
      async request(event, payload, timeoutMs = DEFAULT_ACK_TIMEOUT_MS) {
        if (!socket.connected) {
          return failure('disconnected', 'Not connected to the server.');
        }
        try {
          // The typed overloads of emitWithAck do not narrow over a generic event
          // name; the payload type is checked by this function's own signature.
          const timed = socket.timeout(timeoutMs) as unknown as {
            emitWithAck(ev: string, data: unknown): Promise<unknown>;
          };
          const response = await timed.emitWithAck(event, payload);
          if (!isAck(response)) return failure('invalid', 'Malformed acknowledgement.');
          return response;
        } catch {
          return failure('timeout', 'The server did not answer in time.');
        }
      },
      close() {
        closed = true;
        socket.removeAllListeners();
        socket.io.removeAllListeners('reconnect_attempt');
        socket.disconnect();
      },
    };
  };
}

export const connectRealtime: RealtimeFactory = createRealtimeFactory();
