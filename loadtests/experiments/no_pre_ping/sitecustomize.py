"""What-if: SQLAlchemy engines without pool_pre_ping in a ChatApp server process."""

from typing import Any

import sqlalchemy.ext.asyncio as _sa_asyncio

_create = _sa_asyncio.create_async_engine


def _without_pre_ping(*args: Any, **kwargs: Any) -> Any:
    kwargs["pool_pre_ping"] = False
    return _create(*args, **kwargs)


_sa_asyncio.create_async_engine = _without_pre_ping
