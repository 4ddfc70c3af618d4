"""The SQL store: SQLAlchemy 2 tables, engine setup, ZoneStore transactions, the change feed."""
