"""The stream every drill runs: senders and receivers spread over the cluster's processes,
a ledger of everything, and the closing checks (live delivery back, resume, ledger)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.support.clients import Account
from tests.support.cluster import Cluster
from tests.support.ledger import Ledger, assert_balanced
from tests.support.traffic import DrillSocket, Sender, finish, wait_until


@dataclass
class Scenario:
    cluster: Cluster
    ledger: Ledger
    rooms: list[int]
    senders: list[Sender]
    receivers: list[DrillSocket]
    reader: Account
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    rest: Counter[tuple[int, str]] = field(default_factory=Counter)
    _poller: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.tasks = [asyncio.create_task(sender.run(self.stop)) for sender in self.senders]
        self._poller = asyncio.create_task(self._poll_rest())

    async def _poll_rest(self) -> None:
        """REST alongside the stream: a history read on every server every 0.2 s. Through
        any fault it answers 200 or 503 (`unavailable`); a refused connection is a dead
        process, counted as 0."""
        clients = [httpx.AsyncClient(base_url=url, timeout=10) for url in self.cluster.urls]
        path = f"/api/rooms/{self.rooms[0]}/messages"
        try:
            while not self.stop.is_set():
                for client in clients:
                    try:
                        response = await client.get(
                            path, params={"limit": 1}, headers=self.reader.headers
                        )
                        code = response.json().get("code", "")
                        self.rest[(response.status_code, str(code))] += 1
                    except (httpx.HTTPError, ValueError):
                        self.rest[(0, "")] += 1
                await asyncio.sleep(0.2)
        finally:
            for client in clients:
                await client.aclose()

    def resumed(self) -> int:
        """Messages receivers got only by resume (a join with since_seq), never live."""
        count = 0
        for receiver in self.receivers:
            assert receiver.log is not None
            for deliveries in receiver.log.deliveries.values():
                live = {int(d.message["seq"]) for d in deliveries if d.live}
                count += len({int(d.message["seq"]) for d in deliveries if not d.live} - live)
        return count

    def acked(self) -> int:
        return sum(out.acked for out in self.ledger.sent.values())

    async def flow(self, messages: int, timeout: float = 15.0) -> None:
        """Waits until `messages` more are acknowledged: the stream really flows."""
        target = self.acked() + messages
        await wait_until(lambda: self.acked() >= target, timeout, f"{messages} more acks")

    async def probe_live(self, timeout: float = 20.0, round_wait: float = 1.5) -> float:
        """Rounds of probes until one is delivered live everywhere: every sender sends one
        message, and every receiver must get all of them on its current connection within
        `round_wait`. (What was published while a process was not listening is lost to it
        for good, python-socketio #617, so each round is a fresh question.) Returns the seconds
        until live delivery was whole again."""
        start = time.monotonic()
        last: dict[str, list[tuple[int, int]]] = {}
        while time.monotonic() - start < timeout:
            outs = await asyncio.gather(*(sender.send_one() for sender in self.senders))
            for out in outs:
                assert out.acked, f"probe {out.client_id} not acknowledged: {out.attempts}"
            wanted = {(out.room_id, int(out.acks[-1]["seq"])) for out in outs}
            try:
                await wait_until(lambda w=wanted: not self._not_live(w), round_wait, "probes")
            except AssertionError:
                last = self._not_live(wanted)
                continue
            return time.monotonic() - start
        raise AssertionError(
            f"live delivery not whole again within {timeout}s; last round missing {last}"
        )

    def _not_live(self, wanted: set[tuple[int, int]]) -> dict[str, list[tuple[int, int]]]:
        gaps = {}
        for receiver in self.receivers:
            assert receiver.log is not None
            got = {
                (room, int(d.message["seq"]))
                for room, ds in receiver.log.deliveries.items()
                for d in ds
                if d.live and d.epoch == receiver.epoch
            }
            lacking = sorted(w for w in wanted if w[0] in receiver.log.rooms and w not in got)
            if lacking:
                gaps[f"{receiver.name}@{receiver.server}"] = lacking
        return gaps

    async def end(self, settle: float = 45.0) -> None:
        """Stops the senders, resumes every receiver, and balances the ledger."""
        await finish(self.tasks, self.stop, settle)
        if self._poller is not None:
            await self._poller
        wrong = {k: n for k, n in self.rest.items() if k[0] not in (0, 200, 503)}
        assert not wrong, f"REST answered {wrong} during the drill (all: {dict(self.rest)})"
        for receiver in self.receivers:
            await receiver.resume()
        history = await self.cluster.history(self.reader, set(self.rooms))
        try:
            assert_balanced(self.ledger, history)
        finally:
            for receiver in self.receivers:
                await receiver.close()
            for sender in self.senders:
                await sender.sock.close()

    async def close(self) -> None:
        self.stop.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for sock in [*self.receivers, *(s.sock for s in self.senders)]:
            await sock.close()


async def scenario(
    cluster: Cluster,
    *,
    rooms: int = 2,
    senders_per_server: int = 2,
    receivers_per_server: int = 2,
    pace: float = 0.05,
    pad: int = 0,
    fill: str = "x",
) -> Scenario:
    """Accounts, public rooms everyone belongs to, receivers (all rooms) and senders (one room
    each) on every server, each preferring its own server and falling back to the others."""
    servers = len(cluster.servers)
    count = servers * (senders_per_server + receivers_per_server)
    accounts = await cluster.accounts(count)
    owner = accounts[0]
    room_ids = [await cluster.room(owner, accounts) for _ in range(rooms)]
    ledger = Ledger()
    receivers: list[DrillSocket] = []
    senders: list[Sender] = []
    pool = iter(accounts)
    for index in range(servers):
        urls = cluster.urls[index:] + cluster.urls[:index]
        for k in range(receivers_per_server):
            name = f"recv-{'ab'[index] if index < 2 else index}{k}"
            sock = DrillSocket(name, next(pool), urls, log=ledger.receiver(name), rooms=room_ids)
            await sock.open()
            sock.watch()
            receivers.append(sock)
        for k in range(senders_per_server):
            name = f"send-{'ab'[index] if index < 2 else index}{k}"
            room = room_ids[(index * senders_per_server + k) % rooms]
            sock = DrillSocket(name, next(pool), urls, rooms=[room])
            await sock.open()
            senders.append(Sender(sock, ledger, room, pace=pace, pad=pad, fill=fill))
    return Scenario(cluster, ledger, room_ids, senders, receivers, reader=owner)


async def ready_status(url: str) -> int:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            return (await http.get("/api/ready")).status_code
    except httpx.HTTPError:
        return 0


async def wait_ready(cluster: Cluster, status: int, timeout: float) -> float:
    async def every() -> bool:
        codes = [await ready_status(url) for url in cluster.urls]
        return all(code == status for code in codes)

    return await wait_until(every, timeout, f"/api/ready {status} on every server", step=0.2)
