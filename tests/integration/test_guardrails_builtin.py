"""The built-in guardrails: disclosure, blocked words, edit policy, cadence and near duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient
from sqlmodel import col, select

from clarion.actors import Actor
from clarion.config import ConfigError
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.engine import Engine
from clarion.errors import ValidationFailed
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.models import (
    Ambassador,
    Content,
    EditPolicy,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
    utcnow,
)
from clarion.shares.link_codes import new_link_code
from clarion.shares.sharing import create_share
from clarion.web.app import create_app
from clarion_plugins.guardrails import blocked_words, cadence, disclosure, edit_policy, near_duplicate

MODULES = {
    "guardrail-disclosure": disclosure,
    "guardrail-blocked-words": blocked_words,
    "guardrail-edit-policy": edit_policy,
    "guardrail-cadence": cadence,
    "guardrail-near-duplicate": near_duplicate,
}


@pytest.fixture
def guarded(clarion_engine_factory):
    """``guarded(plugin_name, **settings) -> Engine`` with only that one of the built-in guardrails."""

    def make(name: str, **settings: Any) -> Engine:
        others = (*(other for other in MODULES if other != name), "guardrail-repeat-share")
        return clarion_engine_factory(plugin_settings={name: settings}, disabled_plugins=others)

    return make


@pytest.fixture
def editor(clarion_people) -> Actor:
    person = clarion_people("erin", Role.EDITOR)
    return Actor(person.id, person.external_id, person.role)


@pytest.fixture
def amir(clarion_people):
    return clarion_people("amir")


@pytest.fixture
def publish(clarion_engine, editor):
    """``publish(edit_policy=..., **content) -> content id``: approved content, ready to share."""

    def make(edit_policy: EditPolicy = EditPolicy.FREE, **data: Any) -> int:
        data = {"title": "Our launch", "url": "https://example.com/launch", **data}
        with clarion_engine.transaction() as session:
            content_id = create_content(clarion_engine, session, editor, data).content.id
            for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
                transition_content(session, editor, content_id, action)
            content = session.get(Content, content_id)
            content.edit_policy = edit_policy  # the content API does not set it yet
            session.add(content)
        return content_id

    return make


def as_actor(person) -> Actor:
    return Actor(person.id, person.external_id, person.role)


def share(engine: Engine, person, content_id: int, network: str = "linkedin", **options: Any):
    with engine.transaction() as session:
        return create_share(engine, session, as_actor(person), content_id=content_id, network=network, **options)


def refusal(engine: Engine, person, content_id: int, network: str = "linkedin", **options: Any) -> str:
    with pytest.raises(ValidationFailed) as caught:
        share(engine, person, content_id, network, **options)
    assert caught.value.field == "text"
    return caught.value.detail


def findings(engine: Engine, draft: ShareDraft) -> list[Violation]:
    with engine.transaction() as session:
        return engine.share_violations(draft, session)


def draft(
    person, content_id: int, network: str = "linkedin", text: str = "Hello", scheduled_at: datetime | None = None
) -> ShareDraft:
    """A draft to ask the guardrails about directly, at an explicit time when scheduled."""
    return ShareDraft(person.id, content_id, network, text, "api" if scheduled_at else "intent", scheduled_at)


def add_share(
    engine: Engine,
    ambassador_id: int,
    content_id: int,
    network: str = "linkedin",
    text: str = "Hello",
    *,
    created_at: datetime | None = None,
    scheduled_at: datetime | None = None,
    status: ShareStatus = ShareStatus.PLANNED,
) -> None:
    """An earlier share written straight to the database, at an explicit time."""
    with engine.transaction() as session:
        session.add(
            Share(
                content_id=content_id,
                ambassador_id=ambassador_id,
                network=network,
                text=text,
                method=ShareMethod.API if scheduled_at else ShareMethod.INTENT,
                status=status,
                scheduled_at=scheduled_at,
                link_code=new_link_code(),
                created_at=created_at or utcnow(),
            )
        )


def add_colleague(engine: Engine, external_id: str) -> int:
    with engine.transaction() as session:
        colleague = Ambassador(external_id=external_id, name=external_id.title(), opted_in_at=utcnow())
        session.add(colleague)
        session.flush()
        assert colleague.id is not None
        return colleague.id


@pytest.fixture
def client_for() -> Iterator[Any]:
    """``client_for(engine) -> TestClient`` for the web application on that engine."""
    clients: list[TestClient[Any]] = []

    def make(engine: Engine) -> TestClient[Any]:
        client = TestClient(create_app(engine=engine))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def post_share(client: TestClient[Any], person, content_id: int, network: str = "linkedin", **fields: Any) -> Any:
    body = {"content_id": content_id, "network": network, **fields}
    return client.post("/api/v1/shares", json=body, headers=person.headers)


# -- configuration, shared by every guardrail ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODULES))
def test_defaults_validate_and_unknown_keys_are_refused(guarded, name):
    assert guarded(name).plugin_config(name) is not None
    with pytest.raises(ConfigError, match=rf"\[plugins.{name}\] colour: no such setting"):
        guarded(name, colour="red")


@pytest.mark.parametrize(
    ("name", "setting"),
    [
        ("guardrail-disclosure", "severity"),
        ("guardrail-blocked-words", "severity"),
        ("guardrail-edit-policy", "severity"),
        ("guardrail-cadence", "severity"),
        ("guardrail-cadence", "quiet_hours_severity"),
        ("guardrail-near-duplicate", "severity"),
    ],
)
def test_severity_is_block_or_warn(guarded, name, setting):
    with pytest.raises(ConfigError, match=rf"\[plugins.{name}\] {setting}: Input should be 'block' or 'warn'"):
        guarded(name, **{setting: "shout"})
    assert guarded(name, **{setting: "warn"}).plugin_config(name).model_dump()[setting] is Severity.WARN


# -- disclosure -----------------------------------------------------------------------------------


def test_disclosure_is_off_by_default(guarded, amir, publish):
    assert share(guarded("guardrail-disclosure"), amir, publish(), text="No tag here")


def test_disclosure_present_in_any_case_passes(guarded, amir, publish):
    engine = guarded("guardrail-disclosure", default="#employee")
    assert share(engine, amir, publish(), text="Proud of this launch #Employee").warnings == ()


def test_missing_disclosure_is_blocked_saying_what_to_add(guarded, amir, publish):
    engine = guarded("guardrail-disclosure", default="#employee", networks={"x": "#ad", "email": ""})
    content_id = publish()
    assert refusal(engine, amir, content_id, "linkedin", text="Proud of this launch") == (
        'Add "#employee" to your text: posts on LinkedIn about your employer must say that you work there.'
    )
    assert refusal(engine, amir, content_id, "x", text="Proud #employee") == (
        'Add "#ad" to your text: posts on X about your employer must say that you work there.'
    )
    assert share(engine, amir, content_id, "email", text="Proud of this launch")  # exempted


def test_missing_disclosure_can_only_warn(guarded, amir, publish):
    engine = guarded("guardrail-disclosure", networks={"linkedin": "#employee"}, severity="warn")
    created = share(engine, amir, publish(), text="Proud of this launch")
    assert [(w.guardrail, w.severity) for w in created.warnings] == [("disclosure", Severity.WARN)]


def test_missing_disclosure_through_the_api_is_a_422(guarded, amir, publish, client_for):
    client = client_for(guarded("guardrail-disclosure", networks={"linkedin": "#employee"}))
    response = post_share(client, amir, publish(), text="Proud of this launch")
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        'Add "#employee" to your text: posts on LinkedIn about your employer must say that you work there.'
    )
    assert post_share(client, amir, publish(), text="Proud #employee").status_code == 201


# -- blocked words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("This is a scam!", True),
        ("SCAM alert", True),
        ("Scampi for lunch", False),
        ("Best #ad ever", True),
        ("Best #adventure ever", False),
        ("a guaranteed returns plan", True),
        ("guaranteed, returns", False),
    ],
)
def test_blocked_words_match_whole_words_in_any_case(guarded, amir, publish, text, blocked):
    engine = guarded("guardrail-blocked-words", words=["scam", "#ad", "guaranteed returns"])
    found = findings(engine, draft(amir, publish(), text=text))
    assert bool(found) is blocked


def test_blocked_word_and_pattern_are_named(guarded, amir, publish):
    engine = guarded("guardrail-blocked-words", words=["scam"], patterns=[r"\d+\s*% off"])
    detail = refusal(engine, amir, publish(), text="Not a SCAM: 50 % OFF today")
    assert detail == (
        'Remove "scam": it is on the list of words not to use in posts about the company. '
        'Rephrase "50 % OFF": it matches the blocked pattern "\\d+\\s*% off" for posts about the company.'
    )


def test_a_bad_regular_expression_is_a_config_error_naming_it(guarded):
    with pytest.raises(ConfigError, match=r"\[plugins.guardrail-blocked-words\] patterns: .*'\(unclosed'"):
        guarded("guardrail-blocked-words", patterns=["fine", "(unclosed"])


def test_an_empty_blocked_word_is_a_config_error(guarded):
    with pytest.raises(ConfigError, match="a blocked word cannot be empty"):
        guarded("guardrail-blocked-words", words=["ok", "  "])


def test_blocked_words_can_warn_through_the_api(guarded, amir, publish, client_for):
    client = client_for(guarded("guardrail-blocked-words", words=["synergy"], severity="warn"))
    response = post_share(client, amir, publish(), text="Pure synergy")
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == [
        {
            "guardrail": "blocked-words",
            "message": 'Remove "synergy": it is on the list of words not to use in posts about the company.',
        }
    ]


# -- edit policy ----------------------------------------------------------------------------------

SUGGESTIONS = [
    {"network": "linkedin", "text": "We are hiring engineers in Lisbon"},
    {"network": "linkedin", "text": "Join our Lisbon team"},
    {"network": "x", "text": "Hiring now"},
]


def test_free_content_takes_any_text(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy")
    assert share(engine, amir, publish(EditPolicy.FREE, share_texts=SUGGESTIONS), text="Something else entirely")


def test_locked_content_takes_any_suggestion_as_written(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy")
    content_id = publish(EditPolicy.LOCKED, share_texts=SUGGESTIONS)
    assert share(engine, amir, content_id).share.text == "We are hiring engineers in Lisbon"  # the default text
    assert share(engine, amir, content_id, text="  Join our Lisbon team ")


def test_locked_content_refuses_edits(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy")
    content_id = publish(EditPolicy.LOCKED, share_texts=SUGGESTIONS)
    assert refusal(engine, amir, content_id, text="We are hiring engineers in Lisbon!") == (
        "The text of this content is locked: share one of the 2 suggested texts on LinkedIn exactly as written."
    )
    # another network's suggestion is not a suggestion for LinkedIn
    assert refusal(engine, amir, content_id, text="Hiring now")
    assert refusal(engine, amir, content_id, "x", text="Hiring now!") == (
        'The text of this content is locked: share "Hiring now" on X exactly as written.'
    )


def test_locked_content_without_suggestions_takes_its_title(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy")
    content_id = publish(EditPolicy.LOCKED, title="Our launch")
    assert share(engine, amir, content_id, "facebook").share.text == "Our launch"
    assert refusal(engine, amir, content_id, "facebook", text="Our big launch") == (
        'The text of this content is locked: share "Our launch" on Facebook exactly as written.'
    )


@pytest.mark.parametrize(
    ("suggestion", "text", "percent"),
    [
        ("We are hiring engineers in Lisbon", "we ARE hiring, engineers in Lisbon!", 100),
        ("We are hiring engineers in Lisbon", "Hiring engineers in Lisbon, come join me", 66),
        ("We are hiring engineers in Lisbon", "Great news from the team", 0),
        ("a a a b", "a", 50),  # distinct words
        ("🚀🚀", "anything", 100),
    ],
)
def test_kept_percent_counts_a_suggestions_distinct_words(suggestion, text, percent):
    assert edit_policy.kept_percent(suggestion, text) == percent


def test_suggested_content_allows_edits_but_not_replacements(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy")
    content_id = publish(EditPolicy.SUGGESTED, share_texts=SUGGESTIONS)
    assert share(engine, amir, content_id, text="Hiring engineers in Lisbon, come join me")
    assert share(engine, amir, content_id, text="My Lisbon team is great, join us")  # 3 of 4 words of the 2nd
    assert refusal(engine, amir, content_id, text="Great news from the office") == (
        "Start from a suggested text for LinkedIn and edit it: keep at least 50% of its words "
        "(your text keeps 0% of the closest one)."
    )


def test_suggested_threshold_is_a_setting(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy", min_kept_percent=100)
    content_id = publish(EditPolicy.SUGGESTED, share_texts=SUGGESTIONS)
    assert refusal(engine, amir, content_id, text="Join the Lisbon team") == (
        "Start from a suggested text for LinkedIn and edit it: keep at least 100% of its words "
        "(your text keeps 75% of the closest one)."
    )
    with pytest.raises(ConfigError, match=r"\[plugins.guardrail-edit-policy\] min_kept_percent"):
        guarded("guardrail-edit-policy", min_kept_percent=0)


def test_edit_policy_can_warn(guarded, amir, publish):
    engine = guarded("guardrail-edit-policy", severity="warn")
    created = share(engine, amir, publish(EditPolicy.LOCKED, share_texts=SUGGESTIONS), text="My own words")
    assert [w.guardrail for w in created.warnings] == ["edit-policy"]


def test_locked_text_through_the_api_is_a_422(guarded, amir, publish, client_for):
    client = client_for(guarded("guardrail-edit-policy"))
    content_id = publish(EditPolicy.LOCKED, share_texts=SUGGESTIONS)
    response = post_share(client, amir, content_id, "x", text="Hiring now, really")
    assert response.status_code == 422, response.text
    assert (
        response.json()["detail"] == 'The text of this content is locked: share "Hiring now" on X exactly as written.'
    )


# -- cadence: daily limits ------------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_daily_limit_counts_the_ambassadors_local_day(guarded, clarion_people, publish):
    engine = guarded("guardrail-cadence", daily_limits={"default": 5, "linkedin": 2})
    nadia = clarion_people("nadia", time_zone="America/New_York")  # UTC-5 in January
    bea = clarion_people("bea")
    content_id = publish()
    add_share(engine, nadia.id, content_id, created_at=at("2030-01-15T04:30"))  # 14 January, 23:30 local
    add_share(engine, nadia.id, content_id, created_at=at("2030-01-15T05:30"))  # 15 January, 00:30 local
    # scheduled for 15 January, 22:00 local: counts on the day it goes out, not the day it was made
    add_share(engine, nadia.id, content_id, created_at=at("2030-01-10T12:00"), scheduled_at=at("2030-01-16T03:00"))
    add_share(engine, nadia.id, content_id, created_at=at("2030-01-15T12:00"), status=ShareStatus.CANCELLED)
    add_share(engine, nadia.id, content_id, "x", created_at=at("2030-01-15T12:00"))
    add_share(engine, bea.id, content_id, created_at=at("2030-01-15T12:00"))

    def found(when: str) -> list[str]:
        return [str(v.message) for v in findings(engine, draft(nadia, content_id, scheduled_at=at(when)))]

    message = (
        "You already have 2 shares on LinkedIn on 2030-01-15 (your time); the limit is 2 a day, "
        "so your contacts see variety rather than a flood. Pick another day."
    )
    assert found("2030-01-15T05:00") == [message]  # 00:00 local, the day's first minute
    assert found("2030-01-16T04:59") == [message]  # 23:59 local
    assert found("2030-01-16T05:00") == []  # 16 January, local
    assert found("2030-01-15T04:59") == []  # 14 January, 23:59 local: only one share that day
    assert findings(engine, draft(nadia, content_id, "x", scheduled_at=at("2030-01-15T12:00"))) == []  # default 5


def test_the_same_shares_fall_on_other_days_elsewhere(guarded, clarion_people, publish):
    engine = guarded("guardrail-cadence", daily_limits={"default": 1})
    content_id = publish()
    for external_id, zone, blocked in [("kai", "Pacific/Kiritimati", False), ("uma", "UTC", True)]:
        person = clarion_people(external_id, time_zone=zone)
        add_share(engine, person.id, content_id, created_at=at("2030-01-15T09:00"))  # 23:00 local in Kiritimati
        later = draft(person, content_id, scheduled_at=at("2030-01-15T11:00"))  # next day in Kiritimati
        assert bool(findings(engine, later)) is blocked


def test_a_local_day_can_last_23_hours():
    start, end = cadence.local_day_bounds(date(2030, 3, 10), ZoneInfo("America/New_York"))
    assert (start, end) == (at("2030-03-10T05:00"), at("2030-03-11T04:00"))


def test_zero_means_no_daily_limit_and_limits_cannot_be_negative(guarded, amir, publish):
    engine = guarded("guardrail-cadence", daily_limits={"default": 0})
    content_id = publish()
    for _ in range(4):
        add_share(engine, amir.id, content_id, created_at=at("2030-01-15T12:00"))
    assert findings(engine, draft(amir, content_id, scheduled_at=at("2030-01-15T13:00"))) == []
    with pytest.raises(ConfigError, match=r"daily_limits: the limit for 'x' cannot be negative"):
        guarded("guardrail-cadence", daily_limits={"x": -1})


def test_daily_limit_can_warn(guarded, amir, publish):
    engine = guarded("guardrail-cadence", daily_limits={"default": 1}, severity="warn")
    content_id = publish()
    add_share(engine, amir.id, content_id, created_at=at("2030-01-15T12:00"))
    [finding] = findings(engine, draft(amir, content_id, scheduled_at=at("2030-01-15T13:00")))
    assert finding.severity is Severity.WARN


def zone_far_from_midnight() -> str:
    """A time zone where it is not within an hour of midnight now, so "today" cannot change mid-test."""
    for zone in ("UTC", "Asia/Tokyo", "America/New_York"):
        if 1 <= utcnow().astimezone(ZoneInfo(zone)).hour <= 22:
            return zone
    raise AssertionError("unreachable: these zones are never all near midnight at once")


def test_daily_limit_through_the_api_is_a_422(guarded, clarion_people, publish, client_for):
    client = client_for(guarded("guardrail-cadence", daily_limits={"linkedin": 1}))
    person = clarion_people("lea", time_zone=zone_far_from_midnight())
    content_id = publish()
    add_share(client.app.state.engine, person.id, content_id, created_at=utcnow())
    response = post_share(client, person, content_id, text="Again")
    assert response.status_code == 422, response.text
    assert "You already have 1 shares on LinkedIn on" in response.json()["detail"]
    assert post_share(client, person, content_id, "x", text="Elsewhere").status_code == 201


# -- cadence: quiet hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2030-01-15T20:59", None),  # 21:59 in Berlin (UTC+1 in January)
        (
            "2030-01-15T21:00",
            "22:00 on 2030-01-15 is inside your quiet hours (22:00 to 07:00, Europe/Berlin); "
            "schedule this share for 07:00 on 2030-01-16 or later.",
        ),
        (
            "2030-01-15T22:30",
            "23:30 on 2030-01-15 is inside your quiet hours (22:00 to 07:00, Europe/Berlin); "
            "schedule this share for 07:00 on 2030-01-16 or later.",
        ),
        (
            "2030-01-15T23:00",
            "00:00 on 2030-01-16 is inside your quiet hours (22:00 to 07:00, Europe/Berlin); "
            "schedule this share for 07:00 on 2030-01-16 or later.",
        ),
        (
            "2030-01-16T05:59",
            "06:59 on 2030-01-16 is inside your quiet hours (22:00 to 07:00, Europe/Berlin); "
            "schedule this share for 07:00 on 2030-01-16 or later.",
        ),
        ("2030-01-16T06:00", None),
    ],
)
def test_scheduling_inside_quiet_hours_that_wrap_midnight_is_blocked(guarded, clarion_people, publish, when, message):
    engine = guarded("guardrail-cadence")
    night_owl = clarion_people("noor", time_zone="Europe/Berlin", quiet_hours_start=22 * 60, quiet_hours_end=7 * 60)
    found = findings(engine, draft(night_owl, publish(), scheduled_at=at(when)))
    assert [(v.guardrail, str(v.message), v.severity) for v in found] == (
        [("cadence", message, Severity.BLOCK)] if message else []
    )


@pytest.mark.parametrize(("when", "quiet"), [("11:59", False), ("12:00", True), ("12:59", True), ("13:00", False)])
def test_quiet_hours_within_one_day(guarded, clarion_people, publish, when, quiet):
    engine = guarded("guardrail-cadence")
    luncher = clarion_people("lu", quiet_hours_start=12 * 60, quiet_hours_end=13 * 60)
    assert bool(findings(engine, draft(luncher, publish(), scheduled_at=at(f"2030-01-15T{when}")))) is quiet


def test_equal_start_and_end_mean_no_quiet_hours(guarded, clarion_people, publish):
    engine = guarded("guardrail-cadence")
    person = clarion_people("eve", quiet_hours_start=600, quiet_hours_end=600)
    assert findings(engine, draft(person, publish(), scheduled_at=at("2030-01-15T10:00"))) == []


def test_scheduling_in_quiet_hours_can_only_warn(guarded, clarion_people, publish):
    engine = guarded("guardrail-cadence", quiet_hours_severity="warn")
    person = clarion_people("noor", quiet_hours_start=22 * 60, quiet_hours_end=7 * 60)
    [finding] = findings(engine, draft(person, publish(), scheduled_at=at("2030-01-15T23:00")))
    assert finding.severity is Severity.WARN


def quiet_around_now(zone: str) -> tuple[int, int, datetime]:
    """Quiet hours from two hours ago to two hours ahead (often wrapping midnight), and when they end."""
    now = utcnow().astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0)
    minute = now.hour * 60 + now.minute
    return (minute - 120) % 1440, (minute + 120) % 1440, now + timedelta(minutes=120)


def test_sharing_now_in_quiet_hours_is_only_a_warning(guarded, clarion_people, publish, client_for):
    client = client_for(guarded("guardrail-cadence"))
    start, end, ends = quiet_around_now("Asia/Tokyo")
    person = clarion_people("owl", time_zone="Asia/Tokyo", quiet_hours_start=start, quiet_hours_end=end)
    response = post_share(client, person, publish(), text="Late thoughts")
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == [
        {
            "guardrail": "cadence",
            "message": f"You are sharing during your quiet hours ({cadence.clock(start)} to {cadence.clock(end)}, "
            f"Asia/Tokyo), which end at {ends:%H:%M} on {ends:%Y-%m-%d}; that is your choice, this is only a reminder.",
        }
    ]


def test_the_quiet_hours_reminder_can_be_turned_off(guarded, clarion_people, publish):
    engine = guarded("guardrail-cadence", warn_now_in_quiet_hours=False)
    start, end, _ = quiet_around_now("UTC")
    person = clarion_people("owl", quiet_hours_start=start, quiet_hours_end=end)
    assert share(engine, person, publish(), text="Late thoughts").warnings == ()


def test_the_quiet_hours_reminder_follows_the_clock(guarded, clarion_people, publish, clock):
    engine = guarded("guardrail-cadence")
    owl = clarion_people("owl", time_zone="Europe/Berlin", quiet_hours_start=22 * 60, quiet_hours_end=7 * 60)
    clock.set(at("2030-01-15T21:30"))  # 22:30 in Berlin
    [reminder] = share(engine, owl, publish(), text="Late thoughts").warnings
    assert "which end at 07:00 on 2030-01-16" in str(reminder.message)
    clock.set(at("2030-01-16T05:59"))  # 06:59 in Berlin
    assert len(share(engine, owl, publish(title="Still night"), text="Sleepless").warnings) == 1
    clock.move(timedelta(minutes=1))  # 07:00: the quiet hours are over
    assert share(engine, owl, publish(title="Morning"), text="Early thoughts").warnings == ()


# -- near duplicates ------------------------------------------------------------------------------

NUDGE = "colleagues already posted exactly this text; your own words travel further."


@pytest.fixture
def crowd(clarion_engine, publish):
    """Content that five colleagues shared on LinkedIn with the same words, spaced and cased differently."""
    content_id = publish()
    variants = [
        "Big news!  Read it",
        "big news! read it",
        "BIG NEWS! READ IT",
        " Big\nnews! Read it ",
        "Big news! Read it",
    ]
    for index, text in enumerate(variants):
        colleague = add_colleague(clarion_engine, f"colleague{index}")
        add_share(clarion_engine, colleague, content_id, text=f"{text} http://clarion.test/r/abc{index}")
    return content_id


def test_near_duplicate_warns_when_enough_colleagues_posted_the_text(guarded, amir, crowd):
    created = share(guarded("guardrail-near-duplicate"), amir, crowd, text="Big news! Read it")
    assert [(v.guardrail, str(v.message), v.severity) for v in created.warnings] == [
        ("near-duplicate", f"5 {NUDGE}", Severity.WARN)
    ]


def test_near_duplicate_counts_only_colleagues_live_shares_here(guarded, clarion_engine, amir, crowd, publish):
    engine = guarded("guardrail-near-duplicate")
    with clarion_engine.transaction() as session:
        first, second = session.exec(select(Share).where(Share.content_id == crowd).order_by(col(Share.id))).all()[:2]
        first.status = ShareStatus.CANCELLED
        session.add(first)
        twice = second.ambassador_id
    add_share(clarion_engine, amir.id, crowd, text="Big news! Read it")  # their own share
    colleague = add_colleague(clarion_engine, "elsewhere")
    add_share(clarion_engine, colleague, crowd, "x", text="Big news! Read it")  # another network
    add_share(clarion_engine, colleague, publish(), text="Big news! Read it")  # other content
    assert findings(engine, draft(amir, crowd, text="Big news! Read it")) == []
    add_share(clarion_engine, twice, crowd, text="big news! read it")  # a colleague twice is one colleague
    assert findings(engine, draft(amir, crowd, text="Big news! Read it")) == []


def test_near_duplicate_ignores_different_words(guarded, amir, crowd):
    assert findings(guarded("guardrail-near-duplicate"), draft(amir, crowd, text="Big news! Read it now")) == []


def test_near_duplicate_threshold_and_severity_are_settings(guarded, amir, crowd):
    engine = guarded("guardrail-near-duplicate", min_colleagues=6)
    assert findings(engine, draft(amir, crowd, text="Big news! Read it")) == []
    strict = guarded("guardrail-near-duplicate", severity="block")
    assert refusal(strict, amir, crowd, text="Big news! Read it") == f"5 {NUDGE}"
    with pytest.raises(ConfigError, match=r"\[plugins.guardrail-near-duplicate\] min_colleagues"):
        guarded("guardrail-near-duplicate", min_colleagues=0)


def test_near_duplicate_warning_comes_back_from_the_api(guarded, amir, crowd, client_for):
    client = client_for(guarded("guardrail-near-duplicate"))
    response = post_share(client, amir, crowd, text="big news! READ it")
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == [{"guardrail": "near-duplicate", "message": f"5 {NUDGE}"}]
