"""python-socketio's AsyncServer with the guards it does not have (see EngineServer)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import socketio
from socketio import packet as sio_packet

from chat.realtime.acks import failed
from chat.realtime.engine.transport import Backlog
from chat.realtime.engine.unicast import send_one
from chat.realtime.engine.websocket import end_session
from chat.realtime.quiet_log import QuietLog

log = logging.getLogger(__name__)
packets_refused = QuietLog(log)


class EngineServer(socketio.AsyncServer):  # type: ignore[misc]
    """Guards python-socketio does not have.

    - It logs a traceback at ERROR for every packet it cannot parse (deep nesting included);
      a client that sends one is not speaking Socket.IO, so it is closed with a one-line
      warning (rate-limited: quiet_log.py). Binary packets close the connection too.
    - A refused namespace connect may be retried on the same connection without end: after
      connect_attempts refusals the connection is closed; and a session that does not
      connect to the namespace within connect_timeout seconds is closed.
    - One socket's events run a few at a time, a bounded number waiting (EventGate).
    - It dispatches a client's event named `connect` or `disconnect` to the server's own
      connect and disconnect handlers: a client could re-run authentication or fake its
      departure. Those names are refused with `invalid`, as are names that are not strings.
    """

    def __init__(
        self,
        *,
        connect_attempts: int,
        connect_timeout: float,
        event_concurrency: int,
        event_backlog: int,
        backlog: Backlog,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.backlog = backlog
        self.connect_attempts = connect_attempts
        self.connect_timeout = connect_timeout
        self.event_concurrency = event_concurrency
        self.event_backlog = event_backlog
        self._ending: set[asyncio.Task[None]] = set()

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> None:
        """An Engine.IO session must connect to the namespace within connect_timeout
        seconds, or it is closed: each one holds memory (and a websocket a descriptor)."""
        await super()._handle_eio_connect(eio_sid, environ)
        loop = asyncio.get_running_loop()
        loop.call_later(self.connect_timeout, self._connect_deadline, eio_sid)

    def _connect_deadline(self, eio_sid: str) -> None:
        if eio_sid not in self.eio.sockets or self.manager.sid_from_eio_sid(eio_sid, "/"):
            return
        packets_refused.warning("idle", "closing a connection that never connected")
        task = asyncio.create_task(end_session(self.eio, eio_sid))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _handle_connect(self, eio_sid: str, namespace: Any, data: Any) -> None:
        """A connection whose namespace connect was refused connect_attempts times is
        closed: a client could otherwise retry a bad token on one websocket without end."""
        await super()._handle_connect(eio_sid, namespace, data)
        if self.manager.sid_from_eio_sid(eio_sid, namespace or "/") is not None:
            return
        socket = self.eio.sockets.get(eio_sid)
        if socket is None:
            return
        refusals = getattr(socket, "chat_refused_connects", 0) + 1
        socket.chat_refused_connects = refusals
        if refusals >= self.connect_attempts:
            packets_refused.warning(
                "connects", "closing a connection after %d refused connects", refusals
            )
            await end_session(self.eio, eio_sid)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data.startswith(("5", "6")):
            # Binary attachments or a BINARY_EVENT/BINARY_ACK header (long-polling; the
            # websocket refuses them before engineio decodes them: fanout.refused).
            packets_refused.warning("binary", "binary packet, closing the connection")
            await end_session(self.eio, eio_sid)
            return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            packets_refused.warning(
                "malformed", "malformed packet, closing the connection: %s", type(exc).__name__
            )
            await end_session(self.eio, eio_sid)

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        """Acks (and other packets to one socket) are bounded per socket like broadcast
        copies, and go straight to an idle websocket's transport (unicast.py)."""
        encoded = pkt.encode()
        if isinstance(encoded, str):
            await send_one(self.eio, eio_sid, encoded, self.backlog)
            return
        await super()._send_packet(eio_sid, pkt)

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        reason = None
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            # python-socketio would look the name up as a dict key: a list raised
            # TypeError in a task of its own, and the client's ack never came.
            reason = "the event name must be a string"
        elif data[0] in self.reserved_events:
            packets_refused.warning("reserved", "refused a client event with a reserved name")
            reason = "reserved event name"
        if reason is not None:
            await self._answer(eio_sid, namespace, id, failed("invalid", reason))
            return
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        gate = self._gate(eio_sid)
        if gate is None or not self.manager.is_connected(sid, namespace or "/"):
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        if gate.pending >= self.event_backlog:
            packets_refused.warning("backlog", "refused an event: too many in flight")
            await self._answer(
                eio_sid, namespace, id, failed("rate_limited", "too many requests in flight")
            )
            return
        gate.pending += 1
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: Any, id: Any
    ) -> None:
        """Runs at most event_concurrency of one socket's events at a time; the others
        wait their turn (event_backlog in all, running or waiting)."""
        gate = self._gate(eio_sid)
        if gate is None:
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
            return
        try:
            async with gate.running:
                await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
        finally:
            gate.pending -= 1

    def _gate(self, eio_sid: str) -> EventGate | None:
        socket = self.eio.sockets.get(eio_sid)
        if socket is None:
            return None
        gate: EventGate | None = getattr(socket, "chat_event_gate", None)
        if gate is None:
            gate = EventGate(asyncio.Semaphore(self.event_concurrency))
            socket.chat_event_gate = gate
        return gate

    async def _answer(self, eio_sid: str, namespace: Any, id: Any, ack: Any) -> None:
        if id is not None:
            await self._send_packet(
                eio_sid,
                self.packet_class(sio_packet.ACK, namespace=namespace or "/", data=[ack], id=id),
            )


@dataclass(eq=False, slots=True)
class EventGate:
    """One socket's events: a bounded number run at once, a bounded number wait."""

    running: asyncio.Semaphore
    pending: int = 0
