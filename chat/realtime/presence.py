"""Which sockets follow which rooms, and who is online where.

Attendance counts this process's sockets per (room, user) and tells the presence backend
only when a count goes 0 -> 1 or 1 -> 0, under a lock per pair, so backend calls for one
pair never overtake each other. The backend says whether that made the user's first (or
last) socket in the room across every process; only then is `presence` emitted to the room.

Without Redis the backend is this process's memory. With Redis (presence_redis.py) a
heartbeat loop refreshes this node, resyncs after a failure or after being reaped, and
reaps dead nodes, announcing their users offline: nothing stays online after a kill -9 for
longer than PRESENCE_TTL_SECONDS plus one heartbeat period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

import socketio

from chat.domain.models import User
from chat.realtime.connections import Connection
from chat.realtime.names import room_channel
from chat.redis_failures import REDIS_FAILURES

log = logging.getLogger(__name__)

Pair = tuple[int, User]


class PresenceBackend(Protocol):
    async def arrive(self, room_id: int, user: User) -> bool | None: ...

    async def depart(self, room_id: int, user: User) -> bool: ...

    async def online(self, room_id: int) -> list[User]: ...

    async def held(self) -> set[Pair]: ...

    async def beat(self) -> bool: ...

    async def reap(self) -> list[Pair]: ...

    async def leave(self) -> list[Pair]: ...


class LocalPresence:
    """One process: this process's sockets are everyone."""

    def __init__(self) -> None:
        self._rooms: dict[int, set[User]] = {}

    async def arrive(self, room_id: int, user: User) -> bool | None:
        users = self._rooms.setdefault(room_id, set())
        if user in users:
            return False
        users.add(user)
        return True

    async def depart(self, room_id: int, user: User) -> bool:
        users = self._rooms.get(room_id)
        if users is None or user not in users:
            return False
        users.discard(user)
        if not users:
            del self._rooms[room_id]
        return True

    async def online(self, room_id: int) -> list[User]:
        return sorted(self._rooms.get(room_id, ()), key=lambda u: u.id)

    async def held(self) -> set[Pair]:
        return {(room, user) for room, users in self._rooms.items() for user in users}

    async def beat(self) -> bool:
        return True

    async def reap(self) -> list[Pair]:
        return []

    async def leave(self) -> list[Pair]:
        return []


class Attendance:
    def __init__(
        self, sio: socketio.AsyncServer, backend: PresenceBackend, ttl_seconds: float
    ) -> None:
        self._sio = sio
        self._backend = backend
        self._period = max(ttl_seconds / 3.0, 0.2)
        self._counts: dict[Pair, int] = {}
        self._registered: set[Pair] = set()
        self._locks: dict[Pair, tuple[asyncio.Lock, int]] = {}
        self._dirty = False
        self._loop_task: asyncio.Task[None] | None = None

    async def follow(self, conn: Connection, room_id: int) -> None:
        """This socket gets the room's events from now on (idempotent)."""
        if conn.closed or room_id in conn.rooms:
            return
        # Checked and changed without an await in between: a racing disconnect sees it.
        conn.rooms.add(room_id)
        pair = (room_id, conn.user)
        count = self._counts.get(pair, 0) + 1
        self._counts[pair] = count
        await self._sio.enter_room(conn.sid, room_channel(room_id))
        if count == 1:
            await self._reconcile(pair)

    async def unfollow(self, conn: Connection, room_id: int, *, leave_channel: bool = True) -> None:
        if room_id not in conn.rooms:
            return
        conn.rooms.discard(room_id)
        pair = (room_id, conn.user)
        count = self._counts.get(pair, 0) - 1
        if count > 0:
            self._counts[pair] = count
        else:
            self._counts.pop(pair, None)
        if leave_channel:
            await self._sio.leave_room(conn.sid, room_channel(room_id))
        if count <= 0:
            await self._reconcile(pair)

    async def online(self, room_id: int) -> list[dict[str, object]]:
        try:
            users = await self._backend.online(room_id)
        except REDIS_FAILURES as exc:
            log.warning("presence unavailable, answering with this process's view: %s", exc)
            local = {u for (r, u), n in self._counts.items() if r == room_id and n > 0}
            users = sorted(local, key=lambda u: u.id)
        return [user.as_dict() for user in users]

    @contextlib.asynccontextmanager
    async def _locked(self, pair: Pair) -> AsyncIterator[None]:
        lock, users = self._locks.get(pair, (asyncio.Lock(), 0))
        self._locks[pair] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[pair]
            if users > 1:
                self._locks[pair] = (lock, users - 1)
            else:
                del self._locks[pair]

    async def _reconcile(self, pair: Pair) -> None:
        """Brings the backend in line with this process's count for the pair."""
        async with self._locked(pair):
            want = self._counts.get(pair, 0) > 0
            if want == (pair in self._registered):
                return
            try:
                if want:
                    changed = await self._backend.arrive(*pair)
                    if changed is None:
                        self._dirty = True
                        return
                    self._registered.add(pair)
                else:
                    changed = await self._backend.depart(*pair)
                    self._registered.discard(pair)
            except REDIS_FAILURES as exc:
                log.warning("presence update failed, will resync: %s", exc)
                self._dirty = True
                return
        if changed:
            await self.announce(pair, online=want)

    async def announce(self, pair: Pair, *, online: bool) -> None:
        room_id, user = pair
        await self._sio.emit(
            "presence",
            {"room_id": room_id, "user": user.as_dict(), "online": online},
            to=room_channel(room_id),
        )

    async def resync(self) -> None:
        """After a failure or a reap: what the backend holds for this node is re-read, and
        every pair on either side is reconciled."""
        self._dirty = False
        self._registered = await self._backend.held()
        for pair in self._registered | set(self._counts):
            await self._reconcile(pair)

    async def tick(self) -> None:
        """One heartbeat: refresh, resync if needed, reap the dead and announce them."""
        try:
            if not await self._backend.beat() or self._dirty:
                await self.resync()
            for pair in await self._backend.reap():
                await self.announce(pair, online=False)
        except REDIS_FAILURES as exc:
            log.warning("presence heartbeat failed: %s", exc)
            self._dirty = True

    async def start(self) -> None:
        await self.tick()
        self._loop_task = asyncio.create_task(self._run(), name="presence-heartbeat")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._period)
            try:
                await self.tick()
            except Exception:
                log.exception("presence heartbeat crashed; continuing")

    async def stop(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        try:
            for pair in await self._backend.leave():
                await self.announce(pair, online=False)
        except REDIS_FAILURES as exc:
            log.warning("could not leave presence; the others reap this node: %s", exc)
