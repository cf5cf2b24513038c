"""docker-compose.cluster.yml: the override that runs the chat replicas on a Redis Cluster."""

from __future__ import annotations

from typing import Any

from chat.settings import ENV_VARS
from tests.delivery.files import ROOT, depends_on, environment, load_yaml

OVERRIDE = ROOT / "docker-compose.cluster.yml"


def override() -> dict[str, Any]:
    data = load_yaml(OVERRIDE)
    assert isinstance(data, dict), f"{OVERRIDE.name} is not a mapping"
    return data


def nodes(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in data["services"].items() if name.startswith("redis-")}


def test_six_cluster_nodes_joined_with_one_replica_each() -> None:
    data = override()
    found = {name: spec for name, spec in nodes(data).items() if name != "redis-cluster-init"}
    assert len(found) == 6
    addresses = []
    for name, spec in found.items():
        command = spec["command"]
        assert command[command.index("--cluster-enabled") + 1] == "yes", name
        addresses.append(spec["networks"]["rediscluster"]["ipv4_address"])
    init = data["services"]["redis-cluster-init"]
    script = " ".join(init["command"])
    for address in addresses:
        assert f"{address}:6379" in script
    assert "--cluster-replicas 1" in script
    assert set(depends_on(init)) == set(found)


def test_the_replicas_run_on_the_cluster_and_wait_for_it() -> None:
    data = override()
    chat = data["services"]["chat"]
    env = environment(chat)
    assert env["REDIS_CLUSTER"] == "true"
    host = env["REDIS_URL"].split("//", 1)[1].split(":", 1)[0]
    assert host in {
        spec["networks"]["rediscluster"]["ipv4_address"]
        for name, spec in nodes(data).items()
        if name != "redis-cluster-init"
    }
    assert depends_on(chat)["redis-cluster-init"]["condition"] == ("service_completed_successfully")
    for name in ("chat", "migrate"):
        unknown = set(environment(data["services"][name])) - set(ENV_VARS)
        assert not unknown, f"{name} passes variables chat.settings does not read: {unknown}"
