"""Benchmark: "what may this ambassador share now", the ORM query against hand-written SQL."""

from __future__ import annotations

import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.content.eligibility import is_targeted, shareable_query
from clarion.db import Database
from clarion.models import Ambassador, AudienceDimension, ContentStatus
from clarion.schema import upgrade

from .dataset import Programme, Sizes, generate, load
from .report import milliseconds, ratio, summarize, table

PAGE_SIZE = 25
COUNT_CAP = 1000

# What the schema and the engine were given for this query (core/clarion/models/content.py, the
# migration, core/clarion/db.py). The benchmark checks they are there instead of creating them.
ADOPTED_INDEXES = {
    "ix_content_feed_order": "(status, featured, coalesce(publish_at, created_at), id): the first page in feed order",
    "ix_content_status_publish_at_expires_at": "(status, publish_at, expires_at): the window filter from the index",
}

# The baseline: the same rule as clarion.content.eligibility, written by hand without looking at
# the ORM's SQL. The content this ambassador is *not* in the audience of is one uncorrelated set
# (audience rows grouped by content and dimension, none of them matching the ambassador), computed
# once, instead of up to six correlated EXISTS probes per content row. It runs through the same
# driver connection as the ORM's SQL (on PostgreSQL with jit=off too) and may use the same indexes.
HAND_DESCRIPTION = (
    "hand-written SQL (written independently of shareable_query): one uncorrelated NOT IN over "
    "content_audience GROUP BY content_id, dimension HAVING no value matches; same window filter "
    "and ORDER BY; same connection and settings, free to use the same indexes"
)
HAND_FILTER = """
FROM content AS c
WHERE c.status = 'approved'
  AND (c.publish_at IS NULL OR c.publish_at <= :now)
  AND (c.expires_at IS NULL OR c.expires_at > :now)
  AND c.id NOT IN (
    SELECT a.content_id FROM content_audience AS a
    GROUP BY a.content_id, a.dimension
    HAVING SUM(CASE WHEN a.value = CASE a.dimension WHEN 'team' THEN :team
                                                    WHEN 'department' THEN :department
                                                    ELSE :locale END
               THEN 1 ELSE 0 END) = 0
  )
"""
HAND_PAGE = f"""SELECT c.* {HAND_FILTER}
ORDER BY c.featured DESC, COALESCE(c.publish_at, c.created_at) DESC, c.id DESC
LIMIT {PAGE_SIZE}"""
HAND_COUNT = f"SELECT count(*) {HAND_FILTER}"

VARIANTS = {
    "page_orm": "first page, ORM",
    "page_orm_sql": "first page, ORM's SQL via driver",
    "page_hand": "first page, hand-written SQL",
    "count_orm": "count, ORM",
    "count_orm_sql": "count, ORM's SQL via driver",
    "count_hand": "count, hand-written SQL",
}

# Still open (not adopted): clarion.pagination.paginate counting the whole feed for its
# total. Counting up to COUNT_CAP + 1 is enough to show "1,000+" and to know a next page exists.
PROPOSAL = f"paginate counts the total up to {COUNT_CAP:,} + 1 (shown as '{COUNT_CAP:,}+')"
PROPOSED_VARIANTS = {"capped_count_orm": f"count capped at {COUNT_CAP:,}, ORM"}
# What each proposed variant replaces today.
PROPOSED_BASELINES = {"capped_count_orm": "count_orm"}


@contextmanager
def scratch_database(backend: str, postgres_server: str | None) -> Iterator[str]:
    """An empty database URL: a temporary SQLite file, or a scratch database next to the server's."""
    if backend == "postgresql":
        from clarion.testing import create_scratch_postgres, drop_scratch_postgres

        assert postgres_server is not None
        scratch = create_scratch_postgres(postgres_server)
        try:
            yield scratch
        finally:
            drop_scratch_postgres(postgres_server, scratch)
        return
    with tempfile.TemporaryDirectory(prefix="clarion-bench-") as directory:
        yield f"sqlite:///{directory}/bench.db"


# -- the ways of asking -----------------------------------------------------------------------


def orm_page(engine: sa.Engine, ambassador: Ambassador, now: datetime) -> list[int]:
    with Session(engine) as session:
        return [content.id for content in session.exec(shareable_query(ambassador, now).limit(PAGE_SIZE)).all()]


def orm_count(engine: sa.Engine, ambassador: Ambassador, now: datetime) -> int:
    # Exactly what clarion.pagination.paginate asks for the total.
    query = shareable_query(ambassador, now)
    with Session(engine) as session:
        counted = session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        return int(counted.scalar_one())


def orm_capped_count(engine: sa.Engine, ambassador: Ambassador, now: datetime) -> int:
    """The total up to COUNT_CAP + 1, enough to show "1,000+" and to know there is a next page."""
    query = shareable_query(ambassador, now).order_by(None).limit(COUNT_CAP + 1)
    with Session(engine) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())


def captured_statement(engine: sa.Engine, run: Callable[[], object]) -> tuple[str, Any]:
    """The SQL text and driver parameters that ``run`` sends through ``engine`` last."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return seen[-1]


def driver_rows(raw: Any, statement: str, parameters: Any) -> list[Any]:
    cursor = raw.cursor()
    try:
        cursor.execute(statement, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def hand_statement(dialect: str, sql: str) -> str:
    # sqlite3 takes :name parameters as written; psycopg wants %(name)s.
    return sql if dialect == "sqlite" else re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def hand_parameters(dialect: str, ambassador: Ambassador, now: datetime) -> dict[str, Any]:
    # SQLite holds UTC timestamps as naive ISO text (SQLAlchemy's format), which sorts like time.
    moment: Any = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else now
    return {"now": moment, "team": ambassador.team, "department": ambassador.department, "locale": ambassador.locale}


# -- the expected answer, computed in Python from the generated rows ----------------------


class Reference:
    """The eligibility rule applied in Python (``is_targeted``) to the generated rows."""

    def __init__(self, programme: Programme) -> None:
        now = programme.now
        audiences: dict[int, dict[AudienceDimension, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in programme.audience:
            audiences[row["content_id"]][AudienceDimension(row["dimension"])].add(row["value"])
        self.candidates = [
            ((row["featured"], row["publish_at"] or row["created_at"], row["id"]), audiences.get(row["id"], {}))
            for row in programme.content
            if row["status"] == ContentStatus.APPROVED.value
            and (row["publish_at"] is None or row["publish_at"] <= now)
            and (row["expires_at"] is None or row["expires_at"] > now)
        ]
        self.candidates.sort(key=lambda candidate: candidate[0], reverse=True)

    def answer(self, ambassador: Ambassador) -> tuple[list[int], int]:
        eligible = [key[2] for key, audience in self.candidates if is_targeted(audience, ambassador)]
        return eligible[:PAGE_SIZE], len(eligible)


@dataclass
class Prepared:
    """One generated programme, loaded into every backend so their figures compare."""

    sizes: Sizes
    programme: Programme
    reference: Reference
    generate_seconds: float


def prepare(sizes: Sizes) -> Prepared:
    started = time.perf_counter()
    programme = generate(sizes, datetime.now(UTC))
    reference = Reference(programme)
    return Prepared(sizes, programme, reference, time.perf_counter() - started)


def pick_ambassadors(programme: Programme, how_many: int) -> list[int]:
    """Active ambassadors spread over locales and teams, plus one with no team if there is one."""
    active = [
        row
        for row in programme.ambassadors
        if row["opted_in_at"] is not None and row["paused_at"] is None and row["left_at"] is None
    ]
    by_locale: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in active:
        if row["team"] is not None:
            by_locale[row["locale"]].append(row)
    chosen: list[int] = []
    teams: set[str] = set()
    unassigned: int | None = next((row["id"] for row in active if row["team"] is None), None)
    wanted_with_team = how_many - 1 if unassigned is not None and how_many > 1 else how_many
    queues = [iter(rows) for _, rows in sorted(by_locale.items())]
    while len(chosen) < wanted_with_team and queues:
        for queue in list(queues):
            found: dict[str, Any] | None = next((row for row in queue if row["team"] not in teams), None)
            if found is None:
                queues.remove(queue)
                continue
            teams.add(found["team"])
            chosen.append(found["id"])
            if len(chosen) == wanted_with_team:
                break
    # Last, so that the plans shown (the first ambassador's) are those of a typical person.
    return [*chosen, unassigned] if unassigned is not None and wanted_with_team < how_many else chosen


# -- the schema as migrated ------------------------------------------------------------------


def adopted_settings(engine: sa.Engine) -> dict[str, Any]:
    """Which adopted indexes the migrated database has, and PostgreSQL's jit on Clarion's connections."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'content'"
            jit = None
        else:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'content'"
            jit = str(connection.exec_driver_sql("SHOW jit").scalar_one())
        names = set(connection.exec_driver_sql(query).scalars())
    return {"indexes": {name: name in names for name in ADOPTED_INDEXES}, "jit": jit}


# -- query plans ------------------------------------------------------------------------------


def explain(raw: Any, dialect: str, statement: str, parameters: Any) -> list[str]:
    """EXPLAIN QUERY PLAN as an indented tree on SQLite; EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL."""
    if dialect == "sqlite":
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _unused, detail in driver_rows(raw, f"EXPLAIN QUERY PLAN {statement}", parameters):
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines
    return [row[0] for row in driver_rows(raw, f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)]


ALIASES = {"c": "content", "a": "content_audience"}
SQLITE_ACCESS = re.compile(r"^\s*(SCAN|SEARCH) (\w+)(?: USING (.*))?$")
POSTGRES_ACCESS = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)( Backward)?"
    r"(?: using (\S+))? on (\S+)"
)
POSTGRES_NODE = re.compile(r"^\s*(?:->\s+)?[A-Z][\w ]*.*\(cost=")
POSTGRES_ACTUAL = re.compile(r"actual time=\S+ rows=(\d+) loops=(\d+)")
POSTGRES_REMOVED = re.compile(r"^\s*Rows Removed by (?:Filter|Index Recheck): (\d+)")


@dataclass
class Access:
    """One plan node reaching a table or an index; on PostgreSQL with its actual rows."""

    full: bool
    label: str
    node: str = ""
    rows: int | None = None
    loops: int | None = None
    removed: int | None = None


def _access(dialect: str, line: str) -> Access | None:
    if dialect == "sqlite":
        match = SQLITE_ACCESS.match(line)
        if not match:
            return None
        kind, name, using = match.groups()
        name = ALIASES.get(name, name)
        if kind == "SCAN" and name in {"content", "content_audience"}:
            return Access(True, name + (f" (whole {using})" if using else ""))
        return Access(False, f"{name} via {using}") if kind == "SEARCH" else None
    match = POSTGRES_ACCESS.search(line)
    if not match:
        return None
    node, backward, index, name = match.groups()
    actual = POSTGRES_ACTUAL.search(line)
    rows, loops = (int(actual[1]), int(actual[2])) if actual else (None, None)
    label = name if index is None else f"{name} via {index}"
    return Access(node == "Seq Scan", label, f"{node}{backward or ''}", rows, loops)


def _accesses(dialect: str, lines: list[str]) -> list[Access]:
    """Every table access in plan order; on PostgreSQL with the rows its filter then removed."""
    found: list[Access] = []
    current: Access | None = None
    for line in lines:
        reached = _access(dialect, line)
        if reached:
            current = reached
            found.append(current)
        elif dialect == "postgresql" and POSTGRES_NODE.match(line):
            current = None
        removed = POSTGRES_REMOVED.match(line) if dialect == "postgresql" else None
        if removed and current is not None:
            current.removed = (current.removed or 0) + int(removed[1])
    return found


def _describe(accesses: list[Access]) -> list[str]:
    """One line per table and way of reaching it; repeated nodes (one per subquery) summed up."""
    grouped: dict[tuple[str, str], list[Access]] = defaultdict(list)
    for access in accesses:
        grouped[access.label, access.node].append(access)
    described = []
    for (label, node), group in grouped.items():
        details = [f"{node} x{len(group)}" if len(group) > 1 else node] if node else []
        if any(access.rows is not None for access in group):
            details.append(f"rows={sum(access.rows or 0 for access in group):,}")
            if len(group) == 1:
                details.append(f"loops={group[0].loops}")
        removed = sum(access.removed or 0 for access in group)
        if removed:
            details.append(f"removed by filter {removed:,}")
        described.append(label + (f" ({', '.join(details)})" if details else ""))
    return described


def plan_findings(dialect: str, lines: list[str]) -> dict[str, Any]:
    """How each table is reached, subqueries run per row or once, sorts (for the feed's order or not), JIT."""
    accesses = _accesses(dialect, lines)
    full_scans = _describe([access for access in accesses if access.full])
    index_use = _describe([access for access in accesses if not access.full])
    text = "\n".join(lines)
    if dialect == "sqlite":
        correlated = len(re.findall(r"CORRELATED (?:SCALAR|LIST) SUBQUERY", text))
        once = len(re.findall(r"(?<!CORRELATED )\b(?:SCALAR|LIST) SUBQUERY", text))
        sorts = len(re.findall(r"TEMP B-TREE", text))
        order_sorts = len(re.findall(r"TEMP B-TREE FOR (?:RIGHT PART OF |LAST TERM OF )?ORDER BY", text))
    else:
        hashed = set(re.findall(r"hashed SubPlan (\d+)", text))
        subplans = re.findall(r"^\s*SubPlan (\d+)", text, flags=re.MULTILINE)
        correlated = sum(number not in hashed for number in subplans)
        once = len(subplans) - correlated + len(re.findall(r"^\s*InitPlan \d+", text, flags=re.MULTILINE))
        sorts = len(re.findall(r"^\s*(?:->\s+)?(?:Incremental )?Sort\b(?! Key| Method)", text, flags=re.MULTILINE))
        order_sorts = len(re.findall(r"^\s*Sort Key: .*featured", text, flags=re.MULTILINE))
    findings: dict[str, Any] = {
        "full_scans": full_scans,
        "index_use": index_use,
        "correlated_subqueries": correlated,
        "subqueries_run_once": once,
        "sorts": sorts,
        "sorts_for_feed_order": order_sorts,
        "feed_order_index": "ix_content_feed_order" in text,
    }
    # PostgreSQL only (EXPLAIN ANALYZE counts rows): what one answer cost in rows read.
    audience = [
        access for access in accesses if access.label.startswith("content_audience") and access.rows is not None
    ]
    if audience:
        findings["audience_rows_read"] = sum((access.rows or 0) * (access.loops or 1) for access in audience)
    feed = [access for access in accesses if access.label.endswith("ix_content_feed_order") and access.rows is not None]
    if feed:
        findings["feed_order_rows_kept"] = feed[0].rows
        findings["feed_order_rows_removed"] = feed[0].removed or 0
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    if execution:
        findings["execution_ms"] = float(execution.group(1))
    jit = re.search(r"Timing: .*Total ([\d.]+) ms", text)
    if jit:
        findings["jit_ms"] = float(jit.group(1))
    return findings


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Settings:
    sample_size: int
    repeats: int
    analyze_sqlite: bool
    proposals: bool


@dataclass
class Probe:
    """One ambassador's ways of asking, each checked against the reference answer."""

    ambassador: Ambassador
    count: int
    statements: dict[str, tuple[str, Any]]
    calls: dict[str, Callable[[], object]]


def run(
    backend: str, prepared: Prepared, settings: Settings, *, postgres_server: str | None, log: Callable[[str], None]
) -> dict[str, Any]:
    """Load the programme into a scratch database of ``backend``, time every variant, return the figures."""
    sizes, programme = prepared.sizes, prepared.programme
    with scratch_database(backend, postgres_server) as url:
        # Clarion's own engine settings (create_db_engine): on PostgreSQL that is jit=off.
        database = Database(url)
        try:
            started = time.perf_counter()
            upgrade(database)
            migrate_seconds = time.perf_counter() - started
            schema = adopted_settings(database.engine)
            log(f"{backend}: loading {sizes.ambassadors:,} ambassadors and {sizes.content:,} content items")
            analyzed = backend == "postgresql" or settings.analyze_sqlite
            loaded = load(database, programme, analyze_after=analyzed)
            result = _measure(database.engine, prepared, settings, log)
        finally:
            database.dispose()
    result.update(
        backend=backend,
        analyzed=analyzed,
        schema=schema,
        baseline=HAND_DESCRIPTION,
        sizes={"ambassadors": sizes.ambassadors, "content": sizes.content},
        rows={
            "content_audience": len(programme.audience),
            "content_topic": len(programme.topics),
            "approved": sum(row["status"] == ContentStatus.APPROVED.value for row in programme.content),
            "approved_in_window": len(prepared.reference.candidates),
            "approved_scheduled": sum(
                row["status"] == ContentStatus.APPROVED.value
                and row["publish_at"] is not None
                and row["publish_at"] > programme.now
                for row in programme.content
            ),
        },
        load_seconds={
            "generate": prepared.generate_seconds,
            "migrate": migrate_seconds,
            **loaded.seconds_by_table,
            "analyze": loaded.analyze_seconds,
            "total_insert": loaded.total,
        },
    )
    return result


def _sample(engine: sa.Engine, prepared: Prepared, settings: Settings) -> list[Ambassador]:
    wanted = pick_ambassadors(prepared.programme, settings.sample_size)
    with Session(engine, expire_on_commit=False) as session:
        found = session.exec(select(Ambassador).where(col(Ambassador.id).in_(wanted))).all()
    return sorted(found, key=lambda ambassador: wanted.index(ambassador.id))


def _time_rounds(probes: list[Probe], repeats: int) -> dict[str, list[float]]:
    """Every call of every probe, round after round, so drift on a busy machine hits all alike."""
    timings: dict[str, list[float]] = defaultdict(list)
    for _round in range(repeats):
        for probe in probes:
            for name, call in probe.calls.items():
                started = time.perf_counter()
                call()
                timings[name].append(time.perf_counter() - started)
    return timings


def _sum_timings(timings: dict[str, list[float]], first: str, second: str) -> list[float]:
    return [one + other for one, other in zip(timings[first], timings[second], strict=True)]


def _measure(engine: sa.Engine, prepared: Prepared, settings: Settings, log: Callable[[str], None]) -> dict[str, Any]:
    dialect, now = engine.dialect.name, prepared.programme.now
    ambassadors = _sample(engine, prepared, settings)
    raw = engine.raw_connection()
    try:
        probes = [
            _probe(engine, raw, ambassador, now, prepared.reference, proposals=settings.proposals)
            for ambassador in ambassadors
        ]
        ways = len(probes[0].calls)
        log(f"{dialect}: {ways} ways of asking agree for {len(probes)} ambassadors; timing {settings.repeats} rounds")
        timings = _time_rounds(probes, settings.repeats)
        first = probes[0]
        explained = {"page_orm": "page_orm_sql", "count_orm": "count_orm_sql", "page_hand": "page_hand"}
        explained |= {"count_hand": "count_hand"}
        if settings.proposals:
            explained["capped_count_orm"] = "capped_count_orm_sql"
        plans = {name: explain(raw, dialect, *first.statements[statement]) for name, statement in explained.items()}
    finally:
        raw.rollback()
        raw.close()
    summaries = {name: summarize(values) for name, values in timings.items()}
    for way in ("orm", "hand"):
        summaries[f"feed_{way}"] = summarize(_sum_timings(timings, f"page_{way}", f"count_{way}"))
    result: dict[str, Any] = {
        "ambassadors_sampled": [
            {"id": p.ambassador.id, "team": p.ambassador.team, "locale": p.ambassador.locale, "count": p.count}
            for p in probes
        ],
        "repeats": settings.repeats,
        "ratios_orm_over_hand": {
            kind: ratio(summaries[f"{kind}_orm"].median, summaries[f"{kind}_hand"].median)
            for kind in ("page", "count", "feed")
        },
        "ratios_orm_sql_over_hand": {
            kind: ratio(summaries[f"{kind}_orm_sql"].median, summaries[f"{kind}_hand"].median)
            for kind in ("page", "count")
        },
        "plans": plans,
        "plan_findings": {name: plan_findings(dialect, lines) for name, lines in plans.items()},
        "sql": {
            "page_orm": first.statements["page_orm_sql"][0],
            "count_orm": first.statements["count_orm_sql"][0],
            "page_hand": HAND_PAGE,
            "count_hand": HAND_COUNT,
        },
    }
    if settings.proposals:
        summaries["feed_orm_capped"] = summarize(_sum_timings(timings, "page_orm", "capped_count_orm"))
        result["proposal"] = {
            "label": PROPOSAL,
            "ratios_vs_today": {
                "capped_count_orm / count_orm": ratio(
                    summaries["capped_count_orm"].median, summaries["count_orm"].median
                ),
                "feed with capped count / feed today": ratio(
                    summaries["feed_orm_capped"].median, summaries["feed_orm"].median
                ),
            },
        }
        result["sql"]["capped_count_orm"] = first.statements["capped_count_orm_sql"][0]
    result["timings"] = {name: summary.as_dict() for name, summary in summaries.items()}
    return result


def _probe(
    engine: sa.Engine, raw: Any, ambassador: Ambassador, now: datetime, reference: Reference, *, proposals: bool
) -> Probe:
    """One ambassador's ways of asking, checked to give the reference's first page and count."""
    assert ambassador.is_active
    dialect = engine.dialect.name
    expected_page, expected_count = reference.answer(ambassador)
    parameters = hand_parameters(dialect, ambassador, now)
    statements = {
        "page_orm_sql": captured_statement(engine, lambda: orm_page(engine, ambassador, now)),
        "count_orm_sql": captured_statement(engine, lambda: orm_count(engine, ambassador, now)),
        "page_hand": (hand_statement(dialect, HAND_PAGE), parameters),
        "count_hand": (hand_statement(dialect, HAND_COUNT), parameters),
    }
    calls: dict[str, Callable[[], object]] = {
        "page_orm": lambda: orm_page(engine, ambassador, now),
        "page_orm_sql": lambda: driver_rows(raw, *statements["page_orm_sql"]),
        "page_hand": lambda: driver_rows(raw, *statements["page_hand"]),
        "count_orm": lambda: orm_count(engine, ambassador, now),
        "count_orm_sql": lambda: driver_rows(raw, *statements["count_orm_sql"]),
        "count_hand": lambda: driver_rows(raw, *statements["count_hand"]),
    }
    expected: dict[str, Any] = {name: expected_page if name.startswith("page") else expected_count for name in calls}
    if proposals:
        statements["capped_count_orm_sql"] = captured_statement(
            engine, lambda: orm_capped_count(engine, ambassador, now)
        )
        calls["capped_count_orm"] = lambda: orm_capped_count(engine, ambassador, now)
        expected["capped_count_orm"] = min(expected_count, COUNT_CAP + 1)
    answers: dict[str, Any] = {name: call() for name, call in calls.items()}
    for name in ("page_orm_sql", "page_hand"):
        answers[name] = [row[0] for row in answers[name]]
    for name in ("count_orm_sql", "count_hand"):
        answers[name] = answers[name][0][0]
    for name, answer in answers.items():
        assert answer == expected[name], f"{name} disagrees with the reference for ambassador {ambassador.id}"
    return Probe(ambassador, expected_count, statements, calls)


# -- text output ------------------------------------------------------------------------------


def _plan_lines(result: dict[str, Any], names: tuple[str, ...], *, full: tuple[str, ...]) -> list[str]:
    lines = []
    for name in names:
        findings = result["plan_findings"][name]
        scans = ", ".join(findings["full_scans"]) or "none"
        extra = ""
        if "execution_ms" in findings:
            extra += f"; EXPLAIN ANALYZE {findings['execution_ms']:.1f} ms"
        if "jit_ms" in findings:
            extra += f" of which JIT compilation {findings['jit_ms']:.1f} ms"
        lines.append(
            f"plan {name}: full scans: {scans}; subqueries per row: {findings['correlated_subqueries']}, "
            f"run once: {findings['subqueries_run_once']}; sorts: {findings['sorts']} "
            f"(for the feed's order: {findings['sorts_for_feed_order']}){extra}"
        )
        lines.extend(f"    index: {use}" for use in findings["index_use"])
    for name in full:
        lines.append(f"plan {name}:")
        lines.extend(f"    {line}" for line in result["plans"][name])
    return lines


def _schema_line(result: dict[str, Any]) -> str:
    schema = result["schema"]
    indexes = ", ".join(f"{name} {'present' if present else 'MISSING'}" for name, present in schema["indexes"].items())
    jit = f"; jit={schema['jit']} on Clarion's connections (create_db_engine)" if schema["jit"] is not None else ""
    return f"schema as migrated: {indexes}{jit}"


def _feed_walk_advice(name: str, found: dict[str, Any], scheduled: int) -> list[str]:
    """Items scheduled for later sort first in the feed's order, so the walk passes them all first."""
    skip = "a `coalesce(publish_at, created_at) <= now` condition would let the index skip them"
    if "feed_order_rows_removed" in found:
        removed, kept = found["feed_order_rows_removed"], found["feed_order_rows_kept"]
        if removed > 10 * max(kept, 1):
            return [
                f"! {name}: the walk in feed order discarded {removed:,} rows to keep {kept}: the {scheduled:,} approved "
                f"items scheduled for later (publish_at > now) come first in that order; {skip}"
            ]
        return []
    if scheduled > 4 * PAGE_SIZE:
        return [
            f"- {name}: the walk in feed order first passes the {scheduled:,} approved items scheduled for later "
            f"(publish_at > now), each probed; {skip}"
        ]
    return []


def _advice(result: dict[str, Any]) -> list[str]:
    """What a reader should not miss: '!' for a problem, '-' for what the figures show."""
    rows, findings, timings = result["rows"], result["plan_findings"], result["timings"]
    schema, sql_ratios = result["schema"], result["ratios_orm_sql_over_hand"]
    lines = [
        f"! index {name} is missing from the migrated database: {ADOPTED_INDEXES[name]}"
        for name, present in schema["indexes"].items()
        if not present
    ]
    if schema["jit"] not in (None, "off"):
        lines.append(f"! jit={schema['jit']} on Clarion's connections: create_db_engine should pass -c jit=off")
    for name, found in findings.items():
        if "jit_ms" in found and found["jit_ms"] > 0.25 * found["execution_ms"]:
            lines.append(f"! {name}: JIT compilation took {found['jit_ms']:.0f} ms of {found['execution_ms']:.0f} ms")
        if not name.startswith("page"):
            continue
        if found["sorts_for_feed_order"]:
            lines.append(
                f"! {name}: sorts every eligible row (~{rows['approved_in_window']:,}) to keep {PAGE_SIZE}; "
                "ix_content_feed_order is not followed"
            )
        elif found["feed_order_index"]:
            lines.append(f"- {name}: read in feed order from ix_content_feed_order, stops after {PAGE_SIZE} rows")
            if name == "page_orm":
                lines.extend(_feed_walk_advice(name, found, rows["approved_scheduled"]))
        if name == "page_orm" and found.get("audience_rows_read", 0) > 20 * PAGE_SIZE:
            once = found["subqueries_run_once"]
            lines.append(
                f"! {name}: reads {found['audience_rows_read']:,} content_audience rows for one page of {PAGE_SIZE}: "
                + (
                    f"its {once} EXISTS became hashed subqueries, each reading a whole dimension's audience first"
                    if once
                    else "the audience is probed for every content row the walk passes"
                )
            )
        if any(re.match(r"content\b(?!_)", scan) for scan in found["full_scans"]):
            lines.append(f"! {name}: full scan of content for one page")
    for kind, label in (("page", "first page"), ("count", "count")):
        orm = findings[f"{kind}_orm"]
        how = (
            f"{orm['correlated_subqueries']} EXISTS probes per content row"
            if orm["correlated_subqueries"]
            else f"{orm['subqueries_run_once']} audience subqueries, each hashed once"
        )
        if sql_ratios[kind] > 1.5:
            lines.append(
                f"! {label}: the ORM's SQL takes {sql_ratios[kind]:.1f}x the hand-written SQL through the same driver "
                f"({how}, against one audience set computed once)"
            )
        elif sql_ratios[kind] < 1 / 1.5:
            why = (
                ": it stops with the page, while the hand-written NOT IN first builds the whole excluded set"
                if kind == "page"
                else ""
            )
            lines.append(f"- {label}: the ORM's SQL takes {sql_ratios[kind]:.2f}x the hand-written SQL ({how}){why}")
        overhead = timings[f"{kind}_orm"]["median"] - timings[f"{kind}_orm_sql"]["median"]
        if overhead > 0.25 * timings[f"{kind}_orm"]["median"]:
            lines.append(
                f"! {label}: the ORM adds {overhead * 1000:.1f} ms to its own SQL "
                f"({overhead / timings[f'{kind}_orm']['median']:.0%} of its time: statement building, session, objects)"
            )
    count_share = timings["count_orm"]["median"] / timings["feed_orm"]["median"]
    lines.append(
        f"- the exact count is {count_share:.0%} of the ORM feed's time: it checks every approved item in its "
        f"window (~{rows['approved_in_window']:,}), whatever the index"
        + ("; the open proposal below caps it" if "proposal" in result else "")
    )
    return lines


def render(result: dict[str, Any], *, full_plans: bool) -> str:
    sizes, rows, load_seconds = result["sizes"], result["rows"], result["load_seconds"]
    timings, ratios = result["timings"], result["ratios_orm_over_hand"]
    inserted = ", ".join(
        f"{name} {seconds:.2f}s"
        for name, seconds in load_seconds.items()
        if name not in {"generate", "migrate", "analyze", "total_insert"}
    )
    analyze_note = f"ANALYZE {load_seconds['analyze']:.2f}s" if result["analyzed"] else "no ANALYZE (as deployed)"
    lines = [
        f"== What may this ambassador share now: {result['backend']}, {sizes['ambassadors']:,} ambassadors, "
        f"{sizes['content']:,} content items",
        f"rows: {rows['content_audience']:,} audience, {rows['content_topic']:,} topic; "
        f"{rows['approved_in_window']:,} content items approved and in their window, "
        f"{rows['approved_scheduled']:,} approved and scheduled for later",
        f"load: insert {load_seconds['total_insert']:.2f}s ({inserted}); {analyze_note}; "
        f"generate {load_seconds['generate']:.2f}s, migrate {load_seconds['migrate']:.2f}s",
        _schema_line(result),
        f"baseline: {result['baseline']}",
        f"timed: {len(result['ambassadors_sampled'])} ambassadors x {result['repeats']} rounds; "
        f"their feeds hold {', '.join(str(a['count']) for a in result['ambassadors_sampled'])} items",
        "",
    ]
    labels = VARIANTS | {"feed_orm": "feed (page + count), ORM", "feed_hand": "feed (page + count), hand-written"}
    table_rows = []
    for name, label in labels.items():
        summary = timings[name]
        kind = name.split("_")[0]
        against = f"{ratio(summary['median'], timings[f'{kind}_hand']['median']):.2f}x"
        table_rows.append([label, milliseconds(summary["median"]), milliseconds(summary["p95"]), against])
    lines.append(table(["query", "median ms", "p95 ms", "vs hand"], table_rows))
    lines.append(
        f"ratio ORM / hand-written (medians): first page {ratios['page']:.2f}, count {ratios['count']:.2f}, "
        f"feed {ratios['feed']:.2f}"
    )
    lines.append("")
    full = ("page_orm", "count_orm", "page_hand", "count_hand") if full_plans else ()
    lines.extend(_plan_lines(result, ("page_orm", "count_orm", "page_hand", "count_hand"), full=full))
    lines.extend(_advice(result))
    if "proposal" in result:
        proposal = result["proposal"]
        lines.append("")
        lines.append(f"-- open proposal (not adopted): {proposal['label']}; ORM query, same rounds as above")
        stage_rows = []
        for name, label in (PROPOSED_VARIANTS | {"feed_orm_capped": "feed (page + capped count), ORM"}).items():
            summary = timings[name]
            baseline = timings[PROPOSED_BASELINES.get(name, "feed_orm")]
            against = f"{ratio(summary['median'], baseline['median']):.2f}x"
            stage_rows.append([label, milliseconds(summary["median"]), milliseconds(summary["p95"]), against])
        lines.append(table(["query", "median ms", "p95 ms", "vs today"], stage_rows))
        lines.extend(_plan_lines(result, tuple(PROPOSED_VARIANTS), full=tuple(PROPOSED_VARIANTS) if full_plans else ()))
    if full_plans:
        lines.append("")
        lines.append("hand-written SQL, first page:")
        lines.extend(f"    {line}" for line in HAND_PAGE.strip().splitlines())
    return "\n".join(lines)
