"""What database driver errors mean to the services: "not now" (transient, answered as
`unavailable`) or "already there" (a unique key, for the idempotent send)."""

from __future__ import annotations

import logging

from chat.domain.errors import Unavailable

log = logging.getLogger("chat.storage.database")

# PostgreSQL SQLSTATEs: connection exceptions, insufficient resources, shutdown or start-up
# in progress ("the database system is starting up" is 57P03), system errors, and
# serialization failures or deadlocks.
_TRANSIENT_CLASSES = ("08", "53", "58")
_TRANSIENT_CODES = ("57P01", "57P02", "57P03", "40001", "40P01")


def is_transient(sqlstate: object) -> bool:
    return isinstance(sqlstate, str) and (
        sqlstate.startswith(_TRANSIENT_CLASSES) or sqlstate in _TRANSIENT_CODES
    )


class UniqueViolation(Exception):
    """The statement would have stored a duplicate key; it stored nothing."""


def unavailable(exc: BaseException) -> Unavailable:
    """What an outage of the database becomes for the services (logged once, here)."""
    log.warning("database unavailable: %s", exc)
    return Unavailable("database unavailable, try again")
