"""Ambassadors (people in the programme) and the network accounts they use."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class Role(StrEnum):
    AMBASSADOR = "ambassador"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class AdvocacyLevel(StrEnum):
    """The growth path: engage with posts, curate others' content, produce your own."""

    ENGAGEMENT = "engagement"
    CURATION = "curation"
    PRODUCTION = "production"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    RECONNECT_NEEDED = "reconnect_needed"  # the network refused a refresh: connect again


class ConsentState(StrEnum):
    INVITED = "invited"
    OPTED_IN = "opted_in"
    PAUSED = "paused"
    LEFT = "left"


class Ambassador(SQLModel, table=True):
    __tablename__ = "ambassador"
    __table_args__ = (
        sa.CheckConstraint("length(external_id) > 0", name="external_id_not_empty"),
        sa.CheckConstraint(
            "(quiet_hours_start IS NULL) = (quiet_hours_end IS NULL)"
            " AND (quiet_hours_start IS NULL OR quiet_hours_start BETWEEN 0 AND 1439)"
            " AND (quiet_hours_end IS NULL OR quiet_hours_end BETWEEN 0 AND 1439)",
            name="quiet_hours_valid",
        ),
        sa.Index(None, "department", "team"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200, unique=True, description="Identity key from the intranet.")
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    department: str | None = Field(default=None, max_length=120)
    team: str | None = Field(default=None, max_length=120, index=True)
    locale: str = Field(default="en", max_length=16)
    time_zone: str = Field(default="UTC", max_length=64)
    role: Role = Field(default=Role.AMBASSADOR, sa_type=enum_type(Role, "role"))
    opted_in_at: datetime | None = Field(default=None, sa_column=utc_column())
    paused_at: datetime | None = Field(default=None, sa_column=utc_column())
    left_at: datetime | None = Field(default=None, sa_column=utc_column())
    guidelines_version: str | None = Field(default=None, max_length=32)
    guidelines_accepted_at: datetime | None = Field(default=None, sa_column=utc_column())
    advocacy_level: AdvocacyLevel = Field(
        default=AdvocacyLevel.ENGAGEMENT, sa_type=enum_type(AdvocacyLevel, "advocacy_level")
    )
    leaderboard_visible: bool = Field(default=True)
    erased_at: datetime | None = Field(
        default=None, sa_column=utc_column(), description="When the person's data was erased; the row is a pseudonym."
    )
    quiet_hours_start: int | None = Field(
        default=None, description="Minutes after local midnight when quiet hours begin (no scheduled posts)."
    )
    quiet_hours_end: int | None = Field(default=None, description="Minutes after local midnight when they end.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))

    @property
    def consent(self) -> ConsentState:
        if self.left_at is not None:
            return ConsentState.LEFT
        if self.paused_at is not None:
            return ConsentState.PAUSED
        if self.opted_in_at is not None:
            return ConsentState.OPTED_IN
        return ConsentState.INVITED

    @property
    def is_active(self) -> bool:
        """May share: opted in, not paused, not left."""
        return self.consent is ConsentState.OPTED_IN


class NetworkAccount(SQLModel, table=True):
    __tablename__ = "network_account"
    __table_args__ = (
        sa.UniqueConstraint("ambassador_id", "network", "handle"),
        sa.CheckConstraint("follower_count IS NULL OR follower_count >= 0", name="followers_not_negative"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    network: str = Field(max_length=40)
    handle: str = Field(max_length=200)
    follower_count: int | None = Field(default=None)
    followers_read_at: datetime | None = Field(default=None, sa_column=utc_column())
    credentials_encrypted: bytes | None = Field(
        default=None,
        sa_column=sa.Column(sa.LargeBinary(), nullable=True),
        description="Encrypted OAuth credentials; never stored or logged in clear.",
    )
    credentials_version: int = Field(
        default=0,
        sa_column=sa.Column(sa.Integer(), nullable=False, server_default=sa.text("0")),
        description="Bumped on every credential change: refreshes compare-and-swap on it.",
    )
    account_id: str | None = Field(default=None, max_length=300, description="The network's id for the person.")
    instance: str | None = Field(default=None, max_length=300, description="Mastodon instance or Bluesky PDS.")
    status: AccountStatus = Field(
        default=AccountStatus.ACTIVE,
        sa_column=sa.Column(
            enum_type(AccountStatus, "account_status"), nullable=False, server_default=sa.text("'active'")
        ),
    )
    token_expires_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class ApiToken(SQLModel, table=True):
    """A long-lived token for automation, acting as one ambassador (usually an admin)."""

    __tablename__ = "api_token"
    __table_args__ = (SQLITE_NO_ID_REUSE,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    token_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the secret part.")
    prefix: str = Field(max_length=16, description="Public part, shown in listings.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column())


class ConnectState(SQLModel, table=True):
    """A pending OAuth connection: the state parameter (hashed) and what finishing it needs."""

    __tablename__ = "connect_state"
    __table_args__ = (SQLITE_NO_ID_REUSE,)

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the state sent to the network.")
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    network: str = Field(max_length=40)
    pending_encrypted: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
