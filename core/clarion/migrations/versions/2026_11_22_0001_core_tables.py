"""Core tables: ambassadors and their accounts, content, campaigns, shares, metrics, events, tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:47:47.047899
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ambassador",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("department", sa.String(length=120), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("ambassador", "editor", "admin", name="role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("opted_in_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("paused_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("left_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("guidelines_version", sa.String(length=32), nullable=True),
        sa.Column("guidelines_accepted_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column(
            "advocacy_level",
            sa.Enum(
                "engagement", "curation", "production", name="advocacy_level", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("leaderboard_visible", sa.Boolean(), nullable=False),
        sa.Column("quiet_hours_start", sa.Integer(), nullable=True),
        sa.Column("quiet_hours_end", sa.Integer(), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(quiet_hours_start IS NULL) = (quiet_hours_end IS NULL) AND (quiet_hours_start IS NULL OR quiet_hours_start BETWEEN 0 AND 1439) AND (quiet_hours_end IS NULL OR quiet_hours_end BETWEEN 0 AND 1439)",
            name=op.f("ck_ambassador_quiet_hours_valid"),
        ),
        sa.CheckConstraint("length(external_id) > 0", name=op.f("ck_ambassador_external_id_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ambassador")),
        sa.UniqueConstraint("external_id", name=op.f("uq_ambassador_external_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ambassador_department_team"), ["department", "team"], unique=False)
        batch_op.create_index(batch_op.f("ix_ambassador_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_ambassador_team"), ["team"], unique=False)

    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("goal_shares", sa.Integer(), nullable=True),
        sa.Column("goal_clicks", sa.Integer(), nullable=True),
        sa.Column("goal_reach", sa.Integer(), nullable=True),
        sa.Column("starts_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("ends_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(goal_shares IS NULL OR goal_shares >= 0) AND (goal_clicks IS NULL OR goal_clicks >= 0) AND (goal_reach IS NULL OR goal_reach >= 0)",
            name=op.f("ck_campaign_goals_not_negative"),
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name=op.f("ck_campaign_window_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaign_slug")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ambassador_id"], ["ambassador.id"], name=op.f("fk_api_token_ambassador_id_ambassador"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_ambassador_id"), ["ambassador_id"], unique=False)

    op.create_table(
        "connect_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("pending_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_connect_state_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connect_state")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_connect_state_state_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("connect_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connect_state_ambassador_id"), ["ambassador_id"], unique=False)

    op.create_table(
        "content",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column(
            "origin",
            sa.Enum(
                "official", "curated", "produced", name="content_origin", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "changes_requested",
                "rejected",
                "approved",
                "archived",
                name="content_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_note", sa.String(length=2000), nullable=True),
        sa.Column("publish_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("expires_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column(
            "edit_policy",
            sa.Enum("locked", "suggested", "free", name="edit_policy", native_enum=False, create_constraint=True),
            server_default=sa.text("'free'"),
            nullable=False,
        ),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "origin = 'official' OR author_id IS NOT NULL", name=op.f("ck_content_author_for_own_content")
        ),
        sa.CheckConstraint(
            "expires_at IS NULL OR publish_at IS NULL OR expires_at > publish_at", name=op.f("ck_content_window_order")
        ),
        sa.CheckConstraint("length(title) > 0", name=op.f("ck_content_title_not_empty")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["ambassador.id"], name=op.f("fk_content_author_id_ambassador"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_content_campaign_id_campaign"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("content", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_content_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_content_status_publish_at_expires_at"), ["status", "publish_at", "expires_at"], unique=False
        )
    # Written by hand: autogenerate cannot compare expression indexes on SQLite.
    op.create_index(
        "ix_content_feed_order",
        "content",
        ["status", "featured", sa.text("coalesce(publish_at, created_at)"), "id"],
        unique=False,
    )

    op.create_table(
        "network_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("follower_count", sa.Integer(), nullable=True),
        sa.Column("followers_read_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("credentials_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("account_id", sa.String(length=300), nullable=True),
        sa.Column("instance", sa.String(length=300), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "reconnect_needed", name="account_status", native_enum=False, create_constraint=True),
            server_default=sa.text("'active'"),
            nullable=False,
        ),
        sa.Column("token_expires_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "follower_count IS NULL OR follower_count >= 0", name=op.f("ck_network_account_followers_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_network_account_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_account")),
        sa.UniqueConstraint(
            "ambassador_id", "network", "handle", name=op.f("uq_network_account_ambassador_id_network_handle")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("network_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_account_ambassador_id"), ["ambassador_id"], unique=False)

    op.create_table(
        "content_audience",
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum(
                "team", "department", "locale", name="audience_dimension", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_content_audience_content_id_content"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("content_id", "dimension", "value", name=op.f("pk_content_audience")),
    )
    with op.batch_alter_table("content_audience", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_audience_dimension_value"), ["dimension", "value"], unique=False)

    op.create_table(
        "content_topic",
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_content_topic_content_id_content"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("content_id", "topic", name=op.f("pk_content_topic")),
    )
    with op.batch_alter_table("content_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_topic_topic"), ["topic"], unique=False)

    op.create_table(
        "share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("intent", "api", name="share_method", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "scheduled",
                "publishing",
                "published",
                "failed",
                "cancelled",
                name="share_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("scheduled_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("published_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("opened_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("verified_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("publish_started_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("external_post_id", sa.String(length=300), nullable=True),
        sa.Column("external_post_url", sa.String(length=2048), nullable=True),
        sa.Column("link_code", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_share_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"], ["ambassador.id"], name=op.f("fk_share_ambassador_id_ambassador"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_share_content_id_content"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share")),
        sa.UniqueConstraint("link_code", name=op.f("uq_share_link_code")),
        sa.UniqueConstraint("network", "external_post_id", name=op.f("uq_share_network_external_post_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_ambassador_id_created_at"), ["ambassador_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_share_content_id"), ["content_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_share_status_scheduled_at"), ["status", "scheduled_at"], unique=False)

    op.create_table(
        "share_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_share_text_content_id_content"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_text")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("share_text", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_text_content_id_network_position"), ["content_id", "network", "position"], unique=False
        )

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=True),
        sa.Column("content_id", sa.Integer(), nullable=True),
        sa.Column("share_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"], ["ambassador.id"], name=op.f("fk_event_ambassador_id_ambassador"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_event_content_id_content"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], name=op.f("fk_event_share_id_share"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_event_idempotency_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_ambassador_id_occurred_at"), ["ambassador_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_kind_occurred_at"), ["kind", "occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_share_id"), ["share_id"], unique=False)

    op.create_table(
        "metric_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "measured", "reported", "estimated", name="metric_source", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("observed_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(metric) > 0", name=op.f("ck_metric_sample_metric_not_empty")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_metric_sample_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["share_id"], ["share.id"], name=op.f("fk_metric_sample_share_id_share"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_sample")),
        sa.UniqueConstraint(
            "share_id",
            "metric",
            "source",
            "observed_at",
            name=op.f("uq_metric_sample_share_id_metric_source_observed_at"),
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("metric_sample")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_share_id"))
        batch_op.drop_index(batch_op.f("ix_event_kind_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_event_ambassador_id_occurred_at"))

    op.drop_table("event")
    with op.batch_alter_table("share_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_text_content_id_network_position"))

    op.drop_table("share_text")
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_status_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_share_content_id"))
        batch_op.drop_index(batch_op.f("ix_share_ambassador_id_created_at"))

    op.drop_table("share")
    with op.batch_alter_table("content_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_topic_topic"))

    op.drop_table("content_topic")
    with op.batch_alter_table("content_audience", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_audience_dimension_value"))

    op.drop_table("content_audience")
    with op.batch_alter_table("network_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_account_ambassador_id"))

    op.drop_table("network_account")
    op.drop_index("ix_content_feed_order", table_name="content")
    with op.batch_alter_table("content", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_status_publish_at_expires_at"))
        batch_op.drop_index(batch_op.f("ix_content_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_content_author_id"))

    op.drop_table("content")
    with op.batch_alter_table("connect_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connect_state_ambassador_id"))

    op.drop_table("connect_state")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_ambassador_id"))

    op.drop_table("api_token")
    op.drop_table("campaign")
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambassador_team"))
        batch_op.drop_index(batch_op.f("ix_ambassador_email"))
        batch_op.drop_index(batch_op.f("ix_ambassador_department_team"))

    op.drop_table("ambassador")
