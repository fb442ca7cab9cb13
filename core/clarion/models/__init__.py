"""Every table of the core, imported in one place so Alembic sees them all."""

# The naming convention must be set before any table is declared.
from clarion.models import base  # noqa: F401  # isort: skip


from clarion.models.ambassador import (
    AccountStatus,
    AdvocacyLevel,
    Ambassador,
    ApiToken,
    ConnectState,
    ConsentState,
    NetworkAccount,
    Role,
)
from clarion.models.analytics import AnalyticsDaily, AnalyticsMetricDaily, AnalyticsWatermark
from clarion.models.base import metadata
from clarion.models.campaign import Campaign
from clarion.models.click import Click
from clarion.models.content import (
    AudienceDimension,
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    ContentTopic,
    EditPolicy,
    ShareText,
)
from clarion.models.metrics import Event, MetricSample, MetricSource
from clarion.models.share import Share, ShareMethod, ShareStatus
from clarion.models.types import UTCDateTime, utcnow

__all__ = [
    "AccountStatus",
    "AdvocacyLevel",
    "Ambassador",
    "AnalyticsDaily",
    "AnalyticsMetricDaily",
    "AnalyticsWatermark",
    "ApiToken",
    "AudienceDimension",
    "Campaign",
    "Click",
    "ConnectState",
    "ConsentState",
    "Content",
    "ContentAudience",
    "ContentOrigin",
    "ContentStatus",
    "ContentTopic",
    "EditPolicy",
    "Event",
    "MetricSample",
    "MetricSource",
    "NetworkAccount",
    "Role",
    "Share",
    "ShareMethod",
    "ShareStatus",
    "ShareText",
    "UTCDateTime",
    "metadata",
    "utcnow",
]
