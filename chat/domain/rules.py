"""The contract's input rules, as pure functions that raise InvalidInput/TooLarge."""

from __future__ import annotations

import re

from chat.domain.errors import InvalidInput, TooLarge

USERNAME_RE = re.compile(r"[A-Za-z0-9_.\-]{3,32}")
PASSWORD_MIN, PASSWORD_MAX = 8, 128
BODY_MAX = 4000
ROOM_NAME_MAX = 64
CLIENT_ID_MAX = 64
PAGE_LIMIT_MAX, PAGE_LIMIT_DEFAULT = 200, 50
# Seqs and ids live in 64-bit integer columns; anything larger cannot exist.
INT_MAX = 2**63 - 1


def username(value: object) -> str:
    if not isinstance(value, str) or not USERNAME_RE.fullmatch(value):
        raise InvalidInput("username must be 3-32 characters of A-Z a-z 0-9 _ . -")
    return value


def password(value: object) -> str:
    if not isinstance(value, str) or not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidInput(f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters")
    return value


def room_name(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("name must be a string")
    name = value.strip()
    if not 1 <= len(name) <= ROOM_NAME_MAX or not name.isprintable():
        raise InvalidInput(f"name must be 1-{ROOM_NAME_MAX} printable characters")
    return name


def body(value: object) -> str:
    """Kept exactly as sent; only emptiness, length and unpaired surrogates are refused."""
    if not isinstance(value, str):
        raise InvalidInput("body must be a string")
    if len(value) > BODY_MAX:
        raise TooLarge(f"body must be at most {BODY_MAX} characters")
    if len(value) == 0 or value.isspace():
        raise InvalidInput(f"body must be 1-{BODY_MAX} characters of text")
    if "\x00" in value or not _encodable(value):
        raise InvalidInput("body must be valid text")
    return value


def _encodable(text: str) -> bool:
    """False when the text holds an unpaired surrogate (what UTF-8 cannot encode)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def client_id(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= CLIENT_ID_MAX:
        raise InvalidInput(f"client_id must be a string of 1-{CLIENT_ID_MAX} characters")
    if not value.isprintable():
        raise InvalidInput("client_id must be printable")
    return value


def identifier(value: object, name: str) -> int:
    """A positive integer id; booleans and floats are not ids."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= INT_MAX:
        raise InvalidInput(f"{name} must be a positive integer")
    return value


def seq(value: object, name: str = "seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT_MAX:
        raise InvalidInput(f"{name} must be a non-negative integer")
    return value


def page_limit(value: object) -> int:
    if value is None:
        return PAGE_LIMIT_DEFAULT
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"limit must be an integer from 1 to {PAGE_LIMIT_MAX}")
    if not 1 <= value <= PAGE_LIMIT_MAX:
        raise InvalidInput(f"limit must be from 1 to {PAGE_LIMIT_MAX}")
    return value
