"""The demo programme arrives with its rollups filed: a campaign's figures show at once, with provenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clarion.metrics import rollups
from clarion.metrics.figures import Period, Scope, report
from clarion.models import Campaign, utcnow
from clarion_plugins.demo import load


@pytest.mark.slow
def test_demo_campaigns_have_reach_and_emv_at_once(clarion_engine):
    load(clarion_engine, seed=7)
    today = utcnow().date()
    period = Period(today - timedelta(days=89), today)
    with clarion_engine.transaction() as session:
        campaign_id = session.execute(sa.select(Campaign.id).order_by(Campaign.id)).scalars().first()
        found = report(clarion_engine, session, Scope(campaign_id=campaign_id), period)
    figures = {figure.key: figure for figure in found.figures}
    assert figures["shares"].value > 0
    assert figures["potential_reach"].value > 0
    assert figures["potential_reach"].parts["reported"] == figures["potential_reach"].value
    assert figures["engagement"].value > 0
    assert figures["engagement"].source == "reported"
    assert {value.model for value in found.emv} == {"cpc", "cpm", "interactions"}
    # Everything was filed: an update finds nothing left to fold.
    assert rollups.update(clarion_engine, settle_seconds=0).total == 0
