"""Offset pagination with a hard maximum page size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from clarion.errors import ValidationFailed

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int = 0

    @classmethod
    def checked(cls, limit: int, offset: int, *, max_limit: int) -> PageRequest:
        if not 1 <= limit <= max_limit:
            raise ValidationFailed(f"limit must be between 1 and {max_limit}", field="limit")
        if offset < 0:
            raise ValidationFailed("offset must not be negative", field="offset")
        return cls(limit, offset)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, query: Any, page: PageRequest) -> Page[Any]:
    """Run ``query`` (ordered) for one page, with the total count of all matches."""
    total = session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = list(session.exec(query.limit(page.limit).offset(page.offset)).all())
    return Page(rows, int(total), page.limit, page.offset)
