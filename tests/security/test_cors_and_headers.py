"""ASVS 5.0 V3.4 (browser security headers) and V3.5 (origin checks): CORS_ORIGINS is an
explicit allow-list on REST and on the socket handshake; responses carry nosniff, a
Referrer-Policy and framing protection; the web client at / has a CSP without inline
script; nothing reveals versions."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.security.conftest import socket_refusal
from tests.support.clients import Account, register
from tests.support.server import ServerProcess

GOOD, EVIL = "http://good.example", "http://evil.example"


@pytest.fixture(scope="module")
def cors_server(spawn: Callable[..., ServerProcess]) -> ServerProcess:
    return spawn("cors", CORS_ORIGINS=GOOD)


async def test_rest_answers_allowed_origins_and_refuses_others(
    cors_server: ServerProcess,
) -> None:
    async with httpx.AsyncClient(base_url=cors_server.url, timeout=30) as http:
        account: Account = await register(http)
        good = await http.get("/api/users/me", headers={**account.headers, "Origin": GOOD})
        assert good.status_code == 200
        assert good.headers["access-control-allow-origin"] == GOOD
        assert "origin" in good.headers.get("vary", "").lower()

        for origin in (EVIL, "http://good.example.evil.example", "https://good.example", "null"):
            bad = await http.get("/api/users/me", headers={**account.headers, "Origin": origin})
            assert bad.headers.get("access-control-allow-origin") in (None, ""), origin
            if origin != "null":
                assert bad.status_code == 403, (origin, bad.status_code)
                assert bad.json()["code"] == "forbidden"

        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        }
        allowed = await http.options("/api/rooms", headers={**preflight, "Origin": GOOD})
        assert allowed.status_code in (200, 204)
        assert allowed.headers["access-control-allow-origin"] == GOOD
        refused = await http.options("/api/rooms", headers={**preflight, "Origin": EVIL})
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        # State-changing requests from a foreign page are refused before they act.
        created = await http.post(
            "/api/rooms", json={"name": "from-evil"}, headers={**account.headers, "Origin": EVIL}
        )
        assert created.status_code == 403


async def test_without_cors_origins_only_the_own_origin_passes(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    own = await http.get("/api/health", headers={"Origin": server.url})
    assert own.status_code == 200
    foreign = await http.get("/api/health", headers={"Origin": EVIL})
    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers


async def test_socket_handshake_refuses_foreign_origins(cors_server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=cors_server.url, timeout=30) as http:
        account = await register(http)
    assert await socket_refusal(cors_server.url, account.token, headers={"Origin": GOOD}) is None
    for origin in (EVIL, "null", "http://good.example:8080"):
        refusal = await socket_refusal(cors_server.url, account.token, headers={"Origin": origin})
        assert refusal is not None, f"socket accepted Origin {origin}"


async def test_socket_handshake_without_cors_origins_refuses_foreign_origins(
    server: ServerProcess, user: Account
) -> None:
    assert await socket_refusal(server.url, user.token, headers={"Origin": EVIL}) is not None
    assert await socket_refusal(server.url, user.token, headers={"Origin": server.url}) is None


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/rooms", "/api/no/such/route", "/", "/api/docs"]
)
async def test_security_headers_on_every_kind_of_response(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] in (
        "no-referrer",
        "strict-origin-when-cross-origin",
        "same-origin",
    )
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp or headers.get("x-frame-options") == "DENY"
    assert "x-powered-by" not in headers
    assert not any(ch.isdigit() for ch in headers.get("server", "")), headers.get("server")


async def test_web_client_csp_forbids_inline_script_and_plugins(http: httpx.AsyncClient) -> None:
    csp = (await http.get("/")).headers["content-security-policy"]
    directives = {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }
    scripts = directives.get("script-src", directives.get("default-src", []))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, csp
    assert "*" not in scripts
    assert directives.get("object-src") == ["'none'"], csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert "base-uri" in directives, csp


async def test_token_responses_are_not_cached(http: httpx.AsyncClient) -> None:
    """RFC 6749 5.1 / ASVS V14.3: a response carrying a token says Cache-Control: no-store."""
    account = await register(http)
    response = await http.post(
        "/api/auth/login", json={"username": account.username, "password": account.password}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers.get("cache-control", ""), dict(response.headers)
