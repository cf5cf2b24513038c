"""A SQLAlchemy statement compiled once for one driver, to run without the engine: its SQL,
and its named parameters turned into the driver's positional ones with SQLAlchemy's own
type processing (SQLite stores datetimes as SQLAlchemy-formatted text, for instance), so
rows written this way read back through the engine exactly like the engine's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable


class CompiledStatement:
    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))
        self.sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        # Literals SQLAlchemy turned into parameters (the 1 of `last_seq + 1`).
        self._fixed: dict[str, Any] = {
            name: bind.value for name, bind in compiled.binds.items() if not bind.required
        }
        processors: dict[str, Callable[[Any], Any]] = {}
        for name in self._names:
            processor = compiled.binds[name].type._cached_bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        self._processors = processors

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = self._fixed | params
        out = []
        for name in self._names:
            value = values[name]
            processor = self._processors.get(name)
            out.append(value if processor is None or value is None else processor(value))
        return out
