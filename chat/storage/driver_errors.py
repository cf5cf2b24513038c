"""What database driver errors mean to the services: "not now" (transient, answered as
`unavailable`) or "already there" (a unique key, for the idempotent send)."""

from __future__ import annotations

import logging

import asyncpg

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


# A connection that failed under the driver: refused, cut, timed out, or (asyncpg's
# InternalClientError) left in a state the driver cannot use, as when PostgreSQL terminates
# it mid-operation. The statement did not complete; another connection may succeed.
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def connection_failed(orig: BaseException | None) -> bool:
    """Whether a driver error (as SQLAlchemy wraps it, the driver's own in __cause__) is a
    connection failure of CONNECTION_FAILURES."""
    return isinstance(orig, CONNECTION_FAILURES) or isinstance(
        getattr(orig, "__cause__", None), CONNECTION_FAILURES
    )


class UniqueViolation(Exception):
    """The statement would have stored a duplicate key; it stored nothing."""


def unavailable(exc: BaseException) -> Unavailable:
    """What an outage of the database becomes for the services (logged once, here)."""
    log.warning("database unavailable: %s", exc)
    return Unavailable("database unavailable, try again")
