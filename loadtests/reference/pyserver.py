"""A bare python-socketio AsyncServer doing ChatApp's room broadcast, and nothing else.

No database, no auth check, no limits: the same events as ChatApp (docs/protocol.md),
answered from memory, under uvicorn with uvloop and httptools. chat-bench measures
ChatApp against it (and against the Node reference) in the same run; the locustfile
can run against it too, thanks to the small /api stubs below.

    python -m loadtests.reference.pyserver --port 8200
"""

from __future__ import annotations

import argparse
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import socketio
import uvicorn

Scope = dict[str, Any]
Receive = Any
Send = Any


class Store:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.rooms: dict[str, dict[str, Any]] = {}
        self.room_names: set[str] = set()
        self.user_ids = itertools.count(1)
        self.room_ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def new_room(self, name: str, owner: dict[str, Any]) -> dict[str, Any]:
        room = {
            "id": next(self.room_ids),
            "name": name,
            "private": False,
            "owner": owner,
            "created_at": now(),
            "last_seq": 0,
        }
        self.rooms[str(room["id"])] = room
        self.room_names.add(name.lower())
        return room

    def user_of(self, token: Any) -> dict[str, Any]:
        name = token[4:] if isinstance(token, str) and token.startswith("ref.") else "anonymous"
        return self.users.get(name.lower(), {"id": 0, "username": name})


def now() -> str:
    return datetime.now(UTC).isoformat()


def create_app() -> socketio.ASGIApp:
    store = Store()
    sio = socketio.AsyncServer(
        async_mode="asgi", cors_allowed_origins="*", max_http_buffer_size=65536
    )

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        await sio.save_session(sid, {"user": store.user_of(token)})

    @sio.event  # type: ignore[untyped-decorator]
    async def join(sid: str, payload: Any) -> dict[str, Any]:
        key = str(payload.get("room_id")) if isinstance(payload, dict) else "None"
        room = store.rooms.get(key)
        if room is None:
            room = store.new_room(f"auto-{key}", {"id": 0, "username": "system"})
            store.rooms[key] = room
        await sio.enter_room(sid, key)
        return {"ok": True, "room": room, "messages": [], "has_more": False, "online": []}

    @sio.event  # type: ignore[untyped-decorator]
    async def leave(sid: str, payload: Any) -> dict[str, Any]:
        key = str(payload.get("room_id")) if isinstance(payload, dict) else "None"
        await sio.leave_room(sid, key)
        return {"ok": True}

    @sio.event  # type: ignore[untyped-decorator]
    async def send(sid: str, payload: Any) -> dict[str, Any]:
        key = str(payload.get("room_id")) if isinstance(payload, dict) else "None"
        room = store.rooms.get(key)
        if room is None or key not in sio.rooms(sid):
            return {"ok": False, "error": {"code": "forbidden", "message": "join the room first"}}
        session = await sio.get_session(sid)
        room["last_seq"] += 1
        message = {
            "id": next(store.message_ids),
            "room_id": room["id"],
            "seq": room["last_seq"],
            "sender": session["user"],
            "body": payload.get("body"),
            "client_id": payload.get("client_id"),
            "created_at": now(),
            "edited_at": None,
            "deleted": False,
        }
        await sio.emit("message", message, room=key)
        return {"ok": True, "message": message}

    return socketio.ASGIApp(sio, other_asgi_app=RestStubs(store), socketio_path="socket.io")


class RestStubs:
    """Just enough of /api for provisioning: register, login, rooms, health."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        status, payload = self.route(scope, body)
        data = b"" if payload is None else json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def route(self, scope: Scope, raw: bytes) -> tuple[int, Any]:
        method, path = scope["method"], scope["path"]
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode()
        token = auth[7:] if auth.startswith("Bearer ") else None
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return 400, {"message": "invalid JSON", "code": "invalid"}
        store = self.store
        if method == "GET" and path in ("/api/health", "/api/ready"):
            return 200, {"status": "ok"}
        if method == "POST" and path in ("/api/auth/register", "/api/auth/login"):
            name = body.get("username") if isinstance(body, dict) else None
            if not isinstance(name, str):
                return 400, {"message": "invalid", "code": "invalid"}
            if path.endswith("login"):
                return 200, {
                    "access_token": f"ref.{name}",
                    "token_type": "bearer",
                    "expires_in": 3600,
                }
            if name.lower() in store.users:
                return 409, {"message": "taken", "code": "conflict"}
            user = {"id": next(store.user_ids), "username": name}
            store.users[name.lower()] = user
            return 201, user
        if path == "/api/rooms" and method in ("GET", "POST"):
            if token is None:
                return 401, {"message": "unauthorized", "code": "unauthorized"}
            if method == "GET":
                return 200, list({id(r): r for r in store.rooms.values()}.values())
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name:
                return 400, {"message": "invalid", "code": "invalid"}
            if name.lower() in store.room_names:
                return 409, {"message": "taken", "code": "conflict"}
            return 201, store.new_room(name, store.user_of(token))
        return 404, {"message": "not found", "code": "not_found"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    args = parser.parse_args()
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
