"""Start, watch and stop the servers a benchmark measures.

Configurations:

- ``embedded``   ChatApp, SQLite in a temp dir, in-process Socket.IO manager.
- ``pg-redis-1`` ChatApp on a fresh PostgreSQL database + Redis, one process.
- ``pg-redis-2``, ``pg-redis-4`` the same with two (four) processes on as many ports.
- ``node``       the bare socket.io 4.8 reference (loadtests/reference/node).
- ``pyref``      the bare python-socketio AsyncServer reference.
- a URL          a server someone else runs (``--target``): nothing started.

Every server process started here is pinned to the server core(s), gets the
benchmark's raised limits through the environment, logs to the results directory
and is stopped (SIGTERM, then SIGKILL) when the configuration is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil  # type: ignore[import-untyped]

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "loadtests" / "reference" / "node"

CHAT_KINDS = ("embedded", "pg-redis-1", "pg-redis-2", "pg-redis-4")
REFERENCE_KINDS = ("node", "pyref")
KINDS = CHAT_KINDS + REFERENCE_KINDS

# What a benchmark run raises, and says so in its report: the
# limiters would otherwise be what is measured.
RAISED_LIMITS: dict[str, str] = {
    "SEND_RATE_PER_SECOND": "1000000",
    "SEND_RATE_BURST": "1000000",
    "TYPING_RATE_PER_SECOND": "1000000",
    "TYPING_RATE_BURST": "1000000",
    "LOGIN_RATE_PER_USER": "1000000",
    "LOGIN_RATE_PER_ADDRESS": "1000000",
    "EDIT_RATE_PER_SECOND": "1000000",
    "EDIT_RATE_BURST": "1000000",
    "DELETE_RATE_PER_SECOND": "1000000",
    "DELETE_RATE_BURST": "1000000",
    "JOIN_RATE_PER_SECOND": "1000000",
    "JOIN_RATE_BURST": "1000000",
    "LEAVE_RATE_PER_SECOND": "1000000",
    "LEAVE_RATE_BURST": "1000000",
    "READ_RATE_PER_SECOND": "1000000",
    "READ_RATE_BURST": "1000000",
    "ROOM_CREATE_RATE_PER_SECOND": "1000000",
    "ROOM_CREATE_RATE_BURST": "1000000",
    "REGISTER_RATE_PER_SECOND": "1000000",
    "REGISTER_RATE_BURST": "1000000",
    "LOGIN_RATE_PER_ACCOUNT": "1000000",
}

PG_ADMIN_DSN = os.environ.get("CHAT_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CHAT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


try:
    _USABLE_CORES = sorted(os.sched_getaffinity(0))
except AttributeError:  # pragma: no cover - not Linux
    _USABLE_CORES = []


def split_cores() -> tuple[frozenset[int] | None, frozenset[int] | None]:
    """(server cores, generator cores): the first usable core, and the rest.

    None for both when fewer than two cores are usable (no pinning then). Read from
    the affinity this process had at import, before it pinned itself.
    """
    cores = _USABLE_CORES
    if len(cores) < 2:
        return None, None
    return frozenset({cores[0]}), frozenset(cores[1:])


@dataclass
class ServerHandle:
    name: str
    urls: list[str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    external_pids: list[int] = field(default_factory=list)
    uses_services: bool = False

    @property
    def measurable(self) -> bool:
        """Whether the server's processes are known (not for a bare --target URL)."""
        return bool(self.procs or self.external_pids)

    def processes(self) -> list[psutil.Process]:
        """The server processes and their children (uvicorn workers, if any)."""
        found: list[psutil.Process] = []
        for pid in [p.pid for p in self.procs] + self.external_pids:
            try:
                parent = psutil.Process(pid)
                found.append(parent)
                found.extend(parent.children(recursive=True))
            except psutil.NoSuchProcess:
                continue
        return found

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def rss_bytes(self) -> int:
        total = 0
        for p in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()


def _pin(cores: frozenset[int] | None) -> Callable[[], None]:
    def preexec() -> None:
        os.setsid()
        if cores:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, cores)

    return preexec


def _spawn(
    handle: ServerHandle,
    argv: list[str],
    env: dict[str, str],
    cores: frozenset[int] | None,
    log_path: Path,
    cwd: Path,
) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_pin(cores),
    )
    log.close()
    handle.procs.append(proc)
    handle.logs.append(log_path)


def wait_ready(handle: ServerHandle, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for url in handle.urls:
        while True:
            if not handle.alive():
                tail = "\n".join(_tail(p) for p in handle.logs)
                raise ServerError(f"{handle.name}: server exited during startup\n{tail}")
            try:
                with opener.open(url + "/api/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"{handle.name}: {url} not ready after {timeout:.0f}s")
            time.sleep(0.2)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def ensure_node_modules() -> None:
    if (NODE_DIR / "node_modules" / "socket.io").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ServerError("npm not found: the node reference server needs Node 20 + npm")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, capture_output=True
    )


def chat_command() -> list[str]:
    return [sys.executable, "-m", "chat", "serve"]


async def _pg_admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(database: str) -> str:
    admin = PG_ADMIN_DSN.split("://", 1)[1]
    hostpart = admin.rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{hostpart}/{database}"


def _redis_flush_prefix(prefix: str) -> None:
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*", count=1000):
            client.delete(key)
        client.close()


def start_server(
    kind: str,
    *,
    cores: frozenset[int] | None,
    log_dir: Path,
    chat_env: dict[str, str] | None = None,
    target_pids: list[int] | None = None,
) -> ServerHandle:
    """Start one configuration and wait until it answers /api/health."""
    if kind.startswith(("http://", "https://")):
        return ServerHandle(
            name=kind,
            urls=[kind.rstrip("/")],
            notes=["external target"],
            external_pids=list(target_pids or []),
        )
    if kind not in KINDS:
        raise ServerError(f"unknown configuration {kind!r}; one of {', '.join(KINDS)} or a URL")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CHAT_", "DATABASE_"))}
    for k in (
        "REDIS_URL",
        "REDIS_PREFIX",
        "SECRET_KEY",
        "CORS_ORIGINS",
        "http_proxy",
        "https_proxy",
    ):
        base_env.pop(k, None)
    base_env["NO_PROXY"] = "127.0.0.1,localhost"
    handle = ServerHandle(name=kind, urls=[])
    try:
        if kind == "node":
            ensure_node_modules()
            node = shutil.which("node")
            if node is None:
                raise ServerError("node not found")
            port = free_port()
            handle.urls.append(f"http://127.0.0.1:{port}")
            _spawn(
                handle,
                [node, "server.js", "--port", str(port)],
                base_env | {"NODE_ENV": "production"},
                cores,
                log_dir / "node.log",
                NODE_DIR,
            )
        elif kind == "pyref":
            port = free_port()
            handle.urls.append(f"http://127.0.0.1:{port}")
            _spawn(
                handle,
                [sys.executable, "-m", "loadtests.reference.pyserver", "--port", str(port)],
                base_env,
                cores,
                log_dir / "pyref.log",
                REPO_ROOT,
            )
        else:
            env = {
                "CHAT_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(48),
                "LOG_LEVEL": "warning",
                "AUTO_MIGRATE": "true",
            } | RAISED_LIMITS
            if kind == "embedded":
                tmp = Path(tempfile.mkdtemp(prefix="chat-bench-"))
                handle.cleanups.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
                env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp}/bench.db"
            else:
                handle.uses_services = True
                database = f"chatbench_{int(time.time())}_{secrets.token_hex(3)}"
                asyncio.run(_pg_admin(f'CREATE DATABASE "{database}"'))
                handle.cleanups.append(
                    lambda: asyncio.run(
                        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                    )
                )
                prefix = f"chatbench-{secrets.token_hex(4)}"
                handle.cleanups.append(lambda: _redis_flush_prefix(prefix))
                env["DATABASE_URL"] = _pg_url(database)
                env["REDIS_URL"] = REDIS_URL
                env["REDIS_PREFIX"] = prefix
            env |= chat_env or {}
            handle.env = {k: ("***" if k == "SECRET_KEY" else v) for k, v in env.items()}
            count = int(kind.rsplit("-", 1)[1]) if kind.startswith("pg-redis-") else 1
            for i in range(count):
                port = free_port()
                handle.urls.append(f"http://127.0.0.1:{port}")
                argv = [*chat_command(), "--host", "127.0.0.1", "--port", str(port)]
                _spawn(handle, argv, base_env | env, cores, log_dir / f"{kind}-{i}.log", REPO_ROOT)
                if i == 0 and count > 1:
                    # Let the first process migrate the fresh database alone.
                    wait_ready(handle)
        wait_ready(handle)
    except BaseException:
        handle.stop()
        raise
    return handle
