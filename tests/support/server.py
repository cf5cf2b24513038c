"""A real ChatApp server process on 127.0.0.1, on a socket bound by the test (no port race)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.backends import Backend

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"

# Every test user logs in from 127.0.0.1: the address limit would measure itself.
DEFAULT_ENV = {
    "CHAT_ENV": "test",
    "SECRET_KEY": TEST_SECRET,
    "LOGIN_RATE_PER_ADDRESS": "1000000",
    "LOGIN_RATE_PER_USER": "1000",
    "SEND_RATE_PER_SECOND": "1000",
    "SEND_RATE_BURST": "2000",
    "TYPING_RATE_PER_SECOND": "1000",
    "TYPING_RATE_BURST": "2000",
    "EDIT_RATE_PER_SECOND": "1000",
    "EDIT_RATE_BURST": "1000",
    "DELETE_RATE_PER_SECOND": "1000",
    "DELETE_RATE_BURST": "1000",
    "JOIN_RATE_PER_SECOND": "1000",
    "JOIN_RATE_BURST": "1000",
    "LEAVE_RATE_PER_SECOND": "1000",
    "LEAVE_RATE_BURST": "1000",
    "READ_RATE_PER_SECOND": "1000",
    "READ_RATE_BURST": "1000",
    "ROOM_CREATE_RATE_PER_SECOND": "1000",
    "ROOM_CREATE_RATE_BURST": "1000",
    "REGISTER_RATE_PER_SECOND": "1000",
    "REGISTER_RATE_BURST": "1000",
    "LOGIN_RATE_PER_ACCOUNT": "100000",
    # /metrics is off by default; the tests read it.
    "METRICS_ENABLED": "true",
    "LOG_LEVEL": "info",
    "AUTO_MIGRATE": "true",
    # Several servers share the test PostgreSQL (max_connections 100): keep each one small.
    "DB_POOL_SIZE": "10",
    "DB_APPEND_POOL_SIZE": "4",
}


class ServerProcess:
    """`python -m chat serve --fd N`; stop() is graceful (coverage data is written), with a
    hard-kill fallback; kill() is SIGKILL, for crash drills."""

    def __init__(
        self, backend: Backend, log_dir: Path, name: str = "server", **overrides: str
    ) -> None:
        self.backend = backend
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.env_overrides = overrides
        self.process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        if self._socket is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Accepted sockets inherit it; without it, Nagle + delayed ACK add 40 ms a reply.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind(("127.0.0.1", self.port))
            sock.listen(1024)
            sock.set_inheritable(True)
            self._socket = sock
            self.port = sock.getsockname()[1]
        inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env = {**inherited, **DEFAULT_ENV, **self.backend.env(), **self.env_overrides}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat", "serve", "--fd", str(self._socket.fileno())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(self._socket.fileno(),),
        )
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/api/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready in {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
