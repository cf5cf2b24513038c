import type { io } from 'socket.io-client';
import { describe, expect, it, vi } from 'vitest';
import { connectRealtime, createRealtimeFactory, type RealtimeHandlers } from './socket';

type Listener = (...args: unknown[]) => void;

/** Just enough of a socket.io-client Socket for the module under test. */
class FakeIoSocket {
  connected = false;
  active = true;
  listeners = new Map<string, Listener[]>();
  managerListeners = new Map<string, Listener[]>();
  emitted: { event: string; payload: unknown; timeout: number | undefined }[] = [];
  nextAck: () => Promise<unknown> = () => Promise.resolve({ ok: true });
  private flagTimeout: number | undefined;
  connectCalls = 0;
  disconnectCalls = 0;

  io = {
    on: (event: string, fn: Listener) => {
      this.managerListeners.set(event, [...(this.managerListeners.get(event) ?? []), fn]);
    },
    removeAllListeners: (event: string) => {
      this.managerListeners.delete(event);
    },
  };

  on(event: string, fn: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }

  removeAllListeners() {
    this.listeners.clear();
    return this;
  }

  timeout(ms: number) {
    this.flagTimeout = ms;
    return this;
  }

  emitWithAck(event: string, payload: unknown) {
    this.emitted.push({ event, payload, timeout: this.flagTimeout });
    this.flagTimeout = undefined;
    return this.nextAck();
  }

  connect() {
    this.connectCalls += 1;
    return this;
  }

  disconnect() {
    this.disconnectCalls += 1;
    this.connected = false;
    return this;
  }

  fire(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }

  fireManager(event: string, ...args: unknown[]) {
    for (const fn of this.managerListeners.get(event) ?? []) fn(...args);
  }
}

function handlers(): RealtimeHandlers {
  return {
    connect: vi.fn(),
    disconnect: vi.fn(),
    connectError: vi.fn(),
    reconnecting: vi.fn(),
    message: vi.fn(),
    message_updated: vi.fn(),
    typing: vi.fn(),
    presence: vi.fn(),
    room_added: vi.fn(),
    room_removed: vi.fn(),
    room_created: vi.fn(),
  };
}

function setup(url?: string) {
  const socket = new FakeIoSocket();
  const ioImpl = vi.fn(() => socket) as unknown as typeof io;
  const h = handlers();
  const realtime = createRealtimeFactory({ ioImpl, ...(url ? { url } : {}) })('tok', h);
  return { socket, ioImpl, h, realtime };
}

describe('createRealtimeFactory', () => {
  it('connects to /socket.io with the token, websocket first', () => {
    const { ioImpl } = setup();
    expect(ioImpl).toHaveBeenCalledWith(
      expect.objectContaining({
        path: '/socket.io',
        auth: { token: 'tok' },
        transports: ['websocket', 'polling'],
      }),
    );
    const other = setup('http://elsewhere');
    expect(other.ioImpl).toHaveBeenCalledWith('http://elsewhere', expect.any(Object));
  });

  it('forwards every server event and connection change', () => {
    const { socket, h } = setup();
    const message = { id: 1 };
    socket.fire('connect');
    socket.fire('message', message);
    socket.fire('message_updated', message);
    socket.fire('typing', { room_id: 1 });
    socket.fire('presence', { room_id: 1, online: true });
    socket.fire('room_added', { id: 2 });
    socket.fire('room_removed', { room_id: 3 });
    socket.fire('room_created', { id: 4 });
    socket.fire('connect_error', new Error('unauthorized'));
    socket.fireManager('reconnect_attempt', 3);
    socket.fire('disconnect', 'transport close');
    expect(h.connect).toHaveBeenCalledOnce();
    expect(h.message).toHaveBeenCalledWith(message);
    expect(h.message_updated).toHaveBeenCalledWith(message);
    expect(h.typing).toHaveBeenCalledWith({ room_id: 1 });
    expect(h.presence).toHaveBeenCalledWith({ room_id: 1, online: true });
    expect(h.room_added).toHaveBeenCalledWith({ id: 2 });
    expect(h.room_removed).toHaveBeenCalledWith({ room_id: 3 });
    expect(h.room_created).toHaveBeenCalledWith({ id: 4 });
    expect(h.connectError).toHaveBeenCalledWith('unauthorized', true);
    expect(h.reconnecting).toHaveBeenCalledWith(3);
    expect(h.disconnect).toHaveBeenCalledWith('transport close', true);
  });

  it('reconnects once after the server cut the connection', () => {
    const { socket, h } = setup();
    socket.active = false;
    socket.fire('disconnect', 'io server disconnect');
    expect(h.disconnect).toHaveBeenCalledWith('io server disconnect', true);
    expect(socket.connectCalls).toBe(1);
  });

  it('answers a request with its ack', async () => {
    const { socket, realtime } = setup();
    socket.connected = true;
    socket.nextAck = () => Promise.resolve({ ok: true, message: { seq: 1 } });
    await expect(
      realtime.request('send', { room_id: 1, body: 'hi', client_id: 'c' }, 1234),
    ).resolves.toEqual({ ok: true, message: { seq: 1 } });
    expect(socket.emitted).toEqual([
      { event: 'send', payload: { room_id: 1, body: 'hi', client_id: 'c' }, timeout: 1234 },
    ]);
    expect(realtime.connected).toBe(true);
  });

  it('turns silence, garbage and a closed socket into error acks', async () => {
    const { socket, realtime } = setup();
    await expect(realtime.request('typing', { room_id: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'disconnected' },
    });
    socket.connected = true;
    socket.nextAck = () => Promise.reject(new Error('operation has timed out'));
    await expect(realtime.request('typing', { room_id: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'timeout' },
    });
    socket.nextAck = () => Promise.resolve('weird');
    await expect(realtime.request('typing', { room_id: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });

  it('close() disconnects for good and stops forwarding', () => {
    const { socket, realtime, h } = setup();
    realtime.close();
    expect(socket.disconnectCalls).toBe(1);
    socket.fire('message', {});
    expect(h.message).not.toHaveBeenCalled();
  });

  it('exports a ready factory bound to socket.io-client', () => {
    expect(typeof connectRealtime).toBe('function');
  });
});
