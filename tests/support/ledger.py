"""The drills' ledger: what was sent and acknowledged, what the database holds, what each
receiver ended with; and the one check every drill ends with.

Guarantees checked (docs/protocol.md, "Guarantees"):

- every `send` acknowledged `ok` is in the database once (REST history), with the seq, id,
  body and client_id its ack named; no two stored messages share a sender's client_id;
- each room's seqs are 1..N with no gap and no repeat;
- nothing is stored that no sender ever acknowledged (senders retry a client_id until `ok`);
- every receiver ends, live plus resume, with every message of its rooms exactly once, in
  seq order, identical to the stored one; no connection was handed the same seq twice live.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

Msg = dict[str, Any]


@dataclass
class Attempt:
    at: float
    outcome: str  # "ok", a contract error code, "timeout" (silence) or "disconnected"
    server: str
    took: float


@dataclass
class Outgoing:
    """One message a sender wants stored, under one client_id, however many attempts."""

    room_id: int
    sender_id: int
    client_id: str
    body: str
    created: float = field(default_factory=time.monotonic)
    attempts: list[Attempt] = field(default_factory=list)
    acks: list[Msg] = field(default_factory=list)

    @property
    def acked(self) -> bool:
        return bool(self.acks)


@dataclass
class Delivery:
    """A message as one receiver got it: live on a connection (epoch) or by resume."""

    message: Msg
    at: float
    epoch: int
    live: bool


class ReceiverLog:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rooms: set[int] = set()
        self.problems: list[str] = []  # what the receiver itself saw go wrong
        self.deliveries: dict[int, list[Delivery]] = defaultdict(list)

    def record(self, message: Msg, *, epoch: int, live: bool) -> None:
        self.deliveries[int(message["room_id"])].append(
            Delivery(message=message, at=time.monotonic(), epoch=epoch, live=live)
        )

    def seqs(self, room_id: int) -> set[int]:
        return {int(d.message["seq"]) for d in self.deliveries[room_id]}

    def contiguous(self, room_id: int) -> int:
        """The highest seq n such that 1..n were all received: where a resume starts."""
        have = self.seqs(room_id)
        n = 0
        while n + 1 in have:
            n += 1
        return n


class Ledger:
    def __init__(self) -> None:
        self.sent: dict[str, Outgoing] = {}
        self.receivers: list[ReceiverLog] = []

    def outgoing(self, room_id: int, sender_id: int, client_id: str, body: str) -> Outgoing:
        out = Outgoing(room_id=room_id, sender_id=sender_id, client_id=client_id, body=body)
        self.sent[client_id] = out
        return out

    def attempt(
        self, out: Outgoing, outcome: str, server: str, started: float, message: Msg | None
    ) -> None:
        now = time.monotonic()
        out.attempts.append(Attempt(at=started, outcome=outcome, server=server, took=now - started))
        if message is not None:
            out.acks.append(message)

    def receiver(self, name: str) -> ReceiverLog:
        log = ReceiverLog(name)
        self.receivers.append(log)
        return log

    def outcomes(self) -> Counter[str]:
        return Counter(a.outcome for out in self.sent.values() for a in out.attempts)

    def attempts(self, since: float = 0.0, until: float = float("inf")) -> list[Attempt]:
        return [a for out in self.sent.values() for a in out.attempts if since <= a.at <= until]

    def rooms(self) -> set[int]:
        return {out.room_id for out in self.sent.values()} | {
            room for log in self.receivers for room in log.rooms
        }

    def summary(self) -> str:
        acked = sum(out.acked for out in self.sent.values())
        return f"{len(self.sent)} messages, {acked} acknowledged, attempts {dict(self.outcomes())}"


async def fetch_history(
    http: httpx.AsyncClient, headers: dict[str, str], room_id: int, page: int = 200
) -> list[Msg]:
    """Every stored message of a room through REST history, oldest first (`after` pages)."""
    messages: list[Msg] = []
    after = 0
    while True:
        response = await http.get(
            f"/api/rooms/{room_id}/messages",
            params={"after": after, "limit": page},
            headers=headers,
        )
        assert response.status_code == 200, f"history of room {room_id}: {response.text}"
        body = response.json()
        batch: list[Msg] = body["messages"]
        messages.extend(batch)
        if not body["has_more"] or not batch:
            return messages
        after = int(batch[-1]["seq"])


def _same(a: Msg, b: Msg) -> bool:
    return all(a.get(k) == b.get(k) for k in ("id", "room_id", "seq", "body", "client_id"))


def check(ledger: Ledger, history: dict[int, list[Msg]]) -> list[str]:
    """Every broken guarantee, one line each; an empty list means the ledger balances."""
    problems: list[str] = []
    by_seq: dict[int, dict[int, Msg]] = {}
    for room_id, messages in history.items():
        seqs = [int(m["seq"]) for m in messages]
        if seqs != list(range(1, len(seqs) + 1)):
            missing = sorted(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
            repeats = sorted(s for s, n in Counter(seqs).items() if n > 1)
            problems.append(
                f"room {room_id}: seqs not gap-free 1..N (missing {missing[:20]}, "
                f"repeated {repeats[:20]}, out of order {seqs != sorted(seqs)})"
            )
        by_seq[room_id] = {int(m["seq"]): m for m in messages}
        keys = Counter((m["sender"]["id"], m["client_id"]) for m in messages)
        for (sender, client_id), n in keys.items():
            if n > 1:
                problems.append(
                    f"room {room_id}: client_id {client_id!r} of user {sender} stored {n} times"
                )

    for out in ledger.sent.values():
        stored = [
            m
            for m in history.get(out.room_id, [])
            if m["client_id"] == out.client_id and m["sender"]["id"] == out.sender_id
        ]
        outcomes = [a.outcome for a in out.attempts]
        if not out.acked:
            problems.append(
                f"{out.client_id}: never acknowledged ok (attempts {outcomes}, "
                f"stored {len(stored)}x)"
            )
            continue
        if len(stored) != 1:
            problems.append(
                f"{out.client_id}: acknowledged ok but stored {len(stored)} times "
                f"(attempts {outcomes})"
            )
            continue
        for ack in out.acks:
            if not _same(ack, stored[0]):
                problems.append(
                    f"{out.client_id}: ack {ack} differs from the stored message {stored[0]}"
                )
            if ack.get("body") != out.body:
                problems.append(f"{out.client_id}: body changed on the way: {ack.get('body')!r}")

    known = {(out.sender_id, out.client_id) for out in ledger.sent.values()}
    for room_id, messages in history.items():
        for m in messages:
            if (m["sender"]["id"], m["client_id"]) not in known:
                problems.append(
                    f"room {room_id}: seq {m['seq']} ({m['client_id']!r}) stored but never sent"
                )

    for log in ledger.receivers:
        problems.extend(f"{log.name}: {problem}" for problem in log.problems)
        for room_id in sorted(log.rooms):
            in_room = by_seq.get(room_id, {})
            deliveries = log.deliveries.get(room_id, [])
            live_per_epoch: dict[int, Counter[int]] = defaultdict(Counter)
            for d in deliveries:
                seq = int(d.message["seq"])
                if d.live:
                    live_per_epoch[d.epoch][seq] += 1
                original = in_room.get(seq)
                if original is None:
                    problems.append(f"{log.name}: room {room_id} seq {seq} received, not stored")
                elif not _same(d.message, original):
                    problems.append(
                        f"{log.name}: room {room_id} seq {seq} received as {d.message}, "
                        f"stored as {original}"
                    )
            for epoch, counts in live_per_epoch.items():
                twice = sorted(seq for seq, n in counts.items() if n > 1)
                if twice:
                    problems.append(
                        f"{log.name}: room {room_id} connection {epoch} got seqs {twice[:20]} "
                        "more than once live"
                    )
            have = log.seqs(room_id)
            missing = sorted(set(in_room) - have)
            if missing:
                problems.append(
                    f"{log.name}: room {room_id} never got {len(missing)} of {len(in_room)} "
                    f"messages (seqs {missing[:20]}...) live or by resume"
                )
    return problems


def assert_balanced(ledger: Ledger, history: dict[int, list[Msg]]) -> None:
    problems = check(ledger, history)
    assert not problems, f"ledger does not balance ({ledger.summary()}):\n  " + "\n  ".join(
        problems[:40]
    )


def timeline(log: ReceiverLog, room_id: int) -> list[Msg]:
    """A receiver's final view of a room: merged by seq, as a client renders it."""
    merged: dict[int, Msg] = {}
    for d in log.deliveries.get(room_id, []):
        merged.setdefault(int(d.message["seq"]), d.message)
    return [merged[seq] for seq in sorted(merged)]
