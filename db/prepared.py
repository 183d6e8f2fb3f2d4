"""Core statements compiled once and run straight on a DB-API cursor.

Why: on the RSVP fast path SQLAlchemy's per-execution machinery cost far more
than SQLite itself (measured on the tap's two statements: about 400 µs per tap
through Core executes against about 50 µs for the same SQL on the sqlite3
cursor). Compiling once and reusing SQLAlchemy's own bind and result
processors keeps the SQL, the parameter conversions and the stored formats
exactly those of the ORM, without paying for them on every call.

Only what the fast path needs: positional DB-API drivers, named bind
parameters, results as dicts keyed by the selected column labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


class Prepared:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        self.sql = compiled.string
        self._names = list(compiled.positiontup)
        binds = compiled.binds
        # Literal values written into the statement (e.g. a fixed post kind).
        self._fixed = {
            name: bind.effective_value for name, bind in binds.items() if not bind.required
        }
        self._bind: list[Processor] = [
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._names
        ]
        columns = list(getattr(statement, "selected_columns", ()))
        self._labels = [column.key for column in columns]
        self._result: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, process in zip(self._names, self._bind, strict=True):
            value = values[name] if name in values else self._fixed[name]
            out.append(process(value) if process is not None and value is not None else value)
        return tuple(out)

    def rows(self, cursor: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run a SELECT; each row as {label: converted value}."""
        cursor.execute(self.sql, self.parameters(values))
        labels, processors = self._labels, self._result
        return [
            {
                label: process(value) if process is not None else value
                for label, process, value in zip(labels, processors, raw, strict=True)
            }
            for raw in cursor.fetchall()
        ]

    def run(self, cursor: Any, values: Mapping[str, Any]) -> None:
        cursor.execute(self.sql, self.parameters(values))
