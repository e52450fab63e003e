"""Asterisk's queue_log into the database, a little at a time: each pass reads only the lines
written since the last one (the node's cursor: the file's inode and the byte offset after the last
whole line taken) and stores each once (`QueueLogEvent`, unique per node, inode and offset). A
rotated file (renamed beside the new one: `logger rotate`) is finished from the cursor before the
new one is begun, so a rotation loses nothing; a file cut short in place starts again at 0.

Reconciliation (hotline.service.reconcile) and the reports read the table, never the file.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import QueueLogCursor, QueueLogEvent
from db.queries import insert_new

log = logging.getLogger("hotline.queue_log")

#: lines per transaction: a first pass over a big file never holds the write lock for long
BATCH = 2000
#: the widths of the table's text columns
_WIDTH = {"callid": 64, "queue": 64, "agent": 64, "event": 32, "data": 128}


@dataclass(frozen=True)
class QueueLogLine:
    at: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...] = ()


def parse_line(text: str) -> QueueLogLine | None:
    """`epoch|callid|queue|agent|event|data1|…` → the line; None for anything else. Data beyond the
    fifth field stays in the fifth, joined again by '|'."""
    parts = text.rstrip("\r\n").split("|")
    if len(parts) < 5:
        return None
    try:
        at = datetime.fromtimestamp(int(parts[0]))
    except (ValueError, OverflowError, OSError):
        return None
    data = parts[5:]
    if len(data) > 5:
        data = data[:4] + ["|".join(data[4:])]
    return QueueLogLine(at, parts[1][:_WIDTH["callid"]], parts[2][:_WIDTH["queue"]], parts[3][:_WIDTH["agent"]],
                        parts[4][:_WIDTH["event"]], tuple(d[:_WIDTH["data"]] for d in data))


def _row(node: str, inode: int, offset: int, line: QueueLogLine) -> dict:
    data = list(line.data) + [""] * (5 - len(line.data))
    return {"node": node, "inode": inode, "byte_offset": offset, "at": line.at, "callid": line.callid,
            "queue": line.queue, "agent": line.agent, "event": line.event,
            **{f"data{i + 1}": data[i] for i in range(5)}}


def _rotated(path: Path, inode: int) -> Path | None:
    """The file beside `path` (queue_log.1, queue_log.2024-…) that is the one the cursor was in."""
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(path.name) and p != path]
    except OSError:
        return None
    for p in candidates:
        try:
            if p.stat().st_ino == inode:
                return p
        except OSError:
            continue
    return None


def _sources(path: Path, cursor: QueueLogCursor | None) -> list[tuple[Path, int, int, bool]]:
    """(file, inode, offset to start at, read to its very end) in the order to read them."""
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    if cursor is None:
        return [(path, st.st_ino, 0, False)] if st else []
    out = []
    if st is None or st.st_ino != cursor.inode:
        old = _rotated(path, cursor.inode)
        if old is not None:
            out.append((old, cursor.inode, cursor.byte_offset, True))     # no longer written: take it all
        else:
            log.warning("queue_log: the file read last (inode %d) is gone; reading the new one from its start",
                        cursor.inode)
        if st is not None:
            out.append((path, st.st_ino, 0, False))
    elif st.st_size < cursor.byte_offset:
        log.warning("queue_log was cut short in place (%d < %d bytes): reading it again from its start",
                    st.st_size, cursor.byte_offset)
        out.append((path, st.st_ino, 0, False))
    else:
        out.append((path, st.st_ino, cursor.byte_offset, False))
    return out


def ingest(sessions: sessionmaker[Session], path: Path, node: str, now: datetime,
           batch: int = BATCH) -> list[str]:
    """Store the lines of `path` written since the node's cursor; the call ids they name (each
    once, in the order first met). Each batch of lines and the cursor after it are one transaction:
    a pass that fails half-way is taken up where its last batch ended."""
    with sessions() as db:
        cursor = db.get(QueueLogCursor, node)
        sources = _sources(path, cursor)
    callids: dict[str, None] = {}
    for src, inode, offset, whole in sources:
        try:
            f = src.open("rb")
        except FileNotFoundError:
            continue
        with f:
            f.seek(offset)
            while True:
                rows, pos = [], offset
                while len(rows) < batch:
                    raw = f.readline()
                    if not raw or (not raw.endswith(b"\n") and not whole):
                        break                      # the end, or a line still being written
                    line = parse_line(raw.decode("utf-8", "replace"))
                    if line is not None:
                        rows.append(_row(node, inode, pos, line))
                        if line.callid and line.callid != "NONE":
                            callids.setdefault(line.callid)
                    pos += len(raw)
                if pos == offset:
                    break
                _advance(sessions, node, inode, pos, now, rows)
                f.seek(pos)
                offset = pos
    return list(callids)


def _advance(sessions: sessionmaker[Session], node: str, inode: int, offset: int, now: datetime,
             rows: list[dict]) -> None:
    with sessions() as db, db.begin():
        if rows:
            insert_new(db, QueueLogEvent, rows)
        cursor = db.get(QueueLogCursor, node, with_for_update=True)
        if cursor is None:
            db.add(QueueLogCursor(node=node, inode=inode, byte_offset=offset, updated_at=now))
        else:
            cursor.inode, cursor.byte_offset, cursor.updated_at = inode, offset, now


def events_of(db: Session, node: str, callids: list[str], chunk: int = 500) -> dict[str, list[QueueLogLine]]:
    """Every stored line of these calls on this node, in the order written; asked in chunks (no
    query names more than `chunk` calls)."""
    out: dict[str, list[QueueLogLine]] = {}
    for i in range(0, len(callids), chunk):
        part = callids[i:i + chunk]
        for e in db.scalars(select(QueueLogEvent)
                            .where(QueueLogEvent.node == node, QueueLogEvent.callid.in_(part))
                            .order_by(QueueLogEvent.id)):   # stored in the order written
            out.setdefault(e.callid, []).append(_line(e))
    return out


#: what a stored line is read back as (columns, not ORM objects: a report reads ~50 000 lines a day)
_LINE_COLUMNS = (QueueLogEvent.at, QueueLogEvent.callid, QueueLogEvent.queue, QueueLogEvent.agent, QueueLogEvent.event,
                 QueueLogEvent.data1, QueueLogEvent.data2, QueueLogEvent.data3, QueueLogEvent.data4, QueueLogEvent.data5)


def events_between(db: Session, since: datetime, until: datetime) -> list[QueueLogLine]:
    """Every stored line of [since, until), of every node (a site of several nodes reports once),
    in time order — what the service has ingested (it does so every minute)."""
    rows = db.execute(select(*_LINE_COLUMNS).where(QueueLogEvent.at >= since, QueueLogEvent.at < until)
                      .order_by(QueueLogEvent.at, QueueLogEvent.id))
    return [QueueLogLine(at, callid, queue, agent, event, tuple(data)) for at, callid, queue, agent, event, *data in rows]


def _line(e: QueueLogEvent) -> QueueLogLine:
    return QueueLogLine(e.at, e.callid, e.queue, e.agent, e.event, (e.data1, e.data2, e.data3, e.data4, e.data5))

