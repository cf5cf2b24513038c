"""GET /api/health and /api/ready."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, fields

from chat.http.resources import AsyncResource, services

ns = Namespace("health", description="Liveness and readiness", path="/")

health_model = ns.model("Health", {"status": fields.String(example="ok")})
ready_model = ns.model(
    "Ready",
    {
        "status": fields.String(example="ok"),
        "checks": fields.Raw(example={"database": "ok", "redis": "ok"}),
    },
)


@ns.route("/health")
class HealthResource(AsyncResource):
    @ns.response(200, "The process serves", health_model)
    def get(self) -> dict[str, str]:
        return {"status": "ok"}


@ns.route("/ready")
class ReadyResource(AsyncResource):
    @ns.response(200, "The database (and Redis, where configured) answer", ready_model)
    @ns.response(503, "A dependency does not answer", ready_model)
    async def get(self) -> tuple[dict[str, Any], int]:
        checks = await services().health.readiness()
        ok = all(state == "ok" for state in checks.values())
        return {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503
