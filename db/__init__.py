"""Database layer: models, engine/session factory, migrations."""
from db.models import *  # noqa: F401,F403
from db.session import make_engine, migrate, session_factory  # noqa: F401
