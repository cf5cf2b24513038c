"""Drill: on a Redis Cluster (REDIS_CLUSTER=true), the master serving a busy room's channel is
killed with SIGKILL mid-stream.

Its replica takes over (cluster-node-timeout 1 s); every process rereads the slot map and
subscribes the room's channel again on the new master by itself: live delivery across
processes comes back without anyone restarting anything, and nothing acknowledged is lost:
what the broadcasts missed while the shard was down is delivered live from the database
(the contract's guarantee 7), with nothing left for resume to fill."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.cluster import RedisCluster

from tests.drills.scenario import scenario
from tests.drills.test_redis_outage import filled
from tests.support.cluster import Cluster
from tests.support.private import HOST, PrivatePostgres
from tests.support.redis_cluster import PrivateRedisCluster


@pytest.fixture
def redis_cluster() -> Iterator[PrivateRedisCluster]:
    created = PrivateRedisCluster().start()
    yield created
    created.close()


def master_of(redis: PrivateRedisCluster, key: str) -> int:
    client = RedisCluster(host=HOST, port=redis.ports[0])
    try:
        return int(client.get_node_from_key(key).port)
    finally:
        client.close()


async def test_a_master_killed_mid_stream(
    private_pg: PrivatePostgres, redis_cluster: PrivateRedisCluster, run_dir: Path
) -> None:
    cl = Cluster(private_pg, redis_cluster, run_dir)
    try:
        scen = await scenario(cl)
        try:
            scen.start()
            await scen.flow(40)
            room_channel = f"{cl.backend.redis_prefix}:r:room:{scen.rooms[0]}"
            victim = master_of(redis_cluster, room_channel)
            redis_cluster.kill(victim)

            await asyncio.to_thread(redis_cluster.wait_healthy, 30, without=victim)
            # Live delivery across processes is whole again, by itself.
            await scen.probe_live(timeout=30)
            await scen.flow(20, timeout=30)
            await scen.end()
        finally:
            await scen.close()
        # Publishes to the dead shard failed meanwhile; each process read them from the
        # database and delivered them live (the ledger above proves nothing was lost).
        healed = await filled(cl)
        assert healed > 0, "the failover cost no broadcast: it proved little"
        assert scen.resumed() == 0, f"{scen.resumed()} messages reached a receiver only by resume"
        cl.assert_alive()
        assert not cl.unhandled(), cl.unhandled()
    finally:
        cl.close()
