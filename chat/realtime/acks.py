"""Turns a handler's result or error into the contract's ack, and counts it.

Every client event answers exactly one of {ok: true, ...} or {ok: false, error: {code,
message}}; no exception leaves a handler. Codes outside the socket contract's list never
reach the wire, and an unexpected failure is logged with its traceback and answered
`unavailable` (try again).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from chat.domain.errors import SOCKET_CODES, ChatError
from chat.metrics import Metrics
from chat.realtime.connections import Connection, Connections
from chat.services.limits import RateLimiter

log = logging.getLogger(__name__)

Ack = dict[str, Any]
Handler = Callable[[Connection, object], Awaitable[Ack]]


def ok(**fields: Any) -> Ack:
    return {"ok": True, **fields}


def failed(code: str, message: str) -> Ack:
    return {"ok": False, "error": {"code": code, "message": message}}


def from_error(error: ChatError) -> Ack:
    code = error.code if error.code in SOCKET_CODES else "invalid"
    return failed(code, error.message)


class EventRouter:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        connections: Connections,
        metrics: Metrics,
        limiter: RateLimiter,
    ):
        self._sio = sio
        self._connections = connections
        self._events = metrics.events
        self._limiter = limiter

    def on(self, event: str, handler: Handler, *, limit: str | None = None) -> None:
        """`limit` names the rate limit (services/limits.py) the event counts against, per
        user, before its payload is even read; an event that writes or fans out has one."""
        counted = {
            outcome: self._events.labels(event, outcome)
            for outcome in ("ok", *sorted(SOCKET_CODES))
        }
        connections = self._connections
        check = self._limiter.check_user
        if limit is not None and limit not in self._limiter.actions():
            raise ValueError(f"no rate limit named {limit!r}")

        async def run(sid: str, *args: Any) -> Ack:
            conn = connections.get(sid)
            if conn is None or conn.closed:
                ack = failed("unauthorized", "not connected")
            elif len(args) != 1:
                ack = failed("invalid", "expected one payload object and an ack callback")
            else:
                try:
                    if limit is not None:
                        await check(conn.user.id, limit)
                    ack = await handler(conn, args[0])
                except ChatError as error:
                    ack = from_error(error)
                except Exception:
                    log.exception("socket event %s failed", event)
                    ack = failed("unavailable", "something went wrong, try again")
            counted["ok" if ack["ok"] else ack["error"]["code"]].inc()
            return ack

        self._sio.on(event, run)

    def on_unknown(self) -> None:
        """python-socketio ignores events nobody handles; a client that asked for an ack
        gets `invalid` instead of waiting for its timeout."""
        unknown = self._events.labels("unknown", "invalid")

        async def run(event: str, sid: str, *args: Any) -> Ack:
            unknown.inc()
            return failed("invalid", "unknown event")

        self._sio.on("*", run)
