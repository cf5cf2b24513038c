"""The services one process runs, built once by create_app and handed to every edge."""

from __future__ import annotations

from dataclasses import dataclass

from chat.redis_client import RedisClient
from chat.services.accounts import Accounts, LoginLimits
from chat.services.events import Publisher
from chat.services.health import Health
from chat.services.limits import RateLimiter, rates_from
from chat.services.messages import Messages
from chat.services.rooms import Rooms
from chat.services.search import Search
from chat.services.tokens import TokenService
from chat.settings import Settings
from chat.storage.buckets import Buckets, MemoryBuckets, RedisBuckets
from chat.storage.counters import MemoryWindowCounter, RedisWindowCounter, WindowCounter
from chat.storage.database import Database
from chat.storage.denylist import DenyList, RedisDenyList, SqlDenyList


@dataclass(frozen=True)
class Services:
    db: Database
    redis: RedisClient | None
    accounts: Accounts
    rooms: Rooms
    messages: Messages
    search: Search
    health: Health
    limits: RateLimiter


def build_services(
    settings: Settings, db: Database, redis: RedisClient | None, publisher: Publisher
) -> Services:
    denylist: DenyList
    counter: WindowCounter
    buckets: Buckets
    if redis is not None:
        denylist = RedisDenyList(redis, settings.redis_prefix)
        counter = RedisWindowCounter(redis, settings.redis_prefix)
        buckets = RedisBuckets(redis, settings.redis_prefix)
    else:
        denylist = SqlDenyList(db)
        counter = MemoryWindowCounter()
        buckets = MemoryBuckets()
    limiter = RateLimiter(buckets, rates_from(settings))
    tokens = TokenService(settings.secret_key, settings.access_token_ttl_seconds)
    limits = LoginLimits(
        per_user=settings.login_rate_per_user,
        per_account=settings.login_rate_per_account,
        per_address=settings.login_rate_per_address,
        window_seconds=settings.login_rate_window_seconds,
    )
    rooms = Rooms(db, publisher, limiter)
    return Services(
        db=db,
        redis=redis,
        accounts=Accounts(db, tokens, denylist, counter, limits, publisher, limiter),
        rooms=rooms,
        messages=Messages(db, rooms, publisher),
        search=Search(db),
        health=Health(db, redis),
        limits=limiter,
    )
