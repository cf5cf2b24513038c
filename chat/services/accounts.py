"""Register, log in, authenticate a token, log out."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from chat.domain import rules
from chat.domain.errors import RateLimited, Unauthorized
from chat.domain.models import User
from chat.services.events import Publisher
from chat.services.limits import RateLimiter
from chat.services.passwords import hash_password, needs_rehash, verify_password
from chat.services.tokens import Principal, TokenService
from chat.storage import users
from chat.storage.counters import WindowCounter
from chat.storage.database import Database
from chat.storage.denylist import DenyList

log = logging.getLogger("chat.security")

_KNOWN_USERS_MAX = 100_000
# Tokens whose signature and claims verified, kept until they expire (a few hundred bytes
# each): a REST client sends the same token with every request.
_VERIFIED_TOKENS_MAX = 10_000
# How long an address that logged in as a user stays "known" for that user (see _limit_login).
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class LoginLimits:
    per_user: int
    """Attempts per (username, address) in a window; a successful login clears them."""
    per_address: int
    window_seconds: int
    per_account: int = 100
    """Attempts per username from all addresses; past it, only known addresses go on."""


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    expires_in: int
    user: User

    def as_dict(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            # The scheme's name, not a secret.
            "token_type": "bearer",  # nosec B105
            "expires_in": self.expires_in,
        }


class Accounts:
    def __init__(
        self,
        db: Database,
        tokens: TokenService,
        denylist: DenyList,
        counter: WindowCounter,
        limits: LoginLimits,
        publisher: Publisher,
        limiter: RateLimiter,
    ) -> None:
        self._db = db
        self._limiter = limiter
        self._tokens = tokens
        self._denylist = denylist
        self._counter = counter
        self._limits = limits
        self._publisher = publisher
        self._known_users: set[int] = set()
        self._verified: dict[str, Principal] = {}

    async def register(self, username: str, password: str, address: str) -> User:
        """`username` and `password` as the edge parsed them with domain.rules."""
        # Before the hash: a taken name costs the same Argon2 hash as a new one.
        await self._limiter.check_address(address, "register")
        user = await users.create_user(self._db, username, await hash_password(password))
        log.info("register user_id=%s username=%s", user.id, user.username)
        return user

    async def login(self, username: str, password: str, address: str) -> Session:
        await self._limit(f"login:addr:{address}", self._limits.per_address, address, username)
        name = username.lower()[:64]
        pair = f"login:user:{name}:{address}"
        await self._limit(pair, self._limits.per_user, address, username)
        await self._limit_account(name, address, username)
        credentials = None
        if rules.USERNAME_RE.fullmatch(username) and len(password) <= rules.PASSWORD_MAX:
            credentials = await users.find_credentials(self._db, username)
        stored_hash = credentials.password_hash if credentials else None
        if not await verify_password(stored_hash, password) or credentials is None:
            log.warning("login failed username=%r address=%s", username[:64], address)
            raise Unauthorized("wrong username or password")
        if needs_rehash(credentials.password_hash):
            await users.set_password_hash(
                self._db, credentials.user.id, await hash_password(password)
            )
        log.info("login ok user_id=%s address=%s", credentials.user.id, address)
        await self._counter.clear(pair)
        await self._counter.hit(f"login:known:{name}:{address}", KNOWN_ADDRESS_SECONDS)
        token = self._tokens.issue(credentials.user)
        return Session(
            access_token=token, expires_in=self._tokens.ttl_seconds, user=credentials.user
        )

    async def _limit(self, key: str, allowed: int, address: str, username: str) -> None:
        count, retry_after = await self._counter.hit(key, self._limits.window_seconds)
        if count > allowed:
            log.warning(
                "login rate limited key=%s username=%r address=%s", key, username[:64], address
            )
            raise RateLimited("too many login attempts, try again later", retry_after=retry_after)

    async def _limit_account(self, name: str, address: str, username: str) -> None:
        """The ceiling per username over every address. Past it, an address that logged in
        as this user before keeps its own allowance (the owner is never locked out by
        someone else's guesses); any other address waits out the window."""
        key = f"login:acct:{name}"
        count, retry_after = await self._counter.hit(key, self._limits.window_seconds)
        if count <= self._limits.per_account:
            return
        if await self._counter.count(f"login:known:{name}:{address}") > 0:
            return
        log.warning("login rate limited key=%s username=%r address=%s", key, username[:64], address)
        raise RateLimited("too many login attempts, try again later", retry_after=retry_after)

    async def authenticate(self, token: object) -> Principal:
        """Verifies signature, algorithm, expiry and the deny-list; the user must exist (a
        token signed with the same key for another database's user is refused)."""
        principal = self._verify(token)
        if await self._denylist.is_revoked(principal.jti):
            raise Unauthorized("token has been revoked")
        user_id = principal.user.id
        if user_id not in self._known_users:
            user = await users.get_user(self._db, user_id)
            if user is None or user.username != principal.user.username:
                log.warning("refused: token for unknown user_id=%s", user_id)
                raise Unauthorized()
            # Users are never deleted or renamed, so once seen, a user stays valid.
            if len(self._known_users) >= _KNOWN_USERS_MAX:
                self._known_users.clear()
            self._known_users.add(user_id)
        return principal

    def _verify(self, token: object) -> Principal:
        """The token's signature and claims, verified once per process and token: what they
        say cannot change before the expiry. Revocation can, so the deny-list is asked on
        every call (authenticate); only verification is remembered, never "not revoked"."""
        principal = self._verified.get(token) if isinstance(token, str) else None
        if principal is not None and time.time() < principal.expires_at:
            return principal
        principal = self._tokens.verify(token)  # raises Unauthorized, expired ones included
        if len(self._verified) >= _VERIFIED_TOKENS_MAX:
            self._verified.clear()
        self._verified[cast(str, token)] = principal
        return principal

    async def logout(self, principal: Principal) -> None:
        expires_at = datetime.fromtimestamp(principal.expires_at, UTC)
        await self._denylist.revoke(principal.jti, expires_at)
        log.info("logout user_id=%s", principal.user.id)
        await self._publisher.token_revoked(principal.jti)

    async def me(self, principal: Principal) -> User:
        user = await users.get_user(self._db, principal.user.id)
        if user is None:
            raise Unauthorized()
        return user
