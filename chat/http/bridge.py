"""asgiref's WSGI bridge, made concurrent, keep-alive safe, and one hop each way.

Stock WsgiToAsgi runs every request through one thread-sensitive SyncToAsync: one shared
thread for all Flask requests, and under keep-alive a fifth to a half of requests die with
"CurrentThreadExecutor already quit or is broken" (asgiref #491, #526, #218, #347).
Running the WSGI call with thread_sensitive=False on a pool we own fixes both.

It also sends each part of the response from the Flask thread through AsyncToSync: a
round trip to the event loop for the start, one per body chunk and one for the end, each
waking both threads. Here the thread collects the response and the loop sends it, so a
request crosses between loop and thread once each way; `run_on_loop` gives a Flask view
one more round trip for all its async work (resources.py). The environ carries the loop
as `chat.loop`.

Paths that `inline` accepts skip the threads: the WSGI app runs in a greenlet on the event
loop's own thread, and a view's coroutine is awaited by the request's task while the
greenlet waits (await_inline) - SQLAlchemy's asyncio bridge works the same way. No thread
hand-off, no GIL hand-off: on a history page these cost more CPU than Flask itself. Only
for views that never block (ours do their I/O on the loop and hash passwords on threads);
the rest (Swagger UI files, the OpenAPI document built on first request) keep the pool.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import greenlet
from asgiref.sync import SyncToAsync
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance

LOOP_KEY = "chat.loop"
INLINE_KEY = "chat.inline"


class _Await:
    """What a greenlet hands the loop: a coroutine to await on its behalf."""

    __slots__ = ("coroutine",)

    def __init__(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.coroutine = coroutine


def await_inline(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """From a view running inline (environ[INLINE_KEY]): the coroutine's result."""
    parent = greenlet.getcurrent().parent
    assert parent is not None, "await_inline outside an inline request"
    return parent.switch(_Await(coroutine))


class _PooledInstance(WsgiToAsgiInstance):
    def __init__(
        self, wsgi_application: Any, executor: ThreadPoolExecutor, inline: bool = False
    ) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self._executor = executor
        self._inline = inline
        self._loop: asyncio.AbstractEventLoop | None = None
        self._status = 500
        self._headers: list[tuple[bytes, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError("WSGI wrapper received a non-HTTP scope")
        self.scope = scope
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before the request was whole
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self._loop = asyncio.get_running_loop()
        stream = io.BytesIO(b"".join(chunks))
        if self._inline:
            body = await self._respond_inline(stream)
        else:
            run = SyncToAsync(self._respond, thread_sensitive=False, executor=self._executor)
            body = await run(stream)
        await send(
            {"type": "http.response.start", "status": self._status, "headers": self._headers}
        )
        await send({"type": "http.response.body", "body": body})

    def build_environ(self, scope: Any, body: Any) -> dict[str, Any]:
        environ: dict[str, Any] = super().build_environ(scope, body)  # type: ignore[no-untyped-call]
        # The body is already buffered whole, so the stream ends where it ends. Without this
        # flag Werkzeug reads a chunked body (no Content-Length) as empty.
        environ["wsgi.input_terminated"] = True
        environ[LOOP_KEY] = self._loop
        environ[INLINE_KEY] = self._inline
        return environ

    async def _respond_inline(self, stream: io.BytesIO) -> bytes:
        """_respond in a greenlet; each coroutine it hands over runs as a task in the
        greenlet's context (where Flask keeps its request), and its result or exception goes
        back in."""
        runner = greenlet.greenlet(self._respond)
        handed = runner.switch(stream)
        while isinstance(handed, _Await):
            loop = asyncio.get_running_loop()
            try:
                result = await loop.create_task(handed.coroutine, context=runner.gr_context)
            except Exception as exc:  # noqa: BLE001 - the view handles it, raised where it awaited
                handed = runner.throw(exc)
            else:
                handed = runner.switch(result)
        body: bytes = handed
        return body

    def start_response(self, status: str, response_headers: Any, exc_info: Any = None) -> None:
        self._status = int(status.split(" ", 1)[0])
        self._headers = [
            (name.lower().encode("ascii"), value.encode("ascii"))
            for name, value in response_headers
        ]

    def _respond(self, body: io.BytesIO) -> bytes:
        """Runs the WSGI app on a pool thread; the whole response body (ours are small)."""
        try:
            environ = self.build_environ(self.scope, body)
        except ValueError:
            self._status, self._headers = 400, [(b"content-type", b"text/plain")]
            return b"Bad Request: Too many duplicate headers"
        output = self.wsgi_application(environ, self.start_response)
        try:
            content = b"".join(output)
        finally:
            close = getattr(output, "close", None)
            if close is not None:
                close()
        for name, value in self._headers:
            if name == b"content-length":
                return content[: int(value)]
        return content


class PooledWsgiToAsgi(WsgiToAsgi):
    """WsgiToAsgi whose requests run concurrently on a thread pool of our own."""

    def __init__(
        self, wsgi_application: Any, threads: int, inline: Callable[[str], bool] | None = None
    ) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")
        self._inline = inline or (lambda _path: False)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        inline = self._inline(scope.get("path", ""))
        instance = _PooledInstance(self.wsgi_application, self.executor, inline)
        await instance(scope, receive, send)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
