"""A plugin that follows the ledger: a running total per person kept in memory, and a line on my-impact."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlmodel import col

from clarion import hookimpl
from clarion.models import DailyPoints


class PointsFollower:
    """One instance per test: what it heard, and a total it keeps in step with the ledger."""

    def __init__(self) -> None:
        self.totals: Counter[int] = Counter()
        self.changes: list[tuple[int, int]] = []
        self.scored: list[tuple[str, list[int]]] = []
        self.recomputed = 0
        self.in_transaction: list[bool] = []

    @hookimpl
    def clarion_points_on_change(self, session, changes):
        self.in_transaction.append(session.in_transaction())
        for change in changes:
            self.totals[change.ambassador_id] += change.points
            self.changes.append((change.ambassador_id, change.points))

    @hookimpl
    def clarion_points_on_scored(self, event, entries):
        self.scored.append((event.kind, [entry.points for entry in entries]))

    @hookimpl
    def clarion_points_on_recompute(self, session):
        self.recomputed += 1
        rows = session.execute(
            sa.select(col(DailyPoints.ambassador_id), sa.func.sum(DailyPoints.points)).group_by(
                col(DailyPoints.ambassador_id)
            )
        ).all()
        self.totals = Counter({who: int(points) for who, points in rows})

    @hookimpl
    def clarion_widget_context_compute(self, widget, viewer, session):
        if widget == "my-impact":
            return {"followed_total": self.totals[viewer.ambassador_id]}
        return None


class FailingFollower:
    """Fails when told points moved: the ledger write is rolled back with it."""

    @hookimpl
    def clarion_points_on_change(self, changes):
        raise RuntimeError("the follower's table is gone")

    @hookimpl
    def clarion_points_on_scored(self, event):
        raise RuntimeError("the follower is down")
