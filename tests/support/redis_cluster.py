"""A private Redis Cluster: 3 masters and 3 replicas of `redis-server --cluster-enabled yes`
on free 127.0.0.1 ports in a temporary directory, joined with `redis-cli --cluster create`.

Nothing is persisted. cluster-node-timeout is short (1 s) so that a replica takes over a
killed master within a few seconds in the failover drill."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.private import HOST, REDIS_SERVER, wait_port

REDIS_CLI = shutil.which("redis-cli") or "redis-cli"
NODE_TIMEOUT_MS = 1000
# Each node also listens on its port + 10000 (the cluster bus).
BUS_OFFSET = 10000


def free_node_port() -> int:
    """A free port whose bus port (port + 10000) is valid and free too."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port + BUS_OFFSET > 65535:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bus:
                bus.bind((HOST, port + BUS_OFFSET))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a Redis Cluster node")


class PrivateRedisCluster:
    def __init__(self, nodes: int = 6) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chat-redis-cluster-"))
        self.ports: list[int] = []
        while len(self.ports) < nodes:
            port = free_node_port()
            if port not in self.ports:
                self.ports.append(port)
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.ports[0]}/0"

    def _start_node(self, port: int) -> None:
        folder = self.root / str(port)
        folder.mkdir(exist_ok=True)
        log = (folder / "redis.log").open("ab")
        self.processes[port] = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                HOST,
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                str(folder / "nodes.conf"),
                "--cluster-node-timeout",
                str(NODE_TIMEOUT_MS),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
                "--protected-mode",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def start(self, timeout: float = 60.0) -> PrivateRedisCluster:
        try:
            for port in self.ports:
                self._start_node(port)
            for port in self.ports:
                wait_port(port, 10)
            nodes = [f"{HOST}:{port}" for port in self.ports]
            replicas = ["--cluster-replicas", "1", "--cluster-yes"]
            created = subprocess.run(
                [REDIS_CLI, "--cluster", "create", *nodes, *replicas],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            if created.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed:\n{created.stdout}")
            self.wait_healthy(timeout)
        except BaseException:
            self.close()
            raise
        return self

    def cli(self, port: int, *args: str) -> str:
        result = subprocess.run(
            [REDIS_CLI, "-h", HOST, "-p", str(port), *args],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return result.stdout

    def alive(self) -> list[int]:
        return [port for port, proc in self.processes.items() if proc.poll() is None]

    def masters(self) -> list[int]:
        """Ports of the live masters that serve slots, as a live node sees the cluster."""
        found = []
        for line in self.cli(self.alive()[0], "cluster", "nodes").splitlines():
            parts = line.split()
            if len(parts) > 8 and "master" in parts[2] and "fail" not in parts[2]:
                found.append(int(parts[1].split("@")[0].rsplit(":", 1)[1]))
        return sorted(found)

    def wait_healthy(self, timeout: float, *, without: int | None = None) -> None:
        """Every live node says cluster_state:ok and three masters serve the slots (none of
        them `without`: a killed master's replica has taken over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [self.cli(port, "cluster", "info") for port in self.alive()]
            masters = self.masters()
            if (
                all("cluster_state:ok" in state for state in states)
                and len(masters) == 3
                and without not in masters
            ):
                return
            time.sleep(0.2)
        raise TimeoutError(f"Redis Cluster not healthy within {timeout}s")

    def kill(self, port: int) -> None:
        """SIGKILL one node, as when its machine dies."""
        proc = self.processes[port]
        proc.kill()
        proc.wait(5)

    def close(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)
