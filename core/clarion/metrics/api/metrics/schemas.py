"""Metric samples as the API returns them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from clarion.metrics.metrics import ShareMetrics
from clarion.models import MetricSource


class SampleOut(BaseModel):
    metric: str = Field(examples=["reactions"])
    value: int = Field(description="Cumulative: the total at observed_at.", examples=[42])
    source: MetricSource = Field(examples=["reported"])
    origin: str | None = Field(
        description="How a figure reached Clarion: api (polled from the network) or import (an admin's CSV).",
        examples=["api"],
    )
    observed_at: datetime = Field(examples=["2026-11-21T10:00:00Z"])
    recorded_at: datetime = Field(examples=["2026-11-21T10:00:02Z"])


class ShareMetricsOut(BaseModel):
    share_id: int = Field(examples=[77])
    network: str = Field(examples=["mastodon"])
    latest: list[SampleOut] = Field(description="The newest sample of each metric from each source.")
    samples: list[SampleOut] = Field(description="Every sample, oldest first.")
    last_synced_at: datetime | None = Field(
        description="When the network was last asked for this share's figures.", examples=["2026-11-21T10:00:00Z"]
    )
    next_sync_at: datetime | None = Field(
        description="When it is due again; none when it has never been polled.", examples=["2026-11-21T11:00:00Z"]
    )
    sync_error: str | None = Field(description="Why the last poll did not succeed, if it did not.", examples=[None])

    @classmethod
    def of(cls, metrics: ShareMetrics) -> ShareMetricsOut:
        assert metrics.share.id is not None
        samples = [
            SampleOut(
                metric=sample.metric,
                value=sample.value,
                source=sample.source,
                origin=sample.origin,
                observed_at=sample.observed_at,
                recorded_at=sample.recorded_at,
            )
            for sample in metrics.samples
        ]
        newest: dict[tuple[str, MetricSource], SampleOut] = {}
        for sample in samples:  # oldest first: the last one written wins
            newest[(sample.metric, sample.source)] = sample
        sync = metrics.sync
        return cls(
            share_id=metrics.share.id,
            network=metrics.share.network,
            latest=sorted(newest.values(), key=lambda sample: (sample.metric, sample.source)),
            samples=samples,
            last_synced_at=sync.last_synced_at if sync else None,
            next_sync_at=sync.next_sync_at if sync else None,
            sync_error=sync.last_error if sync else None,
        )
