"""Reading server logs: the tracebacks in them, and which of them mean a bug."""

from __future__ import annotations

from collections import Counter

UNHANDLED = ("Traceback (most recent call last)", "Exception in ASGI application")


def tracebacks_in(log: str) -> Counter[tuple[str, str]]:
    """Every traceback in a log, chained sections together, as (the line that logged it,
    the exception it ended with), counted."""
    lines = log.splitlines()
    seen: Counter[tuple[str, str]] = Counter()
    chained = ("The above exception", "During handling")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not any(marker in line for marker in UNHANDLED):
            i += 1
            continue
        logged_by = lines[i - 1] if i and "Traceback" in line else line
        j, raised = i + 1, "?"
        while j < len(lines):
            current = lines[j]
            if not current.strip() or current.startswith((" ", "\t", "Traceback", *chained)):
                j += 1
                continue
            raised = current
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and lines[k].startswith(chained):
                j = k
                continue
            j += 1
            break
        # Without the timestamp, so that repeats count together.
        seen[(logged_by.split(" ", 2)[-1], raised)] += 1
        i = j
    return seen


def unhandled_in(log: str) -> list[str]:
    """Every traceback, summarised. An expected outage (`Unavailable`, answered 503 or
    `unavailable`) is logged as a one-line warning, not as an exception with a traceback:
    so any traceback at all is a failure nobody expected."""
    return [
        f"{count}x {logged_by} -> {raised}"
        for (logged_by, raised), count in tracebacks_in(log).items()
    ]
