/** Who is signed in: the stored token, login, registration, logout. */
import type { User } from '../api/events';
import { ApiError } from '../api/http';
import type { ChatStore } from './chatStore';
import { errorResult, SESSION_ENDED, type Result } from './core';

export const TOKEN_KEY = 'chatapp.token';
export const ROOM_KEY = 'chatapp.room';

export class SessionPart {
  constructor(private readonly store: ChatStore) {}

  /** On page load: a stored token keeps the user logged in across reloads. */
  async restore(): Promise<void> {
    const store = this.store;
    const token = store.deps.storage.getItem(TOKEN_KEY);
    if (!token) {
      store.dispatch({ type: 'session/signedOut', notice: null });
      return;
    }
    store.token = token;
    store.dispatch({ type: 'session/checking' });
    try {
      const user = await store.http.me();
      await this.begin(user);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.signOut(SESSION_ENDED);
      } else {
        store.token = null;
        store.dispatch({
          type: 'session/signedOut',
          notice: 'Cannot reach the server right now. Reload to try again, or log in.',
        });
      }
    }
  }

  async login(username: string, password: string): Promise<Result> {
    const store = this.store;
    try {
      const response = await store.http.login({ username, password });
      store.token = response.access_token;
      store.deps.storage.setItem(TOKEN_KEY, response.access_token);
      const user = await store.http.me();
      await this.begin(user);
      return { ok: true };
    } catch (error) {
      store.token = null;
      store.deps.storage.removeItem(TOKEN_KEY);
      return errorResult(error);
    }
  }

  async register(username: string, password: string): Promise<Result> {
    try {
      await this.store.http.register({ username, password });
    } catch (error) {
      return errorResult(error);
    }
    return this.login(username, password);
  }

  async logout(): Promise<void> {
    // Close the socket first: the server cuts sockets of a revoked token, and the
    // socket module would otherwise try to reconnect once.
    this.store.connection.close();
    this.store.outbox.forgetStored();
    try {
      if (this.store.token) await this.store.http.logout();
    } catch {
      // The token is dropped either way; a failed revoke only means it expires later.
    }
    this.signOut(null);
  }

  /** Drop everything of the session: token, socket, timers, state. */
  signOut(notice: string | null): void {
    const store = this.store;
    store.epoch += 1;
    store.token = null;
    store.deps.storage.removeItem(TOKEN_KEY);
    store.deps.storage.removeItem(ROOM_KEY);
    store.connection.close();
    store.outbox.detach();
    store.clearTimers();
    store.typists.reset();
    store.reads.reset();
    store.dispatch({ type: 'session/signedOut', notice });
  }

  private async begin(user: User): Promise<void> {
    const store = this.store;
    store.epoch += 1;
    store.dispatch({ type: 'session/signedIn', user });
    store.outbox.restore(user);
    store.connection.open();
    await store.rooms.refresh();
    const saved = Number(store.deps.storage.getItem(ROOM_KEY));
    if (saved && store.getState().rooms[saved] && store.getState().activeRoomId === null) {
      await store.rooms.open(saved);
    }
  }
}
