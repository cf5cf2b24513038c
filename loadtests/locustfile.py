"""Locust: ChatApp users who register, log in, join rooms and chat over Socket.IO.

    locust -f loadtests/locustfile.py --headless -u 50 -r 10 -t 60s \\
        --host http://127.0.0.1:8000 \\
        --csv loadtests/results/locust --html loadtests/results/locust.html

Each user registers (or logs in, when the name is taken), connects with
``auth={"token": ...}`` over the websocket transport, joins one room per size tier
(``--chat-room-sizes 10,50``: room ``load-s10-<k>`` takes users k*10 .. k*10+9 of
this process), then sends messages whose body carries the send time. Every
delivered copy of a ``message`` event is a Locust request of type ``FANOUT``, named
after its room's size tier, with response time = receive time - send time (ms, wall
clock of this machine). Acks are ``WSC send``/``WSC join`` requests; an ack with
``ok: false`` or none within the timeout is a failure.

The run exits non-zero when the failure ratio exceeds ``--chat-max-failure-ratio``
or when no FANOUT copy was recorded at all.

Python-socketio's sync client (the one SocketIOUser uses) costs far more per received
copy than the server does (~50-80 µs): this file checks behaviour under load
and end-to-end latency for a realistic user mix; chat-bench measures capacity.
ChatApp's per-socket send and per-address login limits stay in force unless the
server was started with higher SEND_RATE_* / LOGIN_RATE_* settings.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
import uuid
from typing import Any

import socketio
from locust import between, events, task
from locust.clients import HttpSession
from locust.contrib.socketio import SocketIOUser
from locust.env import Environment
from locust.exception import StopUser

PASSWORD = os.environ.get("CHAT_LOCUST_PASSWORD", "locust-password-123")
RUN_TAG = uuid.uuid4().hex[:6]
_user_numbers = itertools.count()
# name -> room id, shared by the users of this process
_room_ids: dict[str, Any] = {}


class AckError(Exception):
    """An ack with ok: false (its error code is the message)."""


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _options(parser: Any) -> None:
    group = parser.add_argument_group("ChatApp")
    group.add_argument(
        "--chat-room-sizes",
        default="10",
        help="comma-separated room size tiers; each user joins one room per tier",
    )
    group.add_argument("--chat-body-bytes", type=int, default=64, help="message body size")
    group.add_argument(
        "--chat-max-failure-ratio",
        type=float,
        default=0.01,
        help="exit non-zero above this failure ratio",
    )
    group.add_argument(
        "--chat-origin",
        default="",
        help="Origin header for the socket (default: the target's own origin)",
    )
    group.add_argument("--chat-ack-timeout", type=float, default=10.0)


def _tiers(environment: Environment) -> list[int]:
    raw = getattr(environment.parsed_options, "chat_room_sizes", "10") or "10"
    return [int(x) for x in str(raw).split(",") if x.strip()]


class ChatUser(SocketIOUser):
    wait_time = between(1, 2)

    def __init__(self, environment: Environment) -> None:
        origin = getattr(environment.parsed_options, "chat_origin", "") or ""
        self.options = {"reconnection": False, "request_timeout": 10}
        if origin:
            # The sync client already sends an Origin, and a second one is refused: replace it.
            self.options["websocket_extra_options"] = {"origin": origin}
        super().__init__(environment)  # type: ignore[no-untyped-call]
        self.number = next(_user_numbers)
        self.username = f"lc{RUN_TAG}_{self.number}"
        self.http = HttpSession(
            base_url=self.host, request_event=environment.events.request, user=self
        )
        self.token = ""
        self.rooms: list[tuple[Any, str]] = []  # (room id, FANOUT name)
        self.room_names: dict[Any, str] = {}
        self.last_seq: dict[Any, int] = {}
        opts = environment.parsed_options
        self.ack_timeout = float(getattr(opts, "chat_ack_timeout", 10.0))
        self.body_bytes = int(getattr(opts, "chat_body_bytes", 64))

    # ---- setup ---------------------------------------------------------------------

    def on_start(self) -> None:
        with self.http.post(
            "/api/auth/register",
            json={"username": self.username, "password": PASSWORD},
            name="/api/auth/register",
            catch_response=True,
        ) as resp:
            if resp.status_code in (201, 409):
                resp.success()
            else:
                resp.failure(f"register: {resp.status_code} {resp.text[:200]}")
                raise StopUser
        resp = self.http.post(
            "/api/auth/login", json={"username": self.username, "password": PASSWORD}
        )
        if resp.status_code != 200:
            raise StopUser
        self.token = resp.json()["access_token"]
        for size in _tiers(self.environment):
            name = f"load-s{size}-{RUN_TAG}-{self.number // size}"
            room_id = self.room_id(name)
            if room_id is None:
                raise StopUser
            self.rooms.append((room_id, f"room of {size}"))
            self.room_names[room_id] = f"room of {size}"
        self.sio.on("message", self.on_chat_message)
        try:
            self.sio.connect(  # type: ignore[no-untyped-call]
                self.host,
                auth={"token": self.token},
                transports=["websocket"],
                wait_timeout=10,
            )
        except Exception as exc:
            raise StopUser from exc
        for room_id, _ in self.rooms:
            ack = self.call("join", {"room_id": room_id})
            if isinstance(ack, dict) and ack.get("ok"):
                room = ack.get("room") or {}
                self.last_seq[room_id] = int(room.get("last_seq") or 0)

    def room_id(self, name: str) -> Any:
        if name in _room_ids:
            return _room_ids[name]
        auth = {"Authorization": f"Bearer {self.token}"}
        with self.http.post(
            "/api/rooms", json={"name": name}, headers=auth, catch_response=True
        ) as resp:
            if resp.status_code == 201:
                _room_ids[name] = resp.json()["id"]
                return _room_ids[name]
            if resp.status_code == 409:
                resp.success()
            else:
                resp.failure(f"create room: {resp.status_code} {resp.text[:200]}")
                return None
        rooms = self.http.get("/api/rooms", headers=auth).json()
        for room in rooms if isinstance(rooms, list) else []:
            if room.get("name") == name:
                _room_ids[name] = room["id"]
                return room["id"]
        return None

    def on_stop(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    # ---- events --------------------------------------------------------------------

    def call(self, event: str, data: dict[str, Any]) -> Any:
        """Emit with an ack; record it as a WSC request, a failure unless ok."""
        start = time.perf_counter()
        exception: Exception | None = None
        ack: Any = None
        try:
            ack = self.emit_with_ack(event, data)
            if not (isinstance(ack, dict) and ack.get("ok")):
                error = ack.get("error") if isinstance(ack, dict) else None
                code = error.get("code") if isinstance(error, dict) else repr(ack)[:80]
                exception = AckError(f"{event}: {code}")
        except Exception as exc:
            exception = exc
        self.environment.events.request.fire(
            request_type="WSC",
            name=event,
            response_time=(time.perf_counter() - start) * 1000,
            response_length=0,
            exception=exception,
            context={},
        )
        return ack

    def emit_with_ack(self, event: str, data: dict[str, Any]) -> Any:
        """socketio.Client's own emit, around SocketIOClient's wrappers, which would
        record every emit and call as a success of its own."""
        done = threading.Event()  # a gevent event: locust has monkey-patched threading
        result: list[Any] = []

        def callback(*args: Any) -> None:
            result.append(args[0] if args else None)
            done.set()

        socketio.Client.emit(self.sio, event, data, callback=callback)
        if not done.wait(self.ack_timeout):
            raise TimeoutError(f"{event}: no ack within {self.ack_timeout:g}s")
        return result[0]

    def on_chat_message(self, data: Any) -> None:
        now = time.time()
        if not isinstance(data, dict):
            return
        room_id = data.get("room_id")
        seq = data.get("seq")
        if isinstance(seq, int):
            last = self.last_seq.get(room_id)
            if last is not None and seq <= last:
                self.environment.events.request.fire(
                    request_type="FANOUT",
                    name="out of order",
                    response_time=0,
                    response_length=0,
                    exception=AckError(f"seq {seq} after {last} in room {room_id}"),
                    context={},
                )
            self.last_seq[room_id] = max(seq, last or 0)
        body = data.get("body")
        if not isinstance(body, str) or not body.startswith("locust|"):
            return
        try:
            sent = float(body.split("|", 2)[1])
        except (IndexError, ValueError):
            return
        self.environment.events.request.fire(
            request_type="FANOUT",
            name=self.room_names.get(room_id, "message"),
            response_time=(now - sent) * 1000,
            response_length=len(body),
            exception=None,
            context={},
        )

    @task
    def send(self) -> None:
        if not self.rooms or not self.sio.connected:
            return
        room_id, _ = random.choice(self.rooms)
        head = f"locust|{time.time():.6f}|"
        body = head + "x" * max(0, self.body_bytes - len(head))
        self.call("send", {"room_id": room_id, "body": body, "client_id": uuid.uuid4().hex})


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _exit_code(environment: Environment, **_: Any) -> None:
    stats = environment.stats
    limit = float(getattr(environment.parsed_options, "chat_max_failure_ratio", 0.01))
    fanout = sum(
        e.num_requests for (name, method), e in stats.entries.items() if method == "FANOUT"
    )
    ratio = stats.total.fail_ratio
    if ratio > limit:
        print(f"chat locustfile: failure ratio {ratio:.2%} above {limit:.2%}: exit 1")
        environment.process_exit_code = 1
    elif fanout == 0:
        print("chat locustfile: no FANOUT copy was delivered: exit 1")
        environment.process_exit_code = 1
    else:
        # Below the threshold, a few failures (say, copies out of order) do not fail
        # the run: Locust would otherwise exit 1 on any failure at all.
        environment.process_exit_code = 0
