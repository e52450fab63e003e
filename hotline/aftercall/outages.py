"""Outage notices (区域停热, #30): when a main breaks and a compound goes cold, a team lead declares
an outage for the area — a district, a compound (小区) in it, or one building — with its expected
end and a message. The message is rendered to a sound at once (or a recorded file is imported);
callers whose account lies in the area hear it right after the greeting and key 1 to be registered
as affected (`OutageCaller`: no repair ticket, no queue) — ivr/flows.py. Ending the outage may book
the 供热已恢复 call to every affected caller (`callback_state` requested, each number through the
one number policy), which the outage dialer places (hotline.aftercall.outage_calls).

Protocol-free like the rest of the after-call work: one transaction per public method, refusals
are `RuleError` / `Refused` (403, audited by the API), every change audited.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from common import wire
from common.phones import refusal
from common.text import control_char
from db.models import HeatingAccount, Outage, OutageCaller
from db.queries import iso
from hotline.aftercall.outage_calls import NO_CALL_BACKS, call_back_counts, caller_dict
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit
from ivr.prompts import check_wav, convert, outage_file, render_outage

#: the 供热已恢复 call-back of an affected caller: booked, then how it went (the dialer's words);
#: refused: the number policy does not dial the number (common/phones.py), never tried
CALLBACK_REQUESTED, CALLBACK_REFUSED = "requested", "refused"
#: what the CLI's actor is called in the audit trail and as `declared_by` without --as
CLI = "cli"
_SEP = re.compile(r"\s*[/／]\s*")
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _line(text, what: str, most: int, missing: str) -> str:
    """One line a person typed, stripped: present, at most `most` characters, no control character."""
    text = str(text or "").strip()
    if not text:
        raise RuleError(422, missing)
    if len(text) > most:
        raise RuleError(422, f"{what}过长:{len(text)} 字,不超过 {most} 字")
    if control_char(text) is not None:
        raise RuleError(422, f"{what}含有不允许的字符")
    return text


def parse_area(text: str) -> tuple[str, str, str]:
    """'和平区/幸福里小区[/3]' → ('和平区', '幸福里小区', '3'); a district alone is an area too.
    RuleError 422 for anything else."""
    text = _line(text, "停热区域", wire.OUTAGE_AREA_MAX, "请填写停热区域:区/小区[/楼号],例如 和平区/幸福里小区")
    parts = _SEP.split(text)
    if len(parts) > 3 or any(not p for p in parts):
        raise RuleError(422, f"停热区域应写作 区/小区[/楼号]: {text}")
    d, c, b = (parts + ["", ""])[:3]
    if len(d) > 64 or len(c) > 64 or len(b) > 16:
        raise RuleError(422, f"停热区域的某一段过长: {text}")
    return d, c, b


def area_text(district: str, compound: str = "", building: str = "") -> str:
    return "/".join(p for p in (district, compound, building) if p)


def area_of_account(acc) -> tuple[str, str, str]:
    """The area parts an account (HeatingAccount, the IVR's AccountView) lies in."""
    return acc.district, acc.compound, acc.building


def parse_until(value, now: datetime) -> datetime:
    """The expected end: a datetime, or text like '2026-12-02 18:00'; it must lie in the future."""
    if isinstance(value, datetime):
        until = value
    else:
        text = str(value or "").strip()
        until = None
        for fmt in _TIME_FORMATS:
            try:
                until = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if until is None:
            raise RuleError(422, f"预计恢复时间应写作 2026-12-02 18:00: {text[:40]}")
    until = until.replace(tzinfo=None, microsecond=0)
    if until <= now:
        raise RuleError(422, f"预计恢复时间 {until:%Y-%m-%d %H:%M} 已过,应晚于现在 {now:%Y-%m-%d %H:%M}")
    return until


def check_message(message: str) -> str:
    return _line(message, "停热通知", wire.OUTAGE_MESSAGE_MAX, "请填写停热通知的内容(来电住户会听到)")


def _affected_counts(db: Session, ids) -> dict[int, int]:
    """{outage id: how many callers (distinct numbers) keyed 1 on its notice}."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(db.execute(select(OutageCaller.outage_id, func.count(func.distinct(OutageCaller.caller)))
                           .where(OutageCaller.outage_id.in_(ids)).group_by(OutageCaller.outage_id)).all())


def outage_dict(o: Outage, affected: int, call_backs: dict | None = None) -> dict:
    """An outage as the wire shows it (wire.SAMPLE_OUTAGE): `call_backs` counts its 供热已恢复 calls
    (hotline.aftercall.outage_calls.call_back_counts)."""
    return {"id": o.id, "area": o.area, "until": iso(o.until), "message": o.message, "declared_by": o.declared_by,
            "declared_at": iso(o.declared_at), "ended_at": iso(o.ended_at), "affected": affected,
            "call_back": o.call_back, "call_backs": dict(call_backs or NO_CALL_BACKS)}


def _shown(db: Session, rows) -> list[dict]:
    """Outages in SAMPLE_OUTAGE's shape, with their affected callers and call-backs counted."""
    ids = [o.id for o in rows]
    counts, backs = _affected_counts(db, ids), call_back_counts(db, ids)
    return [outage_dict(o, counts.get(o.id, 0), backs.get(o.id)) for o in rows]


def open_outages(db: Session, now: datetime | None = None) -> list[dict]:
    """The open outages in SAMPLE_OUTAGE's shape, with their affected counts, latest first: what
    the board and the wall show. (`now` is for the callers' symmetry: an outage is open until a lead
    ends it, its expected end passed or not.)"""
    return _shown(db, list(db.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.id.desc()))))


class OutageBoard:
    """Declaring, listing and ending outages. `settings`: the TTS voice and cache (the notice's
    sound) and the number policy (Settings.outbound_allowed) the call-backs go through."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], settings):
        self.sessions, self.now, self.settings = sessions, now, settings

    @staticmethod
    def _may(actor: Actor | None, what: str, object_id: str = "") -> str:
        """Who acts (the audit's actor): team leads, the head, admins — or the CLI's admin (None)."""
        if actor is None:
            return CLI
        if actor.role not in SUPERVISORS:
            raise Refused("只有领班、部长和管理员可以发布或结束停热通知", f"outage_{what}_refused", "outage", object_id)
        return actor.agent_no

    @staticmethod
    def _known_area(db: Session, d: str, c: str, b: str) -> None:
        """The area must be one of the imported accounts': its district, the compound in it, the building."""
        q = select(HeatingAccount.id).where(HeatingAccount.district == d)
        if db.scalar(q.limit(1)) is None:
            raise RuleError(422, f"住户资料中没有片区「{d}」:请检查停热区域的写法(区/小区[/楼号])")
        if c:
            q = q.where(HeatingAccount.compound == c)
            if db.scalar(q.limit(1)) is None:
                raise RuleError(422, f"片区「{d}」的住户资料中没有小区「{c}」")
        if b:
            q = q.where(HeatingAccount.building == b)
            if db.scalar(q.limit(1)) is None:
                raise RuleError(422, f"小区「{d}/{c}」的住户资料中没有 {b} 号楼")

    # ------------------------------------------------------------------ declare --
    def declare(self, actor: Actor | None, area: str, until, message: str, file: Path | None = None) -> dict:
        """A new outage, its notice rendered now (espeak-ng, or `file`: a recorded WAV imported with
        sox). Refused: not a team lead, the head or an admin (403); an area no imported account lies
        in, an end not in the future, an empty or too long message, control characters (422); an
        open outage for the same area already (409)."""
        who = self._may(actor, "declare")
        d, c, b = parse_area(area)
        now = self.now()
        until = parse_until(until, now)
        text = check_message(message)
        if file is not None:
            try:
                check_wav(file)
            except ValueError as exc:
                raise RuleError(422, str(exc)) from None
        # the sound first, into a temp file of the folder (no write lock held while TTS runs), then
        # moved to its name — the outage's id — inside the transaction that writes the row
        folder = outage_file(self.settings, 0).parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".new-", suffix=".wav", dir=folder)
        os.close(fd)
        part, final = Path(name), None
        try:
            try:
                convert(Path(file), part) if file is not None else render_outage(self.settings, text, part)
            except RuntimeError as exc:    # espeak-ng or sox missing or failing: no outage without its sound
                raise RuleError(503, f"停热通知的语音无法生成: {exc}") from None
            with self.sessions() as db, db.begin():
                self._known_area(db, d, c, b)
                same = db.scalar(select(Outage.id).where(Outage.ended_at.is_(None), Outage.district == d,
                                                         Outage.compound == c, Outage.building == b).limit(1))
                if same is not None:
                    raise RuleError(409, f"区域 {area_text(d, c, b)} 已有未结束的停热通知(编号 {same})")
                o = Outage(district=d, compound=c, building=b, until=until, message=text, declared_by=who,
                           declared_at=now, prompt_source="file" if file is not None else "tts", call_back=False)
                db.add(o)
                db.flush()
                final = outage_file(self.settings, o.id)
                part.replace(final)
                o.prompt = str(final)
                add_audit(db, who, "outage_declare", "outage", str(o.id), area=o.area, until=iso(until),
                          source=o.prompt_source)
                return outage_dict(o, 0)
        except BaseException:
            if final is not None:
                final.unlink(missing_ok=True)
            raise
        finally:
            part.unlink(missing_ok=True)

    # --------------------------------------------------------------------- read --
    def list(self, actor: Actor | None, open_only: bool = True) -> list[dict]:
        """Outages, latest first (open ones only, or every one): SAMPLE_OUTAGE's shape."""
        self._may(actor, "list")
        with self.sessions() as db:
            q = select(Outage).order_by(Outage.id.desc())
            if open_only:
                q = q.where(Outage.ended_at.is_(None))
            return _shown(db, list(db.scalars(q.limit(500))))

    def affected(self, actor: Actor | None, outage_id) -> list[dict]:
        """The callers who keyed 1 on the outage's notice, first first: masked number, account, when,
        and their 供热已恢复 call-back: its state (outage_calls' words), attempts, next try, answer, end."""
        self._may(actor, "list", str(outage_id))
        with self.sessions() as db:
            o = self._get(db, outage_id)
            return [caller_dict(r)
                    for r in db.scalars(select(OutageCaller).where(OutageCaller.outage_id == o.id)
                                        .order_by(OutageCaller.at, OutageCaller.id))]

    @staticmethod
    def _get(db: Session, outage_id) -> Outage:
        try:
            oid = int(str(outage_id))
        except ValueError:
            oid = 0
        o = db.get(Outage, oid) if 0 < oid < 2**62 else None
        if o is None:
            raise RuleError(404, f"没有这条停热通知: {str(outage_id)[:20]}")
        return o

    # ---------------------------------------------------------------------- end --
    def end(self, actor: Actor | None, outage_id, call_back: bool = False) -> dict:
        """The heating is back: the outage ends (its notice is heard no more). With `call_back`,
        every affected caller's number (once per number) is booked for the 供热已恢复 call —
        a number the policy refuses is marked refused, never dialled. 409 when it ended already."""
        who = self._may(actor, "end", str(outage_id))
        now = self.now()
        with self.sessions() as db, db.begin():
            o = self._get(db, outage_id)
            if o.ended_at is not None:
                raise RuleError(409, f"停热通知 {o.id} 已于 {o.ended_at:%Y-%m-%d %H:%M} 结束")
            o.ended_at, o.ended_by, o.call_back = now, who, bool(call_back)
            booked = refused = 0
            if call_back:
                seen: set[str] = set()
                for r in db.scalars(select(OutageCaller).where(OutageCaller.outage_id == o.id)
                                    .order_by(OutageCaller.at.desc(), OutageCaller.id.desc())):
                    if r.caller in seen:
                        continue
                    seen.add(r.caller)
                    why = refusal(r.caller, self.settings.outbound_allowed)
                    r.callback_state, r.callback_at = (CALLBACK_REFUSED, None) if why else (CALLBACK_REQUESTED, now)
                    r.callback_note, r.callback_attempts = why[:64], 0
                    # refused: over at once; requested: due now — the outage dialer places it within its hours
                    r.callback_next_at, r.callback_ended_at = (None, now) if why else (now, None)
                    booked, refused = booked + (not why), refused + bool(why)
            add_audit(db, who, "outage_end", "outage", str(o.id), area=o.area, call_back=bool(call_back),
                      booked=booked, refused=refused)
            db.flush()
            return _shown(db, [o])[0]

    def pending_call_backs(self, limit: int = 100) -> list[dict]:
        """The 供热已恢复 calls booked and not placed yet, oldest first (the outage dialer takes them:
        hotline.aftercall.outage_calls)."""
        with self.sessions() as db:
            return [{"id": r.id, "outage": r.outage_id, "booked_at": iso(r.callback_at), "due_at": iso(r.callback_next_at)}
                    for r in db.scalars(select(OutageCaller).where(OutageCaller.callback_state == CALLBACK_REQUESTED,
                                                                   OutageCaller.callback_ended_at.is_(None))
                                        .order_by(OutageCaller.callback_at, OutageCaller.id).limit(limit))]
