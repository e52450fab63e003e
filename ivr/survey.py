"""The automated 回访 call (#15): the customer's follow-up script (002 四.2) as a call flow, over the
same `Channel` seam as the caller's path (ivr.flows).

The service originates ``Local/<ref>@survey-dial/n`` (dialplan/extensions.conf; the attempt's
random ref): its ;2 half asks `survey_dial` for the resident's number (looked up from the attempt,
never passed over AMI), checks it against the number classes [outbound] uses, dials it through the
trunk and reports a failed Dial (`survey_dial_end`: BUSY, NOANSWER, …, REFUSED); once
the resident answers, the ;1 half runs `survey_flow` in [survey-call], and its hang-up handler
(`survey_end`) closes an attempt nothing else closed (not reached).

The flow: the opening and 方便请按1,不方便请按2 (2: later — an agent's 回访 in automated-first,
another call in automated; no key after the tries: not reached), then a 问题解决了吗 (1/2),
b 维修工态度如何 (1/2/3), c 跟您收费了吗 (1/2), d 打分 1–10 (one or two keys ended by #: "10" is
1 then 0; re-asked when out of range), e a short recording ended by # or silence, and the answers
are stored through the service's one survey-saving path (channel ivr); f the fee reminder when b is
满意 and the fee unpaid; the closing line with the hotline's public number (Settings.public_number)
read from the digit prompts. What the flow needs of the service is `SurveyLine`
(IvrContext.surveys): ivr/ never imports the after-call work or the service.
"""
from __future__ import annotations

import logging
import re
from typing import Protocol

from common.wire import fee_reminder_applies
from db.call_tokens import REF
from ivr.channel import CallerHungUp, Channel, call_of
from ivr.context import IvrContext
from ivr.flows import Caller, Intake
from ivr.prompts import P, digit_sounds
from common.phones import clean_digits, mask_phone

log = logging.getLogger("ivr.survey")

YES_NO = {"1": True, "2": False}
ATTITUDE_KEYS = {"1": "satisfied", "2": "average", "3": "unsatisfied"}
#: e ends after this many seconds of silence (or '#', or Settings.voice_max_s)
COMMENT_SILENCE_S = 3
_UNSAFE = re.compile(r"[^0-9A-Za-z._-]")


class SurveyTargetView(Protocol):
    ticket: str
    fee_status: str
    #: the survey call's record (direction survey): its last_step says where a hang-up happened
    call_id: int
    #: its uniqueid (the flow's writes are keyed by it)
    uniqueid: str
    #: 不方便 leaves the 回访 to an agent (automated-first), else another call is booked
    later_by_agent: bool


class SurveyLine(Protocol):
    """What the survey flows need of the service (hotline.service.survey_line.ServiceSurveyLine)."""

    async def number(self, attempt: str) -> str: ...
    async def dial_failed(self, attempt: str, dialstatus: str) -> None: ...
    async def answered(self, attempt: str, uniqueid: str, recording: str) -> SurveyTargetView | None: ...
    async def save(self, attempt: str, answers: dict, recording: str | None) -> bool: ...
    async def declined(self, attempt: str) -> None: ...
    async def not_reached(self, attempt: str) -> None: ...


def ref_of(text: str) -> str:
    """The attempt's ref from a channel variable (the Local channel's extension); '' for anything
    but one (db.call_tokens.REF)."""
    text = str(text or "").strip()
    return text if REF.fullmatch(text) else ""


async def attempt_on(ch: Channel) -> str:
    """The attempt this request is about: the one it was admitted for, else HOTLINE_SURVEY_CALL."""
    return ref_of(await call_of(ch, "HOTLINE_SURVEY_CALL"))


def parse_score(keyed: str) -> int | None:
    """d: "9", "9#", "10" (1 then 0) → the score; None outside 1–10 or for nothing keyed."""
    digits = clean_digits(str(keyed or "").partition("#")[0])
    if not digits or len(digits) > 2:
        return None
    score = int(digits)
    return score if 1 <= score <= 10 else None


class SurveyCall:
    """One answered survey call: the channel, the context, the line to the service."""

    def __init__(self, ch: Channel, ctx: IvrContext, line: SurveyLine, attempt: str, target: SurveyTargetView):
        self.ch, self.ctx, self.line, self.attempt, self.target = ch, ctx, line, attempt, target
        # the caller flow's menus, prompts, retries and step bookkeeping (written while the next
        # prompt plays: a DB write between two AGI commands would swallow a key pressed in it)
        self.c = Caller(ch, ctx)
        self.c.intake = Intake(target.uniqueid, "")
        self.s = ctx.settings
        self.recorded: str | None = None

    async def step(self, name: str) -> None:
        await self.c.step(name)

    async def choice(self, step: str, prompt: str, keys: dict):
        """One question answered by one key; None after max_tries without a valid key."""
        await self.step(step)
        key = await self.c.menu([prompt], "".join(keys))
        return keys[key] if key is not None else None

    async def score(self) -> int | None:
        """d, re-asked (max_tries) when nothing or a number outside 1–10 was keyed."""
        await self.step("survey_d")
        for _ in range(self.s.max_tries):
            keyed = await self.ch.get_digits([self.c.snd(P.survey_score)], 2, self.s.digit_timeout_ms)
            score = parse_score(keyed)
            if score is not None:
                return score
            await self.c.say(P.survey_score_invalid if clean_digits(keyed) else P.no_input)
        return None

    async def comment(self) -> str | None:
        """e: the resident's words after the beep, ended by '#' or silence; the file under the
        recordings directory, or None when nothing was recorded."""
        await self.step("survey_e")
        await self.c.say(P.survey_comment)
        day = self.ctx.now().strftime("%Y/%m/%d")
        base = self.s.recordings_dir / day / f"survey-{_UNSAFE.sub('_', self.ch.uniqueid or str(self.attempt))}"
        base.parent.mkdir(parents=True, exist_ok=True)
        path = base.parent / (base.name + ".wav")     # uniqueids hold a dot: no with_suffix
        try:
            await self.ch.record(str(base), "wav", self.s.voice_max_s, escape="#", silence_s=COMMENT_SILENCE_S)
        finally:   # a hang-up during e keeps what was said
            self.recorded = str(path) if path.exists() and path.stat().st_size > 44 else None
        return self.recorded

    async def closing(self) -> None:
        """The closing: 请您随时拨打, the public number digit by digit (本热线 where the installation
        has none configured; never the internal extension), 我们将及时为您服务。"""
        number = self.s.public_digits
        middle = digit_sounds(number) if number else [self.c.snd(P.survey_closing_this_hotline)]
        await self.ch.play(self.c.snd(P.survey_closing), *middle, self.c.snd(P.survey_closing_end))


async def _finish(ch: Channel) -> None:
    await ch.set_var("HOTLINE_ROUTE", "hangup")
    await ch.hangup()


async def survey_flow(ch: Channel, ctx: IvrContext) -> None:
    """The ;1 half once the resident answered: the survey, the answers stored, the closing."""
    line: SurveyLine | None = ctx.surveys
    attempt = await attempt_on(ch)
    recording = await ch.get_var("REC")         # the whole call's (MixMonitor, [survey-call])
    target = await line.answered(attempt, ch.uniqueid, recording) if line is not None and attempt else None
    if target is None:
        log.warning("survey call %s: no such call in progress (or already surveyed); hanging up", ch.uniqueid)
        await _finish(ch)
        return
    sc = SurveyCall(ch, ctx, line, attempt, target)
    try:
        await _survey(sc)
    finally:
        await sc.c.settle()


async def _survey(sc: SurveyCall) -> None:
    ch, line, attempt, target = sc.ch, sc.line, sc.attempt, sc.target
    await sc.step("survey_greeting")
    key = await sc.c.menu([P.survey_convenient], "12", extra=[sc.c.snd(P.survey_opening)])
    if key != "1":
        if key == "2":   # 不方便: later, by an agent (automated-first) or by another call (automated)
            await sc.c.say(P.survey_agent_later if target.later_by_agent else P.survey_call_later)
        await (line.declined(attempt) if key == "2" else line.not_reached(attempt))
        await _finish(ch)
        return
    answers: dict = {}
    for step, name, prompt, keys in (("survey_a", "solved", P.survey_solved, YES_NO),
                                     ("survey_b", "attitude", P.survey_attitude, ATTITUDE_KEYS),
                                     ("survey_c", "charged", P.survey_charged, YES_NO)):
        answers[name] = await sc.choice(step, prompt, keys)
        if answers[name] is None:      # no valid key after the tries: not reached, tried again
            await line.not_reached(attempt)
            await _finish(ch)
            return
    answers["score"] = await sc.score()
    if answers["score"] is None:
        await line.not_reached(attempt)
        await _finish(ch)
        return
    answers["comment"] = ""
    applies = fee_reminder_applies(answers["attitude"], target.fee_status)
    try:
        recording = await sc.comment()
    except CallerHungUp:
        # a–d are the resident's: kept even when they hang up during e (f was not read)
        await line.save(attempt, {**answers, "fee_reminder": False if applies else None}, sc.recorded)
        raise
    answers["fee_reminder"] = True if applies else None
    await sc.step("survey_f" if applies else "survey_closing")
    await line.save(attempt, answers, recording)
    if applies:
        await sc.c.say(P.survey_fee_reminder)
    await sc.closing()
    await _finish(ch)


async def survey_dial(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, before Dial: the number of the attempt's ticket in HOTLINE_SURVEY_NUMBER ('' —
    no such placed attempt, or no number the hotline may dial: the dialplan dials nothing)."""
    line: SurveyLine | None = ctx.surveys
    attempt = await attempt_on(ch)
    number = await line.number(attempt) if line is not None and attempt else ""
    await ch.set_var("HOTLINE_SURVEY_NUMBER", number)
    log.info("survey call %s dials %s", ch.uniqueid, mask_phone(number) if number else "nothing")


async def survey_dial_end(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, when Dial came back unanswered: DIALSTATUS to the dialer (busy → retried …;
    REFUSED, the number classes said no → given to people, never tried again)."""
    line: SurveyLine | None = ctx.surveys
    attempt = await attempt_on(ch)
    status = (await ch.get_var("DIALSTATUS"))[:16]
    if line is not None and attempt:
        await line.dial_failed(attempt, status)


async def survey_end(ch: Channel, ctx: IvrContext) -> None:
    """Hang-up handler of the ;1 half (after StopMixMonitor): an attempt not ended by the flow was
    not reached; the call's record ends and its recording is sealed (duration, sha256) once its file
    is complete."""
    line: SurveyLine | None = ctx.surveys
    attempt = await attempt_on(ch)
    if line is not None and attempt:
        await line.not_reached(attempt)
    await ctx.db(ctx.records.recordings_closed, ch.uniqueid)
    await ctx.db(ctx.records.end_call, ch.uniqueid, "")


SURVEY_ROUTES = {"survey": survey_flow, "survey_dial": survey_dial, "survey_dial_end": survey_dial_end,
                 "survey_end": survey_end}
