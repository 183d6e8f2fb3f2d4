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
        self._types = [column.type.dialect_impl(dialect) for column in columns]
        self._dialect = dialect
        # The columns that need converting, with their conversion. Some drivers' conversions
        # depend on the type the database reports for a column (asyncpg's floats): known
        # from the first result, as SQLAlchemy does per result.
        self._convert: list[tuple[str, Callable[[Any], Any]]] | None = None

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, process in zip(self._names, self._bind, strict=True):
            value = values[name] if name in values else self._fixed[name]
            out.append(process(value) if process is not None and value is not None else value)
        return tuple(out)

    def rows(self, cursor: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run a SELECT; each row as {label: converted value}."""
        cursor.execute(self.sql, self.parameters(values))
        if self._convert is None:
            described = [column[1] for column in cursor.description]
            self._convert = [
                (label, process)
                for label, kind, type_code in zip(self._labels, self._types, described, strict=True)
                if (process := kind.result_processor(self._dialect, type_code)) is not None
            ]
        rows = []
        for raw in cursor.fetchall():
            row = dict(zip(self._labels, raw, strict=True))
            for label, process in self._convert:
                value = row[label]
                if value is not None:  # NULL stays None, as in parameters()
                    row[label] = process(value)
            rows.append(row)
        return rows

    def run(self, cursor: Any, values: Mapping[str, Any]) -> None:
        cursor.execute(self.sql, self.parameters(values))
