"""Prometheus metrics of one process, served at /metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.metrics_core import Metric

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """One registry per app, so several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connected_sockets = Gauge(
            "chat_connected_sockets", "Sockets connected to this process", registry=self.registry
        )
        self.events = Counter(
            "chat_socket_events_total",
            "Socket events handled, by event and outcome (ok or an error code)",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.messages_stored = Counter(
            "chat_messages_stored_total",
            "Messages committed to the database",
            registry=self.registry,
        )
        self.fanout_seconds = Histogram(
            "chat_fanout_seconds",
            "From commit to the broadcast handed to the manager",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.db_seconds = Histogram(
            "chat_db_seconds",
            "Database time of a socket event",
            ["event"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.redis_publish_failures = Counter(
            "chat_redis_publish_failures_total",
            "Broadcasts Redis did not take (other processes missed them; resume fills the gap)",
            registry=self.registry,
        )

    def track_fanout(self, read: Callable[[], tuple[int, int, int]]) -> None:
        """Exports the fan-out manager's own counters: (direct, queued, slow closed)."""
        self.registry.register(_FanoutCollector(read))


class _FanoutCollector:
    """Read at scrape time, so the fan-out path itself keeps plain integer increments."""

    def __init__(self, read: Callable[[], tuple[int, int, int]]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        direct, queued, slow = self._read()
        copies = CounterMetricFamily(
            "chat_fanout_copies",
            "Copies delivered to this process's sockets: direct (one frame written to the "
            "transport) or queued (python-socketio's own path)",
            labels=["path"],
        )
        copies.add_metric(["direct"], direct)
        copies.add_metric(["queued"], queued)
        yield copies
        yield CounterMetricFamily(
            "chat_slow_consumers_closed",
            "Connections closed because they stopped reading (they resume by seq)",
            value=slow,
        )
