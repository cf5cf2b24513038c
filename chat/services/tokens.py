"""Signed JWT access tokens (HS256 only; `none` and other algorithms are refused)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

from chat.domain.errors import Unauthorized
from chat.domain.models import User

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "nbf", "sub", "jti"]
# 9999-12-31T23:59:59Z: the last instant Python's datetime (and so the deny-list) can hold.
# No token this server issues comes near it; one that claims later is refused.
LATEST_EXPIRY = 253_402_300_799


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified token speaks for, and until when."""

    user: User
    jti: str
    expires_at: int


class TokenService:
    def __init__(self, secret_key: str, ttl_seconds: int) -> None:
        self._key = secret_key
        self.ttl_seconds = ttl_seconds

    def issue(self, user: User) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user.id),
            "name": user.username,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: object) -> Principal:
        if not isinstance(token, str) or not token or len(token) > 4096:
            raise Unauthorized()
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": _REQUIRED},
                leeway=0,
            )
            user = User(id=int(claims["sub"]), username=str(claims["name"]))
            expires_at = int(claims["exp"])
        except (jwt.PyJWTError, KeyError, ValueError, TypeError, OverflowError):
            raise Unauthorized() from None
        if expires_at > LATEST_EXPIRY:
            raise Unauthorized()
        return Principal(user=user, jti=str(claims["jti"]), expires_at=expires_at)
