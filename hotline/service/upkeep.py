"""The service's unattended upkeep (#29): sealed recordings converted to Ogg Vorbis in the
background, one at a time (hotline.aftercall.compress), and the nightly backup when the admin
switched it on (HOTLINE_BACKUP_DIR, at HOTLINE_BACKUP_AT; hotline.aftercall.backup)."""
from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from common.settings import Settings
from hotline.aftercall import backup as bk
from hotline.aftercall import compress

log = logging.getLogger("hotline.upkeep")


class Upkeep:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]):
        self.settings, self.sessions = settings, sessions
        self.last_try: datetime | None = None
        self.converted = 0

    def start(self) -> list[asyncio.Task]:
        return [asyncio.create_task(self.keep_compressed()), asyncio.create_task(self.keep_backed_up())]

    # ------------------------------------------------------- compression --
    def compress_round(self) -> list[dict]:
        """Up to compress.ROUND_LIMIT sealed WAVs converted, one after the other (sox at low priority)."""
        done = []
        before = self.settings.now() - timedelta(minutes=self.settings.recordings_compress_after_min)
        for rid in compress.pending(self.sessions, before):
            lock = bk.recordings_lock(self.settings, exclusive=True, wait=False)
            got = compress.compress_recording(self.settings, self.sessions, rid, lock)
            if got is not None:
                done.append(got)
        return done

    async def keep_compressed(self, every_s: float = 10.0) -> None:
        if not self.settings.recordings_compress:
            log.info("recordings are kept as WAV (HOTLINE_RECORDINGS_COMPRESS=0)")
            return
        warned = False
        while True:
            if shutil.which("sox") is None:
                if not warned:
                    log.warning("sox is not installed: recordings stay WAV until it is (apt-get install sox "
                                "libsox-fmt-all)")
                    warned = True
            else:
                try:
                    done = await asyncio.to_thread(self.compress_round)
                    if done:
                        self.converted += len(done)
                        log.info("recordings converted to Ogg Vorbis: %d (%.1f MB → %.1f MB)", len(done),
                                 sum(d["original_bytes"] for d in done) / 1e6, sum(d["bytes"] for d in done) / 1e6)
                        continue          # more may wait: the next round at once
                except Exception as exc:   # DB away, disk full: the next round tries again
                    log.warning("could not convert recordings: %s", exc)
            await asyncio.sleep(every_s)

    # ------------------------------------------------------------ backup --
    def nightly_due(self) -> bool:
        with self.sessions() as db:
            good, _bad = bk.last_backups(db)
        return bk.nightly_due(self.settings.now(), self.settings.backup_at, good.at if good else None, self.last_try)

    def nightly(self) -> dict:
        self.last_try = self.settings.now()
        return bk.backup(self.settings, Path(self.settings.backup_dir), self.sessions, self.sessions.kw["bind"],
                         actor="service")

    async def keep_backed_up(self, every_s: float = 60.0) -> None:
        if not self.settings.backup_dir.strip():
            return
        try:
            bk.parse_at(self.settings.backup_at)
        except ValueError as exc:
            log.error("no nightly backup: %s", exc)
            return
        while True:
            try:
                if await asyncio.to_thread(self.nightly_due):
                    got = await asyncio.to_thread(self.nightly)
                    log.info("nightly backup %s: %d files, %d copied", got["backup"], got["files"], got["copied"])
            except Exception as exc:   # audited as backup_failed; `hotline status` warns; tried again later
                log.error("nightly backup failed: %s", exc)
            await asyncio.sleep(every_s)
