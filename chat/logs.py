"""Process-wide logging, set up once by whichever entry point starts the process."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Sends ChatApp's records (chat.*) to stderr; uvicorn configures its own loggers."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level.upper(), format=FORMAT)
    else:
        root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
