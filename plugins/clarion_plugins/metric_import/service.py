"""Importing figures an admin copied from a network without an API: a CSV file, all rows or none.

The ``metrics-import`` plugin's service; the API (:mod:`clarion_plugins.metric_import.api`), the
admin page (:mod:`clarion_plugins.metric_import.admin`) and ``clarion import-metrics`` call it.

Columns (header row required, any order, case-insensitive; comma, semicolon or tab separated):

- ``share``: the share's id, its tracked-link code, its tracked link, or the post's URL;
- ``metric``: one of :data:`clarion.connectors.METRIC_NAMES` (or an alias such as ``likes``);
- ``value``: a whole number, at least 0 (``1,234`` is read as 1234);
- ``observed_at``: an ISO 8601 date (midnight UTC) or date-time (UTC when it names no offset).

Every row is checked before anything is stored; one bad row stores nothing. Imported samples
are ``reported`` figures with origin ``import``. Re-importing a file changes nothing: a row
equal to a stored sample (same share, metric and time) is counted as unchanged.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from clarion import audit, inputs
from clarion.actors import Actor
from clarion.connectors import METRIC_NAMES
from clarion.engine import Engine
from clarion.errors import InvalidRows, RowProblem, ValidationFailed
from clarion.metrics.metrics import record_sample
from clarion.models import MetricOrigin, MetricSample, MetricSource, Role, Share, ShareStatus

COLUMNS = ("share", "metric", "value", "observed_at")
MAX_ROWS = 10_000
MAX_VALUE = 2**63 - 1
# Clocks differ a little; a reading "from the future" beyond this is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)
ALIASES = {
    "likes": "reactions",
    "favourites": "reactions",
    "favorites": "reactions",
    "replies": "comments",
    "retweets": "reposts",
    "reshares": "reposts",
    "boosts": "reposts",
    "reblogs": "reposts",
    "views": "impressions",
}
NUMBER = re.compile(r"[0-9]+|[0-9]{1,3}(?:[, _][0-9]{3})+")  # ASCII digits: "²" is no number
TRACKED_PATH = re.compile(r"^/r/(?P<code>[A-Za-z0-9_-]{1,16})/?$")


@dataclass(frozen=True)
class ImportedRow:
    """One row of the file, as it was (or would be) stored."""

    line: int
    share_id: int
    metric: str
    value: int
    observed_at: datetime
    unchanged: bool


@dataclass
class ImportReport:
    """What an import stored, or, in a dry run, would store."""

    dry_run: bool
    rows: list[ImportedRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(1 for row in self.rows if not row.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.unchanged)


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return inputs.check_text(content, "file")
    return inputs.decode_text(content, "file")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse_metric(raw: str) -> str | None:
    name = raw.strip().lower().replace(" ", "_")
    name = ALIASES.get(name, name)
    return name if name in METRIC_NAMES else None


def parse_value(raw: str) -> int | str:
    """The value, or the sentence saying why it is not one."""
    text = raw.strip()
    if text.startswith("-") and NUMBER.fullmatch(text[1:]):
        return "must not be negative"
    if not NUMBER.fullmatch(text):
        return f"{text!r} is not a whole number" if text else "is empty"
    value = int(re.sub(r"[, _]", "", text))
    if value > MAX_VALUE:
        return "is too large"
    return value


def parse_observed_at(raw: str, now: datetime) -> datetime | str:
    """The moment in UTC, or the sentence saying why it is not one."""
    text = raw.strip()
    if not text:
        return "is empty"
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return f"{text!r} is not a date (2026-11-20) or date-time (2026-11-20T09:30:00+01:00)"
    try:
        moment = inputs.check_moment(moment, "observed_at")
    except ValidationFailed:
        return f"{text!r} is not in the years {inputs.MIN_YEAR} to {inputs.MAX_YEAR}"
    if moment > now + FUTURE_TOLERANCE:
        return f"{moment.isoformat()} is in the future"
    return moment


class _Shares:
    """Finds shares by id, link code, tracked link or post URL, once each."""

    def __init__(self, engine: Engine, session: Session) -> None:
        self.session = session
        self.base = urlsplit(engine.settings.base_url)
        self.cache: dict[str, Share | None] = {}

    def find(self, reference: str) -> Share | None:
        reference = reference.strip()
        if reference not in self.cache:
            self.cache[reference] = self._lookup(reference)
        return self.cache[reference]

    def _lookup(self, reference: str) -> Share | None:
        if reference.isdigit():
            try:
                return self.session.get(Share, inputs.parse_digits(reference, "share", low=1))
            except ValidationFailed:
                return None
        if reference.startswith(("http://", "https://")):
            parts = urlsplit(reference)
            tracked = TRACKED_PATH.match(parts.path)
            if tracked and parts.hostname == self.base.hostname:
                return self._by_code(tracked["code"])
            variants = {reference, reference.rstrip("/"), reference.rstrip("/") + "/"}
            return self.session.exec(select(Share).where(col(Share.external_post_url).in_(variants))).first()
        return self._by_code(reference)

    def _by_code(self, code: str) -> Share | None:
        return self.session.exec(select(Share).where(Share.link_code == code)).first()


@dataclass
class _Row:
    line: int
    share: Share
    metric: str
    value: int
    observed_at: datetime


def _read_rows(engine: Engine, session: Session, text: str, now: datetime) -> tuple[list[_Row], list[RowProblem]]:
    problems: list[RowProblem] = []
    reader = inputs.csv_rows(text, _dialect(text))
    try:
        _, header = next(reader)
    except StopIteration:
        raise ValidationFailed("the file is empty; it needs a header row: share,metric,value,observed_at") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    if missing or unknown:
        detail = "the header row must name the columns share, metric, value and observed_at"
        if missing:
            detail += f"; missing: {', '.join(missing)}"
        if unknown:
            detail += f"; unknown: {', '.join(repr(name) for name in unknown)}"
        raise ValidationFailed(detail, field="file")
    position = {name: names.index(name) for name in COLUMNS}
    shares = _Shares(engine, session)
    rows: list[_Row] = []
    count = 0
    for line, record in reader:
        if not any(cell.strip() for cell in record):
            continue  # blank lines, often at the end of a spreadsheet export
        count += 1
        if count > MAX_ROWS:
            raise ValidationFailed(f"the file has more than {MAX_ROWS} rows; split it", field="file")
        if len(record) != len(names):
            problems.append(RowProblem(line, None, f"has {len(record)} cells; the header names {len(names)}"))
            continue
        cell = {name: record[index] for name, index in position.items()}
        before = len(problems)
        share = shares.find(cell["share"])
        if not cell["share"].strip():
            problems.append(RowProblem(line, "share", "is empty"))
        elif share is None:
            problems.append(
                RowProblem(line, "share", f"no share {cell['share'].strip()!r} (id, link code or post URL)")
            )
        elif share.status is not ShareStatus.PUBLISHED:
            problems.append(RowProblem(line, "share", f"share {share.id} is {share.status.value}, not published"))
        metric = parse_metric(cell["metric"])
        if metric is None:
            known = ", ".join(METRIC_NAMES)
            problems.append(RowProblem(line, "metric", f"unknown metric {cell['metric'].strip()!r} (known: {known})"))
        value = parse_value(cell["value"])
        if isinstance(value, str):
            problems.append(RowProblem(line, "value", value))
        observed_at = parse_observed_at(cell["observed_at"], now)
        if isinstance(observed_at, str):
            problems.append(RowProblem(line, "observed_at", observed_at))
        if len(problems) == before:
            assert share is not None
            assert metric is not None
            assert isinstance(value, int)
            assert isinstance(observed_at, datetime)
            rows.append(_Row(line, share, metric, value, observed_at))
    if count == 0 and not problems:
        raise ValidationFailed("the file has a header but no rows", field="file")
    return rows, problems


def _check_rows(session: Session, rows: list[_Row]) -> tuple[list[ImportedRow], list[RowProblem]]:
    """Duplicates, clashes with stored samples and readings that go down over time."""
    problems: list[RowProblem] = []
    checked: list[ImportedRow] = []
    seen: dict[tuple[int, str, datetime], int] = {}
    series: dict[tuple[int, str], list[_Row]] = defaultdict(list)
    for row in rows:
        assert row.share.id is not None
        key = (row.share.id, row.metric, row.observed_at)
        if key in seen:
            problems.append(
                RowProblem(row.line, None, f"repeats line {seen[key]} (same share, metric and observed_at)")
            )
            continue
        seen[key] = row.line
        series[(row.share.id, row.metric)].append(row)
    for (share_id, metric), new_rows in series.items():
        stored = session.exec(
            select(MetricSample.observed_at, MetricSample.value).where(
                MetricSample.share_id == share_id,
                MetricSample.metric == metric,
                MetricSample.source == MetricSource.REPORTED,
            )
        ).all()
        stored_at = dict(stored)
        readings = sorted([*stored, *((row.observed_at, row.value) for row in new_rows)])
        for row in new_rows:
            if row.observed_at in stored_at:
                if stored_at[row.observed_at] != row.value:
                    problems.append(
                        RowProblem(
                            row.line,
                            "value",
                            f"{metric} of share {share_id} at {row.observed_at.isoformat()} is already recorded as "
                            f"{stored_at[row.observed_at]}",
                        )
                    )
                else:
                    checked.append(ImportedRow(row.line, share_id, metric, row.value, row.observed_at, True))
                continue
            earlier = [(at, value) for at, value in readings if at < row.observed_at and value > row.value]
            later = [(at, value) for at, value in stored if at > row.observed_at and value < row.value]
            if earlier:
                at, value = earlier[-1]
                problems.append(
                    RowProblem(
                        row.line,
                        "value",
                        f"{row.value} is lower than an earlier reading of {metric} for share {share_id} "
                        f"({value} at {at.isoformat()}); {metric} only grows",
                    )
                )
            elif later:
                at, value = min(later)
                problems.append(
                    RowProblem(
                        row.line,
                        "value",
                        f"{row.value} is higher than a later reading of {metric} for share {share_id} "
                        f"({value} at {at.isoformat()}); {metric} only grows",
                    )
                )
            else:
                checked.append(ImportedRow(row.line, share_id, metric, row.value, row.observed_at, False))
    problems.sort(key=lambda problem: problem.line)
    checked.sort(key=lambda row: row.line)
    return checked, problems


def import_csv(
    engine: Engine, actor: Actor | None, content: bytes | str, *, dry_run: bool = False, now: datetime | None = None
) -> ImportReport:
    """Validate every row of ``content`` and store them all in one transaction, or none.

    Args:
        engine: The engine.
        actor: Who imports; must be an admin. ``None`` is the operator at the command line, who
            holds the database's own rights.
        content: The CSV file.
        dry_run: Check and report what would be stored, store nothing.
        now: The present, for refusing readings from the future.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: the file as a whole is unusable (not UTF-8, bad header, empty, too long).
        InvalidRows: some rows are bad; every problem is listed and nothing was stored.
    """
    if actor is not None:
        actor.require(Role.ADMIN, "importing metrics")
    now = now or engine.clock.now()
    text = _decode(content)
    with engine.transaction() as session:
        rows, problems = _read_rows(engine, session, text, now)
        checked, clashes = _check_rows(session, rows)
        problems = sorted([*problems, *clashes], key=lambda problem: problem.line)
        if problems:
            lines = len({problem.line for problem in problems})
            raise InvalidRows(f"{lines} row(s) of the file have problems; nothing was imported", problems)
        report = ImportReport(dry_run=dry_run, rows=checked)
        if dry_run:
            return report
        for row in checked:
            if not row.unchanged:
                record_sample(
                    session,
                    row.share_id,
                    row.metric,
                    row.value,
                    source=MetricSource.REPORTED,
                    observed_at=row.observed_at,
                    origin=MetricOrigin.IMPORT,
                )
        _audit(session, actor, report, now)
    return report


def _audit(session: Session, actor: Actor | None, report: ImportReport, now: datetime) -> None:
    """Record the import as ``metrics.imported`` in the audit log (the command line has no actor)."""
    if not report.imported:
        return
    shares = sorted({row.share_id for row in report.rows if not row.unchanged})
    after = {"imported": report.imported, "unchanged": report.unchanged, "shares": shares[:100]}
    audit.record(session, actor, "metrics.imported", "import", after=after, via=None if actor else "cli")
