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
            return Principal(user=user, jti=str(claims["jti"]), expires_at=int(claims["exp"]))
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            raise Unauthorized() from None
