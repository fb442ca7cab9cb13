"""The demo programme: a made-up company's people, campaigns, content and 90 days of shares."""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from clarion.events import EventKind
from clarion.models import (
    AdvocacyLevel,
    Ambassador,
    AudienceDimension,
    Campaign,
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    ContentTopic,
    Event,
    MetricSample,
    MetricSource,
    NetworkAccount,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
    ShareText,
    utcnow,
)
from clarion.services import guidelines, rollups
from clarion.services.eligibility import is_targeted
from clarion.services.link_codes import new_link_code
from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure, ChallengeParticipant

if TYPE_CHECKING:
    from clarion.engine import Engine

Progress = Callable[[str, int, int], None]

COMPANY = "Kestrel"
HISTORY = timedelta(days=90)
BATCH_SIZE = 5000
KEY_PREFIX = "demo"
DEMO_ADMIN = "demo-admin"
DEMO_GUIDELINES = """\
Sharing is voluntary. These guidelines keep it pleasant for you and safe for Kestrel.

- **Your voice, your choice.** Share only what you are comfortable sharing, in your own name; edit the
  suggested text as you like.
- **Say you work here.** When you post about Kestrel, mention that you are an employee.
- **Keep confidences.** Never share confidential information, figures before they are public, or anything
  about customers without their consent.
- **Be respectful.** Stay kind in comments; when in doubt, do not post and ask the communications team.
- **Your accounts stay yours.** Kestrel never posts without you and never asks for your passwords.

Questions? Write to [comms@kestrel.example](mailto:comms@kestrel.example).
"""
DEMO_EDITOR = "demo-editor"
DEMO_AMBASSADOR = "demo-ambassador"

S = ContentStatus


# -- the made-up company --------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    name: str
    department: str
    size: int
    dutch_share: float
    time_zones: tuple[str, ...]


TEAMS = (
    TeamSpec(
        "Platform", "Engineering", 24, 0.4, ("Europe/Amsterdam", "Europe/Amsterdam", "Europe/London", "Europe/Lisbon")
    ),
    TeamSpec("Mobile Apps", "Engineering", 16, 0.4, ("Europe/Amsterdam", "Europe/Berlin")),
    TeamSpec("Data & AI", "Engineering", 18, 0.3, ("Europe/Amsterdam", "Europe/London")),
    TeamSpec("Sales Benelux", "Sales", 18, 0.85, ("Europe/Amsterdam", "Europe/Amsterdam", "Europe/Brussels")),
    TeamSpec("Sales UK & Ireland", "Sales", 14, 0.0, ("Europe/London", "Europe/London", "Europe/Dublin")),
    TeamSpec(
        "Sales North America",
        "Sales",
        20,
        0.0,
        ("America/New_York", "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Toronto"),
    ),
    TeamSpec("Brand & Communications", "Marketing", 12, 0.5, ("Europe/Amsterdam", "Europe/London")),
    TeamSpec("Growth Marketing", "Marketing", 12, 0.4, ("Europe/Amsterdam", "America/New_York")),
    TeamSpec("Talent Acquisition", "People", 10, 0.5, ("Europe/Amsterdam", "Europe/London")),
    TeamSpec("People Operations", "People", 8, 0.6, ("Europe/Amsterdam",)),
    TeamSpec("Support", "Customer Success", 25, 0.5, ("Europe/Amsterdam", "Europe/London", "America/New_York")),
    TeamSpec("Customer Success Benelux", "Customer Success", 20, 0.9, ("Europe/Amsterdam", "Europe/Brussels")),
)

# Generated people who hold a role beyond ambassador, besides the three demo people.
EXTRA_ROLES = (
    ("People Operations", Role.ADMIN),
    ("Brand & Communications", Role.EDITOR),
    ("Brand & Communications", Role.EDITOR),
    ("Growth Marketing", Role.EDITOR),
    ("Talent Acquisition", Role.EDITOR),
    ("Platform", Role.EDITOR),
)

DUTCH_FIRST = (
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Thijs", "Jesse", "Ruben", "Lars", "Sander",
    "Joost", "Wouter", "Koen", "Pieter", "Maarten", "Jeroen", "Niels", "Emma", "Julia", "Sophie", "Lotte",
    "Fleur", "Eva", "Lieke", "Femke", "Iris", "Noa", "Tess", "Anouk", "Marloes", "Esther", "Ilse", "Mirjam",
    "Yara", "Fatima", "Youssef", "Mehmet", "Ayse", "Rik", "Hanneke", "Willem", "Marieke", "Jasper", "Roos",
)  # fmt: skip
DUTCH_LAST = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "Willems", "Maas", "El Amrani", "Bouzid", "Yilmaz",
    "Kaya", "Wouters", "Claes", "Peeters",
)  # fmt: skip
ENGLISH_FIRST = (
    "Oliver", "James", "Amelia", "Olivia", "Harry", "George", "Isla", "Ava", "Jack", "Noah", "Sophia",
    "Grace", "Ethan", "Liam", "Mia", "Chloe", "Daniel", "Samuel", "Hannah", "Emily", "Aisha", "Priya",
    "Ravi", "Arjun", "Wei", "Mei", "Diego", "Sofia", "Lucia", "Mateo", "Kwame", "Amara", "Zara", "Omar",
    "Connor", "Siobhan", "Aoife", "Ciaran", "Madison", "Tyler", "Jordan", "Taylor", "Marcus", "Jasmine",
    "Andre", "Keisha", "Elena", "Tomasz", "Ines", "Joao",
)  # fmt: skip
ENGLISH_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke", "Khan",
    "Murphy", "O'Brien", "Kelly", "Byrne", "Garcia", "Martinez", "Nguyen", "Kim", "Chen", "Okafor",
    "Mensah", "Rodriguez", "Miller", "Davis", "Anderson", "Thomas", "Jackson", "Harris", "Lewis", "Lee",
    "Walsh", "Shah", "Ahmed", "Singh", "Campbell", "Stewart", "Murray", "Reid", "Baker", "Kowalski", "Silva",
)  # fmt: skip


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


DEMO_PEOPLE = (
    DemoPersonSpec(
        DEMO_ADMIN, "Sanne de Vries", "People Operations", "nl", "Europe/Amsterdam", Role.ADMIN,
        AdvocacyLevel.CURATION, 0.8, ("linkedin",),
    ),
    DemoPersonSpec(
        DEMO_EDITOR, "Oliver Bennett", "Brand & Communications", "en", "Europe/London", Role.EDITOR,
        AdvocacyLevel.PRODUCTION, 2.5, ("linkedin", "x"),
    ),
    DemoPersonSpec(
        DEMO_AMBASSADOR, "Noor Jansen", "Platform", "nl", "Europe/Amsterdam", Role.AMBASSADOR,
        AdvocacyLevel.CURATION, 3.0, ("linkedin", "x", "facebook"),
    ),
)  # fmt: skip

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


CAMPAIGNS = (
    CampaignSpec(
        "atlas-3-launch",
        "Atlas 3.0 launch",
        "Tell your network about Atlas 3.0: offline mode, faster planning boards and the new mobile app.",
        -84, -52, ("Atlas3", "KestrelAtlas"), 400, 3000, 400_000,
    ),
    CampaignSpec(
        "sustainability-report",
        "Sustainability report",
        "Our yearly sustainability report: what we measured, what improved and what we still have to do.",
        -76, -41, ("Sustainability", "NetZero"), 250, None, 250_000,
    ),
    CampaignSpec(
        "open-source-week",
        "Open Source Week",
        "A week of open-source releases and stories from the engineers who maintain them.",
        -35, -27, ("OpenSource",), 150, 1200, None,
    ),
    CampaignSpec(
        "engineering-hiring",
        "We're hiring engineers",
        "Help us find engineers for Platform, Mobile and Data & AI. Referrals are the best hires we make.",
        -60, 30, ("WeAreHiring", "LifeAtKestrel"), 700, 6000, None, 40,
    ),
    CampaignSpec(
        "customer-stories",
        "Customer stories",
        "How customers plan their work with Atlas, in their own words.",
        -120, 60, ("CustomerStories",), 300, 2500, 300_000,
    ),
    CampaignSpec(
        "werken-bij-kestrel",
        "Werken bij Kestrel",
        "Onze vacatures en verhalen voor Nederland en België. Deel ze met je netwerk!",
        -45, 45, ("WerkenBijKestrel",), 300, None, None,
    ),
    CampaignSpec(
        "kestrel-summit",
        "Kestrel Summit",
        "Our customer conference in Amsterdam: tickets, speakers, workshops and the live stream.",
        -21, 24, ("KestrelSummit",), 350, 4000, 350_000,
    ),
    CampaignSpec(
        "atlas-4-preview",
        "Atlas 4.0 preview",
        "A first look at Atlas 4.0 for customers and prospects. Opens when the preview goes live.",
        14, 60, ("Atlas4",), 500, 5000, None,
    ),
)  # fmt: skip


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
    status: ContentStatus = S.APPROVED
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


NL: Mapping[str, tuple[str, ...]] = {"locales": ("nl",)}

CONTENT = (
    # Atlas 3.0 launch
    ContentSpec(
        "Atlas 3.0 is here: planning that keeps up with your team",
        "https://www.example.com/blog/atlas-3-is-here",
        "Offline mode, boards that load in under a second and a rebuilt mobile app.",
        ("product",),
        "Atlas 3.0 is out today. Boards load in under a second, the mobile app works offline, and planning a "
        "week for 200 people finally feels as quick as planning one for five.",
        "Atlas 3.0 is out: sub-second boards, offline mobile, and weekly planning for 200 people in minutes.",
        -84, -52, "atlas-3-launch", featured=True,
        alt="We spent a year listening to planners. Atlas 3.0 is what they asked for.",
        short_alt="A year of listening to planners, shipped today: Atlas 3.0.",
    ),
    ContentSpec(
        "Offline mode arrives in Atlas 3.0",
        "https://www.example.com/blog/atlas-3-offline-mode",
        "Field teams keep planning without a signal; changes sync when they are back online.",
        ("product", "engineering"),
        "Field technicians don't always have signal. With Atlas 3.0 they don't need it: plans keep working "
        "offline and sync the moment they're back.",
        "No signal in the basement? Atlas 3.0 keeps working offline and syncs when you're back.",
        -80, -52, "atlas-3-launch",
    ),
    ContentSpec(
        "Webinar: what's new in Atlas 3.0",
        "https://www.example.com/events/webinar-atlas-3",
        "A 45-minute tour of Atlas 3.0 with the product team, with time for questions.",
        ("product", "events"),
        "Join our product team for a 45-minute tour of Atlas 3.0, with plenty of time for your questions.",
        "45 minutes, the Atlas 3.0 product team, your questions. Join the webinar.",
        -82, None, "atlas-3-launch", status=S.ARCHIVED, archived=-50,
    ),
    ContentSpec(
        "Atlas 3.0 is er: plannen dat meegaat met je team",
        "https://www.example.com/nl/blog/atlas-3-is-er",
        "Offline werken, borden die direct laden en een vernieuwde mobiele app.",
        ("product",),
        "Atlas 3.0 is vandaag live. Borden laden binnen een seconde, de app werkt offline en een week plannen "
        "voor 200 mensen gaat net zo snel als voor vijf.",
        "Atlas 3.0 is live: razendsnelle borden, offline werken en een nieuwe mobiele app.",
        -84, -52, "atlas-3-launch", language="nl", audience=NL,
    ),
    ContentSpec(
        "Review: Atlas 3.0 raises the bar for team planning tools",
        "https://techreview.example/reviews/atlas-3-team-planning",
        "An independent review of Atlas 3.0 after four weeks of daily use.",
        ("product",),
        "An honest outside view after four weeks with Atlas 3.0, including what they'd still like us to fix. "
        "Fair points all round.",
        "Four weeks with Atlas 3.0: an independent review, warts and all.",
        -70, origin=ContentOrigin.CURATED, scheduled=False,
    ),
    # Sustainability report
    ContentSpec(
        "Our sustainability report: 41% fewer emissions per customer",
        "https://www.example.com/sustainability/report",
        "What we measured this year, what improved and where we still fall short.",
        ("sustainability",),
        "Our sustainability report is out. Emissions per customer are down 41%, business travel is down a "
        "third, and we are honest about where we still fall short.",
        "Emissions per customer down 41%. Our sustainability report, including where we fall short.",
        -76, -41, "sustainability-report", featured=True,
    ),
    ContentSpec(
        "Ons duurzaamheidsverslag: 41% minder uitstoot per klant",
        "https://www.example.com/nl/duurzaamheid/verslag",
        "Wat we dit jaar hebben gemeten, wat beter ging en waar we nog tekortschieten.",
        ("sustainability",),
        "Ons duurzaamheidsverslag is uit. 41% minder uitstoot per klant, een derde minder zakenreizen, en "
        "eerlijk over wat nog beter moet.",
        "41% minder uitstoot per klant. Lees ons duurzaamheidsverslag.",
        -76, -41, "sustainability-report", language="nl", audience=NL,
    ),
    ContentSpec(
        "Why we moved our workloads to a data centre that heats 1,200 homes",
        "https://www.example.com/blog/heat-reusing-data-centre",
        "Our servers now warm a neighbourhood in Amsterdam. Here is how the move went.",
        ("engineering", "sustainability"),
        "Our servers now heat 1,200 homes in Amsterdam. The Platform team wrote up how we moved every "
        "workload without a minute of downtime.",
        "Our servers now heat 1,200 homes. How we moved every workload without downtime.",
        -70, None, "sustainability-report",
    ),
    ContentSpec(
        "Cycling to work, 4,000 km later",
        "https://blog.example.net/cycling-to-work-4000-km",
        "A year of commuting by bike: the numbers, the rain and what it did for my head.",
        ("culture", "sustainability"),
        "I wrote up a year of cycling to work: 4,000 km, 31 rainy Mondays and the best thinking time I've had.",
        "4,000 km of commuting by bike, one year, 31 rainy Mondays. Wrote it up.",
        -60, origin=ContentOrigin.PRODUCED, scheduled=False,
    ),
    ContentSpec(
        "Earth Hour at the Amsterdam office",
        "https://www.example.com/blog/earth-hour-amsterdam",
        "Lights off, candles on: photos from Earth Hour at our Amsterdam office.",
        ("events", "sustainability"),
        "Lights off, candles on. Photos from Earth Hour at our Amsterdam office.",
        "Lights off at the Amsterdam office for Earth Hour.",
        -95, -80, status=S.ARCHIVED, archived=-78,
    ),
    # Open Source Week
    ContentSpec(
        "We're open-sourcing our scheduling engine",
        "https://www.example.com/blog/open-sourcing-the-scheduler",
        "The constraint solver behind Atlas is now Apache-2.0 licensed, with its test suite and benchmarks.",
        ("engineering",),
        "The constraint solver at the heart of Atlas is now open source under Apache-2.0, with its full test "
        "suite and benchmarks. Contributions welcome.",
        "The scheduling engine behind Atlas is now open source (Apache-2.0). PRs welcome.",
        -35, -27, "open-source-week", featured=True,
    ),
    ContentSpec(
        "How we maintain 40 open-source libraries with a team of six",
        "https://blog.example.net/maintaining-40-libraries",
        "Release automation, a triage rota and saying no: what keeps our open-source work sustainable.",
        ("engineering",),
        "Six people, 40 libraries, no burnout (so far). I wrote down what keeps our open-source work "
        "sustainable: release automation, a triage rota and learning to say no.",
        "6 people, 40 open-source libraries, no burnout. What works for us.",
        -33, origin=ContentOrigin.PRODUCED, scheduled=False, author_department="Engineering",
    ),
    ContentSpec(
        "The state of open source in European tech",
        "https://news.example.org/analysis/state-of-open-source-europe",
        "A survey of 900 European companies on how they use and fund open source.",
        ("engineering",),
        "Interesting survey of 900 European companies: most depend on open source, few fund it. Worth reading "
        "if you build software for a living.",
        "900 European companies surveyed: most depend on open source, few fund it.",
        -31, origin=ContentOrigin.CURATED, scheduled=False,
    ),
    # We're hiring engineers
    ContentSpec(
        "Senior Platform Engineer (Amsterdam)",
        "https://careers.example.com/jobs/senior-platform-engineer-amsterdam",
        "Build the infrastructure 3,000 companies plan their work on. Hybrid, Amsterdam.",
        ("jobs", "engineering"),
        "My team is hiring a Senior Platform Engineer in Amsterdam. Kubernetes, PostgreSQL at scale and a "
        "team that writes things down.",
        "We're hiring a Senior Platform Engineer in Amsterdam: Kubernetes, PostgreSQL at scale, good docs.",
        -60, 30, "engineering-hiring", featured=True,
        alt="Looking for your next platform role? We're hiring in Amsterdam, and I'm happy to tell you what "
        "it's really like.",
        short_alt="Platform engineers: we're hiring in Amsterdam. Ask me anything about the team.",
    ),
    ContentSpec(
        "Staff Data Engineer (London or remote UK)",
        "https://careers.example.com/jobs/staff-data-engineer-london",
        "Own the pipelines behind Atlas forecasting. London office or remote within the UK.",
        ("jobs", "engineering"),
        "We're looking for a Staff Data Engineer to own the pipelines behind Atlas forecasting. London or "
        "remote in the UK.",
        "Staff Data Engineer, London or remote UK: own the pipelines behind our forecasting.",
        -55, 30, "engineering-hiring",
    ),
    ContentSpec(
        "Mobile Engineer, iOS (Amsterdam)",
        "https://careers.example.com/jobs/ios-engineer-amsterdam",
        "Help rebuild the Atlas app that field teams use every day. Swift, SwiftUI, offline-first.",
        ("jobs", "engineering"),
        "The Mobile Apps team is hiring an iOS engineer. Swift, SwiftUI and an offline-first app that "
        "thousands of field technicians rely on.",
        "Hiring: iOS engineer in Amsterdam. Swift, SwiftUI, offline-first.",
        -50, 30, "engineering-hiring", audience={"teams": ("Mobile Apps", "Talent Acquisition")},
    ),
    ContentSpec(
        "Engineering Manager, Data & AI (Amsterdam)",
        "https://careers.example.com/jobs/engineering-manager-data-ai",
        "Lead a team of seven engineers building forecasting and planning assistants.",
        ("jobs", "engineering"),
        "We're hiring an Engineering Manager for Data & AI: seven engineers, forecasting and planning "
        "assistants, and a lot of trust.",
        "Engineering Manager, Data & AI, Amsterdam. A team of seven and real problems.",
        -20, 30, "engineering-hiring",
    ),
    ContentSpec(
        "Meet the Platform team: a day in the life",
        "https://www.example.com/careers/stories/platform-team",
        "Stand-ups, on-call, deep work and Friday demos: a day with the Platform team.",
        ("culture", "engineering"),
        "What does a day on our Platform team look like? Stand-up, deep work, a bit of on-call and Friday "
        "demos. Have a look.",
        "A day in the life of the Kestrel Platform team.",
        -40, 30, "engineering-hiring", audience={"teams": ("Platform", "Talent Acquisition")},
    ),
    ContentSpec(
        "Our engineering interview process, explained",
        "https://www.example.com/careers/engineering-interviews",
        "Four steps, no trick questions, and feedback whatever the outcome.",
        ("jobs", "engineering"),
        "No whiteboard puzzles, no trick questions, and feedback whatever the outcome. This is how we "
        "interview engineers.",
        "How we interview engineers: four steps, no trick questions, feedback either way.",
        -55, None, "engineering-hiring",
    ),
    ContentSpec(
        "Site Reliability Engineer (New York)",
        "https://careers.example.com/jobs/sre-new-york",
        "Our first SRE in North America, keeping Atlas fast for customers across the Americas.",
        ("jobs", "engineering"),
        "We're hiring our first Site Reliability Engineer in New York, to keep Atlas fast for customers "
        "across the Americas.",
        "Our first SRE in New York: keep Atlas fast across the Americas.",
        -10, 30, "engineering-hiring",
    ),
    ContentSpec(
        "Frontend Engineer (Amsterdam)",
        "https://careers.example.com/jobs/frontend-engineer-amsterdam",
        "TypeScript, accessible components and planning boards that render 10,000 shifts.",
        ("jobs", "engineering"),
        "We're hiring a Frontend Engineer in Amsterdam: TypeScript, accessibility and very big boards.",
        "Frontend Engineer in Amsterdam: TypeScript, accessibility, very big boards.",
        -2, campaign="engineering-hiring", status=S.DRAFT,
    ),
    ContentSpec(
        "What I learned in my first 90 days as a platform engineer",
        "https://blog.example.net/first-90-days-platform-engineer",
        "Onboarding, on-call shadowing and the docs that saved me.",
        ("culture", "engineering"),
        "Three months in at Kestrel. I wrote down what helped most in my first 90 days as a platform engineer.",
        "My first 90 days as a platform engineer, written down.",
        -25, origin=ContentOrigin.PRODUCED, scheduled=False, author_department="Engineering",
    ),
    # Customer stories
    ContentSpec(
        "How Northmoor Logistics cut planning time in half",
        "https://www.example.com/customers/northmoor-logistics",
        "120 depots, one planning board, half the time spent on planning.",
        ("customers", "product"),
        "Northmoor Logistics runs 120 depots from one Atlas board and spends half the time it used to on "
        "planning. Great story.",
        "120 depots, one board, half the planning time: Northmoor Logistics on Atlas.",
        -110, None, "customer-stories",
    ),
    ContentSpec(
        "Hoe Van Dijk Installatietechniek 30% minder reistijd haalt",
        "https://www.example.com/nl/klanten/van-dijk-installatietechniek",
        "Slimmer plannen met Atlas: monteurs rijden minder en helpen meer klanten per dag.",
        ("customers", "product"),
        "Van Dijk Installatietechniek plant met Atlas en haalt 30% minder reistijd. Hun monteurs helpen nu "
        "meer klanten per dag.",
        "30% minder reistijd voor monteurs van Van Dijk Installatietechniek, met Atlas.",
        -65, None, "customer-stories", language="nl", audience=NL,
    ),
    ContentSpec(
        "Case study: Brightwater Health schedules 2,000 nurses with Atlas",
        "https://www.example.com/customers/brightwater-health",
        "Fair rotas, fewer last-minute gaps and nurses who swap shifts from their phones.",
        ("customers", "product"),
        "Brightwater Health schedules 2,000 nurses with Atlas: fairer rotas, fewer last-minute gaps, and shift "
        "swaps from a phone.",
        "2,000 nurses, fairer rotas: Brightwater Health on Atlas.",
        -48, None, "customer-stories", featured=True,
    ),
    ContentSpec(
        "City of Ravensworth: from spreadsheets to Atlas in six weeks",
        "https://www.example.com/customers/city-of-ravensworth",
        "How a city council moved 40 spreadsheets and 600 staff to one plan.",
        ("customers", "product"),
        "Forty spreadsheets, 600 staff, six weeks. The City of Ravensworth's move to Atlas.",
        "From 40 spreadsheets to one plan in six weeks: the City of Ravensworth.",
        -12, None, "customer-stories",
    ),
    ContentSpec(
        "Customer story: Lakeside Schools",
        "https://www.example.com/customers/lakeside-schools",
        "Cover teachers found in minutes, not mornings.",
        ("customers", "product"),
        "Lakeside Schools finds cover teachers in minutes instead of whole mornings.",
        "Cover teachers in minutes, not mornings: Lakeside Schools.",
        -3, campaign="customer-stories", status=S.SUBMITTED,
    ),
    ContentSpec(
        "Analyst note: planning software buyers want offline-first",
        "https://research.example.org/notes/offline-first-planning",
        "Analysts see offline support move from nice-to-have to must-have in field-service tenders.",
        ("product",),
        "Analysts now see offline support as a must-have in field-service tenders. Nice to read after the work "
        "our Mobile team put into Atlas 3.0.",
        "Analysts: offline-first is now a must-have for planning software.",
        -30, origin=ContentOrigin.CURATED, scheduled=False, author=DEMO_AMBASSADOR,
    ),
    # Werken bij Kestrel
    ContentSpec(
        "Vacature: Senior Platform Engineer in Amsterdam",
        "https://careers.example.com/nl/vacatures/senior-platform-engineer",
        "Bouw mee aan het platform waar 3.000 bedrijven hun werk op plannen. Hybride, Amsterdam.",
        ("jobs", "engineering"),
        "Mijn team zoekt een Senior Platform Engineer in Amsterdam. Kubernetes, PostgreSQL op schaal en "
        "collega's die dingen opschrijven.",
        "Wij zoeken een Senior Platform Engineer in Amsterdam. Iets voor jou?",
        -45, 45, "werken-bij-kestrel", language="nl", audience=NL, featured=True,
        alt="Op zoek naar een nieuwe uitdaging als platform engineer? Vraag me gerust hoe het echt is bij Kestrel.",
    ),
    ContentSpec(
        "Vacature: Accountmanager Benelux",
        "https://careers.example.com/nl/vacatures/accountmanager-benelux",
        "Help logistiek, zorg en overheid slimmer plannen. Utrecht of Antwerpen.",
        ("jobs",),
        "We zoeken een Accountmanager voor de Benelux: logistiek, zorg en overheid helpen slimmer plannen.",
        "Vacature: Accountmanager Benelux, Utrecht of Antwerpen.",
        -30, 45, "werken-bij-kestrel", language="nl", audience=NL,
    ),
    ContentSpec(
        "Een dag bij ons Customer Success team in Utrecht",
        "https://www.example.com/nl/werken-bij/customer-success-utrecht",
        "Klantgesprekken, trainingen en taart op vrijdag: een dag met het team in Utrecht.",
        ("culture",),
        "Hoe ziet een dag bij ons Customer Success team in Utrecht eruit? Klantgesprekken, trainingen en taart "
        "op vrijdag.",
        "Een dag bij Customer Success in Utrecht.",
        -25, 45, "werken-bij-kestrel", language="nl", audience=NL,
    ),
    ContentSpec(
        "Stage lopen bij Kestrel: zo ziet dat eruit",
        "https://blog.example.net/stage-bij-kestrel",
        "Mijn ervaringen als stagiair bij het Data & AI team.",
        ("jobs", "culture"),
        "Ik schreef op hoe mijn stage bij het Data & AI team van Kestrel eruitzag.",
        "Zo ziet een stage bij Kestrel eruit.",
        -6, campaign="werken-bij-kestrel", origin=ContentOrigin.PRODUCED, status=S.CHANGES_REQUESTED, language="nl",
        audience=NL, note="Kun je een foto toevoegen en de datum van de open dag noemen?",
    ),
    ContentSpec(
        "Vacature: Customer Success Manager (Utrecht)",
        "https://careers.example.com/nl/vacatures/customer-success-manager-utrecht",
        "Begeleid klanten van de eerste planning tot hun honderdste locatie.",
        ("jobs",),
        "Ons team in Utrecht zoekt een Customer Success Manager. Ken jij iemand die klanten graag verder helpt?",
        "Vacature: Customer Success Manager in Utrecht.",
        -5, 45, "werken-bij-kestrel", language="nl", audience=NL,
    ),
    # Kestrel Summit
    ContentSpec(
        "Kestrel Summit: tickets are open",
        "https://www.example.com/summit",
        "Two days in Amsterdam with customers, product talks and hands-on workshops.",
        ("events",),
        "Tickets for Kestrel Summit are open: two days in Amsterdam with customers, product talks and hands-on "
        "workshops.",
        "Kestrel Summit tickets are open. Two days in Amsterdam, see you there?",
        -21, 20, "kestrel-summit", featured=True,
        short_alt="Two days of planning nerdery in Amsterdam. Kestrel Summit tickets are open.",
    ),
    ContentSpec(
        "Summit speaker line-up announced",
        "https://www.example.com/summit/speakers",
        "Operations leaders from healthcare, logistics and the public sector.",
        ("events",),
        "The Kestrel Summit line-up is out: operations leaders from healthcare, logistics and the public "
        "sector, and our own product team.",
        "The Kestrel Summit speaker line-up is out.",
        -10, 20, "kestrel-summit",
    ),
    ContentSpec(
        "Kestrel Summit: 20% off for customers",
        "https://www.example.com/summit/customer-discount",
        "Customers get 20% off with their account code until the end of the month.",
        ("events",),
        "Are you an Atlas customer? You get 20% off Kestrel Summit tickets. Message me for your code.",
        "Atlas customers: 20% off Kestrel Summit tickets. DM me for the code.",
        -8, 20, "kestrel-summit", audience={"departments": ("Sales", "Customer Success")},
    ),
    ContentSpec(
        "Summit workshop: Atlas for operations teams",
        "https://www.example.com/summit/workshops/atlas-for-operations",
        "Bring your own planning problem; leave with a working board.",
        ("events", "product"),
        "At Kestrel Summit I'm helping run the Atlas for operations workshop. Bring your own planning problem "
        "and leave with a working board.",
        "Bring your planning problem to our Summit workshop; leave with a working board.",
        -3, 20, "kestrel-summit",
    ),
    ContentSpec(
        "Kestrel Summit live stream",
        "https://www.example.com/summit/live",
        "Watch the keynotes live, wherever you are.",
        ("events",),
        "Can't make it to Amsterdam? Watch the Kestrel Summit keynotes live.",
        "Kestrel Summit keynotes, live. Tune in.",
        19, 26, "kestrel-summit",
    ),
    ContentSpec(
        "Kestrel Summit in Amsterdam: kom je ook?",
        "https://www.example.com/nl/summit",
        "Twee dagen klantverhalen, productnieuws en workshops in Amsterdam.",
        ("events",),
        "Kestrel Summit komt naar Amsterdam: twee dagen klantverhalen, productnieuws en workshops. Kom je ook?",
        "Kestrel Summit in Amsterdam. Kom je ook?",
        -14, 20, "kestrel-summit", language="nl", audience=NL,
    ),
    # Atlas 4.0 preview
    ContentSpec(
        "Atlas 4.0: a first look",
        "https://www.example.com/blog/atlas-4-first-look",
        "Planning assistants, scenario boards and a new API.",
        ("product",),
        "A first look at Atlas 4.0: planning assistants, scenario boards and a brand new API.",
        "Atlas 4.0, a first look: planning assistants, scenario boards, a new API.",
        14, 60, "atlas-4-preview", featured=True,
    ),
    ContentSpec(
        "Atlas 4.0 early-access programme",
        "https://www.example.com/atlas-4/early-access",
        "Customers can apply to try Atlas 4.0 before launch.",
        ("product",),
        "Want to try Atlas 4.0 before everyone else? Apply for early access.",
        "Try Atlas 4.0 before launch: early access is open.",
        -4, campaign="atlas-4-preview", status=S.SUBMITTED,
    ),
    ContentSpec(
        "Atlas 4.0: een eerste blik",
        "https://www.example.com/nl/blog/atlas-4-eerste-blik",
        "Planningsassistenten, scenario's en een nieuwe API.",
        ("product",),
        "Een eerste blik op Atlas 4.0: planningsassistenten, scenario's en een nieuwe API.",
        "Atlas 4.0: een eerste blik.",
        -1, campaign="atlas-4-preview", status=S.DRAFT, language="nl", audience=NL,
    ),
    # Outside campaigns
    ContentSpec(
        "Kestrel named a Great Place to Work in the Netherlands",
        "https://www.example.com/news/great-place-to-work",
        "For the third year running, chosen by the people who work here.",
        ("culture",),
        "For the third year in a row Kestrel is a Great Place to Work, and it's the people here who voted.",
        "Third year running: Kestrel is a Great Place to Work.",
        -88, featured=True,
    ),
    ContentSpec(
        "Our parental leave is now 16 weeks, for every parent",
        "https://www.example.com/news/parental-leave-16-weeks",
        "Fully paid, for every parent, in every country we work in.",
        ("culture",),
        "From this month every parent at Kestrel gets 16 weeks of fully paid leave, in every country we work "
        "in.",
        "16 weeks of fully paid parental leave, for every parent at Kestrel.",
        -50,
    ),
    ContentSpec(
        "Inside our new London office",
        "https://www.example.com/blog/new-london-office",
        "Fewer desks, more rooms to think in, and a roof garden.",
        ("culture",),
        "We've moved into our new London office: fewer desks, more rooms to think in, and a roof garden.",
        "Our new London office has a roof garden. That's all.",
        -18,
    ),
    ContentSpec(
        "Product update: what shipped this quarter",
        "https://www.example.com/blog/product-update-this-quarter",
        "Bulk edits, calendar sync and 38 smaller improvements.",
        ("product",),
        "This quarter in Atlas: bulk edits, two-way calendar sync and 38 smaller improvements you asked for.",
        "This quarter in Atlas: bulk edits, calendar sync, 38 small fixes you asked for.",
        -6,
    ),
    ContentSpec(
        "How we cut our cloud bill by 30% without slowing down",
        "https://blog.example.net/cloud-bill-minus-30-percent",
        "Right-sizing, spot instances and one very expensive log pipeline.",
        ("engineering",),
        "We cut our cloud bill by 30% without making Atlas slower. I wrote up what worked, and the one log "
        "pipeline that cost more than everything else combined.",
        "Cloud bill down 30%, Atlas no slower. What worked, written up.",
        -40, origin=ContentOrigin.PRODUCED, scheduled=False, author_department="Engineering",
    ),
    ContentSpec(
        "Postmortem: the 14-minute outage and what we changed",
        "https://www.example.com/engineering/postmortem-14-minute-outage",
        "A certificate expired, an alert stayed silent. What we changed so it can't happen again.",
        ("engineering",),
        "An honest postmortem of our 14-minute outage: a certificate expired and an alert stayed silent. "
        "Here's what we changed.",
        "Our 14-minute outage, explained honestly, and what we changed.",
        -22, audience={"departments": ("Engineering",)},
    ),
    ContentSpec(
        "Security at Kestrel: ISO 27001 certified",
        "https://www.example.com/trust/iso-27001",
        "What the certification covers and how we keep customer data safe.",
        ("product",),
        "Kestrel is ISO 27001 certified. Useful for anyone whose security team asks how we keep data safe.",
        "Kestrel is ISO 27001 certified.",
        -35, audience={"departments": ("Sales", "Customer Success")},
    ),
    ContentSpec(
        "Why hybrid teams need better planning rituals",
        "https://news.example.org/work/hybrid-teams-planning-rituals",
        "Research on how hybrid teams lose time to coordination, and what helps.",
        ("culture",),
        "Good piece on why hybrid teams lose hours to coordination, and the small planning rituals that help.",
        "Hybrid teams lose hours to coordination. Small planning rituals help.",
        -28, origin=ContentOrigin.CURATED, scheduled=False,
    ),
    ContentSpec(
        "The quiet rise of scheduling software in healthcare",
        "https://www.example.net/health/scheduling-software-rise",
        "Hospitals are replacing paper rotas, and nurses are noticing.",
        ("product", "customers"),
        "Hospitals are finally replacing paper rotas, and nurses notice the difference. Good overview of where "
        "healthcare scheduling is going.",
        "Hospitals are replacing paper rotas. Nurses notice.",
        -16, origin=ContentOrigin.CURATED, scheduled=False,
    ),
    ContentSpec(
        "10 productivity hacks every manager needs (sponsored)",
        "https://offers.example.org/productivity-hacks-sponsored",
        "A sponsored listicle.",
        ("culture",),
        "Some useful productivity tips here.",
        "10 productivity hacks for managers.",
        -9, origin=ContentOrigin.CURATED, status=S.REJECTED,
        note="This is a sponsored listicle; we don't share paid placements.",
    ),
    ContentSpec(
        "Remote work is here to stay, says European survey",
        "https://news.example.org/work/remote-work-survey-europe",
        "Two thirds of European office workers expect to keep working from home part of the week.",
        ("culture",),
        "Two thirds of European office workers expect to keep working from home part of the week. Matches what "
        "we see at Kestrel.",
        "Two thirds of European office workers expect hybrid to stay.",
        -2, origin=ContentOrigin.CURATED, status=S.SUBMITTED,
    ),
    ContentSpec(
        "My talk at PyData Amsterdam: forecasting with small data",
        "https://blog.example.net/pydata-forecasting-small-data",
        "Slides and notes from my talk on forecasting when you have little history.",
        ("engineering", "events"),
        "Slides and notes from my PyData Amsterdam talk on forecasting when you only have a little history.",
        "My PyData Amsterdam talk on forecasting with small data: slides and notes.",
        -4, origin=ContentOrigin.PRODUCED, status=S.DRAFT, author_department="Engineering",
    ),
    ContentSpec(
        "Mentoring junior engineers: five things that worked",
        "https://blog.example.net/mentoring-junior-engineers",
        "Pairing, written feedback and letting people own something early.",
        ("culture", "engineering"),
        "Five things that worked for me when mentoring junior engineers, starting with letting them own "
        "something real early.",
        "Mentoring junior engineers: five things that worked for me.",
        -46, origin=ContentOrigin.PRODUCED, scheduled=False, author_department="Engineering",
    ),
    ContentSpec(
        "Photos: our team volunteering at the food bank",
        "https://blog.example.net/food-bank-volunteering",
        "Forty colleagues, 3,000 parcels and a very long Saturday.",
        ("culture", "sustainability"),
        "Forty of us spent Saturday at the food bank: 3,000 parcels packed. Photos inside.",
        "40 colleagues, 3,000 food parcels, one Saturday.",
        -1, origin=ContentOrigin.PRODUCED, status=S.SUBMITTED,
    ),
    ContentSpec(
        "Holiday opening hours for support",
        "https://www.example.com/support/holiday-hours",
        "When our support team is available over the holidays.",
        ("product",),
        "Our support hours over the holidays, for customers planning ahead.",
        "Support hours over the holidays.",
        -100, -85, status=S.ARCHIVED, archived=-84,
    ),
    ContentSpec(
        "Atlas for US field-service teams: new integrations",
        "https://www.example.com/us/field-service-integrations",
        "Atlas now connects to the field-service tools most US teams already use.",
        ("product",),
        "Atlas now connects to the field-service tools most US teams already use. Happy to show anyone how.",
        "New Atlas integrations for US field-service teams.",
        -15, audience={"teams": ("Sales North America", "Growth Marketing"), "locales": ("en",)},
    ),
    ContentSpec(
        "Women in Tech dinner: a recap",
        "https://www.example.com/blog/women-in-tech-dinner",
        "Sixty guests, three speakers and conversations that went on past midnight.",
        ("culture", "events"),
        "Sixty guests, three great speakers and conversations that went on past midnight. A recap of our Women "
        "in Tech dinner.",
        "Recap: our Women in Tech dinner, 60 guests and great talks.",
        -27, -5,
    ),
    ContentSpec(
        "Kestrel opent een kantoor in Antwerpen",
        "https://www.example.com/nl/nieuws/kantoor-antwerpen",
        "Vanaf volgende maand werken we ook vanuit Antwerpen.",
        ("culture",),
        "Kestrel opent een kantoor in Antwerpen! Dichter bij onze Belgische klanten, en ruimte voor nieuwe "
        "collega's.",
        "Kestrel opent een kantoor in Antwerpen.",
        -9, language="nl", audience=NL,
    ),
    ContentSpec(
        "What the EU AI Act means for planning tools",
        "https://news.example.org/policy/eu-ai-act-planning-tools",
        "Which planning features count as high-risk, and which don't.",
        ("product",),
        "A clear explainer on which planning features the EU AI Act treats as high-risk.",
        "The EU AI Act and planning tools, explained.",
        -3, origin=ContentOrigin.CURATED, status=S.CHANGES_REQUESTED, author=DEMO_AMBASSADOR,
        note="Please add your own one-line take to the share text; that's what makes curated posts work.",
    ),
    ContentSpec(
        "Comparison: the best planning tools (affiliate links)",
        "https://offers.example.org/best-planning-tools-affiliate",
        "An affiliate comparison of planning tools.",
        ("product",),
        "A comparison of planning tools.",
        "The best planning tools, compared.",
        -20, origin=ContentOrigin.CURATED, status=S.REJECTED,
        note="Affiliate comparison pages are paid placements; we don't share them.",
    ),
    ContentSpec(
        "Summer party: the photos",
        "https://www.example.com/blog/summer-party-photos",
        "Boats, a band and 400 colleagues on the water.",
        ("culture", "events"),
        "Boats, a band and 400 colleagues on the water. Photos from our summer party.",
        "Summer party on the water: the photos.",
        -130, -100, status=S.ARCHIVED, archived=-98,
    ),
    ContentSpec(
        "Data & AI team: how we evaluate forecasting models",
        "https://www.example.com/engineering/evaluating-forecasts",
        "Backtests, baselines and why we never ship a model that loses to last week's numbers.",
        ("engineering",),
        "How our Data & AI team evaluates forecasting models: backtests, honest baselines, and a rule never to "
        "ship a model that loses to last week's numbers.",
        "Never ship a forecast that loses to last week's numbers. How we evaluate models.",
        -13, audience={"departments": ("Engineering",)},
    ),
)  # fmt: skip

# A closing line per first topic and language, for the long suggested texts.
CALLS_TO_ACTION = {
    ("jobs", "en"): "Know someone who'd be great here? Send them my way.",
    ("jobs", "nl"): "Ken jij iemand die hier goed past? Stuur ze naar mij door.",
    ("events", "en"): "Hope to see you there.",
    ("events", "nl"): "Hopelijk zie ik je daar!",
    ("product", "en"): "Worth a look if planning is part of your job.",
    ("product", "nl"): "De moeite waard als plannen bij je werk hoort.",
    ("customers", "en"): "Love seeing what customers build with Atlas.",
    ("customers", "nl"): "Mooi om te zien wat klanten met Atlas doen.",
    ("culture", "en"): "Proud to work here.",
    ("culture", "nl"): "Trots om hier te werken.",
    ("sustainability", "en"): "Progress we can measure, and more to do.",
    ("sustainability", "nl"): "Meetbare vooruitgang, en nog genoeg te doen.",
    ("engineering", "en"): "A good read for anyone who builds software.",
    ("engineering", "nl"): "Een aanrader voor iedereen die software bouwt.",
}
EMAIL_INTRO = {
    "en": "I thought of you when I saw this opening at Kestrel. Worth a look?",
    "nl": "Ik dacht meteen aan jou bij deze vacature bij Kestrel. Iets voor jou?",
}


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
        firsts, lasts = (DUTCH_FIRST, DUTCH_LAST) if locale == "nl" else (ENGLISH_FIRST, ENGLISH_LAST)
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
    planner = _PeoplePlanner(rng, now, networks, names={demo.name for demo in DEMO_PEOPLE})
    teams = {team.name: team for team in TEAMS}
    # The demo people come first, so they get the lowest ids of their role.
    people = [
        planner.person(demo.external_id, demo.name, teams[demo.team], demo.locale, demo.time_zone, demo.role, demo)
        for demo in DEMO_PEOPLE
    ]
    extra_roles = list(EXTRA_ROLES)
    for team in TEAMS:
        for _ in range(team.size):
            staff = next((index for index, (name, _) in enumerate(extra_roles) if name == team.name), None)
            role = extra_roles.pop(staff)[1] if staff is not None else Role.AMBASSADOR
            locale = "nl" if rng.random() < team.dutch_share else "en"
            name = planner.name(locale)
            external_id = f"demo-{len(people) - len(DEMO_PEOPLE) + 1:03d}"
            people.append(planner.person(external_id, name, team, locale, rng.choice(team.time_zones), role))
    return people


def _share_texts(spec: ContentSpec, hashtags: Sequence[str], networks: Sequence[str]) -> list[tuple[str, str]]:
    call = CALLS_TO_ACTION[(spec.topics[0], spec.language)]
    tags = " ".join(f"#{tag}" for tag in hashtags)
    long_texts = [spec.pitch] + ([spec.alt] if spec.alt else [])
    by_network = {
        "linkedin": [f"{text}\n\n{call}" + (f"\n\n{tags}" if tags else "") for text in long_texts],
        "x": [spec.short] + ([spec.short_alt] if spec.short_alt else []),
        "facebook": [f"{spec.pitch} {call}"],
        "email": [EMAIL_INTRO[spec.language]] if "jobs" in spec.topics else [],
    }
    return [(network, text) for network in networks for text in by_network.get(network, [])]


def _plan_contents(
    rng: random.Random, now: datetime, people: Sequence[PersonPlan], text_networks: Sequence[str]
) -> list[ContentPlan]:
    hashtags = {campaign.slug: campaign.hashtags for campaign in CAMPAIGNS}
    editors = [person.external_id for person in people if person.role is Role.EDITOR]
    contents = []
    for spec in CONTENT:
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

    @property
    def anything(self) -> bool:
        return any(vars(self).values())


# Bulk inserts name every column: what a demo challenge leaves out.
CHALLENGE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "topic": None,
    "campaign_id": None,
    "network": None,
    "reward": None,
    "image_url": None,
    "archived_at": None,
    "results_frozen_at": None,
}


class _Loader:
    """Writes the missing part of a plan in bulk, in one session, phase by phase."""

    def __init__(
        self,
        session: Session,
        plan: Plan,
        *,
        seed: int,
        now: datetime,
        guidelines_version: str,
        progress: Progress | None,
    ) -> None:
        self.session = session
        self.plan = plan
        self.seed = seed
        self.now = now
        self.guidelines_version = guidelines_version
        self.progress = progress
        self.added = _Added()
        self.events: list[dict[str, Any]] = []
        self.people: dict[str, int] = {}
        self.new_people: list[PersonPlan] = []
        self.campaigns: dict[str, int] = {}
        self.contents: dict[str, int] = {}

    def report(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

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
        self.load_people()
        self.load_campaigns()
        self.load_contents()
        self.load_shares()
        self.load_events()
        self.load_challenges()
        return self.added

    def challenge_plans(self) -> list[dict[str, Any]]:
        """This month's job-post challenge, this quarter's team participation, and last month's points."""
        month = self.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        next_month = (month + timedelta(days=32)).replace(day=1)
        previous_month = (month - timedelta(days=1)).replace(day=1)
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        next_quarter = (quarter + timedelta(days=95)).replace(day=1)
        return [
            {
                "title": "Share 3 job posts this month",
                "description": "Every open role needs people who know what working here is like. Three job posts "
                "from your own network beat a hundred ads.",
                "kind": ChallengeKind.INDIVIDUAL,
                "measure": ChallengeMeasure.SHARES,
                "target": 3,
                "topic": "jobs",
                "starts_at": month,
                "ends_at": next_month,
                "reward": "Lunch with the hiring team",
            },
            {
                "title": "60% of every team shares this quarter",
                "description": "Not a race between people: a team reaches it when three in five of its opted-in "
                "members share something, anything, this quarter.",
                "kind": ChallengeKind.TEAM,
                "measure": ChallengeMeasure.PARTICIPATION,
                "target": 60,
                "starts_at": quarter,
                "ends_at": next_quarter,
                "reward": "Breakfast for the team",
            },
            {
                "title": "Earn 100 points last month",
                "description": "Shares, clicks and verified posts all count.",
                "kind": ChallengeKind.INDIVIDUAL,
                "measure": ChallengeMeasure.POINTS,
                "target": 100,
                "starts_at": previous_month,
                "ends_at": month,
            },
        ]

    def load_challenges(self) -> None:
        """A few challenges, joined by some opted-in demo ambassadors; existing titles are left alone."""
        table, joined = _table(Challenge), _table(ChallengeParticipant)
        plans = self.challenge_plans()
        titles = [plan["title"] for plan in plans]
        have = {row.title for row in self.rows(sa.select(table.c.title).where(table.c.title.in_(titles)))}
        created = _moment(self.now - timedelta(days=40))
        rows = [
            {**CHALLENGE_DEFAULTS, **plan, "created_at": created, "updated_at": created}
            for plan in plans
            if plan["title"] not in have
        ]
        if not rows:
            return
        self.insert(None, table, rows)
        ids = {
            row.title: row.id
            for row in self.rows(sa.select(table.c.id, table.c.title).where(table.c.title.in_(titles)))
            if row.title not in have
        }
        people = _table(Ambassador)
        candidates = [
            row.id
            for row in self.rows(
                sa.select(people.c.id)
                .where(people.c.opted_in_at.is_not(None), people.c.left_at.is_(None), people.c.paused_at.is_(None))
                .order_by(people.c.id)
            )
        ]
        rng = random.Random(f"{self.seed}:challenges")
        participants = []
        for plan in plans:
            challenge_id = ids.get(plan["title"])
            if challenge_id is None or plan["kind"] is not ChallengeKind.INDIVIDUAL or not candidates:
                continue
            chosen = rng.sample(candidates, k=max(1, len(candidates) * 2 // 5))
            participants += [
                {"challenge_id": challenge_id, "ambassador_id": ambassador_id, "joined_at": plan["starts_at"]}
                for ambassador_id in sorted(chosen)
            ]
        self.insert(None, joined, participants)

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
        query = sa.select(table.c.id, table.c.external_id).where(table.c.external_id.in_(wanted))
        self.people = {row.external_id: row.id for row in self.rows(query)}
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

    def load_campaigns(self) -> None:
        table = _table(Campaign)
        slugs = [campaign.slug for campaign in CAMPAIGNS]
        have = {row.slug for row in self.rows(sa.select(table.c.slug).where(table.c.slug.in_(slugs)))}
        rng = random.Random(f"{self.seed}:campaigns")
        rows = []
        for campaign in CAMPAIGNS:
            created_at = _moment(self.now + timedelta(days=min(campaign.starts, 0) - rng.uniform(7, 21)))
            if campaign.slug in have:
                continue
            rows.append(
                {
                    "name": campaign.name,
                    "slug": campaign.slug,
                    "description": campaign.description,
                    "goal_shares": campaign.goal_shares,
                    "goal_clicks": campaign.goal_clicks,
                    "goal_reach": campaign.goal_reach,
                    "goal_participation": campaign.goal_participation,
                    "starts_at": _moment(self.now + timedelta(days=campaign.starts)),
                    "ends_at": _moment(self.now + timedelta(days=campaign.ends)),
                    "hashtags": list(campaign.hashtags),
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
        self.insert("campaigns", table, rows, already=len(have))
        self.added.campaigns = len(rows)
        self.campaigns = {
            row.slug: row.id for row in self.rows(sa.select(table.c.id, table.c.slug).where(table.c.slug.in_(slugs)))
        }

    def load_contents(self) -> None:
        table = _table(Content)
        contents = self.plan.contents
        urls = [content.spec.url for content in contents]
        have = {row.url for row in self.rows(sa.select(table.c.url).where(table.c.url.in_(urls)))}
        new_contents = [content for content in contents if content.spec.url not in have]
        self.insert("content", table, [self.content_row(content) for content in new_contents], already=len(have))
        self.added.contents = len(new_contents)
        query = sa.select(table.c.id, table.c.url).where(table.c.url.in_(urls)).order_by(table.c.id)
        for row in self.rows(query):
            self.contents.setdefault(row.url, row.id)
        # Topics, audience and texts belong to the content row: written only with a new one.
        topics, audience, texts = [], [], []
        for content in new_contents:
            content_id = self.contents[content.spec.url]
            topics += [{"content_id": content_id, "topic": topic} for topic in content.spec.topics]
            audience += [
                {"content_id": content_id, "dimension": dimension, "value": value}
                for dimension, values in _audience(content.spec).items()
                for value in sorted(values)
            ]
            positions: dict[str, int] = {}
            for network, text in content.texts:
                position = positions[network] = positions.get(network, -1) + 1
                texts.append({"content_id": content_id, "network": network, "text": text, "position": position})
            self.content_events(content, content_id)
        self.insert(None, _table(ContentTopic), topics)
        self.insert(None, _table(ContentAudience), audience)
        self.insert(None, _table(ShareText), texts)

    def content_row(self, content: ContentPlan) -> dict[str, Any]:
        spec = content.spec
        return {
            "title": spec.title,
            "url": spec.url,
            "summary": spec.summary,
            "body": "",
            "image_url": f"https://www.example.com/images/{spec.url.rstrip('/').rsplit('/', 1)[-1]}.jpg"
            if spec.origin is ContentOrigin.OFFICIAL
            else None,
            "language": spec.language,
            "campaign_id": self.campaigns.get(spec.campaign) if spec.campaign else None,
            "origin": spec.origin,
            "author_id": self.people[content.author] if content.author else None,
            "status": spec.status,
            "status_note": spec.note,
            "publish_at": content.publish_at,
            "expires_at": content.expires_at,
            "featured": spec.featured,
            "created_at": content.created_at,
            "updated_at": content.updated_at,
        }

    def content_events(self, content: ContentPlan, content_id: int) -> None:
        spec, url = content.spec, content.spec.url
        creator, reviewer = self.people[content.creator], self.people[content.reviewer]
        # As the lifecycle service does: transitions are about the author, when there is one.
        about = self.people[content.author] if content.author else creator
        self.events.append(
            _event(
                EventKind.CONTENT_CREATED,
                url,
                content.created_at,
                ambassador_id=creator,
                content_id=content_id,
                payload={"origin": spec.origin.value, "title": spec.title},
            )
        )
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
        before = self.session.execute(sa.select(sa.func.count()).select_from(_table(Event))).scalar_one()
        self.insert("events", _table(Event), self.events, unique_key="idempotency_key")
        after = self.session.execute(sa.select(sa.func.count()).select_from(_table(Event))).scalar_one()
        self.added.events = after - before


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
    now = _moment((now or utcnow()).astimezone(UTC))
    account_networks = [network for network in NETWORK_PROFILES if network in engine.connectors()]
    plan = _plan(seed, now, account_networks, list(engine.connectors()))
    with engine.transaction() as session:
        if guidelines.latest_body(session) is None:
            # The demo's people accept these (as the configured version) when the loader opts them in.
            guidelines.record_version(session, engine.settings.guidelines_version, DEMO_GUIDELINES, None)
        loader = _Loader(
            session,
            plan,
            seed=seed,
            now=now,
            guidelines_version=guidelines.current_version(engine, session),
            progress=progress,
        )
        added = loader.load()
        totals = _totals(session)
    if added.events:
        # Bulk-written events reach no observer, so the ledger, leaderboards and badges are derived here.
        from clarion.services.points import recompute

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
        f"Loaded the demo programme of {COMPANY}, a made-up software company: {added.ambassadors:,} ambassadors "
        f"in {departments} departments and {teams} teams ({roles[Role.ADMIN]} admins, {roles[Role.EDITOR]} "
        f"editors) with {counts}. " + try_it
    )
