"""One published plan per week, enforced by the database: a partial unique index.

The store checks it before publishing, but two publishes racing on PostgreSQL (READ COMMITTED)
both passed that check; the index makes the second commit fail, and the store turns that into a
``ConflictError`` ("another plan for this week was published; reload").

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PUBLISHED = sa.text("status = 'published'")


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(
            "uq_plans_published_week",
            ["week_start"],
            unique=True,
            sqlite_where=PUBLISHED,
            postgresql_where=PUBLISHED,
        )


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("uq_plans_published_week")
