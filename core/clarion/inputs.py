"""Bounded input read one way by every route, form and import: days, moments (1900-2999), digits, text, CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, AwareDatetime

from clarion.errors import ValidationFailed

MIN_YEAR, MAX_YEAR = 1900, 2999
EARLIEST, LATEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC), datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC)
MAX_ID = 2**31 - 1
DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: "²" and "٣" pass str.isdigit() but are no number
NUL = "\x00"


def _label(field: str | None) -> str:
    return field.replace("_", " ") if field else "the date"


def check_day(value: date, field: str | None = None) -> date:
    """``value`` if its year is from 1900 to 2999; otherwise :class:`ValidationFailed` naming ``field``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationFailed(f"{_label(field)} must be in the years {MIN_YEAR} to {MAX_YEAR}", field=field)
    return value


def check_moment(value: datetime, field: str | None = None) -> datetime:
    """``value`` in UTC (without an offset it is read as UTC), bounded before and after converting."""
    check_day(value.date(), field)  # first: an offset at year 1 or 9999 would overflow
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    check_day(moment.date(), field)
    return moment


def clamp(moment: datetime) -> datetime:
    """A stored moment moved inside the years 1900 to 2999: reading rows written before the bounds is safe."""
    return min(max(moment, EARLIEST), LATEST)


def parse_moment(text: str, field: str | None = None) -> datetime:
    """An ISO date and time (``2026-11-20T09:30``, with or without an offset, or a day), in UTC."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1) if len(value) > 10 else value)
    except ValueError:
        raise ValidationFailed(f"{_label(field)} must be a date and time (YYYY-MM-DD HH:MM)", field=field) from None
    return check_moment(moment, field)


def parse_digits(text: str, field: str | None = None, *, low: int = 0, high: int = MAX_ID) -> int:
    """A whole number written with the digits 0-9 only, from ``low`` to ``high``."""
    value = text.strip()
    if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise ValidationFailed(f"{_label(field)} must be a whole number from {low} to {high}", field=field)
    return int(value)


def check_text(value: str, field: str | None = None) -> str:
    """``value`` unless it holds NUL, which PostgreSQL cannot store (so SQLite must not either)."""
    if NUL in value:
        raise ValidationFailed(f"{_label(field)} must not contain NUL characters", field=field)
    return value


def has_nul(value: object) -> bool:
    """Whether ``value`` (text, or the lists and mappings of text JSON columns hold) holds NUL."""
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return isinstance(value, str) and NUL in value


def check_locale(value: str, field: str = "locale") -> str:
    """``value`` if Babel knows it as a locale (``en``, ``nl-BE``, ``zh-Hant``)."""
    try:
        Locale.parse(value, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationFailed(
            f"unknown locale {value!r}; use a language tag such as en or nl-BE", field=field
        ) from None
    return value


def decode_text(raw: bytes, field: str | None = None) -> str:
    """Uploaded bytes as text: UTF-8 (a byte-order mark is dropped), or a clear refusal; never mojibake."""
    try:
        return check_text(raw.decode("utf-8-sig"), field)
    except UnicodeDecodeError:
        raise ValidationFailed("the file is not UTF-8 text; save it as CSV UTF-8", field=field) from None


def csv_rows(text: str, dialect: type[csv.Dialect] | csv.Dialect = csv.excel) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` for every row of a CSV text, header first, ``line`` where the row starts.

    Raises:
        ValidationFailed: a quote is never closed (the line it opens on is named), or the header
            names a column twice.
    """
    reader = csv.reader(io.StringIO(check_text(text.lstrip("\ufeff"), "file")), dialect, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationFailed(f"line {line} is not valid CSV ({exc}); check its quotes", field="file") from None
        names = [cell.strip().lower() for cell in cells] if line == 1 else []
        if twice := sorted({name for name in names if names.count(name) > 1}):
            raise ValidationFailed(f"line 1 names a column twice: {', '.join(twice)}", field="file")
        yield line, cells


def _to_utc(value: datetime) -> datetime:
    try:
        return check_moment(value)
    except ValidationFailed as exc:
        raise ValueError(exc.detail) from None  # pydantic turns it into a 400 naming the field


# Times arrive with any offset and are answered in UTC, the same by every route; years 1900-2999.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
