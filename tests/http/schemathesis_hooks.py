"""Loaded by the schemathesis CLI (SCHEMATHESIS_HOOKS) in test_fuzz.py: how fuzzed requests
authenticate.

Every operation gets the bearer token of the user test_fuzz.py registered, except logout,
which gets a fresh session each time: revoking the shared token would turn the rest of the
run into 401s."""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis


@schemathesis.auth(refresh_interval=None)
class ChatAuth:
    def get(self, case: Any, context: Any) -> str:
        if case.operation.path.endswith("/auth/logout"):
            response = httpx.post(
                f"{os.environ['CHAT_FUZZ_URL']}/api/auth/login",
                json={
                    "username": os.environ["CHAT_FUZZ_USERNAME"],
                    "password": os.environ["CHAT_FUZZ_PASSWORD"],
                },
                timeout=30,
            )
            response.raise_for_status()
            return str(response.json()["access_token"])
        return os.environ["CHAT_FUZZ_TOKEN"]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
