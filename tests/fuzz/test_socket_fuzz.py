"""Every socket event fed hypothesis-generated payloads.

Each emit must be answered, within the ack timeout, by `{ok: true, ...}` or by `{ok:
false, error: {code, message}}` with a contract code; the server logs no traceback; and a
bystander on the same room can still send and receive afterwards. Payloads travel as raw
Socket.IO text frames (tests/support/rawsocket.py), so nothing a real client library would
refuse to encode is spared: lone surrogates, NUL, NaN, 2**70, deep nesting.

Hypothesis runs on a worker thread (its engine is synchronous); each example's emit runs on
the test's event loop. Bounded: 60 derandomized examples per event, no shrinking.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from tests.support.clients import Account, SocketClient, create_room, register
from tests.support.logs import unhandled_in
from tests.support.rawsocket import Closed, RawSocket
from tests.support.server import ServerProcess

CODES = frozenset(
    {
        "invalid",
        "unauthorized",
        "forbidden",
        "not_found",
        "rate_limited",
        "too_large",
        "unavailable",
    }
)
ACK_TIMEOUT = 5.0
MAX_PACKET = 65536  # MAX_HTTP_BUFFER_SIZE's default, which the test servers keep
EXAMPLES = 60

FIELDS = {
    "join": ("room_id", "since_seq"),
    "leave": ("room_id",),
    "send": ("room_id", "body", "client_id"),
    "typing": ("room_id",),
    "read": ("room_id", "seq"),
    "edit": ("message_id", "body"),
    "delete": ("message_id",),
}


@dataclass
class Target:
    server: ServerProcess
    fuzzer: Account
    bystander: Account
    room_id: int
    private_room_id: int
    message_id: int


@pytest.fixture(scope="module")
def fuzz_server(spawn: Callable[..., ServerProcess]) -> ServerProcess:
    """A server of its own, so that its log holds only what the fuzzer caused."""
    return spawn("fuzz")


@pytest.fixture(scope="module")
async def target(fuzz_server: ServerProcess) -> Target:
    async with httpx.AsyncClient(base_url=fuzz_server.url, timeout=30) as http:
        fuzzer = await register(http)
        bystander = await register(http)
        stranger = await register(http)
        room = await create_room(http, fuzzer)
        private = await create_room(http, stranger, private=True)
        response = await http.post(f"/api/rooms/{room['id']}/members", headers=bystander.headers)
        assert response.status_code in (200, 201), response.text
    raw = await RawSocket(fuzz_server.url).open(fuzzer.token)
    try:
        assert (await raw.call("join", {"room_id": room["id"]}))["ok"]
        ack = await raw.call("send", {"room_id": room["id"], "body": "seed", "client_id": "seed"})
        assert ack["ok"], ack
    finally:
        await raw.aclose()
    return Target(
        server=fuzz_server,
        fuzzer=fuzzer,
        bystander=bystander,
        room_id=int(room["id"]),
        private_room_id=int(private["id"]),
        message_id=int(ack["message"]["id"]),
    )


# -- strategies ----------------------------------------------------------------------------

odd_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "\udfff tail",
        "\u202e\u200b\ufeff",
        "\U0001f600" * 50,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%s%n%x",
        "x" * 4000,
        "x" * 4001,
        "\u20ac" * 4000,
        "x" * 20000,
        "\n" * 100,
    ]
)
texts = st.one_of(st.text(max_size=40), odd_text, st.text(st.characters(codec="utf-8"), max_size=8))
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


def field_values(name: str, t: Target) -> st.SearchStrategy[Any]:
    real: list[Any]
    if name == "room_id":
        real = [t.room_id, t.private_room_id, t.room_id + 10**6, str(t.room_id), float(t.room_id)]
    elif name == "message_id":
        real = [t.message_id, t.message_id + 10**6, str(t.message_id), [t.message_id]]
    elif name in ("since_seq", "seq"):
        real = [0, 1, 10**6, 2**63 - 1, 2**63, -1]
    elif name == "body":
        real = ["hello", "x" * 4000, "x" * 4001, "\u00e9t\u00e9 \U0001f600"]
    else:  # client_id
        real = ["c-1", "c" * 64, "c" * 65, "tab\there"]
    return st.one_of(st.sampled_from(real), junk)


@st.composite
def payloads(draw: st.DrawFn, event: str, t: Target) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)  # not an object at all, most of the time
    fields = FIELDS.get(event, ("room_id",))
    payload = {}
    for name in fields:
        if draw(st.booleans()) or draw(st.booleans()):  # present three times in four
            payload[name] = draw(field_values(name, t))
    if draw(st.integers(0, 3)) == 0:
        payload.update(draw(st.dictionaries(texts, junk, max_size=3)))
    return payload


def encode(event: str, payload: Any, extra_args: int) -> str:
    """The Socket.IO event array; NaN and Infinity go out as Python's json writes them."""
    return json.dumps([event, payload, *([payload] * extra_args)], allow_nan=True)


# -- the checks ----------------------------------------------------------------------------


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def check_ack(event: str, payload: Any, ack: Any) -> None:
    payload = short(payload)
    assert isinstance(ack, dict), f"{event} {payload}: ack {short(ack)} is not an object"
    if ack.get("ok") is True:
        assert event in FIELDS, f"unknown event {event!r} answered ok: {ack}"
        if event == "join":
            assert {"room", "messages", "has_more", "online"} <= ack.keys(), ack
        elif event in ("send", "edit", "delete"):
            assert isinstance(ack.get("message"), dict), ack
        return
    assert ack.get("ok") is False, f"{event} {payload}: ack {short(ack)} has no ok"
    error = ack.get("error")
    assert isinstance(error, dict), f"{event} {payload}: {short(ack)}"
    assert error.get("code") in CODES, f"{event} {payload}: code not in the contract: {ack}"
    assert isinstance(error.get("message"), str), ack


class Fuzzer:
    """One raw socket, reopened if the server closes it (it may, for what it cannot parse)."""

    def __init__(self, t: Target) -> None:
        self.t = t
        self.raw: RawSocket | None = None

    async def emit(self, text: str) -> Any:
        if self.raw is None:
            self.raw = await RawSocket(self.t.server.url).open(self.t.fuzzer.token)
        ack_id = await self.raw.emit_raw(text)
        try:
            return await self.raw.ack(ack_id, ACK_TIMEOUT)
        except Closed:
            self.raw.close()
            self.raw = None
            raise

    async def close(self) -> None:
        if self.raw is not None:
            await self.raw.aclose()


async def bystander_still_works(t: Target, tag: str) -> None:
    client = await SocketClient(t.server.url, t.bystander.token).connect()
    try:
        joined = await client.call("join", {"room_id": t.room_id})
        assert joined["ok"], joined
        ack = await client.call(
            "send", {"room_id": t.room_id, "body": f"still here {tag}", "client_id": tag}
        )
        assert ack["ok"], ack
        seq = ack["message"]["seq"]
        await client.recorder.wait_for(
            lambda r: any(m["seq"] == seq for m in r.of("message")), what="own message back"
        )
    finally:
        await client.close()


def assert_clean_log(t: Target, since: int) -> None:
    problems = unhandled_in(t.server.log_text()[since:])
    assert not problems, f"unhandled exceptions in the server log: {problems}"


Example = tuple[str, Any, str]  # event name, payload, the frame's JSON


async def run_examples(t: Target, examples: st.SearchStrategy[Example]) -> None:
    loop = asyncio.get_running_loop()
    fuzzer = Fuzzer(t)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(item=examples)
    def example(item: Example) -> None:
        event, payload, text = item
        size = len(("421" + text).encode("utf-8", "surrogatepass"))
        try:
            ack = asyncio.run_coroutine_threadsafe(fuzzer.emit(text), loop).result(ACK_TIMEOUT + 5)
        except Closed as exc:
            # Over MAX_HTTP_BUFFER_SIZE the server closes the connection: that is the rule.
            if size <= MAX_PACKET:
                raise AssertionError(f"closed for a {size}-byte frame {short(text)}") from exc
            return
        except TimeoutError:
            raise AssertionError(f"no ack within {ACK_TIMEOUT}s for {short(text)}") from None
        check_ack(event, payload, ack)
        if event not in FIELDS:
            assert ack["error"]["code"] == "invalid", f"unknown event {event!r}: {ack}"

    try:
        await asyncio.to_thread(example)
    finally:
        await fuzzer.close()


def known(event: str, t: Target) -> st.SearchStrategy[Example]:
    """The event with a generated payload, now and then with a second argument."""
    return st.tuples(payloads(event, t), st.sampled_from([0, 0, 0, 0, 1])).map(
        lambda pair: (event, pair[0], encode(event, pair[0], pair[1]))
    )


def unknown() -> st.SearchStrategy[Example]:
    names = st.one_of(
        st.sampled_from(["connect", "disconnect", "connect_error", "*", "message", ""]), texts
    ).filter(lambda name: name not in FIELDS)
    return st.tuples(names, junk).map(lambda pair: (pair[0], pair[1], encode(pair[0], pair[1], 0)))


# Hypothesis warns when it prints a large falsifying example; the example is what we want.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


@pytest.mark.parametrize("event", [*FIELDS, "unknown"])
async def test_every_event_answers_malformed_payloads_in_contract(
    target: Target, event: str
) -> None:
    since = len(target.server.log_text())
    await run_examples(target, unknown() if event == "unknown" else known(event, target))
    await bystander_still_works(target, f"after-{event}")
    assert_clean_log(target, since)


MALFORMED: dict[str, list[str | bytes]] = {
    "unterminated array": ['42["send",{"room_id":1'],
    "object instead of array": ['42{"event":"send"}'],
    "event name not a string": ["42[1,2,3]"],
    "empty array": ["42[]"],
    "nan room": ['42["join",{"room_id":NaN}]'],
    "ack for nothing": ['43999["x"]'],
    "unknown packet type": ["49[]"],
    "namespace never joined": ['42/admin,["join",{}]'],
    "deep nesting": ["42" + "[" * 30000 + "]" * 30000],
    "deep object": ['42["send",' + '{"a":' * 20000 + "1" + "}" * 20000 + "]"],
    # A binary event whose attachment is the payload: bytes where an object belongs.
    "binary payload": ['451-9["send",{"_placeholder":true,"num":0}]', b"\x00\xffjunk"],
    "binary frame out of the blue": [b"\x04garbage"],
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_packets_are_refused_without_harm(target: Target, name: str) -> None:
    """What no client library would send: an error ack or a closed connection, never a
    traceback, and the others are unaffected. A valid `typing` right after it shows whether
    the connection lives on (its ack comes after any answer to the malformed packet)."""
    since = len(target.server.log_text())
    raw = await RawSocket(target.server.url).open(target.fuzzer.token)
    try:
        for frame in MALFORMED[name]:
            if isinstance(frame, bytes):
                await raw.send_frame(frame, opcode=0x2)
            else:
                await raw.send_text(frame)
        try:
            ack = await raw.call("typing", {"room_id": target.room_id}, ACK_TIMEOUT)
        except Closed:
            ack = None  # closed for it: fine
        if ack is not None:
            check_ack("typing", {"room_id": target.room_id}, ack)
        answers = [text for text in raw.received if text.startswith("43")]
        for text in answers[:-1] if ack is not None else answers:
            check_ack("?", MALFORMED[name], json.loads(text[text.index("[") :])[0])
        if name == "binary payload":
            assert any(text.startswith("439[") for text in answers) or ack is None, answers
    finally:
        await raw.aclose()
    await bystander_still_works(target, f"after-{name.replace(' ', '-')}")
    assert_clean_log(target, since)


def test_strategies_produce_what_the_fuzzer_claims() -> None:
    """The generators really reach the odd corners (a guard against a silent narrowing).

    Each corner is searched for (hypothesis.find raises NoSuchExample when it is never
    produced): a fixed sample of a few hundred examples hit or missed NaN depending on which
    constants Hypothesis had collected from the imported modules."""
    claims: dict[str, Any] = {
        "surrogate": lambda v: any(s in json.dumps(v, allow_nan=True) for s in ("\\ud8", "\\udf")),
        "nan": lambda v: any(s in json.dumps(v, allow_nan=True) for s in ("NaN", "Infinity")),
        "huge": lambda v: any(
            isinstance(x, int) and not isinstance(x, bool) and abs(x) >= 2**63 for x in _walk(v)
        ),
        "nested": lambda v: (
            isinstance(v, (list, dict))
            and any(isinstance(x, (list, dict)) for x in _walk(v) if x is not v)
        ),
    }
    search = settings(max_examples=5000, derandomize=True, database=None)
    for corner, claim in claims.items():
        found = find(junk, claim, settings=search)
        assert claim(found), corner


def _walk(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, list):
        for item in value:
            out.extend(_walk(item))
    elif isinstance(value, dict):
        for item in value.values():
            out.extend(_walk(item))
    return out
