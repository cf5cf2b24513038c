"""The services one process runs, built once by create_app and handed to every edge."""

from __future__ import annotations

from dataclasses import dataclass

from chat.services.accounts import Accounts, LoginLimits
from chat.services.events import Publisher
from chat.services.health import Health
from chat.services.messages import Messages
from chat.services.rooms import Rooms
from chat.services.search import Search
from chat.services.tokens import TokenService
from chat.settings import Settings
from chat.storage.counters import MemoryWindowCounter, RedisWindowCounter, WindowCounter
from chat.storage.database import Database
from chat.storage.denylist import DenyList, RedisDenyList, SqlDenyList
from chat.storage.redis_client import RedisClient


@dataclass(frozen=True)
class Services:
    db: Database
    redis: RedisClient | None
    accounts: Accounts
    rooms: Rooms
    messages: Messages
    search: Search
    health: Health


def build_services(
    settings: Settings, db: Database, redis: RedisClient | None, publisher: Publisher
) -> Services:
    denylist: DenyList
    counter: WindowCounter
    if redis is not None:
        denylist = RedisDenyList(redis, settings.redis_prefix)
        counter = RedisWindowCounter(redis, settings.redis_prefix)
    else:
        denylist = SqlDenyList(db)
        counter = MemoryWindowCounter()
    tokens = TokenService(settings.secret_key, settings.access_token_ttl_seconds)
    limits = LoginLimits(
        per_user=settings.login_rate_per_user,
        per_address=settings.login_rate_per_address,
        window_seconds=settings.login_rate_window_seconds,
    )
    rooms = Rooms(db, publisher)
    return Services(
        db=db,
        redis=redis,
        accounts=Accounts(db, tokens, denylist, counter, limits, publisher),
        rooms=rooms,
        messages=Messages(db, rooms, publisher),
        search=Search(db),
        health=Health(db, redis),
    )
