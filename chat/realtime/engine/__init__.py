"""The seam: every touch of python-socketio, python-engineio and uvicorn internals.

The rest of chat/realtime/ uses the libraries' public API only, through SocketServer
(socket_server.py). Pinned to python-socketio 5.18.x, python-engineio 4.15.x and uvicorn
0.54.x (pyproject.toml); tests/spine/test_engine_seam.py fails when an installed version
leaves those series or any name below is renamed, removed or changes its parameters, and
tests/spine/test_fanout.py, tests/security/test_resource_bounds.py and
tests/security/test_socket_junk.py pin the behaviour against a real server.

Overrides (private methods of socketio.AsyncServer, in server.py, EngineServer):
- `_handle_eio_connect(eio_sid, environ)`: a session must connect to the namespace in time.
- `_handle_connect(eio_sid, namespace, data)`: refused connects counted per connection.
- `_handle_eio_message(eio_sid, data)`: binary packets refused; malformed ones close.
- `_handle_event(eio_sid, namespace, id, data)`: reserved and non-string event names
  answered `invalid`; per-socket backlog of events.
- `_handle_event_internal(server, sid, eio_sid, data, namespace, id)`: per-socket
  concurrency of events.
- `_send_packet(eio_sid, pkt)`: packets to one socket take unicast.py.

Overrides elsewhere:
- `socketio.AsyncPubSubManager._handle_emit(message)`, `._publish(data)`, `._thread()`,
  `.enter_room(...)`, and `socketio.AsyncManager.basic_enter_room(...)`,
  `.basic_leave_room(...)` (routed_manager.py): a Redis channel per room, subscribed while
  this process holds sockets in it; delivered emits seen (control orders); failed
  publishes counted. It calls the pub/sub manager's `_handle_callback`,
  `_handle_disconnect`, `_handle_enter_room`, `_handle_leave_room`, `_handle_close_room`
  and reads `host_id`, `json`, `rooms`, `is_sid_room`; pubsub_link.py speaks RESP through
  redis-py's `Connection` (`pack_command(s)`, `send_packed_command`, `read_response`).
- `DirectEmitMixin.sequencer` (fanout.py): local delivery of a room's `message` events
  passes through chat/realtime/live_order.py first.
- `socketio.AsyncManager.emit(...)` (fanout.py, DirectEmitMixin): the broadcast fast path.
- `socketio.packet.Packet.data_is_binary(data)` (packets.py): a faster, equal check.
- `engineio.async_drivers.asgi.WebSocket.__call__(environ)` and `.wait()` (websocket.py):
  the transport lent to the socket; frames refused before engineio decodes them.

Private names read or written:
- `AsyncServer.eio._async["websocket"]` (websocket.py: install_direct_websocket).
- `AsyncServer.manager_initialized`, `.reserved_events`, `.packet_class`, `.eio.sockets`;
  `manager.sid_from_eio_sid`, `.eio_sid_from_sid`, `.is_connected`, `.get_participants`,
  `.initialize`, `.rooms`; `AsyncPubSubManager.thread` (the listener task).
- engineio's `AsyncSocket`: `queue` (an asyncio.Queue: its `_queue` deque and `_getters`
  are read; None put in it stops the websocket writer), `upgraded`, `upgrading`,
  `closed`, `closing`, `close(wait, abort)`, `send(pkt)`; its websocket handler is the
  bound method `_websocket_handler` (the wrapper reaches the socket by `handler.__self__`).
  Attributes of ours set on it: `direct_transport`, `chat_refused_connects`,
  `chat_event_gate`.
- engineio's `WebSocket.handler` and `.asgi_receive`; `engineio.packet.Packet.data`.
- uvicorn: the websocket protocol object is `scope`'s `asgi.send.__self__`, and its
  `transport` is written to directly (`write`, `get_write_buffer_size`, `is_closing`,
  `abort`).
"""

from chat.realtime.engine.socket_server import SocketServer

__all__ = ["SocketServer"]
