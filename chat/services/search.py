"""Search: messages the caller may read whose body matches every word of the query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chat.domain.models import Message, User
from chat.domain.search import SearchQuery
from chat.storage.database import Database
from chat.storage.search import search_messages


@dataclass(frozen=True, slots=True)
class SearchResults:
    results: list[Message]
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"results": [m.as_dict() for m in self.results], "has_more": self.has_more}


class Search:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, user: User, query: SearchQuery) -> SearchResults:
        """A room the caller may not read (or that does not exist) simply has no results:
        the answer never tells which private rooms exist."""
        if not query.words:
            return SearchResults(results=[], has_more=False)
        found, has_more = await search_messages(self._db, user.id, query)
        return SearchResults(results=found, has_more=has_more)
