"""Hundreds of receivers on raw websockets (rawsocket.py): cheap enough to storm a server.

A `StormSocket` follows one room. When its connection drops it connects to the next
server at once (no back-off: the worst case of a reconnect storm), rejoins with `since_seq`
(the highest seq up to which it holds everything) and notes when the join answered. Every
`message` event and every message of a join's ack goes into its ReceiverLog, by connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Sequence
from typing import Any

from tests.support.ledger import ReceiverLog
from tests.support.rawsocket import Closed, RawSocket

WAIT = 15.0


class StormSocket:
    def __init__(
        self, name: str, token: str, urls: Sequence[str], room_id: int, log: ReceiverLog
    ) -> None:
        self.name = name
        self.token = token
        self.urls = list(urls)
        self.room_id = room_id
        self.log = log
        log.rooms.add(room_id)
        self.server = ""
        self.epoch = -1
        self.raw: RawSocket | None = None
        self.closing = False
        self.dropped_at: float | None = None
        self.recovered_at: float | None = None
        self.connected_at: float | None = None
        self.unavailable = 0  # joins answered `unavailable` (then retried)
        self.joins: list[tuple[int, int | None, list[int]]] = []  # (epoch, since, page seqs)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._reader: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None

    async def open(self, index: int = 0) -> None:
        """Connects to urls[index] (then the others) and joins its room."""
        until = time.monotonic() + 60
        attempt = 0
        while True:
            url = self.urls[(index + attempt) % len(self.urls)]
            attempt += 1
            raw = RawSocket(url)
            try:
                await raw.open(self.token)
            except (Closed, OSError, TimeoutError, AssertionError) as exc:
                raw.close()
                if time.monotonic() > until:
                    raise AssertionError(f"{self.name}: no server took it: {exc}") from exc
                await asyncio.sleep(0.05)
                continue
            self.raw, self.server, self.epoch = raw, url, self.epoch + 1
            self.connected_at = time.monotonic()
            self._pending = {}
            self._reader = asyncio.create_task(self._read(raw, self.epoch))
            try:
                await self._join()
            except (Closed, OSError, TimeoutError):
                raw.close()
                continue
            return

    async def _join(self) -> None:
        payload: dict[str, Any] = {"room_id": self.room_id}
        since = None
        if self.log.seqs(self.room_id):
            since = self.log.contiguous(self.room_id)
            payload["since_seq"] = since
        for _ in range(100):
            ack = await self.call("join", payload)
            if isinstance(ack, dict) and ack.get("ok"):
                break
            code = ack.get("error", {}).get("code") if isinstance(ack, dict) else None
            if code != "unavailable":
                raise AssertionError(f"{self.name}: join {payload} answered {ack}")
            self.unavailable += 1  # the contract's answer to a server out of breath: retry
            await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"{self.name}: join {payload} unavailable 100 times")
        seqs = [int(m["seq"]) for m in ack["messages"]]
        self.joins.append((self.epoch, since, seqs))
        for message in ack["messages"]:
            self.log.record(message, epoch=self.epoch, live=False)
        if ack.get("has_more"):
            self.log.problems.append(f"join {payload}: has_more (the drill keeps pages short)")

    async def call(self, event: str, data: Any) -> Any:
        raw = self.raw
        if raw is None:
            raise Closed("not connected")
        self._next_id += 1
        ack_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ack_id] = future
        await raw.send_text(f"42{ack_id}" + json.dumps([event, data]))
        return await asyncio.wait_for(future, WAIT)

    async def _read(self, raw: RawSocket, epoch: int) -> None:
        try:
            while True:
                text = await raw.recv_text(timeout=3600)
                if text.startswith("42"):
                    event = json.loads(text[2:])
                    if event[0] == "message" and isinstance(event[1], dict):
                        self.log.record(event[1], epoch=epoch, live=True)
                elif text.startswith("43"):
                    digits = len(text) - len(text[2:].lstrip("0123456789"))
                    ack_id = int(text[2:digits])
                    future = self._pending.pop(ack_id, None)
                    if future is not None and not future.done():
                        future.set_result(json.loads(text[digits:])[0])
        except (Closed, OSError, TimeoutError, ValueError):
            pass
        raw.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(Closed("connection lost"))
        if not self.closing and self.epoch == epoch:
            self.dropped_at = time.monotonic()
            self._keeper = asyncio.create_task(self._reconnect())

    async def _reconnect(self) -> None:
        index = (self.urls.index(self.server) + 1) % len(self.urls)
        try:
            await self.open(index)
        except AssertionError as exc:
            self.log.problems.append(str(exc))
            raise
        self.recovered_at = time.monotonic()

    def live_in_order(self) -> list[str]:
        """Per connection: live seqs strictly ascending; the join page and the live stream
        neither overlap nor leave a gap between them."""
        problems = []
        deliveries = self.log.deliveries.get(self.room_id, [])
        for epoch, since, page in self.joins:
            live = [int(d.message["seq"]) for d in deliveries if d.live and d.epoch == epoch]
            if any(b <= a for a, b in itertools.pairwise(live)):
                problems.append(f"{self.name}#{epoch}: live seqs not strictly ascending")
            if set(live) & set(page):
                problems.append(f"{self.name}#{epoch}: {sorted(set(live) & set(page))} twice")
            got = sorted([*page, *live])
            start = (since or 0) + 1 if since is not None else (got[0] if got else 1)
            if got and got != list(range(start, start + len(got))):
                problems.append(f"{self.name}#{epoch}: page+live {got[:10]}... not {start}..")
        return problems

    async def close(self) -> None:
        self.closing = True
        for task in (self._keeper, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.raw is not None:
            self.raw.close()
