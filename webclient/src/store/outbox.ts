/**
 * Messages the user sent that the server has not acknowledged: shown at once,
 * confirmed by the ack, retried with one client_id so none is ever stored twice.
 */
import { LIMITS, type User } from '../api/events';
import type { ChatStore } from './chatStore';
import type { Result } from './core';
import type { PendingMessage } from './state';

export const SEND_TIMEOUT_MS = 8000;
/** Followed by the user's id: that user's unsent messages, kept across reloads. */
export const OUTBOX_KEY = 'chatapp.outbox.';
export const MAX_AUTO_ATTEMPTS = 5;

/** Ack errors worth another try with the same client_id. */
const TRANSIENT = new Set(['timeout', 'disconnected', 'unavailable', 'rate_limited']);

export function checkBody(text: string, emptyMessage: string): Result & { body: string } {
  const body = text.trim();
  if (!body) return { ok: false, code: 'invalid', message: emptyMessage, body };
  if (body.length > LIMITS.bodyMax) {
    return {
      ok: false,
      code: 'too_large',
      message: `Messages are limited to ${LIMITS.bodyMax} characters.`,
      body,
    };
  }
  return { ok: true, body };
}

function isPending(value: unknown): value is PendingMessage {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.client_id === 'string' &&
    typeof p.room_id === 'number' &&
    typeof p.body === 'string' &&
    typeof p.created_at === 'string' &&
    (p.status === 'queued' || p.status === 'sending' || p.status === 'failed')
  );
}

function parseStored(text: string | null): PendingMessage[] {
  if (!text) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter(isPending) : [];
  } catch {
    return [];
  }
}

export class OutboxPart {
  private readonly inFlight = new Map<string, symbol>();
  /** The user whose outbox is mirrored to storage; null while signed out. */
  private storedFor: number | null = null;
  private saved = '';

  constructor(private readonly store: ChatStore) {
    store.subscribe(() => {
      this.save();
    });
  }

  /**
   * At sign-in: bring back this user's unsent messages from storage. Each keeps
   * its client_id, so one that did reach the server before the reload is stored
   * once (the server answers a repeated client_id with the original message).
   */
  restore(user: User): void {
    const store = this.store;
    const pending = parseStored(store.deps.storage.getItem(OUTBOX_KEY + String(user.id))).map(
      (p): PendingMessage => ({
        ...p,
        status: p.status === 'failed' ? 'failed' : 'queued',
        error: typeof p.error === 'string' ? p.error : null,
        attempts: 0,
      }),
    );
    this.storedFor = user.id;
    this.saved = '';
    if (pending.length > 0) store.dispatch({ type: 'outbox/restored', pending });
  }

  /** The session ends: stop mirroring (what is stored stays for the next sign-in). */
  detach(): void {
    this.storedFor = null;
    this.saved = '';
  }

  /** Logout on purpose: the unsent messages go with the session. */
  forgetStored(): void {
    if (this.storedFor !== null) {
      this.store.deps.storage.removeItem(OUTBOX_KEY + String(this.storedFor));
    }
    this.detach();
  }

  private save(): void {
    const state = this.store.getState();
    if (this.storedFor === null || state.session.user?.id !== this.storedFor) return;
    const all = Object.values(state.views).flatMap((view) => view.pending);
    const text = all.length === 0 ? '' : JSON.stringify(all);
    if (text === this.saved) return;
    this.saved = text;
    const key = OUTBOX_KEY + String(this.storedFor);
    if (text) this.store.deps.storage.setItem(key, text);
    else this.store.deps.storage.removeItem(key);
  }

  /** Acks of a connection that ended never come: forget what was awaiting one. */
  forgetInFlight(): void {
    this.inFlight.clear();
  }

  /** Optimistic send: shown at once, confirmed by the ack, retried with one client_id. */
  send(roomId: number, text: string): Result {
    const store = this.store;
    const checked = checkBody(text, 'Write something first.');
    if (!checked.ok) return { ok: false, code: checked.code, message: checked.message };
    const pending: PendingMessage = {
      client_id: store.deps.randomId(),
      room_id: roomId,
      body: checked.body,
      status: 'queued',
      error: null,
      attempts: 0,
      created_at: new Date(store.deps.now()).toISOString(),
    };
    store.dispatch({ type: 'pending/added', pending });
    store.typists.sent(roomId);
    void this.deliver(roomId, pending.client_id);
    return { ok: true };
  }

  /** Manual retry of a failed message: same client_id, so never a duplicate. */
  retry(roomId: number, clientId: string): void {
    this.store.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'queued',
      error: null,
      attempts: 0,
    });
    void this.deliver(roomId, clientId);
  }

  discard(roomId: number, clientId: string): void {
    this.store.dispatch({ type: 'pending/removed', roomId, clientId });
  }

  /** After a join: send what waited for it. */
  flush(roomId: number): void {
    for (const pending of this.store.getState().views[roomId]?.pending ?? []) {
      if (pending.status !== 'failed') void this.deliver(roomId, pending.client_id);
    }
  }

  private queued(roomId: number, clientId: string): void {
    this.store.dispatch({ type: 'pending/status', roomId, clientId, status: 'queued', error: null });
  }

  private async deliver(roomId: number, clientId: string): Promise<void> {
    const store = this.store;
    const realtime = store.realtime;
    const view = store.getState().views[roomId];
    const pending = view?.pending.find((p) => p.client_id === clientId);
    if (!pending || this.inFlight.has(clientId)) return;
    if (!realtime?.connected || !view?.joined) {
      // Sent from the join ack's flush once the room is joined again.
      this.queued(roomId, clientId);
      return;
    }
    const attempts = pending.attempts + 1;
    const ticket = Symbol(clientId);
    this.inFlight.set(clientId, ticket);
    store.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'sending',
      error: null,
      attempts,
    });
    const epoch = store.epoch;
    const ack = await realtime.request(
      'send',
      { room_id: roomId, body: pending.body, client_id: clientId },
      SEND_TIMEOUT_MS,
    );
    if (this.inFlight.get(clientId) === ticket) this.inFlight.delete(clientId);
    if (epoch !== store.epoch) return;
    if (ack.ok) {
      store.dispatch({ type: 'send/acked', message: ack.message });
      return;
    }
    const { code, message } = ack.error;
    if (TRANSIENT.has(code) && attempts < MAX_AUTO_ATTEMPTS) {
      this.queued(roomId, clientId);
      if (code === 'disconnected' || !store.isConnected()) return;
      const delay = Math.min(8000, 500 * 2 ** attempts);
      store.later(() => void this.deliver(roomId, clientId), delay);
      return;
    }
    store.dispatch({
      type: 'pending/status',
      roomId,
      clientId,
      status: 'failed',
      error: message.length > 0 ? message : 'Not sent.',
    });
  }
}
