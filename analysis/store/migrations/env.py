"""Alembic's environment: run the migrations on the connection `analysis.store.migrate`
hands over (there is no alembic.ini and no URL here)."""

from __future__ import annotations

from alembic import context

from analysis.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run the store's migrations with 'python -m analysis db upgrade', which connects"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
