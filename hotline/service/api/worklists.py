"""The worklists: call-backs and 回访 (click-to-call through the one number policy)."""
from __future__ import annotations

from aiohttp import web

from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.schemas import CallbackOutcomeIn, SurveyBookIn, SurveyIn
from common import wire


class WorklistsRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.CALLBACKS, self.list_callbacks)
        r.add_post(wire.CALLBACK_TAKE, self.take_callback)
        r.add_post(wire.CALLBACK_OUTCOME, self.callback_outcome)
        r.add_post(wire.CALLBACK_CALL, self.call_callback)
        r.add_get(wire.SURVEYS, self.list_surveys)
        r.add_post(wire.SURVEY, self.save_survey)
        r.add_post(wire.SURVEY_BOOK, self.book_survey)
        r.add_post(wire.SURVEY_CALL, self.call_survey)

    async def list_callbacks(self, request):
        return answer(await self.db(self.callbacks.list, request[PRINCIPAL].actor,
                                   request.query.get("open", "1") != "0"))

    async def take_callback(self, request):
        e = await self.db(self.callbacks.take, request[PRINCIPAL].actor, request.match_info["number"])
        await self.hub.callback_changed(e)
        return answer(e)

    async def callback_outcome(self, request):
        body = await self.body(request, CallbackOutcomeIn)
        e = await self.db(self.callbacks.outcome, request[PRINCIPAL].actor, request.match_info["number"],
                          body.outcome, body.note)
        await self.hub.callback_changed(e)
        return answer(e)

    async def call_callback(self, request):
        """Click-to-call a call-back entry: the agent's phone rings, then the resident's."""
        out, entry = await self.db(self.callbacks.call, request[PRINCIPAL].actor, request.match_info["number"],
                                   self.settings.outbound_allowed)
        await self.hub.callback_changed(entry)
        await self.line.call_out(out)
        return answer(out.answer())

    async def list_surveys(self, request):
        return answer(await self.db(self.surveys.list, request[PRINCIPAL].actor))

    async def save_survey(self, request):
        body = await self.body(request, SurveyIn)
        p, number = request[PRINCIPAL], request.match_info["number"]
        saved, reopened = await self.db(self.surveys.record, p.actor, number, body.model_dump())
        if reopened is not None:      # 还是不热: a linked ticket, to the team leads
            await self.hub.lead_ticket(reopened)
        return answer(saved, 201)

    async def book_survey(self, request):
        body = await self.body(request, SurveyBookIn)
        return answer(await self.db(self.surveys.book, request[PRINCIPAL].actor, request.match_info["number"],
                                   body.at, body.note))

    async def call_survey(self, request):
        """Click-to-call a 回访 entry's resident."""
        out = await self.db(self.surveys.call, request[PRINCIPAL].actor, request.match_info["number"],
                            self.settings.outbound_allowed)
        await self.line.call_out(out)
        return answer(out.answer())
