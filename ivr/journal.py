"""The call flows' writes, kept on disk until the database has them (#26).

A caller never waits on a database write for longer than a short deadline (Settings.db_deadline_s):
the flow hands its write here and goes on. The write is appended to an append-only file of JSON
lines under $HOTLINE_HOME (0600, fsync'd before it is applied — a group of writes shares one fsync),
then applied by a worker thread, retried while the database is locked or away, and marked done.
The service replays what is not marked done at its start, in the order it was written. Lines, not
a SQLite file of its own: an append and an fsync are all a write needs, there is no lock a stalled
reader or a second process could hold, a line torn by a crash is plainly the last one (skipped at
replay), and an operator can read what is waiting with `cat`.

Every write is applied in order per call (a call's writes go to one worker: `shard`); a write that
fails for good (not a lock, not a lost connection: a bug, a refused row) is marked failed, logged, and
the call's later writes still run — one failed write never fails the rest. Applying twice is harmless:
the writes are idempotent (ivr.context.Records), so a crash between commit and its "done" line
costs nothing.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("ivr.journal")

#: a file with nothing pending is started afresh once it is this big (all of it is done)
COMPACT_BYTES = 1 << 20
#: seconds between tries of a write the database refused for now (locked, away), doubling up to the last
RETRY_S = (0.1, 2.0)


@dataclass
class Entry:
    id: int
    call: str
    op: str
    args: list = field(default_factory=list)
    kw: dict = field(default_factory=dict)
    at: str = ""

    def line(self) -> str:
        return json.dumps({"id": self.id, "call": self.call, "op": self.op, "args": self.args, "kw": self.kw,
                           "at": self.at}, ensure_ascii=False, separators=(",", ":"))


def read_pending(path: Path) -> tuple[list[Entry], int, int]:
    """What the file holds that is neither done nor failed, in the order written; the highest id
    seen; how many lines could not be read (a line torn by a crash mid-write)."""
    entries: dict[int, Entry] = {}
    top, torn = 0, 0
    try:
        lines = path.read_bytes().split(b"\n")
    except FileNotFoundError:
        return [], 0, 0
    for raw in lines:
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
            if "op" in rec:
                e = Entry(int(rec["id"]), str(rec["call"]), str(rec["op"]), list(rec.get("args") or []),
                          dict(rec.get("kw") or {}), str(rec.get("at") or ""))
                entries[e.id] = e
                top = max(top, e.id)
            else:
                entries.pop(int(rec.get("done", rec.get("failed", -1))), None)
        except (ValueError, KeyError, TypeError, AttributeError):
            torn += 1
    return [entries[i] for i in sorted(entries)], top, torn


class Transient(Exception):
    """Raised by `apply` for a write the database cannot take now (locked, unreachable): tried again."""


class WriteJournal:
    """`submit` a write; `apply(entry)` (run on a worker) writes it to the database, raising
    Transient to be tried again later. `path` None: kept in memory only (classic AGI, tests)."""

    def __init__(self, apply: Callable[[Entry], Any], path: Path | None, shards: int = 1,
                 retry_s: tuple[float, float] = RETRY_S):
        self._apply, self.path, self._retry = apply, path, retry_s
        self._lock = threading.Lock()
        self._incoming: queue.SimpleQueue = queue.SimpleQueue()
        self._shards = [queue.SimpleQueue() for _ in range(max(1, shards))]
        self._futures: dict[int, Future] = {}
        self._pending = 0
        #: pending writes per call: the reconciler leaves a call alone while its own writes wait
        self._by_call: Counter[str] = Counter()
        self._closed = threading.Event()
        self._fd: int | None = None
        replay: list[Entry] = []
        self._next = 1
        if path is not None:
            replay, top, torn = read_pending(path)
            if torn:
                log.warning("journal %s: %d unreadable line(s) skipped (a write torn by a crash)", path, torn)
            self._next = top + 1
            self._open_fresh(replay)
        self.replayed_entries = list(replay)
        if replay:
            log.warning("journal: %d call write(s) not in the database yet — replayed in order", len(replay))
        self._threads = [threading.Thread(target=self._append_loop, name="ivr-journal", daemon=True)]
        self._threads += [threading.Thread(target=self._apply_loop, args=(q,), name=f"ivr-journal-apply-{i}",
                                           daemon=True) for i, q in enumerate(self._shards)]
        for e in replay:
            self._futures[e.id] = Future()
            self._pending += 1
            self._by_call[e.call] += 1
            self._shard(e.call).put(e)
        for t in self._threads:
            t.start()

    # ------------------------------------------------------------- the file --
    def _open_fresh(self, keep: list[Entry]) -> None:
        """The file rewritten with only what is still pending (a torn tail dropped with the rest)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(self.path.name + ".new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, "".join(e.line() + "\n" for e in keep).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        if self._fd is not None:
            os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND, 0o600)

    def _write(self, lines: list[str], sync: bool) -> None:
        if self._fd is None or not lines:
            return
        os.write(self._fd, "".join(ln + "\n" for ln in lines).encode())
        if sync:
            os.fsync(self._fd)

    # --------------------------------------------------------------- submit --
    def _shard(self, call: str) -> queue.SimpleQueue:
        return self._shards[zlib.crc32(call.encode()) % len(self._shards)]

    def submit(self, call: str, op: str, args: list, kw: dict, at: str) -> Future:
        """Keep the write and have it applied after the call's earlier ones; the future is its
        result (or the error it failed with for good)."""
        fut: Future = Future()
        with self._lock:
            if self._closed.is_set():
                fut.set_exception(RuntimeError("journal closed"))
                return fut
            e = Entry(self._next, call, op, args, kw, at)
            self._next += 1
            self._futures[e.id] = fut
            self._pending += 1
            self._by_call[call] += 1
            self._incoming.put(("entry", e))
        return fut

    @property
    def pending(self) -> int:
        return self._pending

    def pending_calls(self) -> frozenset[str]:
        """The calls with a write not in the database yet (its end among them, perhaps)."""
        with self._lock:
            return frozenset(self._by_call)

    def _append_loop(self) -> None:
        """The file's one writer: a batch of new writes is appended and fsync'd together, then handed
        to the workers; done/failed marks are appended without fsync (a lost mark only repeats an
        idempotent write)."""
        while True:
            item = self._incoming.get()
            if item is None:
                return
            batch = [item]
            while True:
                try:
                    nxt = self._incoming.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._incoming.put(None)
                    break
                batch.append(nxt)
            new = [e for kind, e in batch if kind == "entry"]
            marks = [e for kind, e in batch if kind != "entry"]
            try:
                self._write([e.line() for e in new], sync=True)
                self._write(marks, sync=False)
            except OSError as exc:   # a full disk: the write still goes to the database, unkept
                log.error("journal %s: cannot keep %d write(s): %s", self.path, len(new), exc)
            for e in new:
                self._shard(e.call).put(e)
            if marks and self._pending == 0 and self.path is not None and self._fd is not None:
                try:
                    if os.fstat(self._fd).st_size > COMPACT_BYTES:
                        with self._lock:
                            if self._pending == 0 and self._incoming.empty():
                                self._open_fresh([])
                except OSError as exc:
                    log.warning("journal %s: not compacted: %s", self.path, exc)

    def _apply_loop(self, q: queue.SimpleQueue) -> None:
        while True:
            e = q.get()
            if e is None:
                return
            self._run(e)

    def _run(self, e: Entry) -> None:
        wait, tries = self._retry[0], 0
        while True:
            try:
                result = self._apply(e)
            except Transient as exc:
                tries += 1
                if tries == 1 or tries % 20 == 0:
                    log.warning("journal: write %d (%s of call %s) waits for the database: %s",
                                e.id, e.op, e.call[:64], exc)
                if self._closed.wait(wait):
                    return      # stays in the file: replayed at the next start
                wait = min(wait * 2, self._retry[1])
                continue
            except Exception as exc:
                log.error("journal: write %d (%s of call %s) failed for good, the call's later writes go on: "
                          "%s: %s", e.id, e.op, e.call[:64], type(exc).__name__, exc)
                self._finish(e, json.dumps({"failed": e.id, "error": f"{type(exc).__name__}: {exc}"[:300]}),
                             error=exc)
                return
            if tries:
                log.info("journal: write %d (%s of call %s) in after %d tries", e.id, e.op, e.call[:64], tries + 1)
            self._finish(e, json.dumps({"done": e.id}), result=result)
            return

    def _finish(self, e: Entry, mark: str, result: Any = None, error: BaseException | None = None) -> None:
        with self._lock:
            self._pending -= 1
            self._by_call[e.call] -= 1
            if self._by_call[e.call] <= 0:
                del self._by_call[e.call]
            fut = self._futures.pop(e.id, None)
            self._incoming.put(("mark", mark))
        if fut is not None:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)

    def drain(self, timeout_s: float) -> bool:
        """Until nothing is pending (True) or `timeout_s` passed."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.02)
        return self._pending == 0

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop taking writes; let the workers finish what they can within `timeout_s`: the rest
        stays in the file for the next start."""
        self.drain(timeout_s)
        with self._lock:
            self._closed.set()
        for q in self._shards:
            q.put(None)
        self._incoming.put(None)
        for t in self._threads:
            t.join(timeout=2)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
