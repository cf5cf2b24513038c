import { describe, expect, it, vi } from 'vitest';
import { ApiError, createHttp } from './http';

function respond(status: number, body?: unknown, statusText = '') {
  return vi.fn<typeof fetch>(async () =>
    new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      statusText,
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

describe('createHttp', () => {
  it('sends JSON with the bearer token, under /api', async () => {
    const fetchImpl = respond(201, { id: 1, name: 'general' });
    const http = createHttp({ getToken: () => 'tok', fetchImpl });
    await http.createRoom('general', true);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/rooms');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"name":"general","private":true}');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer tok');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
  });

  it('does not send the token to register and login', async () => {
    const fetchImpl = respond(200, { access_token: 'a', token_type: 'bearer', expires_in: 1 });
    const http = createHttp({ getToken: () => 'tok', fetchImpl });
    await http.login({ username: 'a', password: 'b' });
    await http.register({ username: 'a', password: 'b' });
    for (const [, init] of fetchImpl.mock.calls) {
      expect(new Headers(init?.headers).has('Authorization')).toBe(false);
    }
  });

  it('builds history queries with before, after and limit', async () => {
    const fetchImpl = respond(200, { messages: [], has_more: false });
    const http = createHttp({ getToken: () => null, baseUrl: 'http://x', fetchImpl });
    await http.messages(7);
    await http.messages(7, { before: 40, limit: 50 });
    await http.messages(7, { after: 12, limit: 200 });
    expect(fetchImpl.mock.calls.map((c) => c[0])).toEqual([
      'http://x/api/rooms/7/messages',
      'http://x/api/rooms/7/messages?before=40&limit=50',
      'http://x/api/rooms/7/messages?after=12&limit=200',
    ]);
  });

  it('builds search queries: the words encoded, room, cursor and limit', async () => {
    const fetchImpl = respond(200, { results: [], has_more: false });
    const http = createHttp({ getToken: () => 'tok', baseUrl: 'http://x', fetchImpl });
    await expect(http.search({ q: 'ship it & go' })).resolves.toEqual({
      results: [],
      has_more: false,
    });
    await http.search({ q: 'deploy', room_id: 3, before: 99, limit: 20 });
    expect(fetchImpl.mock.calls.map((c) => c[0])).toEqual([
      'http://x/api/search?q=ship+it+%26+go',
      'http://x/api/search?q=deploy&room_id=3&before=99&limit=20',
    ]);
  });

  it('calls every endpoint of the contract', async () => {
    const fetchImpl = respond(204);
    const http = createHttp({ getToken: () => 't', fetchImpl });
    await http.logout();
    await http.me();
    await http.listRooms();
    await http.getRoom(3);
    await http.joinRoom(3);
    await http.addMember(3, 'bob');
    await http.leaveRoom(3);
    expect(fetchImpl.mock.calls.map((c) => `${c[1]?.method ?? ''} ${c[0] as string}`)).toEqual([
      'POST /api/auth/logout',
      'GET /api/users/me',
      'GET /api/rooms',
      'GET /api/rooms/3',
      'POST /api/rooms/3/members',
      'POST /api/rooms/3/members',
      'DELETE /api/rooms/3/members/me',
    ]);
    expect(fetchImpl.mock.calls[5]?.[1]?.body).toBe('{"username":"bob"}');
  });

  it('turns a {message, code} body into an ApiError', async () => {
    const http = createHttp({
      getToken: () => null,
      fetchImpl: respond(409, { message: 'That name is taken.', code: 'conflict' }),
    });
    const error = await http.register({ username: 'a', password: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'That name is taken.' });
  });

  it('copes with error bodies that are not the contract’s', async () => {
    const http = createHttp({ getToken: () => null, fetchImpl: respond(502, '<html>', 'Bad Gateway') });
    await expect(http.me()).rejects.toMatchObject({ status: 502, code: 'http_502', message: 'Bad Gateway' });
    const bare = createHttp({ getToken: () => null, fetchImpl: respond(500) });
    await expect(bare.me()).rejects.toMatchObject({ message: 'Request failed (500)' });
  });

  it('reports a network failure', async () => {
    const http = createHttp({
      getToken: () => null,
      fetchImpl: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    await expect(http.listRooms()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('a 401 on an authenticated call ends the session; on login it does not', async () => {
    const onUnauthorized = vi.fn();
    const fetchImpl = respond(401, { message: 'unauthorized', code: 'unauthorized' });
    const http = createHttp({ getToken: () => 't', onUnauthorized, fetchImpl });
    await expect(http.login({ username: 'a', password: 'b' })).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).not.toHaveBeenCalled();
    await expect(http.me()).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('uses the global fetch by default', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(respond(200, []));
    const http = createHttp({ getToken: () => null });
    await expect(http.listRooms()).resolves.toEqual([]);
    expect(spy).toHaveBeenCalledOnce();
  });
});
