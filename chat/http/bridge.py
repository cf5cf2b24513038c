"""asgiref's WSGI bridge, made concurrent, keep-alive safe, and one hop each way.

Stock WsgiToAsgi runs every request through one thread-sensitive SyncToAsync: one shared
thread for all Flask requests, and under keep-alive a fifth to a half of requests die with
"CurrentThreadExecutor already quit or is broken" (asgiref #491, #526, #218, #347).
Running the WSGI call on a thread pool we own (run_in_executor) fixes both; asgiref's
SyncToAsync around it only copied context variables the Flask thread does not use.

It also sends each part of the response from the Flask thread through AsyncToSync: a
round trip to the event loop for the start, one per body chunk and one for the end, each
waking both threads. Here the thread collects the response and the loop sends it, so a
request crosses between loop and thread once each way; `run_on_loop` gives a Flask view
one more round trip for all its async work (resources.py). The environ carries the loop
as `chat.loop`.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance

LOOP_KEY = "chat.loop"


class _PooledInstance(WsgiToAsgiInstance):
    def __init__(self, wsgi_application: Any, executor: ThreadPoolExecutor) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self._executor = executor
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
        body = await self._loop.run_in_executor(self._executor, self._respond, stream)
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
        return environ

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

    def __init__(self, wsgi_application: Any, threads: int) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await _PooledInstance(self.wsgi_application, self.executor)(scope, receive, send)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
