"""Column types shared by the tables: UTC timestamps and string-backed enums.

``utcnow`` (the tables' default timestamps) is :func:`clarion.clock.utcnow`, re-exported here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from clarion.clock import utcnow as utcnow  # the tables' default timestamps read the clock

# Ids appear in idempotency keys (``share.created:42``): SQLite must never hand a deleted row's
# id to a new row, which it does without AUTOINCREMENT.
SQLITE_NO_ID_REUSE = {"sqlite_autoincrement": True}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores UTC; always returns an aware UTC datetime, on SQLite as on PostgreSQL.

    Naive datetimes are refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Clarion stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint on every database."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utc_column(*, nullable: bool = True, index: bool = False, **kwargs: Any) -> sa.Column[Any]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index, **kwargs)
