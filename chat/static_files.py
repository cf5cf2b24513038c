"""Serves the built web client at /, with an SPA fallback to index.html."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from chat.http.guard import CLIENT_CSP, Receive, Scope, Send, security_headers

NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatApp</title></head>
<body style="font-family: system-ui; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>ChatApp is running</h1>
<p>The web client has not been built yet. Build it with:</p>
<pre>cd webclient &amp;&amp; npm ci --no-audit &amp;&amp; npm run build</pre>
<p>or start the server with <code>./scripts/serve.sh</code>, which builds it for you.
The REST API is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>
"""


class StaticFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self._send(
                send, 405, b"method not allowed", "text/plain", [(b"allow", b"GET, HEAD")]
            )
            return
        index = self.directory / "index.html"
        if not index.is_file():
            await self._send(send, 200, NOT_BUILT, "text/html; charset=utf-8")
            return
        relative = scope["path"].lstrip("/")
        target = (self.directory / relative).resolve() if relative else index
        if not target.is_relative_to(self.directory) or not target.is_file():
            if "." in relative.rsplit("/", 1)[-1]:
                await self._send(send, 404, b"not found", "text/plain")
                return
            target = index  # a client-side route
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        cache = b"no-cache" if target == index else b"public, max-age=31536000, immutable"
        body = target.read_bytes()
        if scope["method"] == "HEAD":
            body = b""
        await self._send(send, 200, body, content_type, [(b"cache-control", cache)])

    async def _send(
        self,
        send: Send,
        status: int,
        body: bytes,
        content_type: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *security_headers(CLIENT_CSP),
                    *(extra or []),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
