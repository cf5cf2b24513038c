"""Socket events about messages: send, edit, delete. The services store and commit, then
announce through the publisher; the ack carries the stored message."""

from __future__ import annotations

from chat.metrics import Metrics
from chat.realtime import payloads
from chat.realtime.acks import Ack, EventRouter, ok
from chat.realtime.connections import Connection
from chat.services.container import Services


class MessageEvents:
    def __init__(self, services: Services, metrics: Metrics) -> None:
        self._messages = services.messages
        self._stored = metrics.messages_stored
        self._db = {e: metrics.db_seconds.labels(e) for e in ("send", "edit", "delete")}

    def register(self, router: EventRouter) -> None:
        router.on("send", self.send, limit="send")
        router.on("edit", self.edit, limit="edit")
        router.on("delete", self.delete, limit="delete")

    async def send(self, conn: Connection, payload: object) -> Ack:
        """One transaction: membership, next seq and insert. A repeated client_id stores
        nothing and acks the original message."""
        request = payloads.send_request(payload)
        with self._db["send"].time():
            result = await self._messages.send_message(
                conn.user, request.room_id, request.body, request.client_id
            )
        if result.created:
            self._stored.inc()
        return ok(message=result.message.as_dict())

    async def edit(self, conn: Connection, payload: object) -> Ack:
        request = payloads.edit_request(payload)
        with self._db["edit"].time():
            message = await self._messages.edit_message(conn.user, request.message_id, request.body)
        return ok(message=message.as_dict())

    async def delete(self, conn: Connection, payload: object) -> Ack:
        request = payloads.delete_request(payload)
        with self._db["delete"].time():
            message = await self._messages.delete_message(conn.user, request.message_id)
        return ok(message=message.as_dict())
