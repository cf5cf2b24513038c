"""The ledger check catches each broken guarantee (pure: synthetic ledgers, no server)."""

from __future__ import annotations

from typing import Any

from tests.support.ledger import Ledger, check


def msg(seq: int, client_id: str, room: int = 1, sender: int = 7, **extra: Any) -> dict[str, Any]:
    return {
        "id": 100 + seq,
        "room_id": room,
        "seq": seq,
        "sender": {"id": sender, "username": "u"},
        "body": f"body {client_id}",
        "client_id": client_id,
        **extra,
    }


def balanced(n: int = 3) -> tuple[Ledger, dict[int, list[dict[str, Any]]]]:
    ledger = Ledger()
    history = {1: [msg(i, f"c{i}") for i in range(1, n + 1)]}
    for m in history[1]:
        out = ledger.outgoing(1, 7, m["client_id"], m["body"])
        ledger.attempt(out, "ok", "a", 0.0, m)
    log = ledger.receiver("r")
    log.rooms.add(1)
    for m in history[1]:
        log.record(m, epoch=0, live=True)
    return ledger, history


def test_a_balanced_ledger_has_no_problems() -> None:
    ledger, history = balanced()
    assert check(ledger, history) == []


def test_gap_in_seqs() -> None:
    ledger, history = balanced()
    history[1][2]["seq"] = 4
    assert any("gap-free" in p for p in check(ledger, history))


def test_acknowledged_but_not_stored() -> None:
    ledger, history = balanced()
    del history[1][2]
    problems = check(ledger, history)
    assert any("c3: acknowledged ok but stored 0 times" in p for p in problems)


def test_stored_twice() -> None:
    ledger, history = balanced()
    history[1].append(msg(4, "c3"))
    assert any("stored 2 times" in p for p in check(ledger, history))


def test_stored_but_never_sent() -> None:
    ledger, history = balanced()
    history[1].append(msg(4, "ghost"))
    assert any("never sent" in p for p in check(ledger, history))


def test_never_acknowledged() -> None:
    ledger, history = balanced()
    ledger.outgoing(1, 7, "lost", "body lost")
    assert any("lost: never acknowledged" in p for p in check(ledger, history))


def test_receiver_missing_a_message() -> None:
    ledger, history = balanced()
    ledger.receivers[0].deliveries[1].pop()
    assert any("never got 1 of 3" in p for p in check(ledger, history))


def test_receiver_got_a_message_twice_on_one_connection() -> None:
    ledger, history = balanced()
    ledger.receivers[0].record(history[1][0], epoch=0, live=True)
    assert any("more than once live" in p for p in check(ledger, history))


def test_twice_across_a_reconnect_and_resume_is_merged_not_a_problem() -> None:
    ledger, history = balanced()
    ledger.receivers[0].record(history[1][0], epoch=1, live=False)
    assert check(ledger, history) == []


def test_receiver_got_something_else_than_was_stored() -> None:
    ledger, history = balanced()
    ledger.receivers[0].record(msg(2, "c2", body="tampered"), epoch=1, live=True)
    assert any("stored as" in p for p in check(ledger, history))


def test_ack_differs_from_the_stored_message() -> None:
    ledger, history = balanced()
    ledger.sent["c1"].acks.append(msg(9, "c1"))
    assert any("differs from the stored message" in p for p in check(ledger, history))


def test_contiguous_is_where_a_resume_starts() -> None:
    ledger, _ = balanced(5)
    log = ledger.receivers[0]
    log.deliveries[1] = [d for d in log.deliveries[1] if d.message["seq"] != 3]
    assert log.contiguous(1) == 2
