"""What a run is asked to do: options, room membership, and the generators' plans.

Plain picklable dataclasses: the orchestrator builds them, the generator processes
receive them through a multiprocessing pipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BenchOptions:
    connections: int = 1000
    rooms: int = 50
    room_size: int = 20
    rates: list[float] = field(default_factory=lambda: [500.0])
    ramp: bool = False
    ramp_factor: float = 2.0
    refine: int = 0
    duration: float = 15.0
    warmup: float = 2.0
    drain: float = 5.0
    quiet: float = 0.5
    body_bytes: int = 64
    workers: int = 0  # 0: one per generator core
    users: int = 0  # 0: min(connections, 100)
    compression: str | None = None
    slo_ms: float = 50.0
    pin: bool = True
    settle_seconds: float = 15.0
    retries: int = 1
    profile: bool = False
    profile_native: bool = False
    # Which server process a connection goes to, with several: "spread" (connection i to
    # process i mod N, so every room spans every process) or "rooms" (every member of a
    # room on the same process, as a room-affine balancer would place them).
    placement: str = "spread"

    def user_count(self) -> int:
        return self.users or min(self.connections, 100)

    def validate(self) -> None:
        if self.room_size > self.connections:
            raise ValueError("--room-size cannot exceed --connections")
        if self.rooms < 1 or self.room_size < 1 or self.connections < 1:
            raise ValueError("connections, rooms and room size must be positive")
        if any(r <= 0 for r in self.rates):
            raise ValueError("rates must be positive")


@dataclass
class Plan:
    room_members: list[list[int]]
    conn_rooms: list[list[int]]


def assign(opts: BenchOptions) -> Plan:
    """Membership j goes to room j // size and connection j % connections."""
    members: list[list[int]] = [[] for _ in range(opts.rooms)]
    conn_rooms: list[list[int]] = [[] for _ in range(opts.connections)]
    for j in range(opts.rooms * opts.room_size):
        room, conn = j // opts.room_size, j % opts.connections
        members[room].append(conn)
        conn_rooms[conn].append(room)
    return Plan(members, conn_rooms)


@dataclass(frozen=True)
class ConnPlan:
    index: int
    url: str
    origin: str | None
    token: str
    rooms: tuple[int, ...]


@dataclass(frozen=True)
class WorkerPlan:
    worker_id: int
    workers: int
    run_id: str
    room_ids: list[Any]
    room_members: list[list[int]]
    conns: list[ConnPlan]
    cpu: frozenset[int] | None = None
    compression: str | None = None
    connect_concurrency: int = 64
    handshake_timeout: float = 30.0


@dataclass(frozen=True)
class StepSpec:
    step: int
    t0_ns: int
    rate: float
    duration: float
    drain: float
    quiet: float
    body_bytes: int
