"""What one generator process counts during one step: copies, order, acks, send lag."""

from __future__ import annotations

import array
from dataclasses import dataclass, field


@dataclass
class StepStats:
    step: int
    t0_ns: int
    rooms: int
    received: int = 0
    unique: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    stale: int = 0
    other_events: int = 0
    sent: int = 0
    send_errors: int = 0
    acked: int = 0
    ack_failed: dict[str, int] = field(default_factory=dict)
    late_acks: int = 0
    max_send_lag_ns: int = 0
    sends_late_5ms: int = 0
    latencies_ns: array.array[int] = field(default_factory=lambda: array.array("q"))
    recv_times_ns: array.array[int] = field(default_factory=lambda: array.array("q"))
    ack_latencies_ns: array.array[int] = field(default_factory=lambda: array.array("q"))
    acked_seqs: list[list[int]] = field(default_factory=list)
    recv_counts: list[dict[int, int]] = field(default_factory=list)
    last_receipt_ns: int = 0

    def __post_init__(self) -> None:
        self.acked_seqs = [[] for _ in range(self.rooms)]
        self.recv_counts = [{} for _ in range(self.rooms)]
