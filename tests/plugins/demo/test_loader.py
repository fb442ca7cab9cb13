"""The demo programme: realistic, consistent with the engine's rules, and idempotent."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import Session, select

import clarion_plugins.demo
from clarion.cli import main
from clarion.connectors import SharePost
from clarion.content.eligibility import is_targeted
from clarion.engine import Engine
from clarion.models import (
    Ambassador,
    AudienceDimension,
    Campaign,
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    Event,
    MetricSample,
    MetricSource,
    NetworkAccount,
    Role,
    Share,
    ShareStatus,
    ShareText,
    metadata,
)
from clarion.shares.link_codes import is_link_code
from clarion.testing import TEST_SECRET
from clarion.tokens import mint_token
from clarion_plugins.demo import load
from clarion_plugins.demo.loader import _plan, _plan_shares
from clarion_plugins.gamification.models import ChallengeParticipant

NETWORKS = ["linkedin", "x", "facebook"]


# Written by any authenticated request (the day's visitor key and the caller's visitor hash),
# not by loading the demo: the feed call below adds a row to each.
REQUEST_BOOKKEEPING = {"visitor_key", "ambassador_visitor"}
# Totals of rolling and campaign windows are kept from the first board that asks, not by loading.
KEPT_WINDOWS = sa.or_(sa.column("period").like("days:%"), sa.column("period") == "since")


def row_counts(session: Session) -> dict[str, int]:
    counts = {}
    present = set(sa.inspect(session.connection()).get_table_names())  # not a test plugin's tables
    for table in metadata.sorted_tables:
        if table.name not in present or table.name in REQUEST_BOOKKEEPING or table.name == "window_totals":
            continue
        query = sa.select(sa.func.count()).select_from(table)
        if table.name == "period_points":
            query = query.where(sa.not_(KEPT_WINDOWS))
        counts[table.name] = session.execute(query).scalar_one()
    return counts


def assert_people(session: Session, guidelines_version: str) -> None:
    people = session.exec(select(Ambassador)).all()
    assert 180 <= len(people) <= 220
    assert len({person.department for person in people}) == 5
    assert 10 <= len({person.team for person in people}) <= 14
    roles = Counter(person.role for person in people)
    assert roles[Role.ADMIN] == 2
    assert 5 <= roles[Role.EDITOR] <= 7
    by_id = {person.external_id: person for person in people}
    assert by_id["demo-admin"].role is Role.ADMIN
    assert by_id["demo-admin"].locale == "en"  # the demo's admin opens in English; the switch offers Dutch
    assert by_id["demo-editor"].role is Role.EDITOR
    assert by_id["demo-ambassador"].role is Role.AMBASSADOR
    assert by_id["demo-ambassador"].is_active
    assert {person.locale for person in people} == {"en", "nl"}
    assert len({person.time_zone for person in people}) >= 5
    consent = Counter(person.consent.value for person in people)
    assert consent["opted_in"] > len(people) / 2
    assert consent["paused"]
    assert consent["left"]
    assert consent["invited"]
    assert {person.advocacy_level.value for person in people} == {"engagement", "curation", "production"}
    assert 0 < sum(not person.leaderboard_visible for person in people) < 20
    for person in people:
        if person.opted_in_at is not None:
            assert person.guidelines_version == guidelines_version
            assert person.guidelines_accepted_at == person.opted_in_at
    accounts = session.exec(select(NetworkAccount)).all()
    assert {account.network for account in accounts} == set(NETWORKS)
    followers = sorted(account.follower_count or 0 for account in accounts)
    assert followers[-1] > 10 * followers[len(followers) // 2]  # a long tail


def assert_content(session: Session, engine: Engine) -> None:
    assert 6 <= session.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar_one() <= 10
    contents = session.exec(select(Content)).all()
    assert 50 <= len(contents) <= 70
    assert {content.origin for content in contents} == set(ContentOrigin)
    assert {content.status for content in contents} == set(ContentStatus)
    assert {content.language for content in contents} == {"en", "nl"}
    assert all(content.author_id is not None for content in contents if content.origin is not ContentOrigin.OFFICIAL)
    assert any(content.featured for content in contents)
    images = {content.image_url for content in contents if content.image_url}
    assert images, "official demo items have pictures"
    # Served by Clarion itself (the demo's base URL), never an outside host.
    assert all(urlsplit(image).path.startswith("/static/plugins/demo/images/") for image in images), images
    assert len({urlsplit(image).netloc for image in images}) == 1
    shipped = Path(clarion_plugins.demo.__file__).parent / "static" / "images"
    assert all((shipped / image.rsplit("/", 1)[-1]).is_file() for image in images)
    now = datetime.now(UTC)
    approved = [content for content in contents if content.status is ContentStatus.APPROVED]
    assert any(content.expires_at and content.expires_at < now for content in approved)
    assert any(content.publish_at and content.publish_at > now for content in approved)
    dutch = {content.id for content in contents if content.language == "nl"}
    audience = session.exec(select(ContentAudience)).all()
    assert {row.dimension for row in audience} == set(AudienceDimension)
    assert dutch <= {row.content_id for row in audience if row.dimension is AudienceDimension.LOCALE}
    campaigns = {campaign.id: campaign for campaign in session.exec(select(Campaign)).all()}
    by_id = {content.id: content for content in contents}
    texts = session.exec(select(ShareText)).all()
    assert {text.network for text in texts} >= set(NETWORKS)
    assert max(Counter((text.content_id, text.network) for text in texts).values()) > 1
    for text in texts:
        content = by_id[text.content_id]
        campaign = campaigns.get(content.campaign_id)
        hashtags = tuple(campaign.hashtags) if campaign else ()
        post = SharePost(
            text=text.text, link="http://clarion.test/r/abcdefghjk", title=content.title, hashtags=hashtags
        )
        assert engine.connector(text.network).check_text(post).ok, (text.network, text.text)


def assert_shares(session: Session) -> None:
    shares = session.exec(select(Share)).all()
    assert len(shares) >= 2000
    statuses = Counter(share.status for share in shares)
    assert statuses[ShareStatus.PUBLISHED] > 0.8 * len(shares)
    assert statuses[ShareStatus.CANCELLED]
    assert statuses[ShareStatus.PLANNED]
    assert len({share.link_code for share in shares}) == len(shares)
    assert all(is_link_code(share.link_code) for share in shares)
    per_person = sorted(Counter(share.ambassador_id for share in shares).values(), reverse=True)
    assert per_person[0] > 5 * per_person[len(per_person) // 2]  # a few very active people
    people = {person.id: person for person in session.exec(select(Ambassador)).all()}
    contents = {content.id: content for content in session.exec(select(Content)).all()}
    accounts: dict[int, dict[str, NetworkAccount]] = defaultdict(dict)
    for account in session.exec(select(NetworkAccount)).all():
        accounts[account.ambassador_id][account.network] = account
    audiences: dict[int, dict[AudienceDimension, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in session.exec(select(ContentAudience)).all():
        audiences[row.content_id][row.dimension].add(row.value)
    decided = {
        (event.kind, event.content_id): event.occurred_at
        for event in session.exec(select(Event).where(Event.kind.in_(["content.approved", "content.archived"])))
    }
    texts = {(text.content_id, text.network, text.text) for text in session.exec(select(ShareText)).all()}
    now = datetime.now(UTC)
    for share in shares:
        person, content = people[share.ambassador_id], contents[share.content_id]
        assert content.status in (ContentStatus.APPROVED, ContentStatus.ARCHIVED)
        assert decided[("content.approved", content.id)] <= share.created_at
        if content.status is ContentStatus.ARCHIVED:
            assert share.created_at < decided[("content.archived", content.id)]
        assert content.publish_at is None or content.publish_at <= share.created_at
        assert content.expires_at is None or share.created_at < content.expires_at
        assert is_targeted(audiences[content.id], person)
        assert person.opted_in_at is not None
        assert person.opted_in_at <= share.created_at
        assert share.created_at < (person.left_at or person.paused_at or now)
        assert share.network in accounts[person.id]
        assert accounts[person.id][share.network].created_at <= share.created_at
        assert (content.id, share.network, share.text) in texts
        assert share.created_at.tzinfo is UTC
        if share.status is ShareStatus.PUBLISHED:
            assert share.published_at is not None
            assert share.created_at <= share.published_at <= now
        else:
            assert share.published_at is None
            assert share.external_post_url is None
    assert any(share.external_post_url for share in shares)
    assert len({(share.ambassador_id, share.content_id, share.network) for share in shares}) == len(shares)


def assert_metrics_and_events(session: Session) -> None:
    # Plain rows, not table objects: there are tens of thousands of samples.
    columns = sa.select(
        MetricSample.share_id, MetricSample.metric, MetricSample.source, MetricSample.value, MetricSample.observed_at
    )
    samples = session.execute(
        columns.order_by(MetricSample.share_id, MetricSample.metric, MetricSample.observed_at)
    ).all()
    assert len(samples) > 10_000
    sources = {(sample.metric, sample.source) for sample in samples}
    assert sources == {
        ("clicks", MetricSource.MEASURED),
        ("reactions", MetricSource.REPORTED),
        ("comments", MetricSource.REPORTED),
        ("reposts", MetricSource.REPORTED),
        ("potential_reach", MetricSource.ESTIMATED),
    }
    shares = {share.id: share for share in session.exec(select(Share)).all()}
    followers = {
        (account.ambassador_id, account.network): account.follower_count
        for account in session.exec(select(NetworkAccount)).all()
    }
    previous: dict[tuple[int, str, str], int] = {}
    for sample in samples:
        share = shares[sample.share_id]
        assert share.status is ShareStatus.PUBLISHED
        assert share.published_at is not None
        assert sample.observed_at >= share.published_at
        key = (sample.share_id, sample.metric, sample.source.value)
        assert sample.value >= previous.get(key, 0), key
        previous[key] = sample.value
        if sample.source is MetricSource.REPORTED:
            assert share.network in ("linkedin", "x")
        if sample.metric == "potential_reach":
            assert sample.value == followers[(share.ambassador_id, share.network)]
    kinds = Counter(session.exec(select(Event.kind)).all())
    published = sum(share.status is ShareStatus.PUBLISHED for share in shares.values())
    assert kinds["share.created"] == len(shares)
    assert kinds["share.published"] == published
    for kind in ("ambassador.opted_in", "guidelines.accepted", "account.connected", "content.created"):
        assert kinds[kind] > 0, kind
    assert kinds["content.submitted"]
    assert kinds["content.approved"]
    first_event = session.exec(select(Event).order_by(Event.occurred_at).limit(1)).first()
    assert first_event is not None
    assert first_event.occurred_at.tzinfo is UTC


@pytest.mark.slow
def test_clarion_demo_loads_a_consistent_programme_once(
    clarion_engine, clarion_client, clarion_database_url, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    environment = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_CONFIG": None,
    }
    first = CliRunner().invoke(main, ["demo"], env=environment)
    assert first.exit_code == 0, first.output
    for step in ("ambassadors", "content", "shares", "metrics", "events"):
        assert step in first.stderr
    assert "Loaded the demo programme" in first.stderr
    assert "demo-admin" in first.stderr
    assert "demo-editor" in first.stderr
    assert "demo-ambassador" in first.stderr

    with Session(clarion_engine.db.engine) as session:
        loaded = row_counts(session)
        assert_people(session, clarion_engine.settings.guidelines_version)
        assert_content(session, clarion_engine)
        assert_shares(session)
        assert_metrics_and_events(session)

    token = mint_token(clarion_engine.settings.secret_key, "demo-ambassador")
    feed = clarion_client.get("/api/v1/me/feed?limit=100", headers={"Authorization": f"Bearer {token}"})
    assert feed.status_code == 200, feed.text
    items = feed.json()["items"]
    assert {item["language"] for item in items} == {"en", "nl"}
    assert any("Platform" in item["audience"]["teams"] for item in items)  # their team is targeted

    # Demo events are scored at the end of loading: every period has a believable board.
    headers = {"Authorization": f"Bearer {token}"}
    for period in ("week", "month", "quarter", "year", "all", "rolling30"):
        board = clarion_client.get(f"/api/v1/leaderboards?period={period}", headers=headers).json()
        assert board["ranked"] >= 10, (period, board)
        points = [line["points"] for line in board["items"]]
        assert points == sorted(points, reverse=True), (period, points)
        assert len(set(points)) > 3, (period, points)
    assert clarion_client.get("/api/v1/leaderboards?period=all", headers=headers).json()["me"]["rank"] >= 1
    badges = clarion_client.get("/api/v1/me/badges", headers=headers).json()
    assert badges["earned"] >= 1
    assert "points and badges" in first.stderr

    # Days later the 90-day window has moved, and still nothing is added.
    again = load(clarion_engine, now=datetime.now(UTC) + timedelta(days=3))
    assert "already loaded" in again
    second = CliRunner().invoke(main, ["demo"], env=environment)
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.stderr
    with Session(clarion_engine.db.engine) as session:
        assert row_counts(session) == loaded

    # Demo challenges: one per kind, some joined; reading ended ones may freeze their results.
    challenges = clarion_client.get("/api/v1/me/challenges", headers=headers).json()["items"]
    assert {item["kind"] for item in challenges} == {"individual", "team"}
    assert {item["status"] for item in challenges} >= {"active", "ended"}
    team = next(item for item in challenges if item["measure"] == "participation")
    assert team["my_team"]["team"] == "Platform"
    assert team["my_team"]["members"] >= 2
    with Session(clarion_engine.db.engine) as session:
        joined = session.execute(sa.select(sa.func.count()).select_from(ChallengeParticipant)).scalar_one()
        assert joined >= 20


def test_the_same_seed_and_moment_give_the_same_programme():
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first, second = (_plan(7, now, NETWORKS, [*NETWORKS, "email"]) for _ in range(2))
    assert [vars(person) for person in first.people] == [vars(person) for person in second.people]
    assert [(content.spec.url, content.created_at, content.texts) for content in first.contents] == [
        (content.spec.url, content.created_at, content.texts) for content in second.contents
    ]
    shares = [
        [(share.content.spec.url, share.network, share.created_at, share.status) for share in planned]
        for planned in (_plan_shares(7, now, plan.people[2], plan.contents) for plan in (first, second))
    ]
    assert shares[0]
    assert shares[0] == shares[1]
    other = _plan(8, now, NETWORKS, NETWORKS)
    assert [person.name for person in other.people] != [person.name for person in first.people]


def test_a_naive_moment_is_refused(clarion_engine):
    with pytest.raises(ValueError, match="aware"):
        load(clarion_engine, now=datetime(2026, 3, 2, 9, 30))
