"""chat-bench's bookkeeping: framing, order tracking, loss and percentiles (no server)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from loadtests.bench import eio, histogram
from loadtests.bench.plans import BenchOptions, ConnPlan, WorkerPlan, assign
from loadtests.bench.step_stats import StepStats
from loadtests.bench.steps import fold_step
from loadtests.bench.worker import Worker
from loadtests.bench.wsconn import FastConnection


def message(room: int, seq: int, step: int, m: int, sched_ns: int) -> str:
    payload = {
        "id": seq,
        "room_id": room,
        "seq": seq,
        "sender": {"id": 1, "username": "u"},
        "body": f"bench|{step}|{m}|{sched_ns}|xx",
        "client_id": "c",
    }
    return "42" + json.dumps(["message", payload])


def worker(rooms: int = 2) -> Worker:
    plan = WorkerPlan(
        worker_id=0,
        workers=1,
        run_id="t",
        room_ids=list(range(100, 100 + rooms)),
        room_members=[[0]] * rooms,
        conns=[ConnPlan(0, "ws://127.0.0.1:1", None, "t", tuple(range(rooms)))],
    )
    w = Worker(plan, None)  # type: ignore[arg-type]
    w.stats = StepStats(step=3, t0_ns=0, rooms=rooms)
    return w


def test_socketio_frames_round_trip() -> None:
    assert eio.encode_connect({"token": "a"}) == '40{"token":"a"}'
    assert eio.encode_event("send", {"x": 1}, 7) == '427["send",{"x":1}]'
    packet = eio.decode_socketio('4312[{"ok":true}]')
    assert (packet.kind, packet.ack_id, packet.data) == (eio.SIO_ACK, 12, [{"ok": True}])
    assert eio.decode_socketio('44{"message":"unauthorized"}').data == {"message": "unauthorized"}
    assert eio.socket_url("http://127.0.0.1:8000/") == (
        "ws://127.0.0.1:8000/socket.io/?EIO=4&transport=websocket"
    )


def test_order_tracking_counts_duplicates_and_late_copies() -> None:
    w = worker()
    conn = w.conns[0]
    # Room index is m % rooms: m=0, 2, 4 ... land in room 0.
    for seq in (1, 2, 4, 3, 3, 5):
        conn.on_text(message(100, seq, 3, 2 * seq, 1_000))
    st = w.stats
    assert st.received == 6
    assert st.unique == 5
    assert st.duplicates == 1
    assert st.out_of_order == 1
    assert st.recv_counts[0] == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    # A copy from another step is not counted as this step's.
    conn.on_text(message(100, 6, 2, 12, 1_000))
    assert st.stale == 1 and st.unique == 5


def test_raw_frames_are_cut_from_the_stream() -> None:
    got: list[str] = []
    fc = FastConnection.__new__(FastConnection)
    fc.raw = True
    fc.pending = b""
    fc.on_text = got.append
    texts = ["2", "x" * 200, "y" * 70000]
    stream = b""
    for t in texts:
        data = t.encode()
        if len(data) < 126:
            head = bytes([0x81, len(data)])
        elif len(data) < 65536:
            head = bytes([0x81, 126]) + len(data).to_bytes(2, "big")
        else:
            head = bytes([0x81, 127]) + len(data).to_bytes(8, "big")
        stream += head + data
    for i in range(0, len(stream), 1000):  # arbitrary TCP segment boundaries
        fc.data_received(stream[i : i + 1000])
    assert got == texts
    assert fc.pending == b""


def test_assign_spreads_rooms_over_connections() -> None:
    plan = assign(BenchOptions(connections=10, rooms=3, room_size=4))
    assert plan.room_members == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    assert plan.conn_rooms[0] == [0, 2]


def reply(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "per_second": np.zeros((3, histogram.NBUCKETS), dtype=np.int64),
        "ack_hist": histogram.empty(),
        "acked_seqs": [[], []],
        "recv_counts": [{}, {}],
        "unique": 0,
        "received": 0,
        "duplicates": 0,
        "out_of_order": 0,
        "stale": 0,
        "late_acks": 0,
        "sent": 0,
        "send_errors": 0,
        "acked": 0,
        "ack_failed": {},
        "ack_timeouts": 0,
        "max_send_lag_ms": 0.0,
        "sends_late_5ms": 0,
        "max_latency_us": 0.0,
        "last_receipt_ns": 0,
        "cpu_seconds": 0.1,
        "wall_seconds": 1.0,
        "disconnects": 0,
    }
    return base | overrides


def test_fold_step_counts_lost_copies_as_infinitely_late() -> None:
    opts = BenchOptions(connections=4, rooms=2, room_size=2, duration=1.0)
    per_second = np.zeros((3, histogram.NBUCKETS), dtype=np.int64)
    per_second[0] = histogram.from_values([1000.0] * 7)  # seven copies at 1 ms
    a = reply(
        per_second=per_second,
        acked_seqs=[[1, 2], [1, 2]],
        recv_counts=[{1: 2, 2: 2}, {1: 2, 2: 1}],
        unique=7,
        sent=4,
        acked=4,
    )
    step = fold_step(opts, 4.0, [a], [2, 2], 0.5, None, 1.0, 0)
    assert step["expected_copies"] == 8
    assert step["lost"] == 1
    assert step["p50_ms"] < 1.1
    # One copy in eight lost: p99 counting it is infinite, so the step fails the SLO.
    assert math.isinf(step["p99_with_loss_ms"])
    assert not step["qualifies"]
    assert step["server_us_per_copy"] == 0.5 * 1e6 / 7


def test_percentiles_have_bucket_precision() -> None:
    hist = histogram.from_values(np.linspace(1000, 100_000, 10_000))
    p99 = histogram.percentile_us(hist, 99)
    assert 99_000 * 0.97 < p99 < 99_000 * 1.03
    assert math.isnan(histogram.percentile_us(histogram.empty(), 50))
