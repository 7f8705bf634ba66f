"""Storage for tracker: SQLModel tables, the engine and sessions, Alembic migrations and the
worked example's data. Nothing here imports from ``tracker``."""
