"""Alembic environment: migrates the database given by the caller (``python -m store migrate``)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from store.db import engine_for
from store.models import Base, UTCDateTime

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "run migrations through `python -m store migrate`, which sets the database URL"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Compare only our own tables: Rasa keeps its ``events`` table in the same database."""
    return type_ != "table" or name in Base.metadata.tables


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy ones, so no migration imports the models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with engine_for(url).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one; with foreign keys on,
            # that DROP would cascade-delete every child row. The pragma only works outside
            # a transaction, hence the commit; it is turned back on for the pooled connection.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            # render_as_batch: SQLite can only change tables by copying them.
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                include_name=include_name,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
