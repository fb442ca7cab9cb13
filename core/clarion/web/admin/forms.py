"""HTML form fields turned into the dictionaries the services take; shape checks only, no business rule."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from clarion import inputs
from clarion.errors import ValidationFailed
from clarion.models import AdvocacyLevel, ContentOrigin, EditPolicy, Role

E = TypeVar("E", bound=StrEnum)
CSRF_FIELD = "csrf_token"
# A line holding only this separates two suggested texts for the same network.
TEXT_SEPARATOR = "---"
IMPORT_COLUMNS = ("external_id", "name", "email", "department", "team", "locale", "role", "advocacy_level")
MAX_IMPORT_ROWS = 5000


def admin_csrf_token(secret_key: str, external_id: str) -> str:
    """The form token of requests with no session (trusted proxy, bearer): bound to the person, keyed by the secret.

    Signed-in sessions use their own random token instead (:func:`clarion.web.admin.kit.csrf_token_of`).
    """
    return hmac.new(secret_key.encode(), f"clarion admin csrf v1:{external_id}".encode(), "sha256").hexdigest()


def text(form: Mapping[str, Any], name: str, *, max_length: int | None = None, required: bool = False) -> str:
    value = str(form.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed(f"{name.replace('_', ' ')} is required", field=name)
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed(f"{name.replace('_', ' ')} is longer than {max_length} characters", field=name)
    return value


def optional_text(form: Mapping[str, Any], name: str, *, max_length: int | None = None) -> str | None:
    return text(form, name, max_length=max_length) or None


def choice(form: Mapping[str, Any], name: str, kind: type[E]) -> E:
    value = text(form, name)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(f"{name.replace('_', ' ')} must be one of {allowed}", field=name) from None


def _digits(form: Mapping[str, Any], name: str, *, low: int, high: int, refusal: str) -> int | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return inputs.parse_digits(value, name, low=low, high=high)
    except ValidationFailed:
        raise ValidationFailed(f"{name.replace('_', ' ')} {refusal}", field=name) from None


def optional_id(form: Mapping[str, Any], name: str) -> int | None:
    return _digits(form, name, low=1, high=inputs.MAX_ID, refusal="is not a valid choice")


def optional_count(form: Mapping[str, Any], name: str) -> int | None:
    return _digits(form, name, low=0, high=inputs.MAX_ID, refusal="must be a whole number, 0 or more")


def optional_percent(form: Mapping[str, Any], name: str) -> int | None:
    return _digits(form, name, low=0, high=100, refusal="must be a whole percentage from 0 to 100")


def optional_moment(form: Mapping[str, Any], name: str) -> datetime | None:
    """A ``datetime-local`` value, read as UTC (the form says so); years 1900 to 2999."""
    value = text(form, name)
    return inputs.parse_moment(value, name) if value else None


def word_list(form: Mapping[str, Any], name: str) -> list[str]:
    """Comma-separated values, trimmed, empty ones dropped, order kept."""
    values = [part.strip() for part in text(form, name).split(",")]
    for value in values:
        if len(value) > 120:
            raise ValidationFailed(f"{name.replace('_', ' ')}: {value[:20]}… is longer than 120 characters", field=name)
    return list(dict.fromkeys(value for value in values if value))


def share_texts(form: Mapping[str, Any], networks: Iterable[str]) -> list[dict[str, str]]:
    """One textarea per network; a line of ``---`` separates several texts for one network."""
    suggestions = []
    for network in networks:
        block = str(form.get(f"text_{network}") or "").replace("\r\n", "\n")
        chunk: list[str] = []
        for line in [*block.split("\n"), TEXT_SEPARATOR]:
            if line.strip() == TEXT_SEPARATOR:
                joined = "\n".join(chunk).strip()
                if joined:
                    suggestions.append({"network": network, "text": joined})
                chunk = []
            else:
                chunk.append(line)
    return suggestions


def content_fields(form: Mapping[str, Any], networks: Iterable[str]) -> dict[str, Any]:
    """What the content form says, as :func:`clarion.content.content.create_content` takes it."""
    return {
        "title": text(form, "title", max_length=300, required=True),
        "url": text(form, "url", max_length=2048, required=True),
        "summary": text(form, "summary"),
        "body": text(form, "body"),
        "image_url": optional_text(form, "image_url", max_length=2048),
        "language": text(form, "language", max_length=16) or "en",
        "campaign_id": optional_id(form, "campaign_id"),
        "publish_at": optional_moment(form, "publish_at"),
        "expires_at": optional_moment(form, "expires_at"),
        "featured": form.get("featured") == "on",
        "edit_policy": choice(form, "edit_policy", EditPolicy),
        "origin": choice(form, "origin", ContentOrigin),
        "topics": word_list(form, "topics"),
        "audience": {key: word_list(form, key) for key in ("teams", "departments", "locales")},
        "share_texts": share_texts(form, networks),
    }


def campaign_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(form, "name", max_length=200, required=True),
        "slug": text(form, "slug", max_length=100, required=True),
        "description": text(form, "description"),
        "goal_shares": optional_count(form, "goal_shares"),
        "goal_clicks": optional_count(form, "goal_clicks"),
        "goal_reach": optional_count(form, "goal_reach"),
        "goal_participation": optional_percent(form, "goal_participation"),
        "starts_at": optional_moment(form, "starts_at"),
        "ends_at": optional_moment(form, "ends_at"),
        "hashtags": [tag.lstrip("#") for tag in word_list(form, "hashtags")],
    }


def ambassador_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(form, "name", max_length=200, required=True),
        "email": optional_text(form, "email", max_length=320),
        "department": optional_text(form, "department", max_length=120),
        "team": optional_text(form, "team", max_length=120),
        "locale": text(form, "locale", max_length=16) or "en",
        "role": choice(form, "role", Role),
        "advocacy_level": choice(form, "advocacy_level", AdvocacyLevel),
    }


@dataclass
class ImportPlan:
    """Rows of an ambassador CSV ready for the service, or why it cannot be imported."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_ambassador_csv(raw: str) -> ImportPlan:
    """Check every row of a CSV (header ``external_id,name,…``); all errors at once, line numbers included."""
    plan = ImportPlan()
    try:
        lines = list(inputs.csv_rows(raw))
    except ValidationFailed as exc:
        plan.errors.append(exc.detail)
        return plan
    header = [name.strip() for name in lines[0][1]] if lines else []
    if not any(header):
        plan.errors.append("the file is empty; the first line names the columns")
        return plan
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    missing = [name for name in ("external_id", "name") if name not in header]
    if unknown:
        plan.errors.append(f"line 1: unknown columns {', '.join(unknown)} (allowed: {', '.join(IMPORT_COLUMNS)})")
    if missing:
        plan.errors.append(f"line 1: missing columns {', '.join(missing)}")
    if plan.errors:
        return plan
    seen: dict[str, int] = {}
    if len(lines) - 1 > MAX_IMPORT_ROWS:
        plan.errors.append(f"at most {MAX_IMPORT_ROWS} rows per import; this file has {len(lines) - 1}")
        return plan
    for number, cells in lines[1:]:
        if len(cells) > len(header):
            plan.errors.append(f"line {number}: more values than columns")
            continue
        values = {key: value.strip() for key, value in zip(header, cells, strict=False)}
        if not any(values.values()):
            continue  # a blank line
        try:
            row: dict[str, Any] = {
                "external_id": text(values, "external_id", max_length=200, required=True),
                "name": text(values, "name", max_length=200, required=True),
                "email": optional_text(values, "email", max_length=320),
                "department": optional_text(values, "department", max_length=120),
                "team": optional_text(values, "team", max_length=120),
                "locale": text(values, "locale", max_length=16) or "en",
                "role": choice({"role": values.get("role") or Role.AMBASSADOR.value}, "role", Role),
                "advocacy_level": choice(
                    {"advocacy_level": values.get("advocacy_level") or AdvocacyLevel.ENGAGEMENT.value},
                    "advocacy_level",
                    AdvocacyLevel,
                ),
            }
        except ValidationFailed as exc:
            plan.errors.append(f"line {number}: {exc.detail}")
            continue
        if row["external_id"] in seen:
            plan.errors.append(
                f"line {number}: external_id {row['external_id']!r} repeats line {seen[row['external_id']]}"
            )
            continue
        seen[row["external_id"]] = number
        plan.rows.append((number, row))
    if not plan.rows and not plan.errors:
        plan.errors.append("the file has a header but no rows")
    return plan
