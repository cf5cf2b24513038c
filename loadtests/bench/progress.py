"""The status line a run redraws while it works."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """One status line: redrawn in place on a terminal, every few seconds otherwise."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last_print = 0.0
        self.last_key = ""

    def update(self, text: str, key: str = "") -> None:
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + text[:150].ljust(150))
            self.stream.flush()
        elif key != self.last_key or now - self.last_print > 5:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.last_print = now
        self.last_key = key

    def done(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 150 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()


def bar(fraction: float, width: int = 24) -> str:
    filled = int(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"
