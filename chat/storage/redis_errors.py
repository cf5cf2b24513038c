"""What a Redis call can raise when Redis or the path to it fails."""

from __future__ import annotations

from redis.exceptions import RedisError

# redis-py raises RedisError subclasses, but a connection cut mid-call on uvloop can also
# surface as OSError or as RuntimeError ("unable to perform operation on <TCPTransport
# closed=True ...>"), found by the network-fault drill.
REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, RuntimeError)
