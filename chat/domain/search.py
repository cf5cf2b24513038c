"""The search query's rules: what `q` means, as a pure function of its text.

A query matches a message when every word of it is a whole word of the body or the start of
one, without regard to case. Words are runs of letters and digits: punctuation and `_`
separate them, which is also how both full-text engines (PostgreSQL's parser with the
`simple` configuration, SQLite FTS5's `unicode61` tokenizer) split bodies, so a query means
the same on either backend."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.domain.errors import InvalidInput
from chat.domain.rules import INT_MAX

QUERY_MAX = 200
LIMIT_MAX, LIMIT_DEFAULT = 100, 20
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    words: tuple[str, ...]
    room_id: int | None
    before: int | None
    limit: int


def search_query(
    q: str | None, *, room_id: int | None, before: int | None, limit: int | None
) -> SearchQuery:
    if q is None or not 1 <= len(q) <= QUERY_MAX:
        raise InvalidInput(f"q must be 1-{QUERY_MAX} characters")
    # A q without a letter or digit is valid and matches nothing (words is empty).
    words = tuple(dict.fromkeys(word.lower() for word in _WORD.findall(q)))
    for name, value in (("room_id", room_id), ("before", before)):
        if value is not None and not 1 <= value <= INT_MAX:
            raise InvalidInput(f"{name} must be an id: 1-{INT_MAX}")
    size = LIMIT_DEFAULT if limit is None else limit
    if not 1 <= size <= LIMIT_MAX:
        raise InvalidInput(f"limit must be 1-{LIMIT_MAX}")
    return SearchQuery(words=words, room_id=room_id, before=before, limit=size)
