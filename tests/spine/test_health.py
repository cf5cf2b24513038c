"""GET /api/health and /api/ready, and the router around them."""

from __future__ import annotations

import httpx

from tests.support.backends import Backend


async def test_health_answers_while_the_process_serves(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database_and_configured_redis(
    http: httpx.AsyncClient, backend: Backend
) -> None:
    response = await http.get("/api/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert ("redis" in checks) is backend.uses_redis


async def test_unknown_api_route_is_a_json_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.headers["content-type"].startswith("application/json")


async def test_unknown_top_level_path_is_served_by_the_web_client(http: httpx.AsyncClient) -> None:
    response = await http.get("/some/client/route")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "ChatApp" in response.text


async def test_static_files_do_not_escape_their_directory(http: httpx.AsyncClient) -> None:
    response = await http.get("/../../etc/passwd.txt")
    assert response.status_code in (404, 200)
    assert "root:" not in response.text


async def test_security_headers_on_api_and_client(http: httpx.AsyncClient) -> None:
    for path in ("/api/health", "/"):
        headers = (await http.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "default-src" in headers["content-security-policy"]


async def test_metrics_are_prometheus_text(http: httpx.AsyncClient) -> None:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert "chat_connected_sockets" in response.text
    assert 'chat_fanout_copies_total{path="direct"}' in response.text
    assert "chat_slow_consumers_closed_total" in response.text


async def test_openapi_document_and_swagger_ui_are_served(http: httpx.AsyncClient) -> None:
    spec = await http.get("/api/swagger.json")
    assert spec.status_code == 200
    assert spec.json()["swagger"] == "2.0"
    docs = await http.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    asset = await http.get("/api/swaggerui/swagger-ui-bundle.js")
    assert asset.status_code == 200
