"""asgiref's WSGI bridge, made concurrent and keep-alive safe.

Stock WsgiToAsgi runs every request through one thread-sensitive SyncToAsync: one shared
thread for all Flask requests, and under keep-alive a fifth to a half of requests die with
"CurrentThreadExecutor already quit or is broken" (asgiref 3.9-3.13; asgiref #491, #526,
#218, #347). Running the WSGI call with thread_sensitive=False on a pool we own fixes both.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance

# The plain function under run_wsgi_app's @sync_to_async.
_run_wsgi_app = WsgiToAsgiInstance.__dict__["run_wsgi_app"].func


class _PooledInstance(WsgiToAsgiInstance):
    def __init__(self, wsgi_application: Any, executor: ThreadPoolExecutor) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self._executor = executor

    def build_environ(self, scope: Any, body: Any) -> dict[str, Any]:
        environ: dict[str, Any] = super().build_environ(scope, body)  # type: ignore[no-untyped-call]
        # The body is already buffered whole, so the stream ends where it ends. Without this
        # flag Werkzeug reads a chunked body (no Content-Length) as empty.
        environ["wsgi.input_terminated"] = True
        return environ

    async def run_wsgi_app(self, body: Any) -> None:
        run = SyncToAsync(_run_wsgi_app, thread_sensitive=False, executor=self._executor)
        await run(self, body)


class PooledWsgiToAsgi(WsgiToAsgi):
    """WsgiToAsgi whose requests run concurrently on a thread pool of our own."""

    def __init__(self, wsgi_application: Any, threads: int) -> None:
        super().__init__(wsgi_application)  # type: ignore[no-untyped-call]
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await _PooledInstance(self.wsgi_application, self.executor)(scope, receive, send)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
