// A bare socket.io 4.8 server doing the room broadcast ChatApp does, and nothing else:
// no database, no auth check, no limits. chat-bench drives it with the same events as
// ChatApp (see docs/protocol.md) to give a same-machine, same-run reference.
//
//   node server.js --port 8100 [--host 127.0.0.1]
//
// REST stubs (enough for chat-bench and the locustfile to provision):
//   POST /api/auth/register, POST /api/auth/login, GET/POST /api/rooms, GET /api/health
// Socket.IO: any auth is accepted; `join` -> socket.join + ack {ok, room, ...};
// `send` -> the room's next seq, io.to(room).emit('message', message) + ack {ok, message}.
'use strict';

const http = require('node:http');
const { Server } = require('socket.io');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '8100'));

const users = new Map(); // lower-case username -> {id, username}
const rooms = new Map(); // id (string) -> room
const roomsByName = new Map();
let nextUserId = 1;
let nextRoomId = 1;
let nextMessageId = 1;

function newRoom(name, owner) {
  const room = {
    id: nextRoomId++,
    name,
    private: false,
    owner: owner || { id: 0, username: 'system' },
    created_at: new Date().toISOString(),
    last_seq: 0,
  };
  rooms.set(String(room.id), room);
  roomsByName.set(name.toLowerCase(), room);
  return room;
}

function userOf(token) {
  const name = typeof token === 'string' && token.startsWith('ref.') ? token.slice(4) : 'anonymous';
  const known = users.get(name.toLowerCase());
  return known || { id: 0, username: name };
}

function reply(res, status, body) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function readJson(req, done) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      done(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {});
    } catch {
      done(null);
    }
  });
}

function bearer(req) {
  const h = req.headers.authorization || '';
  return h.startsWith('Bearer ') ? h.slice(7) : null;
}

const server = http.createServer((req, res) => {
  const url = req.url.split('?')[0];
  if (req.method === 'GET' && (url === '/api/health' || url === '/api/ready')) return reply(res, 200, { status: 'ok' });
  if (req.method === 'POST' && url === '/api/auth/register') {
    return readJson(req, (body) => {
      if (!body || typeof body.username !== 'string') return reply(res, 400, { message: 'invalid', code: 'invalid' });
      const key = body.username.toLowerCase();
      if (users.has(key)) return reply(res, 409, { message: 'taken', code: 'conflict' });
      const user = { id: nextUserId++, username: body.username };
      users.set(key, user);
      return reply(res, 201, user);
    });
  }
  if (req.method === 'POST' && url === '/api/auth/login') {
    return readJson(req, (body) => {
      if (!body || typeof body.username !== 'string') return reply(res, 400, { message: 'invalid', code: 'invalid' });
      return reply(res, 200, { access_token: `ref.${body.username}`, token_type: 'bearer', expires_in: 3600 });
    });
  }
  if (url === '/api/rooms' && req.method === 'GET') {
    if (!bearer(req)) return reply(res, 401, { message: 'unauthorized', code: 'unauthorized' });
    return reply(res, 200, Array.from(rooms.values()));
  }
  if (url === '/api/rooms' && req.method === 'POST') {
    const token = bearer(req);
    if (!token) return reply(res, 401, { message: 'unauthorized', code: 'unauthorized' });
    return readJson(req, (body) => {
      if (!body || typeof body.name !== 'string' || !body.name) return reply(res, 400, { message: 'invalid', code: 'invalid' });
      if (roomsByName.has(body.name.toLowerCase())) return reply(res, 409, { message: 'taken', code: 'conflict' });
      return reply(res, 201, newRoom(body.name, userOf(token)));
    });
  }
  if (!url.startsWith('/socket.io')) reply(res, 404, { message: 'not found', code: 'not_found' });
});

const io = new Server(server, { cors: { origin: true }, maxHttpBufferSize: 65536 });

io.on('connection', (socket) => {
  const user = userOf(socket.handshake.auth && socket.handshake.auth.token);
  socket.on('join', (payload, ack) => {
    const key = String(payload && payload.room_id);
    const room = rooms.get(key) || newRoom(`auto-${key}`);
    rooms.set(key, room);
    socket.join(key);
    if (typeof ack === 'function') ack({ ok: true, room, messages: [], has_more: false, online: [] });
  });
  socket.on('leave', (payload, ack) => {
    socket.leave(String(payload && payload.room_id));
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('send', (payload, ack) => {
    const key = String(payload && payload.room_id);
    const room = rooms.get(key);
    if (!room || !socket.rooms.has(key)) {
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'forbidden', message: 'join the room first' } });
      return;
    }
    room.last_seq += 1;
    const message = {
      id: nextMessageId++,
      room_id: room.id,
      seq: room.last_seq,
      sender: user,
      body: payload.body,
      client_id: payload.client_id,
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted: false,
    };
    io.to(key).emit('message', message);
    if (typeof ack === 'function') ack({ ok: true, message });
  });
});

server.listen(port, host, () => {
  console.log(`reference socket.io server on http://${host}:${port}`);
});

function stop() {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
