"""The ``[plugins.discourse]`` section of clarion.toml."""

from __future__ import annotations

from enum import StrEnum
from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

PLUGIN_NAME = "discourse"
LOOPBACK_NAMES = {"localhost"}


class KeyKind(StrEnum):
    """Which Discourse key ambassadors paste when they connect."""

    API_KEY = "api_key"  # an admin-made key scoped to one user: headers Api-Key and Api-Username
    USER_API_KEY = "user_api_key"  # a key from Discourse's user API key flow: header User-Api-Key


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class DiscourseSettings(BaseModel):
    """Settings of the Discourse plugin; every field has a default, so the section is optional."""

    # A misspelt key is an error at start-up instead of a setting silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)

    forum: str = Field(
        default="https://forum.example.com",
        description="Base URL of the Discourse forum ambassadors post to (https; http only on localhost).",
    )
    category_id: int | None = Field(
        default=None, ge=1, description="Category new topics go to through the API; none means Discourse's default."
    )
    category_slug: str | None = Field(
        default=None,
        min_length=1,
        description="Category the share link pre-selects, as its slug or parent/child slug path.",
    )
    reply_to_topic_id: int | None = Field(
        default=None,
        ge=1,
        description="Publish shares as replies in this topic (e.g. a 'Share your news' thread) instead of new topics.",
    )
    key_kind: KeyKind = Field(default=KeyKind.API_KEY, description="Which kind of key ambassadors connect with.")
    title_min_length: int = Field(default=15, ge=1, description="The forum's min_topic_title_length.")
    title_max_length: int = Field(default=255, ge=1, description="The forum's max_topic_title_length.")
    body_min_length: int = Field(
        default=20, ge=1, description="The forum's min_post_length (and min_first_post_length)."
    )
    body_max_length: int = Field(default=32000, ge=1, description="The forum's max_post_length.")

    @field_validator("forum")
    @classmethod
    def _forum_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be the forum's base URL, such as https://forum.example.com")
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
            raise ValueError("must be an https:// URL (http:// only for localhost)")
        return value

    @field_validator("category_slug")
    @classmethod
    def _slug_path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().strip("/")
        if not value or any(not part or part != part.strip() or " " in part for part in value.split("/")):
            raise ValueError("must be a category slug such as news, or parent/child")
        return value

    @field_validator("title_max_length", "body_max_length")
    @classmethod
    def _not_below_minimum(cls, value: int, info: ValidationInfo) -> int:
        minimum_field = info.field_name.replace("_max_", "_min_") if info.field_name else ""
        minimum = info.data.get(minimum_field)
        if isinstance(minimum, int) and value < minimum:
            raise ValueError(f"must not be less than {minimum_field} ({minimum})")
        return value
