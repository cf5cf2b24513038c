/**
 * The wire contract (docs/protocol.md) as types: every REST body and every
 * Socket.IO event name and payload the client relies on. The server may add
 * fields; nothing here may be renamed.
 */

export interface User {
  id: number;
  username: string;
}

export interface Room {
  id: number;
  name: string;
  private: boolean;
  owner: User;
  created_at: string;
  last_seq: number;
  /** Present in `GET /api/rooms` for rooms the caller belongs to. */
  unread?: number;
  /** Added by this server to listings; older servers omit it (then `unread` tells). */
  member?: boolean;
}

export interface Message {
  id: number;
  room_id: number;
  seq: number;
  sender: User;
  body: string;
  client_id: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
}

// ---------------------------------------------------------------- REST bodies

export interface Credentials {
  username: string;
  password: string;
}

export interface LoginResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface CreateRoomRequest {
  name: string;
  private?: boolean;
}

/** `PATCH /api/rooms/{id}` (second edition): the owner hands the room over. */
export interface UpdateRoomRequest {
  owner: string;
}

export interface AddMemberRequest {
  username?: string;
}

export interface MessagePage {
  messages: Message[];
  has_more: boolean;
}

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** `GET /api/search` (second edition): every word of `q`, newest first. */
export interface SearchQuery {
  q: string;
  room_id?: number;
  /** A message id: results older than it (the last result's id of the page before). */
  before?: number;
  limit?: number;
}

export interface SearchPage {
  results: Message[];
  has_more: boolean;
}

/** Every REST error body. */
export interface ErrorBody {
  message: string;
  code: string;
}

// ---------------------------------------------------------------- Socket.IO

export type AckErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable';

/**
 * Codes the client itself produces when no ack came back: the request timed out,
 * or the socket was not connected so nothing was sent.
 */
export type LocalErrorCode = 'timeout' | 'disconnected';

export interface AckError {
  code: AckErrorCode | LocalErrorCode;
  message: string;
}

export type AckFailure = { ok: false; error: AckError };
export type Ack<T extends object = object> = ({ ok: true } & T) | AckFailure;

export interface JoinRequest {
  room_id: number;
  since_seq?: number;
}
export interface JoinResult {
  room: Room;
  messages: Message[];
  has_more: boolean;
  online: User[];
}

export interface LeaveRequest {
  room_id: number;
}
export interface SendRequest {
  room_id: number;
  body: string;
  client_id: string;
}
export interface MessageResult {
  message: Message;
}
export interface TypingRequest {
  room_id: number;
}
export interface ReadRequest {
  room_id: number;
  seq: number;
}
export interface EditRequest {
  message_id: number;
  body: string;
}
export interface DeleteRequest {
  message_id: number;
}

/** Client → server events: payload and the `ok` fields of the ack. */
export interface ClientRequests {
  join: { payload: JoinRequest; result: JoinResult };
  leave: { payload: LeaveRequest; result: object };
  send: { payload: SendRequest; result: MessageResult };
  typing: { payload: TypingRequest; result: object };
  read: { payload: ReadRequest; result: object };
  edit: { payload: EditRequest; result: MessageResult };
  delete: { payload: DeleteRequest; result: MessageResult };
}
export type ClientEventName = keyof ClientRequests;

export interface TypingEvent {
  room_id: number;
  user: User;
}
export interface PresenceEvent {
  room_id: number;
  user: User;
  online: boolean;
}

export interface RoomRemovedEvent {
  room_id: number;
}

/** Server → client events. */
export interface ServerToClientEvents {
  message: (message: Message) => void;
  message_updated: (message: Message) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  /** Second edition: the user became a member of this room (on any of its tabs). */
  room_added: (room: Room) => void;
  /** Second edition: the user left or was removed from this room. */
  room_removed: (event: RoomRemovedEvent) => void;
  /** Second edition: someone created a public room. */
  room_created: (room: Room) => void;
}
export type ServerEventName = keyof ServerToClientEvents;

/** The same requests in socket.io-client's typed-events shape (ack as last argument). */
export type ClientToServerEvents = {
  [E in ClientEventName]: (
    payload: ClientRequests[E]['payload'],
    ack: (response: Ack<ClientRequests[E]['result']>) => void,
  ) => void;
};

/** Limits the contract states; the client checks them before sending. */
export const LIMITS = {
  usernameMin: 3,
  usernameMax: 32,
  usernamePattern: /^[A-Za-z0-9_.-]+$/,
  passwordMin: 8,
  passwordMax: 128,
  bodyMax: 4000,
  historyPageMax: 200,
  searchMax: 200,
} as const;
