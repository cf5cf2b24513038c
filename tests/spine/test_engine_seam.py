"""The seam onto the libraries' internals (chat/realtime/engine/) still fits them.

Fails when an upgrade leaves the pinned series, or renames, removes or re-signs a private
method we override or a private name we read: the seam's docstring lists each, and this
test checks each. Behaviour is pinned by the live tests the docstring names."""

from __future__ import annotations

import asyncio
import inspect
from importlib.metadata import version
from typing import Any

import engineio
import pytest
import socketio
from engineio import async_socket
from engineio import packet as eio_packet
from engineio.async_drivers import asgi as eio_asgi
from socketio import packet as sio_packet

from chat.realtime.engine.fanout import DirectEmitMixin
from chat.realtime.engine.managers import RedisManager
from chat.realtime.engine.packets import ChatPacket
from chat.realtime.engine.server import EngineServer
from chat.realtime.engine.websocket import DirectWebSocket

PINNED = {"python-socketio": "5.18.", "python-engineio": "4.15.", "uvicorn": "0.54."}


@pytest.mark.parametrize("package", list(PINNED))
def test_installed_versions_are_the_pinned_series(package: str) -> None:
    assert version(package).startswith(PINNED[package]), (
        f"{package} {version(package)}: re-check every name in chat/realtime/engine/__init__.py"
        " and move the pin"
    )


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


OVERRIDES: list[tuple[type, type, str]] = [
    (EngineServer, socketio.AsyncServer, "_handle_eio_connect"),
    (EngineServer, socketio.AsyncServer, "_handle_connect"),
    (EngineServer, socketio.AsyncServer, "_handle_eio_message"),
    (EngineServer, socketio.AsyncServer, "_handle_event"),
    (EngineServer, socketio.AsyncServer, "_handle_event_internal"),
    (EngineServer, socketio.AsyncServer, "_send_packet"),
    (RedisManager, socketio.AsyncRedisManager, "_handle_emit"),
    (RedisManager, socketio.AsyncRedisManager, "_publish"),
    (RedisManager, socketio.AsyncRedisManager, "_redis_listen_with_retries"),
    (DirectEmitMixin, socketio.AsyncManager, "emit"),
    (DirectWebSocket, eio_asgi.WebSocket, "__call__"),
    (DirectWebSocket, eio_asgi.WebSocket, "wait"),
]


@pytest.mark.parametrize(
    ("ours", "theirs", "name"), OVERRIDES, ids=[f"{t.__name__}.{n}" for _, t, n in OVERRIDES]
)
def test_overridden_methods_exist_with_the_same_parameters(
    ours: type, theirs: type, name: str
) -> None:
    assert name in vars(ours), f"{ours.__name__} no longer overrides {name}"
    base = getattr(theirs, name, None)
    assert base is not None, f"{theirs.__name__}.{name} is gone"
    mine, their = parameters(vars(ours)[name]), parameters(base)
    # Every parameter they pass us, by the same name and in the same order.
    assert [p for p in mine if p in their] == their, (
        f"{theirs.__name__}.{name}{inspect.signature(base)} vs ours {mine}"
    )
    assert inspect.iscoroutinefunction(base) == inspect.iscoroutinefunction(vars(ours)[name])


def test_the_binary_check_is_still_a_classmethod_hook_of_packet() -> None:
    assert isinstance(inspect.getattr_static(sio_packet.Packet, "data_is_binary"), classmethod)
    assert "data_is_binary" in inspect.getsource(sio_packet.Packet.__init__)
    assert issubclass(ChatPacket, sio_packet.Packet)


async def test_the_private_names_we_read_are_there() -> None:
    server = socketio.AsyncServer(async_mode="asgi")
    assert isinstance(server.eio._async, dict) and "websocket" in server.eio._async
    assert server.eio._async["websocket"] is eio_asgi.WebSocket
    assert hasattr(server, "manager_initialized") and hasattr(server, "packet_class")
    assert "connect" in server.reserved_events and "disconnect" in server.reserved_events
    assert isinstance(server.eio.sockets, dict)
    manager = server.manager
    for name in (
        "sid_from_eio_sid",
        "eio_sid_from_sid",
        "is_connected",
        "get_participants",
        "initialize",
    ):
        assert callable(getattr(manager, name, None)), name
    assert isinstance(manager.rooms, dict)
    assert "self.thread" in inspect.getsource(socketio.AsyncRedisManager.initialize)
    # Our listener loop is what _listen iterates, and _redis_connect makes self.pubsub.
    assert "self._redis_listen_with_retries()" in inspect.getsource(
        socketio.AsyncRedisManager._listen
    )
    assert "self.pubsub =" in inspect.getsource(socketio.AsyncRedisManager._redis_connect)


async def test_the_engineio_socket_still_has_what_we_read_and_set() -> None:
    eio = engineio.AsyncServer(async_mode="asgi")
    socket = async_socket.AsyncSocket(eio, "sid")
    for name in ("upgraded", "upgrading", "closed", "closing", "connected"):
        assert getattr(socket, name) is False, name
    assert isinstance(socket.queue, asyncio.Queue)
    assert hasattr(socket.queue, "_queue") and hasattr(socket.queue, "_getters")
    assert parameters(socket.close)[:2] == ["wait", "abort"]
    socket.direct_transport = None  # plain attributes, no __slots__
    assert callable(socket._websocket_handler)
    wrapper = eio_asgi.WebSocket(socket._websocket_handler, eio)
    assert wrapper.handler.__self__ is socket
    assert hasattr(wrapper, "asgi_receive")
    # None in the queue is what stops the websocket writer (end_session relies on it).
    assert "packets == [None]" in inspect.getsource(async_socket.AsyncSocket.poll)
    assert eio_packet.Packet(eio_packet.MESSAGE, "x").data == "x"
