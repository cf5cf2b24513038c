"""Exports the live stream's counters (live_order.py, live_pages.py) at /metrics, read at
scrape time so the delivery path keeps plain integer increments."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily
from prometheus_client.metrics_core import Metric

from chat.realtime.live_order import LiveOrder
from chat.realtime.live_pages import JoinPages


class LiveCollector:
    def __init__(self, live: LiveOrder, pages: JoinPages) -> None:
        self._live = live
        self._pages = pages

    def collect(self) -> Iterator[Metric]:
        rows = CounterMetricFamily(
            "chat_live_rows_read",
            "Message rows the live stream read from the database: to prime a room's tail, "
            "to fill a gap, to answer a join its tail could not",
            labels=["purpose"],
        )
        rows.add_metric(["stream"], self._live.rows_read)
        rows.add_metric(["join"], self._pages.rows_read)
        yield rows
        yield CounterMetricFamily(
            "chat_live_filled",
            "Messages delivered live from the database, not a broadcast (lost or late ones)",
            value=self._live.filled,
        )
        joins = CounterMetricFamily(
            "chat_join_pages",
            "Join pages served from the room's tail in memory, or read from the database",
            labels=["source"],
        )
        joins.add_metric(["memory"], self._pages.from_memory)
        joins.add_metric(["database"], self._pages.from_database)
        yield joins
