"""Presence shared by every process through Redis, that cannot go stale when a process dies.

Each process is a node with a random id and a heartbeat in a sorted set, scored with its
deadline: Redis' own clock (so machines' clocks do not matter) plus the node's own TTL (so
processes with different PRESENCE_TTL_SECONDS never reap each other early). A node records
which (room, user) pairs it holds in a set of its own; a room's hash counts, per user, the
nodes that hold that user. Every change is one Lua script, so counts and sets never
disagree. Any node reaps a node whose deadline has passed: its pairs are uncounted in the
same script, and the users whose count reaches zero are returned to be announced offline.

The scripts name keys they derive from set members, so every presence key carries one hash
tag, `{<REDIS_PREFIX>:presence}`: on a Redis Cluster they all live in one slot, where a
script may touch them together.
"""

from __future__ import annotations

import uuid

from redis.asyncio import Redis, RedisCluster

from chat.domain.models import User

# Returns -1 when the node is unknown (reaped, or Redis lost its data): the caller resyncs.
_ARRIVE = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
return redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
"""

_DEPART = """
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

# 1 if the node was known before this beat, 0 if it had been reaped (or never registered).
_BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if known then return 1 end
return 0
"""

# ARGV: key prefix, and optionally one node to remove now (graceful shutdown).
_REAP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nodes
if ARGV[2] then
  nodes = {ARGV[2]}
else
  nodes = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
end
local gone = {}
for _, node in ipairs(nodes) do
  redis.call('ZREM', KEYS[1], node)
  local held = ARGV[1] .. 'node:' .. node
  for _, member in ipairs(redis.call('SMEMBERS', held)) do
    local slash = string.find(member, '/', 1, true)
    local room = ARGV[1] .. 'room:' .. string.sub(member, 1, slash - 1)
    local field = string.sub(member, slash + 1)
    if redis.call('HINCRBY', room, field, -1) <= 0 then
      redis.call('HDEL', room, field)
      table.insert(gone, member)
    end
  end
  redis.call('DEL', held)
end
return gone
"""

Pair = tuple[int, User]


def _field(user: User) -> str:
    # Usernames are [A-Za-z0-9_.-]: neither ':' nor '/' occurs in one.
    return f"{user.id}:{user.username}"


def _user(field: str | bytes) -> User:
    text = field.decode() if isinstance(field, bytes) else field
    ident, _, name = text.partition(":")
    return User(id=int(ident), username=name)


def _pair(member: str | bytes) -> Pair:
    text = member.decode() if isinstance(member, bytes) else member
    room, _, field = text.partition("/")
    return int(room), _user(field)


class RedisPresence:
    def __init__(self, redis: Redis | RedisCluster, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{{{prefix}:presence}}:"
        self._ttl_ms = ttl_seconds * 1000
        self.node = uuid.uuid4().hex
        self._nodes = self._prefix + "nodes"
        self._held = f"{self._prefix}node:{self.node}"
        self._arrive = redis.register_script(_ARRIVE)
        self._depart = redis.register_script(_DEPART)
        self._beat = redis.register_script(_BEAT)
        self._reap = redis.register_script(_REAP)

    def _room(self, room_id: int) -> str:
        return f"{self._prefix}room:{room_id}"

    async def arrive(self, room_id: int, user: User) -> bool | None:
        """True if the user just came online in the room; None if this node must resync."""
        field = _field(user)
        result = await self._arrive(
            keys=[self._nodes, self._held, self._room(room_id)],
            args=[self.node, f"{room_id}/{field}", field],
        )
        if int(result) < 0:
            return None
        return int(result) == 1

    async def depart(self, room_id: int, user: User) -> bool:
        """True if the user just went offline in the room (no node holds it any more)."""
        field = _field(user)
        result = await self._depart(
            keys=[self._held, self._room(room_id)], args=[f"{room_id}/{field}", field]
        )
        return int(result) == 1

    async def online(self, room_id: int) -> list[User]:
        fields = await self._redis.hkeys(self._room(room_id))
        return sorted((_user(f) for f in fields), key=lambda u: u.id)

    async def held(self) -> set[Pair]:
        members = await self._redis.smembers(self._held)
        return {_pair(m) for m in members}

    async def beat(self) -> bool:
        """Refreshes this node's heartbeat; False if it had been reaped meanwhile."""
        result = await self._beat(keys=[self._nodes], args=[self.node, self._ttl_ms])
        return int(result) == 1

    async def reap(self) -> list[Pair]:
        """Removes every node past its deadline; returns who went offline where."""
        gone = await self._reap(keys=[self._nodes], args=[self._prefix])
        return [_pair(m) for m in gone]

    async def leave(self) -> list[Pair]:
        """Removes this node now (graceful shutdown)."""
        gone = await self._reap(keys=[self._nodes], args=[self._prefix, self.node])
        return [_pair(m) for m in gone]
