"""Warnings that a client can provoke at will, logged at most once per key and interval.

An unauthenticated client can send junk or retry a refused connect as fast as it likes; a
line per frame would let it fill the disk. The first line of each kind is written at once;
the same kind again within INTERVAL_SECONDS is only counted, and the count rides on the next
line written for that kind ("... (12 more since the last)").
"""

from __future__ import annotations

import logging
import time

INTERVAL_SECONDS = 10.0


class QuietLog:
    def __init__(self, logger: logging.Logger, interval: float = INTERVAL_SECONDS) -> None:
        self._log = logger
        self._interval = interval
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, kind: str, message: str, *args: object) -> None:
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return
        self._last[kind] = now
        more = self._suppressed.pop(kind, 0)
        if more:
            self._log.warning(message + " (%d more since the last)", *args, more)
        else:
            self._log.warning(message, *args)
