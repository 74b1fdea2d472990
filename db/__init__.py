"""Persistence: SQLAlchemy models, repositories, migrations, FSM storage."""
