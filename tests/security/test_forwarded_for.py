"""ASVS 5.0 V2.4 / V13.2: the per-address limits see the real client behind the shipped
proxy. nginx appended to a client's X-Forwarded-For while compose trusted every peer
(FORWARDED_ALLOW_IPS `*`): a client that put any address first escaped the per-address
login limit. Now nginx sets the header to the peer it saw, and the replicas trust only the
proxy's fixed address.

The last test runs the shipped deploy/nginx/chat.conf (upstreams pointed at a test server)
in front of a server that trusts 127.0.0.1 only, and sends forged headers through it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.delivery.files import NGINX_CONF, compose, environment, interpolation_default
from tests.security.conftest import Spawn
from tests.support.clients import unique
from tests.support.server import ServerProcess


def test_compose_trusts_only_the_proxys_address() -> None:
    data = compose()
    trusted = environment(data["services"]["chat"])["FORWARDED_ALLOW_IPS"]
    default = interpolation_default(trusted)
    assert default is not None and "*" not in trusted, trusted
    proxy_networks = data["services"]["proxy"]["networks"]
    proxy_address = interpolation_default(proxy_networks["edge"]["ipv4_address"])
    assert default == proxy_address, (trusted, proxy_address)


def test_nginx_sets_x_forwarded_for_instead_of_appending() -> None:
    conf = NGINX_CONF.read_text()
    assert "$proxy_add_x_forwarded_for" not in conf
    headers = re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", conf)
    assert headers == ["$remote_addr"], headers
    assert re.search(r"location = /metrics \{\s*return 404;", conf), "/metrics is forwarded"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def nginx_in_front(tmp_path: Path) -> tuple[Path, int]:
    """(directory, port) for the shipped site config; the caller writes the upstream."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is needed to run the shipped proxy config"
    return tmp_path, _free_port()


def _start_nginx(directory: Path, port: int, upstream: ServerProcess) -> subprocess.Popen[bytes]:
    site = NGINX_CONF.read_text()
    site = site.replace("server chat:8000", f"server 127.0.0.1:{upstream.port}")
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
    (directory / "site.conf").write_text(site)
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user}daemon off;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        "events {}\nhttp {\n  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" for name, path in temp.items()).replace(
            "body_temp_path", "client_body_temp_path"
        )
        + f"  include {directory}/site.conf;\n}}\n"
    )
    with (directory / "stderr.log").open("wb") as errors:
        process = subprocess.Popen(
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-e",
                "stderr",
                "-p",
                str(directory),
                "-c",
                str(directory / "nginx.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, (directory / "stderr.log").read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("nginx did not listen")


async def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(
    ephemeral: Spawn, nginx_in_front: tuple[Path, int]
) -> None:
    server = ephemeral("behind-nginx", LOGIN_RATE_PER_ADDRESS="3", FORWARDED_ALLOW_IPS="127.0.0.1")
    directory, port = nginx_in_front
    nginx = _start_nginx(directory, port, server)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            statuses = []
            for i in range(5):
                response = await http.post(
                    "/api/auth/login",
                    json={"username": unique(), "password": "wrong-password"},
                    headers={"X-Forwarded-For": f"198.18.0.{i + 1}"},
                )
                statuses.append(response.status_code)
            metrics = await http.get("/metrics")
    finally:
        nginx.terminate()
        nginx.wait(10)
    assert statuses == [401, 401, 401, 429, 429], statuses
    assert metrics.status_code == 404
