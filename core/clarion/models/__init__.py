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
from clarion.models.audit import AuditEntry, AuditPurge
from clarion.models.auth_session import AuthSession, SessionKind
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
from clarion.models.guidelines import GuidelinesVersion
from clarion.models.metrics import Event, MetricOrigin, MetricSample, MetricSource, MetricSync
from clarion.models.points import DailyPoints, EntryStatus, PointsEntry
from clarion.models.rate_limit import RateLimit
from clarion.models.share import Share, ShareMethod, ShareStatus
from clarion.models.token_use import UsedTokenId
from clarion.models.types import UTCDateTime, utcnow
from clarion.models.visitor import AmbassadorVisitor, VisitorKey

__all__ = [
    "AccountStatus",
    "AdvocacyLevel",
    "Ambassador",
    "AmbassadorVisitor",
    "AnalyticsDaily",
    "AnalyticsMetricDaily",
    "AnalyticsWatermark",
    "ApiToken",
    "AudienceDimension",
    "AuditEntry",
    "AuditPurge",
    "AuthSession",
    "Campaign",
    "Click",
    "ConnectState",
    "ConsentState",
    "Content",
    "ContentAudience",
    "ContentOrigin",
    "ContentStatus",
    "ContentTopic",
    "DailyPoints",
    "EditPolicy",
    "EntryStatus",
    "Event",
    "GuidelinesVersion",
    "MetricOrigin",
    "MetricSample",
    "MetricSource",
    "MetricSync",
    "NetworkAccount",
    "PointsEntry",
    "RateLimit",
    "Role",
    "SessionKind",
    "Share",
    "ShareMethod",
    "ShareStatus",
    "ShareText",
    "UTCDateTime",
    "UsedTokenId",
    "VisitorKey",
    "metadata",
    "utcnow",
]

# The core's own tables: every table defined by now. Plugins define theirs in the same metadata
# after importing this module, and own them (their migrations, their drift check).
CORE_TABLES: frozenset[str] = frozenset(metadata.tables)
