"""What an ambassador may share now: the SQL query against a brute-force oracle written from the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from clarion.content.eligibility import is_targeted, shareable_query
from clarion.models import (
    Ambassador,
    AudienceDimension,
    Content,
    ContentAudience,
    ContentStatus,
    ContentTopic,
    utcnow,
)

# -- the rules, written out independently -----------------------------------------------------


@dataclass
class Item:
    status: ContentStatus
    publish_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    featured: bool
    teams: frozenset[str] = field(default_factory=frozenset)
    departments: frozenset[str] = field(default_factory=frozenset)
    locales: frozenset[str] = field(default_factory=frozenset)
    id: int = 0


@dataclass
class Person:
    team: str | None
    department: str | None
    locale: str
    consent: str  # invited | opted_in | paused | left | left_after_pause

    def ambassador(self, now: datetime) -> Ambassador:
        opted_in = now - timedelta(days=30) if self.consent != "invited" else None
        return Ambassador(
            external_id="someone",
            name="Someone",
            team=self.team,
            department=self.department,
            locale=self.locale,
            opted_in_at=opted_in,
            paused_at=now - timedelta(days=1) if self.consent in {"paused", "left_after_pause"} else None,
            left_at=now - timedelta(hours=1) if self.consent in {"left", "left_after_pause"} else None,
        )


def dimension_allows(targets: frozenset[str], value: str | None) -> bool:
    """No targeting rows: everyone. Otherwise the person's value must be listed (None never is)."""
    return not targets or (value is not None and value in targets)


def locale_allows(targets: frozenset[str], locale: str) -> bool:
    """Locales also match by language: content for "nl" reaches "nl-BE", not the other way round."""
    return not targets or locale in targets or locale.split("-")[0] in targets


def oracle(items: list[Item], person: Person, now: datetime) -> list[int]:
    if person.consent != "opted_in":
        return []
    shareable = [
        item
        for item in items
        if item.status == ContentStatus.APPROVED
        and (item.publish_at is None or item.publish_at <= now)
        and (item.expires_at is None or item.expires_at > now)
        and dimension_allows(item.teams, person.team)
        and dimension_allows(item.departments, person.department)
        and locale_allows(item.locales, person.locale)
    ]
    shareable.sort(
        key=lambda item: (item.featured, item.publish_at or item.created_at, item.id),
        reverse=True,
    )
    return [item.id for item in shareable]


# -- generated programmes ------------------------------------------------------------------------

OFFSETS = [timedelta(days=-2), timedelta(hours=-1), timedelta(0), timedelta(hours=1), timedelta(days=2)]
offsets = st.none() | st.sampled_from(OFFSETS)
TEAMS, DEPARTMENTS, LOCALES = ["red", "blue", "green"], ["eng", "sales"], ["en", "fr", "de", "fr-BE"]


@st.composite
def items(draw) -> dict:
    publish, expires = draw(offsets), draw(offsets)
    if publish is not None and expires is not None and expires <= publish:
        expires = None  # the table refuses such a window
    return {
        "status": draw(st.sampled_from([ContentStatus.APPROVED] * 4 + list(ContentStatus))),
        "publish": publish,
        "expires": expires,
        "created": draw(st.sampled_from([timedelta(days=-3), timedelta(days=-2), timedelta(hours=-1), timedelta(0)])),
        "featured": draw(st.booleans()),
        "teams": draw(st.frozensets(st.sampled_from(TEAMS), max_size=2)),
        "departments": draw(st.frozensets(st.sampled_from(DEPARTMENTS), max_size=2)),
        "locales": draw(st.frozensets(st.sampled_from(LOCALES), max_size=2)),
    }


people = st.builds(
    Person,
    team=st.sampled_from([None, "red", "blue"]),
    department=st.sampled_from([None, "eng", "sales", "ops"]),
    locale=st.sampled_from(["en", "fr", "fr-BE", "de-AT"]),
    consent=st.sampled_from(["opted_in", "opted_in", "opted_in", "invited", "paused", "left", "left_after_pause"]),
)


def reset(session) -> None:
    for table in (ContentAudience, ContentTopic, Content):
        session.execute(sa.delete(table))


def store(session, specs: list[dict], now: datetime) -> list[Item]:
    stored = []
    for spec in specs:
        item = Item(
            status=spec["status"],
            publish_at=now + spec["publish"] if spec["publish"] is not None else None,
            expires_at=now + spec["expires"] if spec["expires"] is not None else None,
            created_at=now + spec["created"],
            featured=spec["featured"],
            teams=spec["teams"],
            departments=spec["departments"],
            locales=spec["locales"],
        )
        row = Content(
            title="t",
            url="https://example.com/t",
            status=item.status,
            publish_at=item.publish_at,
            expires_at=item.expires_at,
            created_at=item.created_at,
            updated_at=item.created_at,
            featured=item.featured,
        )
        session.add(row)
        session.flush()
        item.id = row.id
        for dimension, values in (
            (AudienceDimension.TEAM, item.teams),
            (AudienceDimension.DEPARTMENT, item.departments),
            (AudienceDimension.LOCALE, item.locales),
        ):
            session.add_all(ContentAudience(content_id=row.id, dimension=dimension, value=value) for value in values)
        stored.append(item)
    session.flush()
    return stored


def audience_of(item: Item) -> dict[AudienceDimension, set[str]]:
    return {
        AudienceDimension.TEAM: set(item.teams),
        AudienceDimension.DEPARTMENT: set(item.departments),
        AudienceDimension.LOCALE: set(item.locales),
    }


@settings(max_examples=75)
@given(specs=st.lists(items(), max_size=8), persons=st.lists(people, min_size=1, max_size=4))
def test_shareable_query_matches_the_oracle(clarion_engine, specs, persons):
    now = utcnow()
    with clarion_engine.transaction() as session:
        reset(session)
        stored = store(session, specs, now)
    with clarion_engine.transaction() as session:
        for person in persons:
            ambassador = person.ambassador(now)
            found = [row.id for row in session.exec(shareable_query(ambassador, now)).all()]
            assert found == oracle(stored, person, now), person


@settings(max_examples=50)
@given(specs=st.lists(items(), min_size=1, max_size=4), person=people)
def test_python_targeting_agrees_with_the_oracle(specs, person):
    now = utcnow()
    ambassador = person.ambassador(now)
    for spec in specs:
        item = Item(spec["status"], None, None, now, False, spec["teams"], spec["departments"], spec["locales"])
        expected = (
            dimension_allows(item.teams, person.team)
            and dimension_allows(item.departments, person.department)
            and locale_allows(item.locales, person.locale)
        )
        assert is_targeted(audience_of(item), ambassador) is expected


# -- examples of the rules a person sees ------------------------------------------------------------


def feed(engine, ambassador: Ambassador, now: datetime, **filters) -> list[int]:
    with engine.transaction() as session:
        return [row.id for row in session.exec(shareable_query(ambassador, now, **filters)).all()]


def one(engine, now: datetime, **fields) -> int:
    audience = fields.pop("audience", {})
    with engine.transaction() as session:
        row = Content(title="t", url="https://example.com/t", status=ContentStatus.APPROVED, **fields)
        session.add(row)
        session.flush()
        for dimension, values in audience.items():
            session.add_all(ContentAudience(content_id=row.id, dimension=dimension, value=value) for value in values)
        return row.id


def opted_in(**fields) -> Ambassador:
    return Ambassador(external_id="x", name="X", opted_in_at=utcnow() - timedelta(days=1), **fields)


def test_window_edges(clarion_engine):
    now = utcnow()
    opens_now = one(clarion_engine, now, publish_at=now)
    closes_now = one(clarion_engine, now, expires_at=now)
    closes_later = one(clarion_engine, now, expires_at=now + timedelta(microseconds=1))
    opens_later = one(clarion_engine, now, publish_at=now + timedelta(microseconds=1))
    shown = feed(clarion_engine, opted_in(), now)
    assert opens_now in shown
    assert closes_later in shown
    assert closes_now not in shown
    assert opens_later not in shown


def test_a_person_without_a_team_sees_only_content_for_every_team(clarion_engine):
    now = utcnow()
    everyone = one(clarion_engine, now)
    red_only = one(clarion_engine, now, audience={AudienceDimension.TEAM: ["red"]})
    assert feed(clarion_engine, opted_in(team=None), now) == [everyone]
    assert set(feed(clarion_engine, opted_in(team="red"), now)) == {everyone, red_only}
    assert feed(clarion_engine, opted_in(team="blue"), now) == [everyone]


def test_targeting_needs_every_dimension_to_match(clarion_engine):
    now = utcnow()
    both = one(
        clarion_engine,
        now,
        audience={AudienceDimension.TEAM: ["red"], AudienceDimension.LOCALE: ["fr", "de"]},
    )
    assert feed(clarion_engine, opted_in(team="red", locale="fr"), now) == [both]
    assert feed(clarion_engine, opted_in(team="red", locale="en"), now) == []
    assert feed(clarion_engine, opted_in(team="blue", locale="fr"), now) == []


def test_no_consent_no_feed(clarion_engine):
    now = utcnow()
    one(clarion_engine, now)
    assert feed(clarion_engine, Ambassador(external_id="x", name="X"), now) == []
    assert feed(clarion_engine, opted_in(paused_at=now), now) == []
    assert feed(clarion_engine, opted_in(left_at=now), now) == []


def test_featured_first_then_newest_then_highest_id(clarion_engine):
    now = utcnow()
    old = one(clarion_engine, now, created_at=now - timedelta(days=3))
    scheduled_recently = one(
        clarion_engine, now, created_at=now - timedelta(days=9), publish_at=now - timedelta(hours=1)
    )
    featured_old = one(clarion_engine, now, created_at=now - timedelta(days=5), featured=True)
    tie_a = one(clarion_engine, now, created_at=now - timedelta(days=1))
    tie_b = one(clarion_engine, now, created_at=now - timedelta(days=1))
    assert feed(clarion_engine, opted_in(), now) == [featured_old, scheduled_recently, tie_b, tie_a, old]


def test_topic_and_campaign_filters_narrow_the_feed(clarion_engine):
    now = utcnow()
    tagged = one(clarion_engine, now)
    other = one(clarion_engine, now)
    with clarion_engine.transaction() as session:
        session.add(ContentTopic(content_id=tagged, topic="ai"))
    assert feed(clarion_engine, opted_in(), now, topic="ai") == [tagged]
    assert set(feed(clarion_engine, opted_in(), now)) == {tagged, other}
    assert feed(clarion_engine, opted_in(), now, campaign_id=12345) == []


def test_language_targeting_reaches_regional_locales(clarion_engine):
    now = utcnow()
    dutch = one(clarion_engine, now, audience={AudienceDimension.LOCALE: ["nl"]})
    belgian = one(clarion_engine, now, audience={AudienceDimension.LOCALE: ["nl-BE"]})
    assert set(feed(clarion_engine, opted_in(locale="nl-BE"), now)) == {dutch, belgian}
    assert feed(clarion_engine, opted_in(locale="nl"), now) == [dutch]
    assert feed(clarion_engine, opted_in(locale="nl-NL"), now) == [dutch]
