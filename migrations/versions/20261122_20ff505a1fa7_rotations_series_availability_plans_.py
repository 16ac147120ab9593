"""rotations: series, availability, plans, swaps

Revision ID: 20ff505a1fa7
Revises: 19897c21e4e9
Create Date: 2026-11-22 07:37:16.725968
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20ff505a1fa7"
down_revision = "19897c21e4e9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rotation_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "superseded",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "team_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "series_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "event_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "weights",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("replan_unconfirmed", sa.Boolean(), nullable=False),
        sa.Column(
            "proposals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "unfilled",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "fairness",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "diff",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("previous_plan_id", sa.Integer(), nullable=True),
        sa.Column(
            "assignment_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_user_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "period_end > period_start", name=op.f("ck_rotation_plans_period_valid")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_rotation_plans_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rotation_plans_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_plan_id"],
            ["rotation_plans.id"],
            name=op.f("fk_rotation_plans_previous_plan_id_rotation_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_user_id"],
            ["users.id"],
            name=op.f("fk_rotation_plans_published_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation_plans")),
    )
    with op.batch_alter_table("rotation_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_plans_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "availability_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name=op.f("ck_availability_windows_minutes_valid"),
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_availability_windows_weekday_valid")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_availability_windows_volunteer_id_volunteer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_windows")),
    )
    with op.batch_alter_table("availability_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_windows_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "blackouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_blackouts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_blackouts_volunteer_id_volunteer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blackouts")),
    )
    with op.batch_alter_table("blackouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blackouts_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "event_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("activity_type_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column(
            "exdates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "rdates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "positions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "occurrence_status",
            sa.Enum(
                "draft",
                "published",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("materialised_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_series_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_event_series_duration_positive")),
        sa.CheckConstraint("horizon_days > 0", name=op.f("ck_event_series_horizon_positive")),
        sa.ForeignKeyConstraint(
            ["activity_type_id"],
            ["activity_types.id"],
            name=op.f("fk_event_series_activity_type_id_activity_types"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_series_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_event_series_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_event_series_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_series_id"],
            ["event_series.id"],
            name=op.f("fk_event_series_parent_series_id_event_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_event_series_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_series")),
    )
    with op.batch_alter_table("event_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_series_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_series_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_series_team_id"), ["team_id"], unique=False)

    op.create_table(
        "team_rotation_settings",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("site_rotation_weeks", sa.Integer(), nullable=True),
        sa.Column("swaps_need_approval", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_team_rotation_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_rotation_settings_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_rotation_settings")),
    )
    with op.batch_alter_table("team_rotation_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_rotation_settings_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "volunteer_preferences",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.Boolean(), nullable=False),
        sa.Column(
            "preferred_activity_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "avoided_activity_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "pair_with",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "not_together",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_volunteer_preferences_volunteer_id_volunteer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("volunteer_id", name=op.f("pk_volunteer_preferences")),
    )
    op.create_table(
        "swap_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "cover",
                "swap",
                "open_place",
                name="offer_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "needs_approval",
                "taken",
                "withdrawn",
                "expired",
                name="offer_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("offered_by_volunteer_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column(
            "candidate_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("taken_by_volunteer_id", sa.Integer(), nullable=True),
        sa.Column("exchange_assignment_id", sa.Integer(), nullable=True),
        sa.Column("new_assignment_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_swap_offers_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_swap_offers_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_swap_offers_decided_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_swap_offers_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exchange_assignment_id"],
            ["assignments.id"],
            name=op.f("fk_swap_offers_exchange_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["new_assignment_id"],
            ["assignments.id"],
            name=op.f("fk_swap_offers_new_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_swap_offers_offered_by_volunteer_id_volunteer_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_swap_offers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["positions.id"],
            name=op.f("fk_swap_offers_position_id_positions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_swap_offers_taken_by_volunteer_id_volunteer_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swap_offers")),
    )
    with op.batch_alter_table("swap_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_swap_offers_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_swap_offers_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "uq_swap_offers_live_assignment",
            ["assignment_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('open', 'needs_approval')"),
            postgresql_where=sa.text("status IN ('open', 'needs_approval')"),
        )

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rescheduled_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recurrence_id", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("detached", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_events_series_id_recurrence_id"), ["series_id", "recurrence_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_events_series_id_event_series"),
            "event_series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_series_id_event_series"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_events_series_id_recurrence_id"), type_="unique")
        batch_op.drop_column("detached")
        batch_op.drop_column("recurrence_id")
        batch_op.drop_column("series_id")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("rescheduled_at")

    with op.batch_alter_table("swap_offers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_swap_offers_live_assignment",
            sqlite_where=sa.text("status IN ('open', 'needs_approval')"),
            postgresql_where=sa.text("status IN ('open', 'needs_approval')"),
        )
        batch_op.drop_index(batch_op.f("ix_swap_offers_organization_id"))
        batch_op.drop_index(batch_op.f("ix_swap_offers_assignment_id"))

    op.drop_table("swap_offers")
    op.drop_table("volunteer_preferences")
    with op.batch_alter_table("team_rotation_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_rotation_settings_organization_id"))

    op.drop_table("team_rotation_settings")
    with op.batch_alter_table("event_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_series_team_id"))
        batch_op.drop_index(batch_op.f("ix_event_series_organization_id"))
        batch_op.drop_index(batch_op.f("ix_event_series_community_id"))

    op.drop_table("event_series")
    with op.batch_alter_table("blackouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blackouts_volunteer_id"))

    op.drop_table("blackouts")
    with op.batch_alter_table("availability_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_windows_volunteer_id"))

    op.drop_table("availability_windows")
    with op.batch_alter_table("rotation_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotation_plans_organization_id"))

    op.drop_table("rotation_plans")
