"""Clients as an integrator would use them: httpx for REST, python-socketio's AsyncClient."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio

WAIT = 10.0  # seconds any single expected event may take


def unique(prefix: str = "u") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@dataclass
class Account:
    id: int
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(http: httpx.AsyncClient, username: str | None = None) -> Account:
    username = username or unique()
    password = f"pw-{uuid.uuid4().hex}"
    response = await http.post(
        "/api/auth/register", json={"username": username, "password": password}
    )
    assert response.status_code == 201, response.text
    user = response.json()
    response = await http.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return Account(
        id=user["id"], username=username, password=password, token=response.json()["access_token"]
    )


async def create_room(
    http: httpx.AsyncClient, owner: Account, *, private: bool = False, name: str | None = None
) -> dict[str, Any]:
    response = await http.post(
        "/api/rooms",
        json={"name": name or unique("room"), "private": private},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@dataclass
class Recorder:
    """Every server event a socket received, in order, with waits that time out."""

    events: list[tuple[str, Any]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, name: str, data: Any) -> None:
        self.events.append((name, data))
        self._changed.set()

    def of(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]

    async def wait_for(
        self, predicate: Callable[[Recorder], bool], timeout: float = WAIT, what: str = ""
    ) -> None:
        async def loop() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what or predicate}; "
                f"last events: {self.events[-10:]}"
            ) from None


SERVER_EVENTS = (
    "message",
    "message_updated",
    "typing",
    "presence",
    "room_left",
    "room_added",
    "room_removed",
    "room_created",
    "session_revoked",
)


class SocketClient:
    """An AsyncClient with a Recorder and ack helpers."""

    def __init__(self, url: str, token: str | None, *, transports: list[str] | None = None) -> None:
        self.url = url
        self.token = token
        self.transports = transports or ["websocket"]
        self.sio = socketio.AsyncClient(reconnection=False)
        self.recorder = Recorder()
        self.disconnected = asyncio.Event()
        for name in SERVER_EVENTS:
            self.sio.on(name, self._recorder_for(name))
        self.sio.on("disconnect", self._on_disconnect)

    def _recorder_for(self, name: str) -> Callable[[Any], Any]:
        async def handler(data: Any = None) -> None:
            self.recorder.record(name, data)

        return handler

    async def _on_disconnect(self, *args: Any) -> None:
        self.disconnected.set()

    async def connect(self) -> SocketClient:
        auth = {"token": self.token} if self.token is not None else None
        await self.sio.connect(
            self.url,
            auth=auth,
            transports=self.transports,
            socketio_path="socket.io",
            wait_timeout=WAIT,
        )
        return self

    async def call(self, event: str, payload: Any = None, timeout: float = WAIT) -> Any:
        return await self.sio.call(event, payload, timeout=timeout)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
