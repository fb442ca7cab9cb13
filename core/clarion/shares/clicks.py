"""Clicks on tracked links: captured into the journal by the redirect, ingested into ``click`` later.

Capture (:class:`ClickCapture`) does only what needs the raw request — the visitor hash, the
office-network flag, the prefetch marker, the QR marker — and appends one line to this process's
journal before the redirect is answered. Ingestion (:class:`ClickIngester`) classifies bots,
duplicates and self-clicks, stores the rows idempotently by ``capture_id``, records a
``click.counted`` event for each counted click and deletes fully ingested journal segments.
"""

from __future__ import annotations

import bisect
import ipaddress
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import Click, Share, utcnow
from clarion.shares.bots import bot_reason, user_agent_verdict
from clarion.shares.click_journal import JournalReader, JournalWriter, journal_dir
from clarion.shares.visitors import (
    VisitorHasher,
    ambassador_visitors,
    purge_visitor_keys,
    remember_ambassador_visitor,
    visitor_hash,
)

if TYPE_CHECKING:
    from clarion.engine import Engine

logger = logging.getLogger("clarion.clicks")

USER_AGENT_LENGTH = 512
REFERRER_HOST_LENGTH = 255
BATCH_SIZE = 1000


def referrer_host(referrer: str | None) -> str | None:
    """The host of a ``Referer`` header, lower-cased; never its path or query (they may name people)."""
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    return host[:REFERRER_HOST_LENGTH] if host else None


class ClickCapture:
    """The redirect's side of click tracking, one per engine (and so per process)."""

    def __init__(self, engine: Engine) -> None:
        settings = engine.settings
        self.engine = engine
        self.writer = JournalWriter(journal_dir(settings), segment_bytes=settings.click_journal_segment_bytes)
        self.hasher = VisitorHasher()
        self.office_networks = [ipaddress.ip_network(network) for network in settings.office_networks]
        self._ambassadors_seen: set[tuple[int, date, str]] = set()
        self._seen_lock = threading.Lock()

    def needs_key(self, now: datetime) -> bool:
        """Whether capturing now needs a database read first (once a day per process)."""
        return self.hasher.cached(now) is None

    def load_key(self, now: datetime) -> None:
        """Read (or create) today's visitor key; a failure only costs this click its hash."""
        try:
            with self.engine.transaction() as session:
                self.hasher.load(session, now)
        except Exception:
            logger.exception("today's visitor key could not be read; clicks are journalled without a visitor hash")

    def _hash(self, address: str | None, user_agent: str, now: datetime) -> str | None:
        secret = self.hasher.cached(now)
        if secret is None or not address:
            return None
        return visitor_hash(secret, address, user_agent)

    def is_internal(self, address: str | None) -> bool:
        if not address or not self.office_networks:
            return False
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.office_networks)

    def capture(
        self,
        share_id: int,
        *,
        now: datetime,
        method: str,
        address: str | None,
        user_agent: str | None,
        referrer: str | None,
        prefetch: bool,
        via_qr: bool,
    ) -> str:
        """Journal one request to a tracked link; returns its ``capture_id``.

        The address is hashed here and goes no further: it is in no record, log or row.

        Raises:
            OSError: the journal could not be written.
        """
        agent = (user_agent or "")[:USER_AGENT_LENGTH]
        capture_id = secrets.token_hex(16)
        record: dict[str, Any] = {
            "id": capture_id,
            "s": share_id,
            "t": now.timestamp(),
            "v": self._hash(address, user_agent or "", now),
            "m": method.upper(),
            "ua": agent if user_agent is not None else None,
            "r": referrer_host(referrer),
            "p": prefetch,
            "i": self.is_internal(address),
            "q": via_qr,
        }
        self.writer.append(record)
        return capture_id

    def remember_ambassador(self, ambassador_id: int, address: str | None, user_agent: str | None) -> None:
        """Note the visitor hash an authenticated ambassador has today, so their own clicks are known."""
        now = self.engine.clock.now()
        if not address:
            return
        if self.needs_key(now):
            self.load_key(now)
        hashed = self._hash(address, user_agent or "", now)
        if hashed is None:
            return
        key = (ambassador_id, now.date(), hashed)
        with self._seen_lock:
            if key in self._ambassadors_seen:
                return
        with self.engine.transaction() as session:
            remember_ambassador_visitor(session, ambassador_id, now.date(), hashed)
        with self._seen_lock:
            if len(self._ambassadors_seen) > 100_000:
                self._ambassadors_seen.clear()
            self._ambassadors_seen.add(key)

    def close(self) -> None:
        self.writer.close()


# -- ingestion ---------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What one ingestion pass did."""

    read: int = 0
    stored: int = 0
    counted: int = 0
    already_stored: int = 0
    orphaned: int = 0
    unreadable: int = 0
    segments_removed: int = 0
    keys_destroyed: int = 0
    busy: bool = False

    def add(self, other: IngestReport) -> None:
        for name in ("read", "stored", "counted", "already_stored", "orphaned", "unreadable", "segments_removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class _Captured:
    capture_id: str
    share_id: int
    occurred_at: datetime
    visitor_hash: str | None
    method: str
    user_agent: str | None
    referrer_host: str | None
    prefetch: bool
    internal: bool
    via_qr: bool

    @classmethod
    def parse(cls, record: dict[str, Any]) -> _Captured | None:
        try:
            capture_id, share_id, stamp = record["id"], record["s"], record["t"]
            if not isinstance(capture_id, str) or not 0 < len(capture_id) <= 64 or not isinstance(share_id, int):
                return None
            user_agent = record.get("ua")
            visitor = record.get("v")
            referrer = record.get("r")
            return cls(
                capture_id=capture_id,
                share_id=share_id,
                occurred_at=datetime.fromtimestamp(float(stamp), UTC),
                visitor_hash=visitor if isinstance(visitor, str) else None,
                method=str(record.get("m", "GET")),
                user_agent=user_agent[:USER_AGENT_LENGTH] if isinstance(user_agent, str) else None,
                referrer_host=referrer[:REFERRER_HOST_LENGTH] if isinstance(referrer, str) else None,
                prefetch=bool(record.get("p")),
                internal=bool(record.get("i")),
                via_qr=bool(record.get("q")),
            )
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            return None


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def store_clicks(session: Session, captured: list[_Captured], window: timedelta) -> IngestReport:
    """Classify and store captured clicks not stored yet; record ``click.counted`` for counted ones."""
    report = IngestReport()
    if not captured:
        return report
    ids = [item.capture_id for item in captured]
    existing = set(session.exec(select(Click.capture_id).where(col(Click.capture_id).in_(ids))).all())
    fresh: dict[str, _Captured] = {}
    for item in captured:
        if item.capture_id in existing or item.capture_id in fresh:
            report.already_stored += 1
        else:
            fresh[item.capture_id] = item
    share_ids = {item.share_id for item in fresh.values()}
    shares = {
        share_id: (ambassador_id, content_id, network)
        for share_id, ambassador_id, content_id, network in session.exec(
            select(Share.id, Share.ambassador_id, Share.content_id, Share.network).where(col(Share.id).in_(share_ids))
        ).all()
    }
    pending = sorted(
        (item for item in fresh.values() if item.share_id in shares),
        key=lambda item: (item.occurred_at, item.capture_id),
    )
    report.orphaned = len(fresh) - len(pending)  # the share was deleted since: nothing to attribute it to
    if not pending:
        return report
    hashes = {item.visitor_hash for item in pending if item.visitor_hash}
    own = ambassador_visitors(session, {item.occurred_at.date() for item in pending}, hashes)
    # The latest stored person's click per (share, visitor) in reach of this batch: one row per
    # pair however many clicks a visitor made, so a link hammered by one client stays cheap.
    earlier: dict[tuple[int, str], list[datetime]] = {}
    if hashes:
        rows = session.exec(
            select(Click.share_id, Click.visitor_hash, sa.func.max(Click.occurred_at))
            .where(
                col(Click.share_id).in_({item.share_id for item in pending}),
                col(Click.visitor_hash).in_(hashes),
                col(Click.bot_reason).is_(None),
                col(Click.occurred_at) >= pending[0].occurred_at - window,
                col(Click.occurred_at) <= pending[-1].occurred_at,
            )
            .group_by(col(Click.share_id), col(Click.visitor_hash))
        ).all()
        for share_id, hashed, latest in rows:
            earlier[(share_id, hashed or "")] = [latest]
    rows_to_insert: list[dict[str, Any]] = []
    recorded_at = utcnow()
    for item in pending:
        reason = bot_reason(method=item.method, user_agent=item.user_agent, prefetch=item.prefetch)
        ambassador_id = shares[item.share_id][0]
        is_self = bool(item.visitor_hash) and (ambassador_id, item.occurred_at.date(), item.visitor_hash) in own
        duplicate = False
        if reason is None and item.visitor_hash:
            times = earlier.setdefault((item.share_id, item.visitor_hash), [])
            position = bisect.bisect_right(times, item.occurred_at)
            duplicate = position > 0 and item.occurred_at - times[position - 1] <= window
            if not times or item.occurred_at >= times[-1]:
                times[:] = [item.occurred_at]  # only the latest matters for what follows in time order
            else:
                bisect.insort(times, item.occurred_at)
        rows_to_insert.append(
            {
                "capture_id": item.capture_id,
                "share_id": item.share_id,
                "occurred_at": item.occurred_at,
                "recorded_at": recorded_at,
                "visitor_hash": item.visitor_hash,
                "user_agent": item.user_agent,
                "referrer_host": item.referrer_host,
                "bot_reason": reason,
                "is_internal": item.internal,
                "is_self": is_self,
                "is_duplicate": duplicate,
                "via_qr": item.via_qr,
                "counted": reason is None and not (item.internal or is_self or duplicate),
            }
        )
    # Core, not ORM, insert: the rows are plain values and the ORM's bulk path costs more per row.
    # No RETURNING: only counted clicks need their id (for their event), and they are a fraction.
    table: sa.Table = Click.__table__  # type: ignore[attr-defined]
    statement = _insert(session)(table).on_conflict_do_nothing(index_elements=["capture_id"])
    result = session.connection().execute(statement, rows_to_insert)
    # Rows already stored were set aside above under the ingest lock; a conflict here would mean
    # another writer of the same capture ids, and the database's count says so where it can.
    stored = result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows_to_insert)
    report.stored = stored
    report.already_stored += len(rows_to_insert) - stored
    counted = {row["capture_id"]: row for row in rows_to_insert if row["counted"]}
    click_ids: list[tuple[str, int]] = []
    if counted:
        query = sa.select(table.c.capture_id, table.c.id).where(table.c.capture_id.in_(list(counted)))
        click_ids = [(capture_id, click_id) for capture_id, click_id in session.connection().execute(query)]
    for capture_id, click_id in click_ids:
        row = counted[capture_id]
        ambassador_id, content_id, network = shares[row["share_id"]]
        record_event(
            session,
            EventKind.CLICK_COUNTED,
            idempotency_key=f"{EventKind.CLICK_COUNTED}:{click_id}",
            ambassador_id=ambassador_id,
            content_id=content_id,
            share_id=row["share_id"],
            occurred_at=row["occurred_at"],
            payload={"click_id": click_id, "network": network, "via_qr": row["via_qr"]},
        )
        report.counted += 1
    return report


class ClickIngester:
    """Moves journalled clicks into the database; keeps its place in segments still being written."""

    def __init__(self, engine: Engine, *, batch_size: int = BATCH_SIZE) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.reader = JournalReader(journal_dir(engine.settings))
        self._offsets: dict[str, int] = {}
        self._window = timedelta(seconds=engine.settings.duplicate_window_seconds)

    def run_once(self, *, wait: bool = False) -> IngestReport:
        """One pass over the journal; with ``wait`` off, returns at once (``busy``) if another runs.

        Records are committed before their segment is deleted, and re-reading a record already
        stored is a no-op, so a pass cut short anywhere loses and doubles nothing.
        """
        report = IngestReport()
        with self.reader.exclusive(wait=wait) as acquired:
            if not acquired:
                report.busy = True
                return report
            with self.reader.segments() as segments:
                names = {segment.path.name for segment in segments}
                self._offsets = {name: offset for name, offset in self._offsets.items() if name in names}
                for segment in segments:
                    report.add(self._ingest_segment(segment))
            with self.engine.transaction() as session:
                report.keys_destroyed = purge_visitor_keys(session, self.engine.clock.now(), self._window)
        return report

    def _ingest_segment(self, segment: Any) -> IngestReport:
        report = IngestReport()
        name = segment.path.name
        records, offset, unreadable = segment.read_from(self._offsets.get(name, 0))
        report.unreadable = unreadable
        if unreadable:
            logger.warning("%d unreadable line(s) in click journal segment %s skipped", unreadable, name)
        report.read = len(records)
        parsed: list[_Captured] = []
        for record in records:
            item = _Captured.parse(record)
            if item is None:
                report.unreadable += 1
            else:
                parsed.append(item)
        for start in range(0, len(parsed), self.batch_size):
            with self.engine.transaction() as session:
                report.add(store_clicks(session, parsed[start : start + self.batch_size], self._window))
        if segment.sealed:
            segment.path.unlink(missing_ok=True)
            self._offsets.pop(name, None)
            report.segments_removed = 1
        else:
            self._offsets[name] = offset
        return report


def ingest_clicks(engine: Engine, *, wait: bool = True) -> IngestReport:
    """One ingestion pass from the start of every segment (the CLI and the periodic job)."""
    return ClickIngester(engine).run_once(wait=wait)


class ClickIngestLoop:
    """Runs :class:`ClickIngester` every ``interval`` seconds on a thread, with a last pass on stop."""

    def __init__(self, engine: Engine, *, interval: float | None = None) -> None:
        self.ingester = ClickIngester(engine)
        self.interval = interval if interval is not None else engine.settings.click_ingest_interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clarion-click-ingester", daemon=True)

    def start(self) -> ClickIngestLoop:
        self._thread.start()
        return self

    def _pass(self, *, wait: bool) -> None:
        try:
            self.ingester.run_once(wait=wait)
        except Exception:
            logger.exception("click ingestion failed; the journal keeps the clicks for the next pass")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._pass(wait=False)

    def stop(self) -> None:
        """Stop the thread after one last pass (clicks of a graceful shutdown land at once)."""
        self._stop.set()
        self._thread.join()
        self._pass(wait=True)


# -- reclassification -----------------------------------------------------------------------------


@dataclass
class ReclassifyReport:
    """What a reclassification pass changed."""

    checked: int = 0
    now_bots: int = 0
    discounted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def reclassify_clicks(
    engine: Engine, *, since: datetime | None = None, batch_size: int = BATCH_SIZE
) -> ReclassifyReport:
    """Run the bot detector again over stored user agents; clicks now found to be bots stop counting.

    A counted click that turns out to be a bot gets ``bot_reason``, loses ``counted`` and gets a
    ``click.discounted`` event (once). HEAD and prefetch verdicts never change. A click once
    judged a bot is left as it is.
    """
    report = ReclassifyReport()
    last_id = 0
    while True:
        with engine.transaction() as session:
            query = select(Click).where(col(Click.id) > last_id, col(Click.bot_reason).is_(None))
            if since is not None:
                query = query.where(col(Click.occurred_at) >= since)
            clicks = session.exec(query.order_by(col(Click.id)).limit(batch_size)).all()
            if not clicks:
                return report
            for click in clicks:
                assert click.id is not None
                last_id = click.id
                report.checked += 1
                reason = user_agent_verdict(click.user_agent or "")
                if reason is None:
                    continue
                report.now_bots += 1
                report.reasons[reason] = report.reasons.get(reason, 0) + 1
                was_counted = click.counted
                click.bot_reason, click.counted = reason[:120], False
                session.add(click)
                if was_counted:
                    _record_discount(session, click, reason)
                    report.discounted += 1


def _record_discount(session: Session, click: Click, reason: str) -> None:
    assert click.id is not None
    share = session.get(Share, click.share_id)
    record_event(
        session,
        EventKind.CLICK_DISCOUNTED,
        idempotency_key=f"{EventKind.CLICK_DISCOUNTED}:{click.id}",
        ambassador_id=share.ambassador_id if share else None,
        content_id=share.content_id if share else None,
        share_id=click.share_id,
        occurred_at=utcnow(),
        payload={"click_id": click.id, "reason": reason},
    )


def click_capture(engine: Engine) -> ClickCapture:
    """This process's click capture for ``engine``: its journal segment opens on the first click."""
    return engine.resource("clicks", ClickCapture)
