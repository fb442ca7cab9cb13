"""What the personal-data hooks hand around: one table's rows about a person, and an erasure in progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class PersonRows:
    """The rows of one table (``table``, named even with no ``rows``) about a person, as JSON values."""

    table: str
    rows: Sequence[Mapping[str, Any]] = ()


@dataclass
class Erasure:
    """A person being erased: their ambassador row stays, renamed ``pseudonym``, so totals add up."""

    ambassador_id: int
    pseudonym: str
    tables: set[str] = field(default_factory=set)

    def covered(self, *tables: str) -> None:
        """Say that the person's rows in ``tables`` are erased (or kept on purpose, pseudonymous)."""
        self.tables.update(tables)


def json_value(value: Any) -> Any:
    """A column value as JSON can hold it: times and dates as ISO 8601, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def person_rows(
    session: Session, table: sa.Table, ambassador_id: int, *, columns: Sequence[str], leave_out: Sequence[str] = ()
) -> PersonRows:
    """``table``'s rows naming ``ambassador_id`` in any of ``columns``, without the ``leave_out`` columns.

    Binary columns (encrypted credentials) are always left out.
    """
    kept = [
        column
        for column in table.columns
        if column.name not in leave_out and not isinstance(column.type, sa.LargeBinary)
    ]
    query = sa.select(*kept).where(sa.or_(*(table.c[name] == ambassador_id for name in columns)))
    primary = list(table.primary_key.columns)
    rows = session.execute(query.order_by(*primary)).mappings().all()
    return PersonRows(table.name, [{key: json_value(value) for key, value in row.items()} for row in rows])
