"""The automated 回访 call, on the service's side: the survey flows' line to the dialer
(`ServiceSurveyLine`, ivr.survey.SurveyLine over hotline.aftercall.survey_calls) and the
placing of calls (`SurveyCaller`: the Originate through the one AMI gateway).

The Originate never carries a phone number: its channel is ``Local/<ref>@survey-dial/n`` (the
attempt's random ref, never its id) and that half asks the service (FastAGI `survey_dial`) for the
number of the attempt's ticket. The outcome of the dial comes back the same way (`survey_dial_end`
with DIALSTATUS), so the service needs no call events on AMI (its user reads only agent, system and
user events). The Originate's variables carry the attempt's token (db/call_tokens.py): every FastAGI
request of the call must show it, each stage once.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hotline.aftercall.rules import RuleError
from hotline.aftercall.survey_calls import DECLINED, FAILED, NO_ANSWER, AttemptEnd, SurveyDialer, SurveyTarget
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from common.ami import AmiValueError
from common.naming import CALL_TOKEN_VAR, SURVEY_CONTEXT, SURVEY_DIAL_CONTEXT

log = logging.getLogger("hotline.survey")

#: the Originate waits this much longer than the resident's phone rings (the number look-up first)
ORIGINATE_MARGIN_S = 30


class ServiceSurveyLine:
    """ivr.survey.SurveyLine: each call is one transaction of the dialer, off the event loop;
    `ended` hears of every attempt that ended (the dialer's round, the team leads), `reopened` of
    every repair the resident said is not done (the team leads)."""

    def __init__(self, dialer: SurveyDialer, ended: Callable[[AttemptEnd], Awaitable[None]],
                 reopened: Callable[[dict], Awaitable[None]]):
        self.dialer, self._ended, self._reopened = dialer, ended, reopened

    async def number(self, attempt: str) -> str:
        number, end = await asyncio.to_thread(self.dialer.number_for, attempt)
        await self._end(end)
        return number

    async def dial_failed(self, attempt: str, dialstatus: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.dial_failed, attempt, dialstatus))

    async def answered(self, attempt: str, uniqueid: str, recording: str) -> SurveyTarget | None:
        return await asyncio.to_thread(self.dialer.answered, attempt, uniqueid, recording)

    async def save(self, attempt: str, answers: dict, recording: str | None) -> bool:
        try:
            saved, reopened, end = await asyncio.to_thread(self.dialer.save, attempt, answers, recording)
        except RuleError as exc:     # surveyed by an agent meanwhile, a bad answer: the call goes on
            log.warning("survey call: answers not stored: %s", exc.message)
            return False
        log.info("survey call on ticket %s: answers stored (score %s)", saved["ticket"], saved["survey"]["score"])
        if reopened is not None:
            await self._reopened(reopened)
        await self._end(end)
        return True

    async def declined(self, attempt: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.ended, attempt, DECLINED))

    async def not_reached(self, attempt: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.ended, attempt, NO_ANSWER))

    async def _end(self, end: AttemptEnd | None) -> None:
        if end is not None:
            await self._ended(end)


async def originate_attempt(ami, ref: str, dial_context: str, context: str, caller_id: str, token: str,
                            ring_s: int) -> tuple[bool, str]:
    """Originate an automated call out (the 回访, a station's call): ``Local/<ref>@<dial_context>/n``,
    its answered half into `context` at `ref`; (placed, why not). The token on both halves (a Local
    channel hands its variables on) and every channel they make (__): each FastAGI request of the call
    shows it."""
    try:
        res = await ami.action(
            "Originate", Channel=f"Local/{ref}@{dial_context}/n", Context=context, Exten=ref, Priority="1",
            CallerID=caller_id or None, Async="true", Variable=f"__{CALL_TOKEN_VAR}={token}",
            Timeout=str((ring_s + ORIGINATE_MARGIN_S) * 1000))
    except (TelephonyUnavailable, TelephonyTimeout, AmiValueError) as exc:
        return False, str(exc)
    ok = (res or {}).get("Response") == "Success"
    return ok, "" if ok else (res or {}).get("Message", "refused")


class SurveyCaller:
    """One round of the dialer: the attempts it may place now, each originated over AMI (`ami`:
    anything with the AmiGateway's `connected` and `action`) with `caller_id`, the hotline's
    public number ('' for none: the dialplan's [survey-dial] presents none either)."""

    def __init__(self, dialer: SurveyDialer, ami, caller_id: str, ended: Callable[[AttemptEnd], Awaitable[None]]):
        self.dialer, self.ami, self.caller_id, self._ended = dialer, ami, caller_id, ended

    async def round(self) -> int:
        """Place what is due; returns how many calls went out."""
        if not self.ami.connected.is_set():      # requested and due calls wait for AMI
            return 0
        placements, ended = await asyncio.to_thread(self.dialer.next_calls)
        for end in ended:
            await self._ended(end)
        sent = 0
        for p in placements:
            ok, why = await originate_attempt(self.ami, p.ref, SURVEY_DIAL_CONTEXT, SURVEY_CONTEXT, self.caller_id,
                                              p.token, self.dialer.policy.ring_s)
            if ok:
                sent += 1
                log.info("survey call %s for ticket %s placed", p.attempt, p.ticket)
                continue
            log.warning("survey call %s for ticket %s not placed: %s", p.attempt, p.ticket, why)
            end = await asyncio.to_thread(self.dialer.dial_failed, p.ref, FAILED)
            if end is not None:
                await self._ended(end)
        return sent
