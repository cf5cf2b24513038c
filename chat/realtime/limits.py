"""Per-socket token buckets: a socket may burst, then goes at the configured rate."""

from __future__ import annotations

import time
from dataclasses import dataclass

from chat.settings import Settings


class TokenBucket:
    """Starts full. take() spends one token if there is one; tokens refill continuously."""

    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, rate_per_second: float, burst: int) -> None:
        self._rate = rate_per_second
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if tokens < 1.0:
            self._tokens = tokens
            return False
        self._tokens = tokens - 1.0
        return True


@dataclass(frozen=True, slots=True)
class Limits:
    send_rate: float
    send_burst: int
    typing_rate: float
    typing_burst: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            send_rate=settings.send_rate_per_second,
            send_burst=settings.send_rate_burst,
            typing_rate=settings.typing_rate_per_second,
            typing_burst=settings.typing_rate_burst,
        )

    def send_bucket(self) -> TokenBucket:
        return TokenBucket(self.send_rate, self.send_burst)

    def typing_bucket(self) -> TokenBucket:
        return TokenBucket(self.typing_rate, self.typing_burst)
