"""The demo's literal content, read from the TOML files in ``data/``: people, campaigns, content, texts."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from clarion.models import AdvocacyLevel, ContentOrigin, ContentStatus, Role

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    department: str
    size: int
    dutch_share: float
    time_zones: tuple[str, ...]


@dataclass(frozen=True)
class DemoPersonSpec:
    external_id: str
    name: str
    team: str
    locale: str
    time_zone: str
    role: Role
    level: AdvocacyLevel
    rate: float  # shares per week
    networks: tuple[str, ...]  # so whoever tries the demo has accounts to share with


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    name: str
    description: str
    starts: int  # days from now
    ends: int
    hashtags: tuple[str, ...]
    goal_shares: int | None = None
    goal_clicks: int | None = None
    goal_reach: int | None = None
    goal_participation: int | None = None


@dataclass(frozen=True)
class ContentSpec:
    """One content item; days are counted from now (negative is in the past)."""

    title: str
    url: str
    summary: str
    topics: tuple[str, ...]
    pitch: str  # the long suggested text (LinkedIn, Facebook)
    short: str  # the short one (X)
    opens: int  # shareable from (approved content); created on (the rest)
    closes: int | None = None
    campaign: str | None = None
    origin: ContentOrigin = ContentOrigin.OFFICIAL
    status: ContentStatus = ContentStatus.APPROVED
    language: str = "en"
    audience: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    featured: bool = False
    scheduled: bool = True  # has a publish_at; otherwise shareable from approval
    archived: int | None = None
    note: str | None = None
    author: str | None = None  # an external id; otherwise a fitting person is picked
    author_department: str | None = None
    alt: str | None = None  # a second long text
    short_alt: str | None = None  # a second short text


@dataclass(frozen=True)
class Programme:
    """Everything the demo says, as the data files state it."""

    company: str
    teams: tuple[TeamSpec, ...]
    extra_roles: tuple[tuple[str, Role], ...]
    demo_people: tuple[DemoPersonSpec, ...]
    first_names: Mapping[str, tuple[str, ...]]  # by locale
    last_names: Mapping[str, tuple[str, ...]]
    campaigns: tuple[CampaignSpec, ...]
    contents: tuple[ContentSpec, ...]
    calls_to_action: Mapping[tuple[str, str], str]  # (first topic, language) → closing line
    email_intro: Mapping[str, str]  # language → text of a job post shared by e-mail
    guidelines: str
    challenges: tuple[Mapping[str, Any], ...]


def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def _tuples(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}


def _content(values: Mapping[str, Any]) -> ContentSpec:
    fields = _tuples(values)
    fields["audience"] = {key: tuple(value) for key, value in values.get("audience", {}).items()}
    if "origin" in fields:
        fields["origin"] = ContentOrigin(fields["origin"])
    if "status" in fields:
        fields["status"] = ContentStatus(fields["status"])
    return ContentSpec(**fields)


def _person(values: Mapping[str, Any]) -> DemoPersonSpec:
    fields = _tuples(values)
    return DemoPersonSpec(**{**fields, "role": Role(fields["role"]), "level": AdvocacyLevel(fields["level"])})


@cache
def programme() -> Programme:
    """The demo's content, read once per process from ``data/*.toml``."""
    people, texts = _read("people.toml"), _read("texts.toml")
    return Programme(
        company=texts["company"],
        teams=tuple(TeamSpec(**_tuples(team)) for team in people["team"]),
        extra_roles=tuple((extra["team"], Role(extra["role"])) for extra in people["extra_role"]),
        demo_people=tuple(_person(person) for person in people["demo_person"]),
        first_names={locale: tuple(names["first"]) for locale, names in people["names"].items()},
        last_names={locale: tuple(names["last"]) for locale, names in people["names"].items()},
        campaigns=tuple(CampaignSpec(**_tuples(campaign)) for campaign in _read("campaigns.toml")["campaign"]),
        contents=tuple(_content(content) for content in _read("content.toml")["content"]),
        calls_to_action={
            (topic, language): line
            for topic, lines in texts["calls_to_action"].items()
            for language, line in lines.items()
        },
        email_intro=dict(texts["email_intro"]),
        guidelines=texts["guidelines"]["body"],
        challenges=tuple(_read("challenges.toml")["challenge"]),
    )
