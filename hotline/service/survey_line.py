"""The automated 回访 call, on the service's side: the survey flows' line to the dialer
(`ServiceSurveyLine`, ivr.survey.SurveyLine over hotline.aftercall.survey_calls) and the
placing of calls (`SurveyCaller`: hotline.service.dialer_line's round over the one AMI gateway).

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
from hotline.aftercall.survey_calls import DECLINED, NO_ANSWER, AttemptEnd, SurveyDialer, SurveyTarget
from hotline.service.dialer_line import CallPlacer, DialRoute
from common.naming import SURVEY_CONTEXT, SURVEY_DIAL_CONTEXT

log = logging.getLogger("hotline.survey")

#: the 回访's calls in the dialplan
SURVEY_ROUTE = DialRoute(SURVEY_DIAL_CONTEXT, SURVEY_CONTEXT, lambda p: f"survey call {p.attempt} for ticket {p.ticket}")


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


class SurveyCaller(CallPlacer):
    """One round of the 回访 dialer: the attempts it may place now, each originated over AMI with
    `caller_id`, the hotline's public number ('' for none: the dialplan's [survey-dial] presents none either)."""

    def __init__(self, dialer: SurveyDialer, ami, caller_id: str, ended: Callable[[AttemptEnd], Awaitable[None]]):
        super().__init__(dialer, ami, caller_id, ended, SURVEY_ROUTE, log)
