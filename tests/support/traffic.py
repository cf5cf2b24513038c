"""Senders and receivers for the drills: sockets that outlive a server's death.

A `DrillSocket` is python-socketio's AsyncClient as a careful client uses it: when its
connection drops it moves to the next server that answers and rejoins its rooms with
`since_seq` (the highest seq up to which it has everything), merging what the join returns.
A sender retries a message under the same client_id until it is acknowledged `ok`; every
attempt's outcome, silence included, goes into the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Sequence
from typing import Any

import httpx
import socketio

from tests.support.clients import Account
from tests.support.ledger import Ledger, Msg, Outgoing, ReceiverLog

ACK_TIMEOUT = 10.0  # an emit with no answer within this is silence: a defect
CONTRACT_CODES = frozenset(
    {
        "invalid",
        "unauthorized",
        "forbidden",
        "not_found",
        "rate_limited",
        "too_large",
        "unavailable",
    }
)


class DrillSocket:
    def __init__(
        self,
        name: str,
        account: Account,
        urls: Sequence[str],
        *,
        log: ReceiverLog | None = None,
        rooms: Sequence[int] = (),
    ) -> None:
        self.name = name
        self.account = account
        self.urls = list(urls)
        self.log = log
        self.rooms = list(rooms)
        if log is not None:
            log.rooms.update(self.rooms)
        self.epoch = -1
        self.server = ""
        self.sio: socketio.AsyncClient | None = None
        self.disconnected = asyncio.Event()
        self.closing = False
        self.reconnects = 0
        self._index = 0
        self._watcher: asyncio.Task[None] | None = None
        self.latencies: list[float] = []  # receive time minus the send time in the body

    @property
    def connected(self) -> bool:
        return self.sio is not None and self.sio.connected and not self.disconnected.is_set()

    async def open(self, deadline: float = 30.0) -> None:
        """Connects to the first server that answers and joins (or, after a drop, resumes)
        its rooms. After a drop it tries the next server first, as a client behind a load
        balancer would be sent to one that is alive."""
        if self.epoch >= 0:
            self._index = (self._index + 1) % len(self.urls)
        until = time.monotonic() + deadline
        last_error: Exception | None = None
        for attempt in itertools.count():
            if time.monotonic() > until:
                raise AssertionError(f"{self.name}: no server accepted a connection: {last_error}")
            url = self.urls[(self._index + attempt) % len(self.urls)]
            sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
            epoch = self.epoch + 1
            gone = asyncio.Event()
            sio.on("message", self._on_message(epoch))
            sio.on("disconnect", lambda *_args, gone=gone: gone.set())
            try:
                await sio.connect(
                    url,
                    auth={"token": self.account.token},
                    transports=["websocket"],
                    wait_timeout=5,
                )
            except (socketio.exceptions.ConnectionError, OSError) as exc:
                last_error = exc
                with contextlib.suppress(Exception):
                    await sio.disconnect()
                await asyncio.sleep(0.2)
                continue
            if self.epoch >= 0:
                self.reconnects += 1
            self._index = (self._index + attempt) % len(self.urls)
            self.sio, self.epoch, self.server, self.disconnected = sio, epoch, url, gone
            try:
                for room in self.rooms:
                    await self.join(room)
            except _Dropped as exc:
                last_error = exc
                continue
            return

    def _on_message(self, epoch: int) -> Any:
        async def handler(data: Msg) -> None:
            if self.log is not None and isinstance(data, dict):
                self.log.record(data, epoch=epoch, live=True)
                stamp = _stamp(data.get("body"))
                if stamp is not None:
                    self.latencies.append(time.monotonic() - stamp)

        return handler

    async def call(self, event: str, payload: Any, timeout: float = ACK_TIMEOUT) -> tuple[str, Any]:
        """(outcome, ack): outcome is "ok", the error code, "timeout" or "disconnected"."""
        sio = self.sio
        if sio is None or not self.connected:
            return "disconnected", None
        call = asyncio.ensure_future(sio.call(event, payload, timeout=timeout))
        gone = asyncio.ensure_future(self.disconnected.wait())
        try:
            await asyncio.wait({call, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not call.done():
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await call
            return "disconnected", None
        try:
            ack = call.result()
        except socketio.exceptions.TimeoutError:
            return ("disconnected" if self.disconnected.is_set() else "timeout"), None
        except (socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError):
            return "disconnected", None
        if isinstance(ack, dict) and ack.get("ok") is True:
            return "ok", ack
        if isinstance(ack, dict) and isinstance(ack.get("error"), dict):
            return str(ack["error"].get("code")), ack
        return f"malformed ack {ack!r}", ack

    async def join(self, room_id: int) -> None:
        """Joins, with since_seq once anything was received: the resume of the contract."""
        payload: dict[str, Any] = {"room_id": room_id}
        if self.log is not None and self.log.seqs(room_id):
            payload["since_seq"] = self.log.contiguous(room_id)
        for _ in range(50):
            outcome, ack = await self.call("join", payload)
            if outcome == "ok":
                break
            if outcome == "disconnected":
                raise _Dropped(f"join {room_id} dropped")
            if outcome != "unavailable":
                raise AssertionError(f"{self.name}: join {payload} answered {outcome}: {ack}")
            await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"{self.name}: join {payload} unavailable for 10 s")
        if self.log is None:
            return
        messages: list[Msg] = ack["messages"]
        seqs = [int(m["seq"]) for m in messages]
        since = payload.get("since_seq", 0)
        if seqs != sorted(seqs) or any(s <= since for s in seqs):
            self.log.problems.append(
                f"join {payload} returned seqs {seqs[:30]}: not ascending above since_seq"
            )
        for m in messages:
            self.log.record(m, epoch=self.epoch, live=False)
        if ack.get("has_more") and messages:
            await self._history_after(room_id, int(messages[-1]["seq"]))

    async def _history_after(self, room_id: int, after: int) -> None:
        """`has_more`: the rest waits in REST history."""
        assert self.log is not None
        async with httpx.AsyncClient(base_url=self.server, timeout=30) as http:
            while True:
                response = await http.get(
                    f"/api/rooms/{room_id}/messages",
                    params={"after": after, "limit": 200},
                    headers=self.account.headers,
                )
                assert response.status_code == 200, response.text
                page = response.json()
                for m in page["messages"]:
                    self.log.record(m, epoch=self.epoch, live=False)
                if not page["has_more"] or not page["messages"]:
                    return
                after = int(page["messages"][-1]["seq"])

    def watch(self) -> None:
        """Keeps the socket connected in the background (receivers do nothing else)."""

        async def loop() -> None:
            while not self.closing:
                await self.disconnected.wait()
                if not self.closing:
                    await self.open()

        self._watcher = asyncio.create_task(loop())

    async def resume(self) -> None:
        """The final catch-up: rejoin every room with since_seq on a live connection."""
        if not self.connected:
            await self.open()
            return
        for room in self.rooms:
            await self.join(room)

    async def close(self) -> None:
        self.closing = True
        self.disconnected.set()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
        if self.sio is not None and self.sio.connected:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()


class _Dropped(Exception):
    pass


def _stamp(body: object) -> float | None:
    if not isinstance(body, str) or " t=" not in body:
        return None
    try:
        return float(body.rsplit(" t=", 1)[1])
    except ValueError:
        return None


def stamped_body(name: str, n: int, pad: int = 0, fill: str = "x") -> str:
    """A body that carries its send time (this process's monotonic clock) for latency."""
    return f"{name} #{n} {fill * pad} t={time.monotonic():.6f}"


class Sender:
    """Sends into one room at a steady pace until stopped; each message is retried under
    its client_id until acknowledged ok (or `give_up` seconds pass)."""

    def __init__(
        self,
        sock: DrillSocket,
        ledger: Ledger,
        room_id: int,
        *,
        pace: float = 0.05,
        retry_delay: float = 0.25,
        give_up: float = 40.0,
        pad: int = 0,
        fill: str = "x",
    ) -> None:
        self.sock = sock
        self.ledger = ledger
        self.room_id = room_id
        self.pace = pace
        self.retry_delay = retry_delay
        self.give_up = give_up
        self.pad = pad
        self.fill = fill
        self.count = 0

    async def send_one(self) -> Outgoing:
        self.count += 1
        client_id = f"{self.sock.name}-{self.count}"
        out = self.ledger.outgoing(
            self.room_id,
            self.sock.account.id,
            client_id,
            stamped_body(self.sock.name, self.count, self.pad, self.fill),
        )
        payload = {"room_id": self.room_id, "body": out.body, "client_id": client_id}
        until = time.monotonic() + self.give_up
        while time.monotonic() < until:
            if not self.sock.connected:
                try:
                    await self.sock.open(deadline=max(1.0, until - time.monotonic()))
                except AssertionError:
                    break
            started = time.monotonic()
            outcome, ack = await self.sock.call("send", payload)
            message = ack["message"] if outcome == "ok" else None
            self.ledger.attempt(out, outcome, self.sock.server, started, message)
            if outcome == "ok":
                return out
            await asyncio.sleep(self.retry_delay)
        return out

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.send_one()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.pace)


async def run_senders(senders: Sequence[Sender], stop: asyncio.Event) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(sender.run(stop)) for sender in senders]


async def finish(tasks: Sequence[asyncio.Task[None]], stop: asyncio.Event, timeout: float) -> None:
    """Stops the senders and waits for each to settle its last message."""
    stop.set()
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()
    assert not pending, f"{len(pending)} senders did not settle within {timeout}s"


async def wait_until(predicate: Any, timeout: float, what: str, step: float = 0.1) -> float:
    """Polls an async or plain predicate until it holds; returns the seconds it took."""
    start = time.monotonic()
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(step)
