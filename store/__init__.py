"""Persistence: SQLAlchemy models and functions that take ``*, session`` and never commit.

No Rasa and no web imports: the actions, the inbox and the tests all call the same functions.
SQLite by default; ``DATABASE_URL`` switches to PostgreSQL.
"""
