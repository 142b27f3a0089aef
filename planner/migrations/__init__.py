"""Alembic migrations of the store's schema (run by ``planner.store.Store.init``)."""
