/**
 * The one HTTP module: every REST call of the contract, under `/api`, same origin.
 * Components never call fetch; they go through the store, which holds one of these.
 */
import type {
  Credentials,
  ErrorBody,
  HistoryQuery,
  LoginResponse,
  MessagePage,
  Room,
  SearchPage,
  SearchQuery,
  UpdateRoomRequest,
  User,
} from './events';

/** A failed REST call: the contract's `{message, code}` plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface HttpOptions {
  /** Prefix for every path; '' means the page's own origin. */
  baseUrl?: string;
  getToken: () => string | null;
  /** Called when an authenticated call answers 401 (expired or revoked token). */
  onUnauthorized?: () => void;
  fetchImpl?: typeof fetch;
}

export interface HttpApi {
  register(credentials: Credentials): Promise<User>;
  login(credentials: Credentials): Promise<LoginResponse>;
  logout(): Promise<void>;
  me(): Promise<User>;
  listRooms(): Promise<Room[]>;
  createRoom(name: string, isPrivate: boolean): Promise<Room>;
  getRoom(roomId: number): Promise<Room>;
  joinRoom(roomId: number): Promise<void>;
  addMember(roomId: number, username: string): Promise<void>;
  /** 409 `conflict` for an owner while others are members: hand the room over first. */
  leaveRoom(roomId: number): Promise<void>;
  updateRoom(roomId: number, changes: UpdateRoomRequest): Promise<Room>;
  messages(roomId: number, query?: HistoryQuery): Promise<MessagePage>;
  search(query: SearchQuery): Promise<SearchPage>;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Send the bearer token; a 401 then means the session is over. */
  auth?: boolean;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).message === 'string' &&
    typeof (value as ErrorBody).code === 'string'
  );
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createHttp(options: HttpOptions): HttpApi {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetchImpl ?? ((input, init) => fetch(input, init));

  async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const auth = opts.auth ?? true;
    if (auth) {
      const token = options.getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/api${path}`, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
    }
    const data = await readJson(response);
    if (!response.ok) {
      if (auth && response.status === 401) options.onUnauthorized?.();
      if (isErrorBody(data)) throw new ApiError(response.status, data.code, data.message);
      throw new ApiError(
        response.status,
        `http_${response.status}`,
        response.statusText || `Request failed (${response.status})`,
      );
    }
    return data as T;
  }

  const room = (roomId: number) => `/rooms/${encodeURIComponent(String(roomId))}`;

  return {
    register: (credentials) =>
      request<User>('/auth/register', { method: 'POST', body: credentials, auth: false }),
    login: (credentials) =>
      request<LoginResponse>('/auth/login', { method: 'POST', body: credentials, auth: false }),
    logout: () => request<undefined>('/auth/logout', { method: 'POST' }),
    me: () => request<User>('/users/me'),
    listRooms: () => request<Room[]>('/rooms'),
    createRoom: (name, isPrivate) =>
      request<Room>('/rooms', { method: 'POST', body: { name, private: isPrivate } }),
    getRoom: (roomId) => request<Room>(room(roomId)),
    joinRoom: async (roomId) => {
      await request<unknown>(`${room(roomId)}/members`, { method: 'POST', body: {} });
    },
    addMember: async (roomId, username) => {
      await request<unknown>(`${room(roomId)}/members`, { method: 'POST', body: { username } });
    },
    leaveRoom: async (roomId) => {
      await request<unknown>(`${room(roomId)}/members/me`, { method: 'DELETE' });
    },
    updateRoom: (roomId, changes) =>
      request<Room>(room(roomId), { method: 'PATCH', body: changes }),
    messages: (roomId, query = {}) => {
      const params = new URLSearchParams();
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.after !== undefined) params.set('after', String(query.after));
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      const qs = params.toString();
      return request<MessagePage>(`${room(roomId)}/messages${qs ? `?${qs}` : ''}`);
    },
    search: (query) => {
      const params = new URLSearchParams({ q: query.q });
      if (query.room_id !== undefined) params.set('room_id', String(query.room_id));
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      return request<SearchPage>(`/search?${params.toString()}`);
    },
  };
}
