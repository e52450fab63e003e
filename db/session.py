"""Engine, sessions and migrations.

SQLite runs in WAL mode (the IVR writes while the CLI and API read);
PostgreSQL comes in through ``HOTLINE_DB_URL``.
"""
from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message says what to do."""


def _normalise(url: str) -> str:
    # "postgresql://" means psycopg 3 here, not the legacy psycopg2 default
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = _normalise(url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def check_reachable(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the driver's own error text is the useful part
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"database {engine.url.render_as_string(hide_password=True)} is unreachable: {first} "
            f"— check HOTLINE_DB_URL and that the server is running") from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine_or_url):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = engine_or_url if isinstance(engine_or_url, str) else \
        engine_or_url.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", _normalise(url).replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, the newest by default (idempotent)."""
    check_reachable(engine)
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # batch migrations rebuild a table (copy, drop, rename): with foreign keys enforced the
            # drop of a table other rows point at fails, and an installation with data could not
            # upgrade. The pragma only takes effect outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this software's migrations.

    `state`: "current" (at head), "behind" (an older revision: `hotline db upgrade` migrates it),
    "ahead" (a revision these migrations do not know: written by a newer release), "empty" (no table
    at all: a fresh database, created at head by `hotline up`), "foreign" (tables, but no schema
    revision: not a hotline database)."""
    revision: str | None
    head: str
    state: str

    def as_dict(self) -> dict:
        return {"revision": self.revision, "head": self.head, "state": self.state}

    def refusal(self, where: str) -> str | None:
        """Why nothing may run against this schema, naming what to do (None: it may)."""
        if self.state == "behind":
            return (f"数据库 {where} 的结构版本 {self.revision} 旧于本软件所需的 {self.head}：请先运行 `hotline db upgrade`"
                    f"（先 `hotline down`，最好先备份）。未做任何更改。 — the database {where} is at schema {self.revision}, "
                    f"this release needs {self.head}: run `hotline db upgrade` (after `hotline down`; a backup "
                    f"first is wise). Nothing changed")
        if self.state == "ahead":
            return (f"数据库 {where} 的结构版本 {self.revision} 新于本软件（{self.head}）：它已被更新的版本升级。请安装那个版本，"
                    f"或恢复升级前的备份。未做任何更改。 — the database {where} is at schema {self.revision}, newer than "
                    f"this release knows ({self.head}): a newer release upgraded it. Install that release (or restore "
                    f"the backup made before the upgrade). Nothing changed")
        if self.state == "empty":
            return (f"数据库 {where} 还没有数据表：`hotline up` 会建立。 — the database {where} holds no tables yet: "
                    f"`hotline up` creates them")
        if self.state == "foreign":
            return (f"数据库 {where} 有数据表但没有热线的结构版本：不是热线的数据库。 — the database {where} holds "
                    f"tables but no hotline schema revision: not a hotline database (check HOTLINE_DB_URL)")
        return None


def schema_head() -> str:
    """The newest revision this software's migrations reach."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_state(engine: Engine) -> SchemaState:
    """Read (never change) the schema revision of `engine`'s database."""
    check_reachable(engine)
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        tables = inspect(conn).get_table_names()
    if revision is None:
        return SchemaState(None, head, "foreign" if tables else "empty")
    if revision == head:
        return SchemaState(revision, head, "current")
    known = {r.revision for r in script.walk_revisions()}
    return SchemaState(revision, head, "behind" if revision in known else "ahead")


def schema_refusal(url: str) -> str | None:
    """Why a program may not run against the database at `url` (its schema not this release's), or
    None. The service asks this before it starts; it never migrates."""
    engine = make_engine(url)
    try:
        return schema_state(engine).refusal(engine.url.render_as_string(hide_password=True))
    finally:
        engine.dispose()
