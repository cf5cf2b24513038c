"""The garbage collector's settings for a serving process.

With CPython's defaults (700, 10, 10) a loaded server runs a full collection every few
seconds, and each one walks every tracked object - the ~130,000 a started server holds
(SQLAlchemy, Flask, socketio, their tables and caches) plus its connections. Measured on the
fan-out benchmark (400 sockets, PostgreSQL + Redis), each full pass stopped the event loop
for 50-140 ms: every delivery in flight waited, and p99 latency was those pauses.

So, once start-up is done: what is alive then lives for the whole process and is frozen out
of the collector's view (gc.freeze), and young collections run every 20,000 container
allocations instead of 700. Cycles are still collected; full passes are rarer and shorter.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
MIDDLE_THRESHOLD = 20
OLD_THRESHOLD = 20


def tune_after_startup() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
