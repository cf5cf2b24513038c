"""What a Redis call can raise when Redis or the path to it fails."""

from __future__ import annotations

from redis.exceptions import RedisClusterException, RedisError

# redis-py raises RedisError subclasses, but a connection cut mid-call on uvloop can also
# surface as OSError or as RuntimeError ("unable to perform operation on <TCPTransport
# closed=True ...>"), found by the network-fault drill. A Redis Cluster client raises
# RedisClusterException (not a RedisError) when it cannot route or run a command.
REDIS_FAILURES: tuple[type[BaseException], ...] = (
    RedisError,
    RedisClusterException,
    OSError,
    RuntimeError,
)
