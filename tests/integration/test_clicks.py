"""Click capture and ingestion: bots, duplicates, office networks, self-clicks, QR scans, events, keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from clarion.errors import NotFound
from clarion.events import EventKind
from clarion.models import AmbassadorVisitor, Click, Content, ContentStatus, Event, VisitorKey, utcnow
from clarion.shares.bots import bot_reason, is_prefetch, user_agent_verdict
from clarion.shares.click_journal import JournalReader, JournalWriter, journal_dir
from clarion.shares.clicks import ClickIngester, click_capture, ingest_clicks, reclassify_clicks
from clarion.shares.visitors import day_secret, purge_visitor_keys, visitor_hash

CORPUS = Path(__file__).resolve().parents[1] / "data" / "user_agents"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
LINKEDIN_BOT = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"


def corpus(name: str) -> list[str]:
    lines = (CORPUS / f"{name}.txt").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture
def share(clarion_engine, clarion_client, clarion_people):
    """An approved content item shared by amir: ``(code, share id, person)``."""
    amir = clarion_people("amir")
    with clarion_engine.transaction() as session:
        content = Content(title="Join us", url="https://example.com/jobs", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        content_id = content.id
    response = clarion_client.post(
        "/api/v1/shares", headers=amir.headers, json={"content_id": content_id, "network": "x", "text": "Look"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["tracked_url"].rsplit("/", 1)[1], body["id"], amir


def clicks(engine) -> list[Click]:
    with engine.transaction() as session:
        return list(session.exec(select(Click).order_by(Click.id)).all())


def follow(client, code: str, user_agent: str = BROWSER, **headers: str):
    response = client.get(f"/r/{code}", headers={"User-Agent": user_agent, **headers}, follow_redirects=False)
    assert response.status_code == 302
    return response


# -- bot detection -----------------------------------------------------------------------------


def test_every_human_of_the_corpus_is_a_person():
    flagged = {agent: user_agent_verdict(agent) for agent in corpus("humans")}
    assert len(flagged) > 300
    assert {agent: reason for agent, reason in flagged.items() if reason is not None} == {}


def test_every_bot_of_the_corpus_is_caught():
    verdicts = {agent: user_agent_verdict(agent) for agent in corpus("bots")}
    assert len(verdicts) > 100
    assert [agent for agent, reason in verdicts.items() if reason is None] == []


@pytest.mark.parametrize(
    ("agent", "reason"),
    [
        (LINKEDIN_BOT, "preview:LinkedInBot"),
        ("Twitterbot/1.0", "preview:Twitterbot"),
        ("http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)", "preview:Mastodon/"),
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", "preview:Bluesky Cardyb"),
        ("curl/8.4.0", "library:curl/"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "crawler:Googlebot"),
        ("", "empty_user_agent"),
        ("   ", "empty_user_agent"),
    ],
)
def test_reasons_name_what_was_recognised(agent, reason):
    assert bot_reason(method="GET", user_agent=agent, prefetch=False) == reason


def test_head_prefetch_and_missing_user_agent_are_never_clicks():
    assert bot_reason(method="HEAD", user_agent=BROWSER, prefetch=False) == "head"
    assert bot_reason(method="GET", user_agent=BROWSER, prefetch=True) == "prefetch"
    assert bot_reason(method="GET", user_agent=None, prefetch=False) == "empty_user_agent"
    assert is_prefetch({"sec-purpose": "prefetch;prerender"})
    assert is_prefetch({"purpose": "prefetch"})
    assert is_prefetch({"x-moz": "prefetch"})
    assert not is_prefetch({"sec-purpose": "", "purpose": ""})


# -- the redirect, then ingestion ------------------------------------------------------------------


def test_a_browser_click_counts_once_and_records_an_event(clarion_engine, clarion_client, share):
    code, share_id, amir = share
    follow(clarion_client, code, Referer="https://www.linkedin.com/feed/update/urn:li:activity:1?name=someone")
    report = ingest_clicks(clarion_engine)
    assert (report.stored, report.counted, report.segments_removed) == (1, 1, 0)
    [click] = clicks(clarion_engine)
    assert (click.share_id, click.counted, click.bot_reason) == (share_id, True, None)
    assert click.referrer_host == "www.linkedin.com"  # the host only, never the path
    assert (len(click.visitor_hash), click.user_agent) == (32, BROWSER)
    with clarion_engine.transaction() as session:
        event = session.exec(select(Event).where(Event.kind == EventKind.CLICK_COUNTED)).one()
    assert event.idempotency_key == f"click.counted:{click.id}"
    assert (event.ambassador_id, event.share_id, event.occurred_at) == (amir.id, share_id, click.occurred_at)
    assert event.payload == {"click_id": click.id, "network": "x", "via_qr": False}
    assert ingest_clicks(clarion_engine).stored == 0  # the same journal again: nothing doubles


def test_bots_and_head_get_the_redirect_but_never_count(clarion_engine, clarion_client, share):
    code, _, _ = share
    follow(clarion_client, code, LINKEDIN_BOT)
    assert clarion_client.head(f"/r/{code}", headers={"User-Agent": BROWSER}, follow_redirects=False).status_code == 302
    follow(clarion_client, code, BROWSER, **{"Sec-Purpose": "prefetch"})
    ingest_clicks(clarion_engine)
    assert [(click.bot_reason, click.counted) for click in clicks(clarion_engine)] == [
        ("preview:LinkedInBot", False),
        ("head", False),
        ("prefetch", False),
    ]
    with clarion_engine.transaction() as session:
        assert session.exec(select(Event).where(Event.kind == EventKind.CLICK_COUNTED)).all() == []


def test_a_second_click_within_the_window_is_a_duplicate(clarion_engine_factory, clarion_client, share):
    code, _, _ = share
    follow(clarion_client, code)
    follow(clarion_client, code)
    follow(clarion_client, code, BROWSER.replace("120", "121"))  # another browser: another visitor
    ingest_clicks(clarion_client.app.state.engine)
    rows = clicks(clarion_client.app.state.engine)
    assert [(click.is_duplicate, click.counted) for click in rows] == [(False, True), (True, False), (False, True)]


def test_the_window_is_a_setting_and_ends(clarion_engine_factory, share):
    _, share_id, _ = share
    engine = clarion_engine_factory(duplicate_window_seconds=60)
    now = utcnow()
    for seconds in (0, 30, 100):
        click_capture(engine).load_key(now)
        click_capture(engine).capture(
            share_id,
            now=now + timedelta(seconds=seconds),
            method="GET",
            address="198.51.100.7",
            user_agent=BROWSER,
            referrer=None,
            prefetch=False,
            via_qr=False,
        )
    ingest_clicks(engine)
    assert [click.is_duplicate for click in clicks(engine)] == [False, True, False]


def test_office_networks_are_flagged_internal(clarion_engine_factory, share):
    _, share_id, _ = share
    engine = clarion_engine_factory(office_networks=("198.51.100.0/24", "2001:db8::/32"))
    for address in ("198.51.100.7", "2001:db8::1", "203.0.113.9"):
        click_capture(engine).load_key(utcnow())
        click_capture(engine).capture(
            share_id,
            now=utcnow(),
            method="GET",
            address=address,
            user_agent=BROWSER,
            referrer=None,
            prefetch=False,
            via_qr=False,
        )
    ingest_clicks(engine)
    assert [(click.is_internal, click.counted) for click in clicks(engine)] == [
        (True, False),
        (True, False),
        (False, True),
    ]


def test_the_sharers_own_click_is_set_apart(clarion_engine, clarion_client, share, clarion_people):
    code, _, amir = share  # amir used the API from this browser when sharing
    follow(clarion_client, code, user_agent="testclient")  # the TestClient's own user agent: amir's device
    ingest_clicks(clarion_engine)
    [click] = clicks(clarion_engine)
    assert (click.is_self, click.counted) == (True, False)
    with clarion_engine.transaction() as session:
        assert session.exec(select(AmbassadorVisitor.ambassador_id)).all() == [amir.id]


def test_qr_scans_are_marked_and_lead_to_the_same_place(clarion_engine, clarion_client, share):
    code, _, _ = share
    plain = follow(clarion_client, code).headers["location"]
    scanned = clarion_client.get(
        f"/r/{code}?s=qr", headers={"User-Agent": BROWSER.replace("120", "122")}, follow_redirects=False
    )
    assert scanned.headers["location"] == plain
    ingest_clicks(clarion_engine)
    assert [click.via_qr for click in clicks(clarion_engine)] == [False, True]


def test_clicks_of_a_deleted_share_are_dropped_not_failed(clarion_engine, clarion_client, share):
    code, share_id, _ = share
    follow(clarion_client, code)
    from clarion.models import Share

    with clarion_engine.transaction() as session:
        session.delete(session.get(Share, share_id))
    report = ingest_clicks(clarion_engine)
    assert (report.stored, report.orphaned) == (0, 1)


def test_reclassify_discounts_clicks_now_known_as_bots(clarion_engine, clarion_client, share):
    code, _, _ = share
    follow(clarion_client, code, BROWSER.replace("120", "119"))
    ingest_clicks(clarion_engine)
    [click] = clicks(clarion_engine)
    assert click.counted
    with clarion_engine.transaction() as session:  # as if the lists had learnt it since
        stored = session.get(Click, click.id)
        stored.user_agent = LINKEDIN_BOT
        session.add(stored)
    report = reclassify_clicks(clarion_engine)
    assert (report.checked, report.discounted) == (1, 1)
    [click] = clicks(clarion_engine)
    assert (click.bot_reason, click.counted) == ("preview:LinkedInBot", False)
    with clarion_engine.transaction() as session:
        event = session.exec(select(Event).where(Event.kind == EventKind.CLICK_DISCOUNTED)).one()
    assert event.payload == {"click_id": click.id, "reason": "preview:LinkedInBot"}
    assert event.idempotency_key == f"click.discounted:{click.id}"
    assert reclassify_clicks(clarion_engine).discounted == 0


# -- daily keys ---------------------------------------------------------------------------------------


def test_day_keys_are_created_once_and_destroyed_after_the_window(clarion_engine):
    today = utcnow().date()
    with clarion_engine.transaction() as first, clarion_engine.transaction() as second:
        assert day_secret(first, today, today=today)
    with clarion_engine.transaction() as second:
        assert day_secret(second, today, today=today) == day_secret(second, today, today=today)
    old_day = today - timedelta(days=3)
    with clarion_engine.transaction() as session:
        session.add(VisitorKey(day=old_day, secret="ab" * 32))
    with clarion_engine.transaction() as session:
        old_hash = visitor_hash(day_secret(session, old_day, today=today), "203.0.113.77", BROWSER)
    with clarion_engine.transaction() as session:
        assert purge_visitor_keys(session, utcnow(), timedelta(minutes=30)) == 1
    with clarion_engine.transaction() as session:
        assert session.get(VisitorKey, old_day) is None
        assert session.get(VisitorKey, today) is not None
        with pytest.raises(NotFound):  # a past day's key is never made again
            day_secret(session, old_day, today=today)
        assert visitor_hash(day_secret(session, today, today=today), "203.0.113.77", BROWSER) != old_hash


# -- the journal -----------------------------------------------------------------------------------------


def test_open_segments_are_read_in_part_sealed_ones_whole_then_removed(clarion_engine, share, tmp_path):
    _, share_id, _ = share
    directory = journal_dir(clarion_engine.settings)
    writer = JournalWriter(directory, segment_bytes=10_000_000)
    base = {"s": share_id, "m": "GET", "ua": BROWSER, "v": None}
    writer.append({**base, "id": "a" * 32, "t": utcnow().timestamp()})
    with (directory / "00000000000000000000-1-broken.jsonl").open("w") as broken:
        broken.write('{"id": "x"}\nnot json\n{"id": "half')  # sealed: nobody holds its lock
    ingester = ClickIngester(clarion_engine)
    first = ingester.run_once()
    assert (first.stored, first.unreadable, first.segments_removed) == (1, 3, 1)
    writer.append({**base, "id": "b" * 32, "t": utcnow().timestamp()})
    assert ingester.run_once().read == 1  # only the new line of the open segment
    writer.close()
    last = ingester.run_once()
    assert (last.stored, last.segments_removed) == (0, 1)
    assert list(directory.glob("*.jsonl")) == []
    assert len(clicks(clarion_engine)) == 2


def test_only_one_ingester_runs_at_a_time(clarion_engine):
    reader = JournalReader(journal_dir(clarion_engine.settings))
    with reader.exclusive(wait=False) as first:
        assert first
        assert ingest_clicks(clarion_engine, wait=False).busy


# -- QR codes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "media_type", "magic"), [("svg", "image/svg+xml", b"<svg"), ("png", "image/png", b"\x89PNG")]
)
def test_the_owner_gets_the_qr_code_of_their_link(clarion_client, share, kind, media_type, magic):
    code, _, amir = share
    response = clarion_client.get(f"/r/{code}/qr.{kind}", headers=amir.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content.startswith(magic)
    assert response.headers["cache-control"] == "private, max-age=86400"


def test_the_qr_code_encodes_the_marked_link(clarion_client, share):
    import io

    import segno

    code, _, amir = share
    served = clarion_client.get(f"/r/{code}/qr.svg", headers=amir.headers).content
    expected, unmarked = io.BytesIO(), io.BytesIO()
    segno.make(f"http://clarion.test/r/{code}?s=qr", error="m").save(expected, kind="svg", scale=8, xmldecl=False)
    segno.make(f"http://clarion.test/r/{code}", error="m").save(unmarked, kind="svg", scale=8, xmldecl=False)
    assert served == expected.getvalue()
    assert served != unmarked.getvalue()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other ambassador", 404), ("editor", 200), ("admin", 200)],
)
def test_only_the_owner_editors_and_admins_get_a_qr_code(clarion_client, clarion_people, share, who, status):
    code, _, _ = share
    headers = {
        "anonymous": {},
        "other ambassador": clarion_people("bea").headers,
        "editor": clarion_people("eddie", role="editor").headers,
        "admin": clarion_people("ada", role="admin").headers,
    }[who]
    for kind in ("svg", "png"):
        response = clarion_client.get(f"/r/{code}/qr.{kind}", headers=headers)
        assert response.status_code == status, response.text
        if status != 200:
            assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_codes_have_no_qr_code(clarion_client, share):
    _, _, amir = share
    for code in ("unknown234", "zzzzzzzzzz"):
        assert clarion_client.get(f"/r/{code}/qr.svg", headers=amir.headers).status_code == 404


# -- settings ----------------------------------------------------------------------------------------------


def test_office_networks_come_from_the_environment_and_are_checked(tmp_path):
    from clarion.config import load_settings
    from clarion.errors import ConfigError

    settings = load_settings({"CLARION_OFFICE_NETWORKS": "192.0.2.7/24, 2001:db8::/32"}, cwd=tmp_path, secret_key="k")
    assert settings.office_networks == ("192.0.2.0/24", "2001:db8::/32")
    with pytest.raises(ConfigError, match="office_networks"):
        load_settings({"CLARION_OFFICE_NETWORKS": "intranet"}, cwd=tmp_path, secret_key="k")


def test_the_journal_lives_next_to_a_sqlite_database(tmp_path):
    from clarion.config import load_settings

    settings = load_settings({}, cwd=tmp_path, secret_key="k", database_url=f"sqlite:///{tmp_path / 'site.db'}")
    assert journal_dir(settings) == tmp_path / "site-clicks"
