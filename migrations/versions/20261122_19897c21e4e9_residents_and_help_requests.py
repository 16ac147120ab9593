"""residents and help requests

Revision ID: 19897c21e4e9
Revises: 39ee8a492234
Create Date: 2026-11-22 07:13:34.555382
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "19897c21e4e9"
down_revision = "39ee8a492234"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_normalized", sa.String(length=24), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "needs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("emergency_contact_name", sa.String(length=200), nullable=True),
        sa.Column("emergency_contact_phone", sa.String(length=40), nullable=True),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_method", sa.String(length=20), nullable=True),
        sa.Column("consent_recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_residents_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_residents_consent_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_residents_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
    )
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_residents_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residents_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residents_phone_normalized"), ["phone_normalized"], unique=False
        )

    op.create_table(
        "care_circle_members",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_care_circle_members_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer_profiles.id"],
            name=op.f("fk_care_circle_members_volunteer_id_volunteer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", "volunteer_id", name=op.f("pk_care_circle_members")),
    )
    with op.batch_alter_table("care_circle_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_circle_members_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "contact_access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_contact_access_log_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_contact_access_log_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_contact_access_log_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_access_log")),
    )
    with op.batch_alter_table("contact_access_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_access_log_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=9), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "groceries",
                "ride",
                "visit",
                "haircut",
                "repair",
                "other",
                name="help_category",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "low",
                "normal",
                "high",
                "urgent",
                name="help_urgency",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "recurrence",
            sa.Enum(
                "once",
                "weekly",
                "fortnightly",
                "monthly",
                name="help_recurrence",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("preferred_date", sa.Date(), nullable=True),
        sa.Column(
            "preferred_weekdays",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "preferred_time_of_day",
            sa.Enum(
                "any",
                "morning",
                "afternoon",
                "evening",
                name="time_of_day",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "web",
                "phone",
                "in_person",
                name="help_channel",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "needs_details",
                "accepted",
                "scheduled",
                "follow_up",
                "done",
                "declined",
                "cancelled",
                "merged",
                name="help_request_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("status_note", sa.String(length=500), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_help_requests_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_help_requests_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_help_requests_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["help_requests.id"],
            name=op.f("fk_help_requests_merged_into_id_help_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_help_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_help_requests_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_help_requests_reference")),
    )
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_help_requests_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_help_requests_community_status", ["community_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_help_requests_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_help_requests_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_help_requests_status"), ["status"], unique=False)

    op.create_table(
        "visit_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "done",
                "not_at_home",
                "needs_follow_up",
                name="visit_outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "concern",
            sa.Enum(
                "none",
                "health",
                "safety",
                name="visit_concern",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_visit_outcomes_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_visit_outcomes_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_visit_outcomes_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_outcomes")),
    )
    with op.batch_alter_table("visit_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_outcomes_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signups_open", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("signups_open")

    with op.batch_alter_table("visit_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_outcomes_request_id"))

    op.drop_table("visit_outcomes")
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_requests_status"))
        batch_op.drop_index(batch_op.f("ix_help_requests_resident_id"))
        batch_op.drop_index(batch_op.f("ix_help_requests_organization_id"))
        batch_op.drop_index("ix_help_requests_community_status")
        batch_op.drop_index(batch_op.f("ix_help_requests_community_id"))

    op.drop_table("help_requests")
    with op.batch_alter_table("contact_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_access_log_resident_id"))

    op.drop_table("contact_access_log")
    with op.batch_alter_table("care_circle_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_circle_members_volunteer_id"))

    op.drop_table("care_circle_members")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residents_phone_normalized"))
        batch_op.drop_index(batch_op.f("ix_residents_organization_id"))
        batch_op.drop_index(batch_op.f("ix_residents_community_id"))

    op.drop_table("residents")
