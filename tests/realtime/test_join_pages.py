"""The `join` page cut by bytes (chat/realtime/pages.py): a pure function, tested plainly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chat.domain.models import Message, User
from chat.realtime.pages import fit

ALICE = User(id=1, username="alice")
WHEN = datetime(2026, 12, 2, tzinfo=UTC)


def message(seq: int, body: str) -> Message:
    return Message(
        id=seq,
        room_id=7,
        seq=seq,
        sender=ALICE,
        body=body,
        client_id=f"c{seq}",
        created_at=WHEN,
        edited_at=None,
        deleted=False,
    )


def encoded_size(items: list[dict[str, object]]) -> int:
    return len(json.dumps(items, separators=(",", ":")))


def test_a_page_that_fits_is_kept_whole() -> None:
    page = [message(n, "hi") for n in range(1, 6)]
    kept, cut = fit(page, 64 * 1024, newest=False)
    assert [m["seq"] for m in kept] == [1, 2, 3, 4, 5] and cut is False


def test_the_cut_keeps_the_requested_end_in_ascending_order_within_the_bytes() -> None:
    page = [message(n, "\U0001f600" * 1000) for n in range(1, 11)]  # ~12 KB of JSON each
    oldest, cut_oldest = fit(page, 40_000, newest=False)
    newest, cut_newest = fit(page, 40_000, newest=True)
    assert [m["seq"] for m in oldest] == [1, 2, 3] and cut_oldest
    assert [m["seq"] for m in newest] == [8, 9, 10] and cut_newest
    assert encoded_size(oldest) <= 40_000 and encoded_size(newest) <= 40_000


def test_at_least_one_message_even_when_it_alone_is_over_the_bytes() -> None:
    page = [message(n, "x" * 4000) for n in range(1, 4)]
    kept, cut = fit(page, 1024, newest=True)
    assert [m["seq"] for m in kept] == [3] and cut is True
    assert fit([], 1024, newest=True) == ([], False)
