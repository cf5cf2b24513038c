"""Drills: real processes on a private PostgreSQL and Redis that the drills stop, restart
and cut off. They do not depend on CHAT_TEST_BACKEND, so they run once: every test here
carries the `drill` marker, selected in the PostgreSQL pass and deselected in the SQLite
pass (`-m "not drill"`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster
from tests.support.private import PrivatePostgres, PrivateRedis

HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "drill: fault drill on private PostgreSQL/Redis (run once, postgres pass)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.drill)


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres().start()
    yield pg
    pg.close()


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis().start()
    yield redis
    redis.close()


@pytest.fixture
def cluster(
    private_pg: PrivatePostgres, private_redis: PrivateRedis, run_dir: Path
) -> Iterator[Callable[..., Cluster]]:
    """cluster(size=2, proxied=False, **env): servers on the private backends, closed after.

    A drill that stopped PostgreSQL or Redis starts them again before it ends; if it failed
    half-way, this puts them back for the next drill."""
    made: list[Cluster] = []

    def make(**options: object) -> Cluster:
        created = Cluster(private_pg, private_redis, run_dir, **options)  # type: ignore[arg-type]
        made.append(created)
        return created

    yield make
    for created in made:
        created.close()
    if not (private_pg.data / "postmaster.pid").exists():
        private_pg.start()
    if private_redis.process is None or private_redis.process.poll() is not None:
        private_redis.start()
