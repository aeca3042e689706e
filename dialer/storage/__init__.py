"""Storage: one declarative base, the engine factory and Alembic migrations.

Every package declares its tables on :class:`Base`; :func:`load_models` imports them all so that
``Base.metadata`` is complete (for Alembic and for tests).
"""

from dialer.storage.base import Base, UTCDateTime, load_models
from dialer.storage.engine import make_engine, session_factory
from dialer.storage.migrate import upgrade

__all__ = ["Base", "UTCDateTime", "load_models", "make_engine", "session_factory", "upgrade"]
