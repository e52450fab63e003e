"""Recordings as evidence (002 录音抽查制度: 录音必须永久保存; 话务员无权删除任何录音记录,领班可根据情况
删除空录音,如删除录音需申请(写明原因)): found by ticket, number, agent, time and leg; deleted only as a
team lead's written application for a file the service measured empty — the row stays with the
file's sha256, duration, who, when and why; and every seal (sha256) checked again, a broken one or
an answered call with no recording raising the recordings alert (ivr.storage: the leads' banner,
`hotline status`).

Each public method is one transaction, checked for the actor (an agent finds only their own legs;
only a team lead deletes), audited; a refusal is `Refused` (403, audited by the caller) or
`RuleError` (a clear 4xx)."""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from common import wire
from common.paths import confined
from common.phones import clean_digits, mask_phone
from db.models import Call, CallOutcome, Recording, Role, Survey, Ticket, User
from db.queries import iso
from hotline.aftercall.rules import Actor, Refused, RuleError, add_audit
from ivr import storage

log = logging.getLogger("hotline.recordings")

#: rows one search answers at most (newest first)
FIND_LIMIT = 500
#: only a team lead applies to delete (领班可根据情况删除空录音): not an agent, not the head or an admin
DELETERS = (Role.team_lead,)
#: a call out is a 回访 when its agent saved a survey of its ticket while it lasted or this soon after
SURVEY_AFTER = timedelta(minutes=30)
_RID = re.compile(r"^\d{1,18}$")
_PEAK = re.compile(r"^Pk lev dB\s+(\S+)", re.MULTILINE)
_LENGTH = re.compile(r"^Length s\s+([0-9.]+)", re.MULTILINE)


def recording_id(raw) -> int:
    """A recording id from a path or a person (404 for anything that is not one)."""
    text = str(raw)
    if not _RID.match(text):
        raise RuleError(404, "没有这段录音")
    return int(text)


def parse_when(text: str, end: bool = False) -> datetime:
    """YYYY-MM-DD (a whole day: `end` takes the day after's midnight) or YYYY-MM-DDTHH:MM."""
    text = str(text).strip()[:20]
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            d = date.fromisoformat(text)
            return datetime.combine(d + timedelta(days=1) if end else d, datetime.min.time())
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?", text):
            return datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        pass
    raise RuleError(422, f"时间应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM,不是 {text!r}")


def leg_direction(rec: Recording, call: Call | None, surveyed: bool) -> str:
    """The leg a recording is of (wire.RECORDING_DIRECTIONS): another agent's part of a transferred
    call, the automated or an agent's 回访 call, a call out, or a resident's call in."""
    if call is None:
        return "in"
    if call.direction == "survey":
        return "survey"
    if rec.agent_id is not None and call.agent_id is not None and rec.agent_id != call.agent_id:
        return "transfer"
    if call.direction == "out":
        return "survey" if surveyed else "out"
    return "in"


def leg_filter(direction: str):
    """The SQL side of `leg_direction` for one leg: exact for in and transfer; out and survey still
    differ by `surveyed_on`, which the caller judges per row."""
    other_agent = and_(Recording.agent_id.is_not(None), Call.agent_id.is_not(None), Recording.agent_id != Call.agent_id)
    if direction == "transfer":
        return and_(Call.direction != "survey", other_agent)
    if direction == "in":
        return or_(Call.id.is_(None), and_(Call.direction.not_in(("survey", "out")), not_(other_agent)))
    if direction == "out":
        return and_(Call.direction == "out", not_(other_agent))
    return or_(Call.direction == "survey", and_(Call.direction == "out", not_(other_agent)))


def surveyed_on(db: Session, call: Call, agent_id: int | None) -> bool:
    """The call out's agent saved a 回访 of its ticket while it lasted (or just after)."""
    if call.direction != "out" or call.ticket_id is None or agent_id is None:
        return False
    until = (call.ended_at or call.ivr_at) + SURVEY_AFTER
    return db.scalar(select(Survey.id).where(Survey.ticket_id == call.ticket_id, Survey.user_id == agent_id,
                                             Survey.at >= call.ivr_at, Survey.at <= until).limit(1)) is not None


def leg_time(call: Call | None, rec: Recording) -> datetime:
    """When a leg happened: its call's answer (the IVR's start for a call never answered)."""
    if call is None:
        return rec.created_at
    return call.answered_at or call.ivr_at


@dataclass(frozen=True)
class Emptiness:
    """What the service measured of a file before a deletion: seconds of audio, the loudest
    sample (dBFS; None: no samples at all), and whether that is empty by the threshold."""
    seconds: float
    peak_db: float | None
    empty: bool


def measure(path: Path, threshold_db: float) -> Emptiness:
    """A recording's emptiness: no audio at all (a WAV header), or no sample above `threshold_db`
    (sox stats, the path as one argument, never a shell; a recording kept as Ogg Vorbis decoded by
    it). Raises OSError when sox cannot tell."""
    ogg = path.suffix.lower() == ".ogg"
    wav = None if ogg else storage.wav_audio(path)
    if (wav is None and not ogg) or (ogg and not path.is_file()):
        raise FileNotFoundError(str(path))
    if wav is not None and wav.seconds <= 0:
        return Emptiness(0.0, None, True)
    sox = shutil.which("sox")
    if sox is None:
        raise OSError("sox is not installed: the recording's level cannot be measured")
    r = subprocess.run([sox, str(path), "-n", "stats"], capture_output=True, text=True, timeout=60)
    m, length = _PEAK.search(r.stderr or ""), _LENGTH.search(r.stderr or "")
    if r.returncode != 0 or m is None or (ogg and length is None):
        raise OSError(f"sox could not measure the recording: {(r.stderr or '').strip()[:200]}")
    peak = float("-inf") if m.group(1) in ("-inf", "-nan") else float(m.group(1))
    seconds = float(length.group(1)) if ogg else wav.seconds
    return Emptiness(seconds, None if peak == float("-inf") else peak, peak < threshold_db)


class RecordingBook:
    """The recordings of the hotline, as team leads, the head and agents may see and keep them."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], recordings_dir: Path,
                 empty_peak_db: float = -50.0):
        self.sessions, self.now = sessions, now
        self.recordings_dir, self.empty_peak_db = Path(recordings_dir), empty_peak_db

    # ------------------------------------------------------------------- finding --
    def find(self, actor: Actor | None, ticket: str = "", phone: str = "", agent: str = "", since: str = "",
             until: str = "", direction: str = "", limit: int = FIND_LIMIT) -> list[dict]:
        """Recordings by ticket, phone number (the caller's or the ticket's call-back number), agent
        (工号), time (since/until) and leg; deleted ones too, saying so. `actor` None: the admin's
        CLI. An agent finds only their own legs; a station none."""
        if direction and direction not in wire.RECORDING_DIRECTIONS:
            raise RuleError(422, f"direction 应为 {'/'.join(wire.RECORDING_DIRECTIONS)} 之一")
        start = parse_when(since) if since else None
        end = parse_when(until, end=True) if until else None
        if actor is not None and actor.role is Role.station:
            raise Refused("维修站不能查看热线录音", "find_refused", "recording", "")
        with self.sessions() as db, db.begin():
            stmt = (select(Recording, Call, Ticket.number, User.agent_no)
                    .outerjoin(Call, Call.id == Recording.call_id)
                    .outerjoin(Ticket, Ticket.id == Recording.ticket_id)
                    .outerjoin(User, User.id == Recording.agent_id))
            if actor is not None and not actor.supervises:
                if agent and agent != actor.agent_no:
                    raise Refused("只能查找自己的录音", "find_refused", "recording", f"agent:{agent[:16]}")
                stmt = stmt.where(Recording.agent_id == actor.user_id)
            if agent:
                stmt = stmt.where(User.agent_no == agent[:16])
            if ticket:
                # no such ticket finds nothing (never `ticket_id IS NULL`: every recording without one)
                tid = db.scalar(select(Ticket.id).where(Ticket.number == ticket[:16])) or -1
                stmt = stmt.where(or_(Recording.ticket_id == tid, Call.ticket_id == tid))
            if phone:
                digits = clean_digits(phone)[:20]
                if len(digits) < 3:
                    raise RuleError(422, "电话号码至少 3 位数字")
                by_ticket = aliased(Ticket)
                stmt = stmt.where(or_(Call.caller == digits, Recording.ticket_id.in_(
                    select(by_ticket.id).where(or_(by_ticket.callback_number == digits,
                                                   by_ticket.caller_number == digits)))))
            when = Call.answered_at
            if start is not None:
                stmt = stmt.where(or_(when >= start, and_(when.is_(None), Call.ivr_at >= start)))
            if end is not None:
                stmt = stmt.where(or_(when < end, and_(when.is_(None), Call.ivr_at < end)))
            if direction:
                stmt = stmt.where(leg_filter(direction))
            # out and survey legs differ by a 回访 saved during the call, judged per row: read on
            # until `limit` of the leg asked for are found (a filter after the LIMIT returned fewer)
            want, out, offset = min(limit, FIND_LIMIT), [], 0
            while len(out) < want:
                rows = db.execute(stmt.order_by(Recording.id.desc()).offset(offset).limit(want)).all()
                out += [r for r in (self.row(db, rec, call, number, agent_no) for rec, call, number, agent_no in rows)
                        if not direction or r["direction"] == direction][:want - len(out)]
                if len(rows) < want:
                    break
                offset += want
            if actor is not None:
                add_audit(db, actor.agent_no, "find", "recording", "", hits=len(out),
                          **{k: v for k, v in (("ticket", ticket[:16]), ("phone", mask_phone(phone[:20]) if phone else ""),
                                               ("agent", agent[:16]), ("since", since[:20]), ("until", until[:20]),
                                               ("direction", direction)) if v})
        return out

    @staticmethod
    def row(db: Session, rec: Recording, call: Call | None, number: str | None, agent_no: str | None) -> dict:
        """As the lists show a recording (wire.SAMPLE_RECORDING_ROW)."""
        surveyed = call is not None and surveyed_on(db, call, rec.agent_id)
        deleted = None
        if rec.deleted_at is not None:
            by = db.scalar(select(User.agent_no).where(User.id == rec.deleted_by)) if rec.deleted_by else None
            deleted = {"at": iso(rec.deleted_at), "by": by, "reason": rec.delete_reason or ""}
        return {"id": rec.id, "call": call.uniqueid if call else None, "ticket": number, "agent": agent_no,
                "direction": leg_direction(rec, call, surveyed), "caller": call.caller if call else "",
                "at": iso(leg_time(call, rec)), "duration_s": round(rec.duration_s or 0.0, 1), "health": rec.health,
                "sha256": rec.sha256, "deleted": deleted,
                "audio_url": wire.path(wire.RECORDING_AUDIO, rid=rec.id) if deleted is None and rec.path else None,
                # the names the desk's 我的录音 list has read since #12
                "ticket_number": number, "created_at": iso(rec.created_at)}

    def of_ticket(self, db: Session, ticket_id: int) -> list[dict]:
        """A ticket's recordings (its detail lists them), oldest first."""
        rows = db.execute(select(Recording, Call, Ticket.number, User.agent_no)
                          .outerjoin(Call, Call.id == Recording.call_id)
                          .outerjoin(Ticket, Ticket.id == Recording.ticket_id)
                          .outerjoin(User, User.id == Recording.agent_id)
                          .where(or_(Recording.ticket_id == ticket_id, Call.ticket_id == ticket_id))
                          .order_by(Recording.id)).all()
        return [self.row(db, rec, call, number, agent_no) for rec, call, number, agent_no in rows]

    # ------------------------------------------------------------------ deleting --
    def delete(self, actor: Actor, raw_id, reason: str) -> dict:
        """A team lead's application to delete an empty recording, with a written reason. The service
        measures the file (no sample above Settings.recordings_empty_peak_db); a file with audio, a
        broken seal, a missing file are refused (409) — and audited like a refusal of the role."""
        rid = recording_id(raw_id)
        if actor.role not in DELETERS:
            raise Refused("话务员无权删除录音;空录音由领班申请删除", "delete_refused", "recording", str(rid))
        reason = (reason or "").strip()
        if len(reason) < 2:
            raise RuleError(422, "删除录音需写明原因")
        reason = reason[:wire.RECORDING_DELETE_REASON_MAX]
        with self.sessions() as db, db.begin():
            rec = db.get(Recording, rid)
            if rec is None:
                raise RuleError(404, "没有这段录音")
            if rec.deleted_at is not None:
                raise RuleError(409, "这段录音已删除")
            path = confined(rec.path, [self.recordings_dir], suffix=storage.RECORDING_SUFFIXES) if rec.path else None
            measured = self._not_deletable(rec, path)
            if not isinstance(measured, str):
                row = self._mark_deleted(db, actor, rec, path, measured, reason)
        if isinstance(measured, str):
            self._refused(actor, rid, measured)
        # the file goes once the row saying why is written: a failed write leaves the file there
        path.unlink(missing_ok=True)
        log.info("recording %d deleted by %s (empty: peak %s dBFS): %s", rid, actor.agent_no, measured.peak_db,
                 reason[:80])
        return row

    def _mark_deleted(self, db: Session, actor: Actor, rec: Recording, path: Path, measured: Emptiness,
                      reason: str) -> dict:
        """The row keeps the file's digest (its seal when it had one), duration, who, when and why."""
        digest = storage.file_sha256(path)
        rec.sha256 = rec.sha256 or digest
        rec.duration_s = measured.seconds
        rec.deleted_at, rec.deleted_by, rec.delete_reason = self.now(), actor.user_id, reason
        add_audit(db, actor.agent_no, "recording_delete", "recording", str(rec.id), reason=reason, sha256=digest,
                  duration_s=round(measured.seconds, 2), peak_db=measured.peak_db, path=rec.path)
        db.flush()
        return self.row(db, rec, db.get(Call, rec.call_id) if rec.call_id else None,
                        db.scalar(select(Ticket.number).where(Ticket.id == rec.ticket_id)),
                        db.scalar(select(User.agent_no).where(User.id == rec.agent_id)) if rec.agent_id else None)

    def _not_deletable(self, rec: Recording, path: Path | None) -> str | Emptiness:
        """Why this file may not be deleted (words), or what was measured of an empty one."""
        if path is None or not path.is_file():
            return "录音文件不存在:这是录音缺失,不是空录音,不能删除"
        if rec.sha256 and storage.file_sha256(path) != rec.sha256:
            return "录音文件与封存的 sha256 不符(封存已损坏),作为证据保留,不能删除"
        try:
            measured = measure(path, self.empty_peak_db)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("recording %d could not be measured: %s", rec.id, exc)
            return "无法测量录音是否为空,不能删除"
        if not measured.empty:
            return (f"录音中有声音(峰值 {measured.peak_db:.1f} dBFS,高于 {self.empty_peak_db:.0f} dBFS),"
                    f"不是空录音,不能删除")
        return measured

    def _refused(self, actor: Actor, rid: int, words: str) -> None:
        """An application refused for the file: audited, then a 409 with the words."""
        with self.sessions() as db, db.begin():
            add_audit(db, actor.agent_no, "delete_refused", "recording", str(rid), reason=words)
        raise RuleError(409, words)

    # ----------------------------------------------------------------- verifying --
    def verify(self, since: datetime | None = None) -> dict:
        """Every seal checked again: a sealed file gone or whose sha256 differs is flagged broken
        (once, audited); an answered call (in or out) with no recording at all gets a row flagged
        missing (once, audited). `since`: only calls ended after it for the latter (the service's
        cheap round); every seal either way. Flags count in the recordings alert (ivr.storage)."""
        now = self.now()
        broken, whole, newly = [], 0, 0
        with self.sessions() as db:
            sealed = db.execute(select(Recording.id, Recording.path, Recording.sha256, Recording.health)
                                .where(Recording.deleted_at.is_(None), Recording.sha256 != "")).all()
        for rid, stored, seal, health in sealed:    # hashed outside any transaction: no lock held
            path = confined(stored, [self.recordings_dir], suffix=storage.RECORDING_SUFFIXES) if stored else None
            problem = "file gone" if path is None or not path.is_file() else \
                "sha256 differs" if storage.file_sha256(path) != seal else None
            with self.sessions() as db, db.begin():
                rec = db.get(Recording, rid)
                if problem is None:
                    whole += 1
                    rec.verified_at = now
                    continue
                broken.append({"id": rid, "path": stored, "problem": problem})
                if health != storage.BROKEN:
                    newly += 1
                    rec.health, rec.checked_at = storage.BROKEN, now
                    storage.audit_storage(db, "recording_seal_broken", "recording", str(rid), now, problem=problem,
                                          sha256=seal)
                    log.warning("recording %d: seal broken (%s)", rid, problem)
        missing = self.missing_recordings(since)
        return {"checked": len(sealed), "whole": whole, "broken": broken, "missing": missing,
                "newly_flagged": newly + len(missing), "at": iso(now)}

    def missing_recordings(self, since: datetime | None = None) -> list[dict]:
        """Answered calls in or out that ended (after `since`) with no recording row: each gets one,
        flagged missing, so the alert counts it and a search shows it."""
        now = self.now()
        has_one = exists().where(Recording.call_id == Call.id)
        q = select(Call).where(Call.direction.in_(("in", "out")), Call.outcome == CallOutcome.answered,
                               Call.answered_at.is_not(None), Call.ended_at.is_not(None), ~has_one)
        if since is not None:
            q = q.where(Call.ended_at >= since)
        found = []
        with self.sessions() as db, db.begin():
            for call in db.scalars(q.limit(1000)):
                rec = Recording(call_id=call.id, ticket_id=call.ticket_id, agent_id=call.agent_id, path="",
                                health=storage.MISSING, checked_at=now, created_at=now)
                db.add(rec)
                db.flush()
                storage.audit_storage(db, "recording_missing", "call", call.uniqueid, now, recording=rec.id)
                log.warning("answered call %s has no recording", call.uniqueid)
                found.append({"call": call.uniqueid, "recording": rec.id})
        return found
