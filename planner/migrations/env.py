"""Alembic environment: migrate the connection ``Store.init`` hands over (or ``sqlalchemy.url``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from planner.store import Base, normalise_url

config = context.config


def run() -> None:
    """Run the migrations on the given connection, or on a new one to ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(normalise_url(config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as own:
        _migrate(own)


def _migrate(connection: Connection) -> None:
    # render_as_batch: SQLite alters tables by copying them; compare_type for autogenerate.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
