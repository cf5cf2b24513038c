/**
 * What every part of the store shares: the state and its subscribers, the
 * injectable outside world (REST, socket, storage, clock), the token and socket of
 * the session, and its timers. The parts (session, connection, rooms, history,
 * outbox, typing, reads) each own one job and reach each other through ChatStore.
 */
import type { Room } from '../api/events';
import { ApiError, createHttp, type HttpApi, type HttpOptions } from '../api/http';
import { connectRealtime, type Realtime, type RealtimeFactory } from '../api/socket';
import { reducer } from './reducer';
import { initialState, type Action, type ChatState } from './state';

export type Result = { ok: true } | { ok: false; message: string; code: string };

export interface StoreDeps {
  http: (options: HttpOptions) => HttpApi;
  realtime: RealtimeFactory;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  randomId: () => string;
  now: () => number;
  isVisible: () => boolean;
  isOnline: () => boolean;
}

function defaultDeps(): StoreDeps {
  return {
    http: createHttp,
    realtime: connectRealtime,
    storage: window.localStorage,
    randomId: () => crypto.randomUUID(),
    now: () => Date.now(),
    isVisible: () => document.visibilityState === 'visible',
    isOnline: () => navigator.onLine,
  };
}

export function errorResult(error: unknown): Result {
  if (error instanceof ApiError) return { ok: false, message: error.message, code: error.code };
  return { ok: false, message: 'Something went wrong. Please try again.', code: 'unknown' };
}

export const SESSION_ENDED = 'Your session has ended. Please log in again.';

export class StoreCore {
  private state: ChatState = initialState;
  private readonly listeners = new Set<() => void>();
  readonly deps: StoreDeps;
  readonly http: HttpApi;
  token: string | null = null;
  realtime: Realtime | null = null;
  /** Bumped on every sign-in/out so late answers of an old session are dropped. */
  epoch = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(deps: Partial<StoreDeps>, onUnauthorized: () => void) {
    this.deps = { ...defaultDeps(), ...deps };
    this.http = this.deps.http({
      getToken: () => this.token,
      onUnauthorized,
    });
  }

  getState = (): ChatState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  dispatch(action: Action): void {
    const next = reducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  isConnected(): boolean {
    return this.realtime?.connected ?? false;
  }

  later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Room of the given id as the directory knows it. */
  room(roomId: number): Room | undefined {
    return this.state.rooms[roomId];
  }
}
