"""Potential reach: the sharer's audience on a network, snapshotted when the share goes out."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.engine import Engine
from clarion.models import MetricSource, NetworkAccount, Share

REPORTED_FORMULA = "potential reach = the sharer's follower count on the network, read when the share went out"
ESTIMATED_FORMULA = (
    "potential reach = the network's typical audience per member (setting potential_reach_defaults, else the "
    "connector's figure) for each share whose sharer's follower count is unknown"
)


@dataclass(frozen=True)
class ReachSnapshot:
    value: int
    source: MetricSource


def default_reach(engine: Engine, network: str) -> int | None:
    """The estimated audience on ``network``: the setting for it, the connector's figure, the "default" setting."""
    defaults = engine.settings.potential_reach_defaults
    if network in defaults:
        return defaults[network]
    connector = engine.connectors().get(network)
    if connector is not None and connector.typical_audience is not None:
        return connector.typical_audience
    return defaults.get("default")


def potential_reach(engine: Engine, session: Session, ambassador_id: int, network: str) -> ReachSnapshot | None:
    """The ambassador's follower count on ``network`` (reported), else the network's default (estimated).

    ``None`` when neither is known: Clarion shows no reach rather than inventing one.
    """
    followers = session.exec(
        select(sa.func.max(col(NetworkAccount.follower_count))).where(
            NetworkAccount.ambassador_id == ambassador_id,
            NetworkAccount.network == network,
            col(NetworkAccount.follower_count).is_not(None),
        )
    ).one()
    if followers is not None:
        return ReachSnapshot(int(followers), MetricSource.REPORTED)
    estimate = default_reach(engine, network)
    return ReachSnapshot(estimate, MetricSource.ESTIMATED) if estimate is not None else None


def snapshot_potential_reach(engine: Engine, session: Session, share: Share) -> None:
    """Store the share's potential reach as it is now; a share keeps the figure of its first snapshot."""
    if share.potential_reach is not None:
        return
    snapshot = potential_reach(engine, session, share.ambassador_id, share.network)
    if snapshot is not None:
        share.potential_reach = snapshot.value
        share.potential_reach_source = snapshot.source
