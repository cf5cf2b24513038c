"""Rate limits per user (or, before there is a user, per client address), by action.

Every event that writes or fans out names its action; the action's rate and burst come from
the settings. Counting is per user across all of the user's sockets and, where Redis is
configured, across every process (chat/storage/buckets.py). A new event (say `react`) adds
one entry to ACTIONS' table and names it where it is handled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chat.domain.errors import RateLimited
from chat.settings import Settings
from chat.storage.buckets import Buckets


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    burst: int


def rates_from(settings: Settings) -> dict[str, Rate]:
    """Each action and its limit. Register counts per client address, the rest per user."""
    s = settings
    return {
        "send": Rate(s.send_rate_per_second, s.send_rate_burst),
        "typing": Rate(s.typing_rate_per_second, s.typing_rate_burst),
        "edit": Rate(s.edit_rate_per_second, s.edit_rate_burst),
        "delete": Rate(s.delete_rate_per_second, s.delete_rate_burst),
        "join": Rate(s.join_rate_per_second, s.join_rate_burst),
        "leave": Rate(s.leave_rate_per_second, s.leave_rate_burst),
        "read": Rate(s.read_rate_per_second, s.read_rate_burst),
        "create_room": Rate(s.room_create_rate_per_second, s.room_create_rate_burst),
        "register": Rate(s.register_rate_per_second, s.register_rate_burst),
    }


_MESSAGES = {
    "send": "sending too fast, slow down",
    "typing": "typing too often, slow down",
}


class RateLimiter:
    def __init__(self, buckets: Buckets, rates: dict[str, Rate]) -> None:
        self._buckets = buckets
        self._rates = rates

    def actions(self) -> frozenset[str]:
        return frozenset(self._rates)

    async def check_user(self, user_id: int, action: str) -> None:
        """Raises RateLimited (with Retry-After seconds) when the user goes too fast."""
        await self._check(f"{action}:u{user_id}", action)

    async def check_address(self, address: str, action: str) -> None:
        await self._check(f"{action}:a{address[:64]}", action)

    async def _check(self, key: str, action: str) -> None:
        rate = self._rates[action]
        wait = await self._buckets.take(key, rate.per_second, rate.burst)
        if wait > 0:
            message = _MESSAGES.get(action, f"too many {action} requests, slow down")
            raise RateLimited(message, retry_after=max(math.ceil(wait), 1))
