"""GET /api/users/me."""

from __future__ import annotations

from typing import Any

from chat.http.resources import AsyncResource, caller, services
from chat.http.schemas import BEARER, errors, shared_namespace, user_model

ns = shared_namespace("users", "Who the token speaks for", "/users")


@ns.route("/me")
class MeResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(200, "The caller", user_model)
    @errors(ns, 401, 503)
    async def get(self) -> dict[str, Any]:
        """The user the bearer token speaks for."""
        user = await services().accounts.me(await caller())
        return user.as_dict()
