"""Private PostgreSQL and Redis instances for drills that stop, restart or cut them.

The shared instances at 5432/6379 serve everyone's tests and are never touched: a drill
starts its own on free loopback ports in a temporary directory. PostgreSQL refuses to run
as root, so under root (CI, this machine) its commands run as the `postgres` user in a
directory it owns; as any other user they run directly.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

PG_BIN = Path(os.environ.get("CHAT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = os.environ.get("CHAT_TEST_REDIS_SERVER", "redis-server")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float, *, up: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} within {timeout}s")


class PrivatePostgres:
    """initdb + pg_ctl on 127.0.0.1:<free port>, trust auth, fsync off (the OS never
    crashes under a drill; synchronous_commit stays on, so a commit is written before it
    returns and survives any stop of the server)."""

    def __init__(self) -> None:
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="chat-drill-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        if self.as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run(
            PG_BIN / "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )

    def _run(self, *args: object, timeout: float = 60) -> None:
        command = [str(arg) for arg in args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}"
                f"\n{result.stderr}\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str, port: int | None = None) -> str:
        return f"postgresql+asyncpg://postgres@{HOST}:{port or self.port}/{database}"

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -k {self.root} "
            "-c fsync=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=32MB"
        )
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """`fast` is a clean restart; `immediate` is a crash (recovery runs at start)."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    async def astart(self) -> None:
        await asyncio.to_thread(self.start)

    async def astop(self, mode: str = "fast") -> None:
        await asyncio.to_thread(self.stop, mode)

    def create_database(self, prefix: str = "drill") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self._run(
            "psql",
            "-h",
            HOST,
            "-p",
            self.port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            f'CREATE DATABASE "{name}"',
        )
        return name

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                pid_file = self.data / "postmaster.pid"
                if pid_file.exists():
                    pid = int(pid_file.read_text().split()[0])
                    os.kill(pid, 9)
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """redis-server on 127.0.0.1:<free port>, nothing persisted: a restart starts empty."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chat-drill-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--protected-mode",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_port(self.port, timeout)
        return self

    def stop(self) -> None:
        """SIGTERM, as an operator's restart; with no persistence, what it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        wait_port(self.port, 5, up=False)

    async def astart(self) -> None:
        await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
