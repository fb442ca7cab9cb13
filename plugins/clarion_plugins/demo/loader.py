"""Loading the demo programme: a made-up company's people, campaigns, content and 90 days of shares."""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.content import campaigns, guidelines
from clarion.content import content as content_service
from clarion.content.eligibility import is_targeted
from clarion.events import EventKind
from clarion.metrics import rollups
from clarion.models import (
    AdvocacyLevel,
    Ambassador,
    AudienceDimension,
    Campaign,
    Content,
    ContentOrigin,
    ContentStatus,
    Event,
    MetricSample,
    MetricSource,
    NetworkAccount,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.shares.link_codes import new_link_code
from clarion_plugins.demo import DEMO_ADMIN, DEMO_AMBASSADOR, DEMO_EDITOR, gamification
from clarion_plugins.demo.programme import ContentSpec, DemoPersonSpec, TeamSpec, programme

if TYPE_CHECKING:
    from clarion.engine import Engine

Progress = Callable[[str, int, int], None]

HISTORY = timedelta(days=90)
BATCH_SIZE = 5000
KEY_PREFIX = "demo"

S = ContentStatus

# Shares per week: a few people do most of the sharing, many share now and then.
ACTIVITY = ((0.05, 8.0, 14.0), (0.22, 3.5, 7.0), (0.43, 0.5, 2.0), (0.3, 0.0, 0.3))


@dataclass(frozen=True)
class NetworkProfile:
    """How people use one network, for the made-up history only; the engine applies none of it."""

    adoption: float
    share_weight: float
    follower_median: int
    follower_spread: float
    follower_cap: int
    handle: str
    seen_rate: float
    click_rate: float
    reaction_rate: float | None  # None: the network reports no engagement to Clarion
    comment_ratio: float
    repost_ratio: float
    half_life_hours: float
    post_id: str | None = None
    post_url: str | None = None


NETWORK_PROFILES = {
    "linkedin": NetworkProfile(
        adoption=0.92,
        share_weight=3.0,
        follower_median=450,
        follower_spread=1.0,
        follower_cap=40_000,
        handle="{first}-{last}-{number:x}",
        seen_rate=0.12,
        click_rate=0.05,
        reaction_rate=0.16,
        comment_ratio=0.08,
        repost_ratio=0.06,
        half_life_hours=30,
        post_id="urn:li:activity:{number}",
        post_url="https://www.linkedin.com/feed/update/urn:li:activity:{number}/",
    ),
    "x": NetworkProfile(
        adoption=0.4,
        share_weight=1.5,
        follower_median=180,
        follower_spread=1.4,
        follower_cap=60_000,
        handle="@{first}{last_short}",
        seen_rate=0.08,
        click_rate=0.03,
        reaction_rate=0.12,
        comment_ratio=0.08,
        repost_ratio=0.25,
        half_life_hours=8,
        post_id="{number}",
        post_url="https://x.com/i/web/status/{number}",
    ),
    "facebook": NetworkProfile(
        adoption=0.28,
        share_weight=1.0,
        follower_median=260,
        follower_spread=0.7,
        follower_cap=5_000,
        handle="{first}.{last}.{number}",
        seen_rate=0.1,
        click_rate=0.04,
        reaction_rate=None,
        comment_ratio=0.0,
        repost_ratio=0.0,
        half_life_hours=20,
    ),
}

# Hours after publication at which a poller read the share's metrics.
SAMPLE_HOURS = (2, 24, 48, 72, 96, 120, 144, 168, 240, 336, 504, 672, 1008, 1344, 1680, 2016)
# Local hours people share at: mornings, lunch and late afternoon.
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 1, 3, 7, 9, 8, 6, 5, 7, 6, 5, 6, 5, 4, 4, 3, 2, 1, 0)
HOUR_CUMULATIVE = tuple(accumulate(HOUR_WEIGHTS))


# -- the plan: every row the demo wants, keyed by natural keys ------------------------------


@dataclass
class AccountPlan:
    network: str
    handle: str
    follower_count: int
    connected_at: datetime


@dataclass
class PersonPlan:
    external_id: str
    name: str
    email: str
    department: str
    team: str
    locale: str
    time_zone: str
    role: Role
    level: AdvocacyLevel
    leaderboard_visible: bool
    created_at: datetime
    opted_in_at: datetime | None
    paused_at: datetime | None
    left_at: datetime | None
    rate: float
    accounts: list[AccountPlan] = field(default_factory=list)

    @property
    def updated_at(self) -> datetime:
        return max(moment for moment in (self.created_at, self.opted_in_at, self.paused_at, self.left_at) if moment)

    @property
    def sharing_until(self) -> datetime | None:
        return self.left_at or self.paused_at


@dataclass
class ContentPlan:
    spec: ContentSpec
    creator: str  # external id of who created it
    author: str | None
    reviewer: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None  # approved, rejected or changes requested
    archived_at: datetime | None
    publish_at: datetime | None
    expires_at: datetime | None
    appeal: float
    texts: list[tuple[str, str]]

    @property
    def shareable_from(self) -> datetime | None:
        if self.spec.status not in (S.APPROVED, S.ARCHIVED) or self.decided_at is None:
            return None
        return max(self.decided_at, self.publish_at or self.decided_at)

    def shareable_until(self, now: datetime) -> datetime:
        return min(moment for moment in (self.expires_at, self.archived_at, now) if moment is not None)

    @property
    def updated_at(self) -> datetime:
        return self.archived_at or self.decided_at or self.submitted_at or self.created_at


@dataclass
class SharePlan:
    person: PersonPlan
    content: ContentPlan
    network: str
    text: str
    status: ShareStatus
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    post_number: int | None

    @property
    def natural_key(self) -> str:
        return f"{self.person.external_id}:{self.network}:{self.content.spec.url}"


@dataclass
class Plan:
    people: list[PersonPlan]
    contents: list[ContentPlan]


def _moment(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(character for character in folded.lower() if character.isalnum())


def _followers(rng: random.Random, profile: NetworkProfile) -> int:
    count = rng.lognormvariate(math.log(profile.follower_median), profile.follower_spread)
    # A handful of people have a real audience; they make the long tail.
    if rng.random() < 0.02:
        count *= 12
    return max(12, min(profile.follower_cap, round(count)))


def _handle(rng: random.Random, profile: NetworkProfile, name: str, taken: set[str]) -> str:
    first, *rest = name.split()
    last = _ascii("".join(rest)) or "k"
    handle = profile.handle.format(
        first=_ascii(first), last=last, last_short=last[:6], number=rng.randrange(0x1000, 0xFFFF)
    )
    # Handles name one person on a network; two "van den" surnames must not share one.
    while handle in taken:
        handle += str(rng.randrange(10))
    taken.add(handle)
    return handle


def _pick_level(rng: random.Random, role: Role) -> AdvocacyLevel:
    roll = rng.random()
    if role is not Role.AMBASSADOR:
        return AdvocacyLevel.CURATION if roll < 0.5 else AdvocacyLevel.PRODUCTION
    if roll < 0.55:
        return AdvocacyLevel.ENGAGEMENT
    return AdvocacyLevel.CURATION if roll < 0.85 else AdvocacyLevel.PRODUCTION


def _pick_rate(rng: random.Random) -> float:
    roll = rng.random()
    for weight, low, high in ACTIVITY:
        if roll < weight:
            return rng.uniform(low, high)
        roll -= weight
    return 0.0


@dataclass
class _PeoplePlanner:
    """Draws people one by one, keeping names, e-mail addresses and handles unique."""

    rng: random.Random
    now: datetime
    networks: Sequence[str]
    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    handles: dict[str, set[str]] = field(default_factory=dict)

    def name(self, locale: str) -> str:
        names = programme()
        language = locale if locale in names.first_names else "en"
        firsts, lasts = names.first_names[language], names.last_names[language]
        name = f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}"
        while name in self.names:
            name = f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}"
        self.names.add(name)
        return name

    def email(self, name: str) -> str:
        first, *rest = name.split()
        local_part = f"{_ascii(first)}.{_ascii(''.join(rest))}"
        email, suffix = f"{local_part}@example.com", 1
        while email in self.emails:
            suffix += 1
            email = f"{local_part}{suffix}@example.com"
        self.emails.add(email)
        return email

    def person(
        self,
        external_id: str,
        name: str,
        team: TeamSpec,
        locale: str,
        time_zone: str,
        role: Role,
        demo: DemoPersonSpec | None = None,
    ) -> PersonPlan:
        rng, now = self.rng, self.now
        level = _pick_level(rng, role)
        rate = _pick_rate(rng)
        recent = rng.random() < 0.35
        created_at = now - timedelta(days=rng.uniform(5, 140) if recent else rng.uniform(150, 420))
        roll = rng.random()
        # Staff always take part; of the others some were only invited, some paused or left.
        consent = "opted_in"
        if role is Role.AMBASSADOR and demo is None:
            consent = "invited" if roll < 0.17 else "paused" if roll < 0.24 else "left" if roll < 0.28 else "opted_in"
        opted_in_at = min(created_at + timedelta(days=rng.uniform(0.1, 21)), now - timedelta(hours=6))
        stopped_at = opted_in_at + (now - opted_in_at) * rng.uniform(0.3, 0.95)
        hidden = rng.random() < 0.06
        if demo is not None:
            # The demo people have been around long enough to show a full 90-day history.
            level, rate = demo.level, demo.rate
            created_at = now - timedelta(days=rng.uniform(200, 300))
            opted_in_at = created_at + timedelta(days=rng.uniform(1, 5))
        person = PersonPlan(
            external_id=external_id,
            name=name,
            email=self.email(name),
            department=team.department,
            team=team.name,
            locale=locale,
            time_zone=time_zone,
            role=role,
            level=level,
            leaderboard_visible=not hidden or role is not Role.AMBASSADOR or demo is not None,
            created_at=_moment(created_at),
            opted_in_at=_moment(opted_in_at) if consent != "invited" else None,
            paused_at=_moment(stopped_at) if consent == "paused" else None,
            left_at=_moment(stopped_at) if consent == "left" else None,
            rate=rate,
        )
        if person.opted_in_at is not None:
            self.accounts(person, demo.networks if demo is not None else None)
        return person

    def accounts(self, person: PersonPlan, networks: Sequence[str] | None) -> None:
        assert person.opted_in_at is not None
        rng = self.rng
        chosen = [network for network in self.networks if rng.random() < NETWORK_PROFILES[network].adoption]
        if networks is not None:
            chosen = [network for network in self.networks if network in networks]
        if not chosen and self.networks:
            chosen = [max(self.networks, key=lambda network: NETWORK_PROFILES[network].adoption)]
        until = person.sharing_until or self.now
        for network in chosen:
            profile = NETWORK_PROFILES[network]
            # Most people connect an account right after opting in; a few much later.
            connected_at = person.opted_in_at + (until - person.opted_in_at) * min(1.0, rng.expovariate(12))
            handle = _handle(rng, profile, person.name, self.handles.setdefault(network, set()))
            person.accounts.append(AccountPlan(network, handle, _followers(rng, profile), _moment(connected_at)))


def _plan_people(rng: random.Random, now: datetime, networks: Sequence[str]) -> list[PersonPlan]:
    company = programme()
    planner = _PeoplePlanner(rng, now, networks, names={demo.name for demo in company.demo_people})
    teams = {team.name: team for team in company.teams}
    # The demo people come first, so they get the lowest ids of their role.
    people = [
        planner.person(demo.external_id, demo.name, teams[demo.team], demo.locale, demo.time_zone, demo.role, demo)
        for demo in company.demo_people
    ]
    extra_roles = list(company.extra_roles)
    for team in company.teams:
        for _ in range(team.size):
            staff = next((index for index, (name, _) in enumerate(extra_roles) if name == team.name), None)
            role = extra_roles.pop(staff)[1] if staff is not None else Role.AMBASSADOR
            locale = "nl" if rng.random() < team.dutch_share else "en"
            name = planner.name(locale)
            external_id = f"demo-{len(people) - len(company.demo_people) + 1:03d}"
            people.append(planner.person(external_id, name, team, locale, rng.choice(team.time_zones), role))
    return people


def _share_texts(spec: ContentSpec, hashtags: Sequence[str], networks: Sequence[str]) -> list[tuple[str, str]]:
    words = programme()
    call = words.calls_to_action[(spec.topics[0], spec.language)]
    tags = " ".join(f"#{tag}" for tag in hashtags)
    long_texts = [spec.pitch] + ([spec.alt] if spec.alt else [])
    by_network = {
        "linkedin": [f"{text}\n\n{call}" + (f"\n\n{tags}" if tags else "") for text in long_texts],
        "x": [spec.short] + ([spec.short_alt] if spec.short_alt else []),
        "facebook": [f"{spec.pitch} {call}"],
        "email": [words.email_intro[spec.language]] if "jobs" in spec.topics else [],
    }
    return [(network, text) for network in networks for text in by_network.get(network, [])]


def _plan_contents(
    rng: random.Random, now: datetime, people: Sequence[PersonPlan], text_networks: Sequence[str]
) -> list[ContentPlan]:
    hashtags = {campaign.slug: campaign.hashtags for campaign in programme().campaigns}
    editors = [person.external_id for person in people if person.role is Role.EDITOR]
    contents = []
    for spec in programme().contents:
        author = spec.author
        if author is None and spec.origin is not ContentOrigin.OFFICIAL:
            wanted = AdvocacyLevel.PRODUCTION if spec.origin is ContentOrigin.PRODUCED else AdvocacyLevel.CURATION
            candidates = [
                person.external_id
                for person in people
                if person.opted_in_at is not None
                and person.left_at is None
                and person.role is Role.AMBASSADOR
                and (person.level is wanted or person.level is AdvocacyLevel.PRODUCTION)
                and (spec.author_department in (None, person.department))
                and (spec.language == "en" or person.locale == spec.language)
            ]
            author = rng.choice(candidates)
        creator = author or rng.choice(editors)
        reviewer = rng.choice([editor for editor in editors if editor != creator])
        opens = now + timedelta(days=spec.opens)
        publish_at = expires_at = submitted_at = decided_at = archived_at = None
        if spec.status in (S.APPROVED, S.ARCHIVED):
            if spec.scheduled:
                publish_at = _moment(opens)
                decided_at = min(opens, now - timedelta(hours=6)) - timedelta(hours=rng.uniform(1, 48))
            else:
                decided_at = opens
            submitted_at = decided_at - timedelta(hours=rng.uniform(2, 30))
            created_at = submitted_at - timedelta(hours=rng.uniform(1, 96))
            if spec.closes is not None:
                expires_at = _moment(now + timedelta(days=spec.closes))
            if spec.archived is not None:
                archived_at = _moment(now + timedelta(days=spec.archived, hours=rng.uniform(0, 8)))
        else:
            created_at = opens
            if spec.status is not S.DRAFT:
                submitted_at = created_at + timedelta(hours=rng.uniform(1, 20))
            if spec.status in (S.REJECTED, S.CHANGES_REQUESTED):
                assert submitted_at is not None
                decided_at = submitted_at + timedelta(hours=rng.uniform(2, 20))
        contents.append(
            ContentPlan(
                spec=spec,
                creator=creator,
                author=author,
                reviewer=reviewer,
                created_at=_moment(created_at),
                submitted_at=_moment(submitted_at) if submitted_at else None,
                decided_at=_moment(decided_at) if decided_at else None,
                archived_at=archived_at,
                publish_at=publish_at,
                expires_at=expires_at,
                appeal=rng.lognormvariate(0, 0.5) * (1.6 if spec.featured else 1.0),
                texts=_share_texts(spec, hashtags.get(spec.campaign or "", ()), text_networks),
            )
        )
    return contents


def _plan(seed: int, now: datetime, account_networks: Sequence[str], text_networks: Sequence[str]) -> Plan:
    """Everything but the shares, from one generator: the same seed and moment give the same plan."""
    rng = random.Random(seed)
    people = _plan_people(rng, now, account_networks)
    return Plan(people, _plan_contents(rng, now, people, text_networks))


def _audience(spec: ContentSpec) -> dict[AudienceDimension, set[str]]:
    keys = {
        "teams": AudienceDimension.TEAM,
        "departments": AudienceDimension.DEPARTMENT,
        "locales": AudienceDimension.LOCALE,
    }
    return {keys[key]: set(values) for key, values in spec.audience.items()}


def _working_moment(rng: random.Random, start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    span = (end - start).total_seconds()
    for _ in range(8):
        local = (start + timedelta(seconds=rng.uniform(0, span))).astimezone(zone)
        if local.weekday() >= 5 and rng.random() < 0.8:
            continue
        hour = bisect(HOUR_CUMULATIVE, rng.uniform(0, HOUR_CUMULATIVE[-1]))
        local = local.replace(hour=min(hour, 23), minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
        moment = local.astimezone(UTC)
        if start <= moment <= end:
            return moment
    return None


def _plan_shares(seed: int, now: datetime, person: PersonPlan, contents: Sequence[ContentPlan]) -> list[SharePlan]:
    """Shares one person made: only while opted in, of content open to them, on their own accounts."""
    if person.opted_in_at is None or not person.accounts or person.rate <= 0:
        return []
    rng = random.Random(f"{seed}:shares:{person.external_id}")
    start = max(now - HISTORY, person.opted_in_at)
    end = min(now, person.sharing_until or now)
    if end <= start:
        return []
    wanted = round(person.rate * (end - start) / timedelta(days=7) * rng.uniform(0.8, 1.2))
    who = Ambassador(
        external_id=person.external_id,
        name=person.name,
        team=person.team,
        department=person.department,
        locale=person.locale,
    )
    open_to_them = [
        (content, content.shareable_from, content.shareable_until(now))
        for content in contents
        if content.shareable_from is not None and is_targeted(_audience(content.spec), who)
    ]
    zone = ZoneInfo(person.time_zone)
    done: set[tuple[str, str]] = set()
    shares: list[SharePlan] = []
    for _ in range(wanted * 3):
        if len(shares) >= wanted:
            break
        moment = _working_moment(rng, start, end, zone)
        if moment is None:
            continue
        options: list[tuple[ContentPlan, str]] = []
        weights: list[float] = []
        for content, opens, closes in open_to_them:
            if not opens <= moment < closes:
                continue
            freshness = math.exp(-(moment - opens).total_seconds() / (86400 * 12)) + 0.08
            for account in person.accounts:
                if account.connected_at <= moment and (content.spec.url, account.network) not in done:
                    options.append((content, account.network))
                    weights.append(freshness * content.appeal * NETWORK_PROFILES[account.network].share_weight)
        if not options:
            continue
        content, network = rng.choices(options, weights)[0]
        done.add((content.spec.url, network))
        texts = [text for text_network, text in content.texts if text_network == network]
        status, published_at, updated_at = ShareStatus.PUBLISHED, None, moment
        roll = rng.random()
        if now - moment < timedelta(days=2) and roll < 0.3:
            status = ShareStatus.PLANNED
        elif roll < 0.06:
            status, updated_at = ShareStatus.CANCELLED, _moment(moment + timedelta(minutes=rng.uniform(1, 40)))
        elif roll < 0.075:
            status = ShareStatus.PLANNED  # opened the composer, never came back
        else:
            published_at = _moment(min(now, moment + timedelta(seconds=rng.uniform(20, 900))))
            updated_at = published_at
        profile = NETWORK_PROFILES[network]
        post_number = None
        if published_at is not None and profile.post_url and rng.random() < 0.35:
            post_number = rng.randrange(10**18, 10**19)
        shares.append(
            SharePlan(
                person=person,
                content=content,
                network=network,
                text=rng.choice(texts) if texts else content.spec.title,
                status=status,
                created_at=moment,
                updated_at=min(updated_at, now),
                published_at=published_at,
                post_number=post_number,
            )
        )
    return shares


def _metric_rows(seed: int, now: datetime, share: SharePlan, share_id: int, followers: int) -> list[dict[str, Any]]:
    """Cumulative readings of one published share: engagement rises fast, then flattens."""
    assert share.published_at is not None
    rng = random.Random(f"{seed}:metrics:{share.natural_key}")
    profile = NETWORK_PROFILES[share.network]
    seen = followers * profile.seen_rate * share.content.appeal * rng.lognormvariate(0, 0.5)
    finals = {"clicks": seen * profile.click_rate * rng.lognormvariate(0, 0.4)}
    if profile.reaction_rate is not None:
        reactions = seen * profile.reaction_rate * rng.lognormvariate(0, 0.4)
        finals["reactions"] = reactions
        finals["comments"] = reactions * profile.comment_ratio * rng.lognormvariate(0, 0.6)
        finals["reposts"] = reactions * profile.repost_ratio * rng.lognormvariate(0, 0.6)
    # Stochastic rounding keeps small audiences from always showing zero.
    totals = {metric: int(value) + (rng.random() < value - int(value)) for metric, value in finals.items()}
    decay = profile.half_life_hours / math.log(2)
    rows = [_sample(share_id, "potential_reach", followers, MetricSource.ESTIMATED, share.published_at, now)]
    moments = [
        share.published_at + timedelta(hours=hours, minutes=rng.uniform(0, 50))
        for hours in SAMPLE_HOURS
        if share.published_at + timedelta(hours=hours + 1) <= now
    ]
    for metric, total in totals.items():
        source = MetricSource.MEASURED if metric == "clicks" else MetricSource.REPORTED
        previous = -1
        for position, moment in enumerate(moments):
            hours = (moment - share.published_at).total_seconds() / 3600
            fraction = 1 - math.exp(-hours / decay)
            if metric == "clicks":
                # Tracked links keep being found long after the post has left the feed.
                fraction = 0.85 * fraction + 0.15 * min(1.0, hours / 2016)
            value = math.floor(total * fraction + 1e-9)
            if value != previous or position == len(moments) - 1:
                rows.append(_sample(share_id, metric, value, source, _moment(moment), now))
                previous = value
    return rows


def _sample(
    share_id: int, metric: str, value: int, source: MetricSource, observed_at: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "share_id": share_id,
        "metric": metric,
        "value": value,
        "source": source,
        "observed_at": observed_at,
        "recorded_at": min(now, observed_at + timedelta(minutes=2)),
    }


# -- writing --------------------------------------------------------------------------------


def _event(
    kind: EventKind,
    key: str,
    occurred_at: datetime,
    *,
    ambassador_id: int | None = None,
    content_id: int | None = None,
    share_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "idempotency_key": f"{KEY_PREFIX}:{kind.value}:{key}",
        "ambassador_id": ambassador_id,
        "content_id": content_id,
        "share_id": share_id,
        "occurred_at": occurred_at,
        "payload": payload or {},
    }


def _table(model: Any) -> sa.Table:
    return model.__table__


@dataclass
class _Added:
    """How many rows of each kind one load wrote."""

    ambassadors: int = 0
    accounts: int = 0
    campaigns: int = 0
    contents: int = 0
    shares: int = 0
    samples: int = 0
    events: int = 0
    challenges: int = 0

    @property
    def anything(self) -> bool:
        return any(vars(self).values())


class _Loader:
    """Writes the missing part of a plan in one session, phase by phase.

    Campaigns and content go through their services, as an editor's would. The generated
    population and its history (people, accounts, shares, metric samples, events) describe a
    made-up past no service writes (services stamp the current time and tell observers), and
    are thousands of rows: they are written in bulk.
    """

    def __init__(
        self,
        engine: Engine,
        session: Session,
        plan: Plan,
        *,
        seed: int,
        now: datetime,
        guidelines_version: str,
        progress: Progress | None,
    ) -> None:
        self.engine = engine
        self.session = session
        self.plan = plan
        self.seed = seed
        self.now = now
        self.guidelines_version = guidelines_version
        self.progress = progress
        self.added = _Added()
        self.events: list[dict[str, Any]] = []
        self.people: dict[str, int] = {}
        self.roles: dict[str, Role] = {}
        self.new_people: list[PersonPlan] = []
        self.campaigns: dict[str, int] = {}
        self.contents: dict[str, int] = {}

    def report(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    def count(self, model: Any) -> int:
        return int(self.session.execute(sa.select(sa.func.count()).select_from(_table(model))).scalar_one())

    def rows(self, query: Any) -> Sequence[Any]:
        return self.session.execute(query).all()

    def insert(
        self,
        step: str | None,
        table: sa.Table,
        rows: Sequence[dict[str, Any]],
        *,
        already: int = 0,
        unique_key: str | None = None,
    ) -> None:
        """Insert ``rows`` in batches, counting ``already`` stored ones as done.

        With ``unique_key``, a row whose key is stored already is skipped by the database.
        """
        statement: Any = sa.insert(table)
        if unique_key is not None:
            insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(table).on_conflict_do_nothing(index_elements=[unique_key])
        total = already + len(rows)
        if step is not None:
            self.report(step, already, total)
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            self.session.execute(statement, list(batch))
            if step is not None:
                self.report(step, already + start + len(batch), total)

    def load(self) -> _Added:
        self.events_before = self.count(Event)
        self.load_people()
        self.load_campaigns()
        self.load_contents()
        self.load_shares()
        self.load_events()
        return self.added

    def load_people(self) -> None:
        table, accounts = _table(Ambassador), _table(NetworkAccount)
        people = self.plan.people
        wanted = [person.external_id for person in people]
        have = {
            row.external_id for row in self.rows(sa.select(table.c.external_id).where(table.c.external_id.in_(wanted)))
        }
        new_people = self.new_people = [person for person in people if person.external_id not in have]
        self.insert("ambassadors", table, [self.person_row(person) for person in new_people], already=len(have))
        self.added.ambassadors = len(new_people)
        query = sa.select(table.c.id, table.c.external_id, table.c.role).where(table.c.external_id.in_(wanted))
        stored = self.rows(query)
        self.people = {row.external_id: row.id for row in stored}
        self.roles = {row.external_id: Role(row.role) for row in stored}
        # A person's accounts and history come with their row: someone already there is left as
        # they are, whatever they did since (and however the clock moved since the last load).
        new_accounts = [(person, account) for person in new_people for account in person.accounts]
        self.insert(
            "accounts",
            accounts,
            [
                {
                    "ambassador_id": self.people[person.external_id],
                    "network": account.network,
                    "handle": account.handle,
                    "follower_count": account.follower_count,
                    "followers_read_at": max(account.connected_at, self.now - timedelta(hours=20)),
                    "credentials_encrypted": None,
                    "created_at": account.connected_at,
                }
                for person, account in new_accounts
            ],
        )
        self.added.accounts = len(new_accounts)
        for person in new_people:
            self.person_events(person)
        for person, account in new_accounts:
            self.events.append(
                _event(
                    EventKind.ACCOUNT_CONNECTED,
                    f"{person.external_id}:{account.network}:{account.handle}",
                    account.connected_at,
                    ambassador_id=self.people[person.external_id],
                    payload={"network": account.network},
                )
            )

    def person_row(self, person: PersonPlan) -> dict[str, Any]:
        return {
            "external_id": person.external_id,
            "name": person.name,
            "email": person.email,
            "department": person.department,
            "team": person.team,
            "locale": person.locale,
            "time_zone": person.time_zone,
            "role": person.role,
            "opted_in_at": person.opted_in_at,
            "paused_at": person.paused_at,
            "left_at": person.left_at,
            "guidelines_version": self.guidelines_version if person.opted_in_at else None,
            "guidelines_accepted_at": person.opted_in_at,
            "advocacy_level": person.level,
            "leaderboard_visible": person.leaderboard_visible,
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        }

    def person_events(self, person: PersonPlan) -> None:
        key, ambassador_id = person.external_id, self.people[person.external_id]
        invited_by = self.people.get(DEMO_ADMIN) if key != DEMO_ADMIN else None
        self.events.append(
            _event(
                EventKind.AMBASSADOR_JOINED,
                key,
                person.created_at,
                ambassador_id=ambassador_id,
                payload={"invited_by": invited_by},
            )
        )
        if person.opted_in_at is not None:
            version = self.guidelines_version
            self.events.append(
                _event(
                    EventKind.GUIDELINES_ACCEPTED,
                    f"{key}:{version}",
                    person.opted_in_at,
                    ambassador_id=ambassador_id,
                    payload={"version": version},
                )
            )
            self.events.append(
                _event(EventKind.AMBASSADOR_OPTED_IN, key, person.opted_in_at, ambassador_id=ambassador_id)
            )
        for kind, moment in (
            (EventKind.AMBASSADOR_PAUSED, person.paused_at),
            (EventKind.AMBASSADOR_LEFT, person.left_at),
        ):
            if moment is not None:
                self.events.append(_event(kind, key, moment, ambassador_id=ambassador_id))

    def actor(self, external_id: str) -> Actor:
        return Actor(self.people[external_id], external_id, self.roles[external_id], "demo")  # the audit log says so

    def load_campaigns(self) -> None:
        """The campaigns, created by the demo editor through the campaigns service, dated weeks before they start."""
        specs = programme().campaigns
        slugs = [campaign.slug for campaign in specs]
        have = set(self.session.exec(select(Campaign.slug).where(col(Campaign.slug).in_(slugs))).all())
        rng = random.Random(f"{self.seed}:campaigns")
        new = 0
        self.report("campaigns", len(have), len(specs))
        for campaign in specs:
            created_at = _moment(self.now + timedelta(days=min(campaign.starts, 0) - rng.uniform(7, 21)))
            if campaign.slug in have:
                continue
            data = {
                **{name: getattr(campaign, name) for name in ("name", "slug", "description")},
                **{name: getattr(campaign, name) for name in ("goal_shares", "goal_clicks", "goal_reach")},
                "goal_participation": campaign.goal_participation,
                "starts_at": _moment(self.now + timedelta(days=campaign.starts)),
                "ends_at": _moment(self.now + timedelta(days=campaign.ends)),
                "hashtags": list(campaign.hashtags),
            }
            row = campaigns.create_campaign(self.session, self.actor(DEMO_EDITOR), data)
            row.created_at = row.updated_at = created_at
            new += 1
            self.report("campaigns", len(have) + new, len(specs))
        self.session.flush()
        self.added.campaigns = new
        query = select(Campaign.id, Campaign.slug).where(col(Campaign.slug).in_(slugs))
        self.campaigns = {slug: campaign_id for campaign_id, slug in self.session.exec(query).all()}

    def load_contents(self) -> None:
        """Content items created through the content service (which checks them as it checks an editor's).

        The service creates drafts now; the made-up lifecycle (who submitted, approved or archived
        it, and when) is then written onto the row and into the event log as it happened.
        """
        contents = self.plan.contents
        urls = [content.spec.url for content in contents]
        have = set(self.session.exec(select(Content.url).where(col(Content.url).in_(urls))).all())
        new_contents = [content for content in contents if content.spec.url not in have]
        self.report("content", len(have), len(contents))
        for done, content in enumerate(new_contents, start=1):
            created = content_service.create_content(
                self.engine, self.session, self.actor(content.creator), self.content_data(content)
            ).content
            assert created.id is not None
            created.status, created.status_note = content.spec.status, content.spec.note
            created.created_at, created.updated_at = content.created_at, content.updated_at
            self.session.execute(
                sa.update(_table(Event))
                .where(_table(Event).c.idempotency_key == f"content.created:{created.id}")
                .values(occurred_at=content.created_at, recorded_at=self.now)
            )
            self.content_events(content, created.id)
            self.report("content", len(have) + done, len(contents))
        self.session.flush()
        self.added.contents = len(new_contents)
        query = select(Content.id, Content.url).where(col(Content.url).in_(urls)).order_by(col(Content.id))
        for content_id, url in self.session.exec(query).all():
            self.contents.setdefault(url, content_id)

    def image_url(self, url: str) -> str:
        """One of the plugin's own pictures (static/images/), served by Clarion: no outside host, no broken box."""
        path = url.rstrip("/").rsplit("/", 2)
        kind = {"events": "event", "summit": "event", "careers": "people", "jobs": "people", "blog": "product"}.get(
            path[-2], "story"
        )
        return f"{self.engine.settings.base_url.rstrip('/')}/static/plugins/demo/images/{kind}.svg"

    def content_data(self, content: ContentPlan) -> dict[str, Any]:
        spec = content.spec
        texts = [{"network": network, "text": text} for network, text in content.texts]
        return {
            "title": spec.title,
            "url": spec.url,
            "summary": spec.summary,
            "body": "",
            "image_url": self.image_url(spec.url) if spec.origin is ContentOrigin.OFFICIAL else None,
            "language": spec.language,
            "campaign_id": self.campaigns.get(spec.campaign) if spec.campaign else None,
            "origin": spec.origin,
            "author_id": self.people[content.author] if content.author else None,
            "publish_at": content.publish_at,
            "expires_at": content.expires_at,
            "featured": spec.featured,
            "topics": list(spec.topics),
            "audience": {key: list(values) for key, values in spec.audience.items()},
            "share_texts": texts,
        }

    def content_events(self, content: ContentPlan, content_id: int) -> None:
        spec, url = content.spec, content.spec.url
        creator, reviewer = self.people[content.creator], self.people[content.reviewer]
        # As the lifecycle service does: transitions are about the author, when there is one.
        about = self.people[content.author] if content.author else creator
        steps: list[tuple[EventKind, datetime | None, ContentStatus, ContentStatus, int]] = []
        if content.submitted_at is not None:
            steps.append((EventKind.CONTENT_SUBMITTED, content.submitted_at, S.DRAFT, S.SUBMITTED, creator))
        decision = {
            S.APPROVED: EventKind.CONTENT_APPROVED,
            S.ARCHIVED: EventKind.CONTENT_APPROVED,
            S.REJECTED: EventKind.CONTENT_REJECTED,
            S.CHANGES_REQUESTED: EventKind.CONTENT_CHANGES_REQUESTED,
        }.get(spec.status)
        if decision is not None:
            target = S.APPROVED if spec.status is S.ARCHIVED else spec.status
            steps.append((decision, content.decided_at, S.SUBMITTED, target, reviewer))
        if content.archived_at is not None:
            steps.append((EventKind.CONTENT_ARCHIVED, content.archived_at, S.APPROVED, S.ARCHIVED, reviewer))
        for kind, moment, before, after, actor in steps:
            assert moment is not None
            note = spec.note if kind in (EventKind.CONTENT_REJECTED, EventKind.CONTENT_CHANGES_REQUESTED) else None
            self.events.append(
                _event(
                    kind,
                    url,
                    moment,
                    ambassador_id=about,
                    content_id=content_id,
                    payload={"from": before.value, "to": after.value, "by": actor, "note": note, "title": spec.title},
                )
            )

    def load_shares(self) -> None:
        table = _table(Share)
        people = self.new_people
        planned: list[SharePlan] = []
        for done, person in enumerate(people, start=1):
            planned += _plan_shares(self.seed, self.now, person, self.plan.contents)
            if done % 20 == 0 or done == len(people):
                self.report("planning shares", done, len(people))
        codes: set[str] = set()
        rows = []
        # Potential reach as the share service snapshots it: the follower count, when known.
        audiences = {
            (person.external_id, account.network): account.follower_count
            for person in people
            for account in person.accounts
        }
        for share in planned:
            reach = audiences.get((share.person.external_id, share.network)) if share.published_at else None
            code = new_link_code()
            while code in codes:
                code = new_link_code()
            codes.add(code)
            profile = NETWORK_PROFILES[share.network]
            number = share.post_number
            rows.append(
                {
                    "content_id": self.contents[share.content.spec.url],
                    "ambassador_id": self.people[share.person.external_id],
                    "network": share.network,
                    "text": share.text,
                    "method": ShareMethod.INTENT,
                    "status": share.status,
                    "scheduled_at": None,
                    "published_at": share.published_at,
                    "external_post_id": profile.post_id.format(number=number) if number and profile.post_id else None,
                    "external_post_url": profile.post_url.format(number=number)
                    if number and profile.post_url
                    else None,
                    "link_code": code,
                    "attempts": 0,
                    "last_error": None,
                    "potential_reach": reach,
                    "potential_reach_source": MetricSource.REPORTED if reach is not None else None,
                    "created_at": share.created_at,
                    "updated_at": share.updated_at,
                }
            )
        self.insert("shares", table, rows)
        self.added.shares = len(rows)
        if not rows:
            return
        query = sa.select(table.c.id, table.c.link_code).where(
            table.c.ambassador_id.in_(list({row["ambassador_id"] for row in rows}))
        )
        ids = {row.link_code: row.id for row in self.rows(query)}
        share_ids = [ids[row["link_code"]] for row in rows]
        self.load_metrics(planned, share_ids)
        for share, share_id, row in zip(planned, share_ids, rows, strict=True):
            self.share_events(share, share_id, row)

    def load_metrics(self, shares: Sequence[SharePlan], share_ids: Sequence[int]) -> None:
        followers = {
            (person.external_id, account.network): account.follower_count
            for person in self.plan.people
            for account in person.accounts
        }
        published = [(share, share_id) for share, share_id in zip(shares, share_ids, strict=True) if share.published_at]
        self.report("metrics", 0, len(published))
        rows: list[dict[str, Any]] = []
        done = 0
        for position, (share, share_id) in enumerate(published, start=1):
            reach = followers[(share.person.external_id, share.network)]
            rows += _metric_rows(self.seed, self.now, share, share_id, reach)
            if len(rows) >= BATCH_SIZE or position == len(published):
                self.session.execute(sa.insert(_table(MetricSample)), rows)
                self.added.samples += len(rows)
                done, rows = position, []
                self.report("metrics", done, len(published))

    def share_events(self, share: SharePlan, share_id: int, row: dict[str, Any]) -> None:
        key = share.natural_key
        ids = {"ambassador_id": row["ambassador_id"], "content_id": row["content_id"], "share_id": share_id}
        self.events.append(
            _event(
                EventKind.SHARE_CREATED,
                key,
                share.created_at,
                **ids,
                payload={"network": share.network, "method": ShareMethod.INTENT.value},
            )
        )
        if share.published_at is not None:
            payload = {"network": share.network, "external_post_url": row["external_post_url"]}
            self.events.append(_event(EventKind.SHARE_PUBLISHED, key, share.published_at, **ids, payload=payload))
        elif share.status is ShareStatus.CANCELLED:
            self.events.append(_event(EventKind.SHARE_CANCELLED, key, share.updated_at, **ids))

    def load_events(self) -> None:
        for event in self.events:
            event["recorded_at"] = self.now
        self.events.sort(key=lambda event: event["occurred_at"])
        # The keys make a re-run (or a clash with events already stored) a no-op per event.
        self.insert("events", _table(Event), self.events, unique_key="idempotency_key")
        self.added.events = self.count(Event) - self.events_before  # the services' events too


def load_demo(
    engine: Engine, *, progress: Progress | None = None, seed: int = 2026, now: datetime | None = None
) -> str:
    """Load the demo programme: 200 people, 8 campaigns, 60 content items and 90 days of shares.

    The programme comes from one seeded random generator, so a seed and a moment always give
    the same people, content and history (only tracked-link codes are fresh, as they must be
    unguessable). Loading is idempotent: rows are matched on their natural keys (an
    ambassador's external id, a campaign's slug, a content URL) and only missing ones are
    written, all in one transaction. A person's network accounts, shares and metrics are
    written with the person, so loading again later adds nothing even though the 90 days have
    moved on. Events are written in bulk without telling observers: they describe a made-up
    past, not something happening now. When events were added, the points ledger (and with it
    leaderboards and badges) is recomputed from the whole log afterwards.

    Args:
        engine: The engine whose database receives the programme; its schema must be current.
        progress: Called as ``progress(step, done, total)`` while each phase runs.
        seed: Seed of the random generator.
        now: Where the 90 days of history end (an aware datetime); the current time when omitted.

    Returns:
        One paragraph: what was added, or that it was already there, and whom to try it as.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now = _moment((now or engine.clock.now()).astimezone(UTC))
    account_networks = [network for network in NETWORK_PROFILES if network in engine.connectors()]
    plan = _plan(seed, now, account_networks, list(engine.connectors()))
    company = programme()
    # A plain session, not engine.transaction(): events the services record on the way describe a
    # made-up past, so no observer hears of them; the ledger is recomputed from the log below.
    with engine.db.session() as session:
        if guidelines.latest_body(session) is None:
            # The demo's people accept these (as the configured version) when the loader opts them in.
            guidelines.record_version(session, engine.settings.guidelines_version, company.guidelines, None)
        loader = _Loader(
            engine,
            session,
            plan,
            seed=seed,
            now=now,
            guidelines_version=guidelines.current_version(engine, session),
            progress=progress,
        )
        added = loader.load()
        if gamification.wanted(engine):
            editor = loader.actor(DEMO_EDITOR)
            added.challenges = gamification.load_challenges(
                session, company.challenges, editor=editor, seed=seed, now=now
            )
        totals = _totals(session)
    if added.events:
        # Bulk-written events reach no observer, so the ledger, leaderboards and badges are derived here.
        from clarion.points.points import recompute

        if progress is not None:
            progress("points and badges", 0, 1)
        recompute(engine)
        if progress is not None:
            progress("points and badges", 1, 1)
    if added.anything:
        rollups.rebuild(engine)  # the dashboards read rollups: file the made-up history there at once
    return _summary(plan, added, totals)


def _totals(session: Session) -> dict[str, int]:
    models = {
        "ambassadors": Ambassador,
        "campaigns": Campaign,
        "contents": Content,
        "shares": Share,
        "samples": MetricSample,
        "events": Event,
    }
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(_table(model))).scalar_one()
        for name, model in models.items()
    }


def _summary(plan: Plan, added: _Added, totals: dict[str, int]) -> str:
    people = {person.external_id: person for person in plan.people}
    admin, editor, ambassador = people[DEMO_ADMIN], people[DEMO_EDITOR], people[DEMO_AMBASSADOR]
    try_it = (
        f"Try it as {DEMO_ADMIN} ({admin.name}, admin), {DEMO_EDITOR} ({editor.name}, editor) or "
        f"{DEMO_AMBASSADOR} ({ambassador.name}, ambassador in the {ambassador.team} team): "
        f"`clarion token {DEMO_AMBASSADOR}` mints a token for the API."
    )
    if not added.anything:
        return (
            f"The demo programme is already loaded; nothing was added. The database holds {totals['ambassadors']:,} "
            f"ambassadors, {totals['campaigns']:,} campaigns, {totals['contents']:,} content items, "
            f"{totals['shares']:,} shares, {totals['samples']:,} metric samples and {totals['events']:,} events. "
            + try_it
        )
    departments = len({person.department for person in plan.people})
    teams = len({person.team for person in plan.people})
    roles = Counter(person.role for person in plan.people)
    counts = (
        f"{added.accounts:,} network accounts, {added.campaigns:,} campaigns, {added.contents:,} content items, "
        f"{added.shares:,} shares over the last {HISTORY.days} days with {added.samples:,} metric samples, and "
        f"{added.events:,} events"
    )
    if added.ambassadors < len(plan.people):
        return f"Completed the demo programme, adding {added.ambassadors:,} ambassadors, {counts}. " + try_it
    return (
        f"Loaded the demo programme of {programme().company}, a made-up software company: {added.ambassadors:,} ambassadors "
        f"in {departments} departments and {teams} teams ({roles[Role.ADMIN]} admins, {roles[Role.EDITOR]} "
        f"editors) with {counts}. " + try_it
    )
