"""A tiny Flask app behind either bridge, served by a real uvicorn (uvloop + httptools) in a
subprocess, because the stock bridge's keep-alive defect shows under that setup."""

from __future__ import annotations

import os
import threading
from typing import Any

from asgiref.wsgi import WsgiToAsgi
from flask import Flask

from chat.http.bridge import PooledWsgiToAsgi

CONCURRENT = 10


def flask_app() -> Flask:
    app = Flask("bridge-test")
    barrier = threading.Barrier(CONCURRENT)

    @app.get("/fast")
    def fast() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/together")
    def together() -> dict[str, int]:
        # Passes only if CONCURRENT requests are inside Flask at the same time.
        return {"arrived": barrier.wait(timeout=10)}

    return app


def create() -> Any:
    if os.environ.get("BRIDGE_KIND") == "stock":
        return WsgiToAsgi(flask_app())
    return PooledWsgiToAsgi(flask_app(), threads=32)
