"""Re-plans are drafts: a drafted re-plan of a published plan waits here until re-published.

The published plan (what businesses see) stays as it is until ``Store.publish`` applies the
draft and sends the changed notices.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replan_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("based_on_version", sa.Integer(), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_replan_drafts_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_drafts")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_replan_drafts_plan_id")),
    )


def downgrade() -> None:
    op.drop_table("replan_drafts")
