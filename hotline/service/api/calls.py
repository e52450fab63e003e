"""The agent's desk on a call: the queue and pauses, the screen pop, accounts, the ticket being filled in."""
from __future__ import annotations

from aiohttp import web

from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.schemas import AssignIn, NewTicketIn, PauseIn, QueueIn, TicketForm
from common import wire


class CallsRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.SCRIPT, self.script)
        r.add_get(wire.STATIONS, self.stations)
        r.add_post(wire.QUEUE, self.queue_membership)
        r.add_post(wire.PAUSE, self.pause)
        r.add_get(wire.DIRECTORY, self.directory)
        r.add_post(wire.WRAPUP_DONE, self.wrapup_done)
        r.add_post(wire.REJECT, self.reject_call)
        r.add_get(wire.ACCOUNTS, self.search_accounts)
        r.add_get(wire.ACCOUNT, self.get_account)
        r.add_get(wire.POP, self.get_pop)
        r.add_get(wire.DRAFTS, self.my_drafts)
        r.add_post(wire.TICKETS, self.new_ticket)
        r.add_get(wire.TICKET, self.get_ticket)
        r.add_put(wire.TICKET, self.save_ticket)
        r.add_put(wire.TICKET_DRAFT, self.autosave)
        r.add_post(wire.TICKET_ASSIGN, self.assign_ticket)
        r.add_get(wire.TICKET_VOICE, self.ticket_voice)

    async def script(self, request):
        return answer(await self.db(self.desk.script, request[PRINCIPAL]))

    async def stations(self, request):
        return answer(await self.db(self.desk.stations))

    async def queue_membership(self, request):
        p = request[PRINCIPAL]
        body = await self.body(request, QueueIn)
        self.desk.queue_work(p, "queue_join" if body.member else "queue_leave")
        await self.line.set_queue_member(p.agent_no, body.member)
        await self.db(self.desk.audit, p, "queue_join" if body.member else "queue_leave", "agent", p.agent_no)
        return answer({"agent_state": self.line.agent_state(p.agent_no)})

    async def pause(self, request):
        p = request[PRINCIPAL]
        body = await self.body(request, PauseIn)
        self.desk.queue_work(p, "pause" if body.paused else "unpause")
        reason = self.desk.check_pause_reason(body.paused, body.reason)   # only the list reaches Asterisk
        await self.line.set_paused(p.agent_no, body.paused, reason)
        detail = {"reason": reason} if body.paused else {}
        await self.db(lambda: self.desk.audit(p, "pause" if body.paused else "unpause", "agent", p.agent_no,
                                              **detail))
        return answer({"agent_state": self.line.agent_state(p.agent_no)})

    async def directory(self, request):
        """Who a call can be transferred to: any logged-in user may look (the session is the
        check); Asterisk's phone states are read now, the rest from the DB and the queue."""
        queue_agents, devices = await self.line.transfer_states()
        return answer(await self.db(self.desk.directory, request[PRINCIPAL], queue_agents, devices))

    async def wrapup_done(self, request):
        p = request[PRINCIPAL]
        self.desk.queue_work(p, "wrapup_done")
        if await self.line.wrapup_done(p.agent_no):
            await self.db(self.desk.audit, p, "wrapup_done", "agent", p.agent_no)
        return answer({"agent_state": self.line.agent_state(p.agent_no)})

    async def reject_call(self, request):
        """The agent declines a ringing queue call (拒接): audited; the queue's ring-no-answer
        that follows pauses them like a call they let ring out."""
        p = request[PRINCIPAL]
        await self.db(self.desk.reject, p, request.match_info["uniqueid"])
        return answer({"ok": True})

    async def search_accounts(self, request):
        return answer(await self.db(self.desk.search, request[PRINCIPAL], request.query.get("q", "")))

    async def get_account(self, request):
        return answer(await self.db(self.desk.account, request[PRINCIPAL], request.match_info["account_no"]))

    async def get_pop(self, request):
        p = request[PRINCIPAL]
        return answer(await self.db(self.desk.pop, request.match_info["uniqueid"], p.agent_no, p))

    async def my_drafts(self, request):
        return answer(await self.db(self.desk.drafts, request[PRINCIPAL]))

    async def new_ticket(self, request):
        body = await self.body(request, NewTicketIn)
        return answer(await self.db(self.desk.new_ticket, request[PRINCIPAL], body.uniqueid), 201)

    async def get_ticket(self, request):
        return answer(await self.db(self.desk.ticket, request[PRINCIPAL], request.match_info["number"]))

    async def save_ticket(self, request):
        form = await self.body(request, TicketForm)
        return answer(await self.db(self.desk.save, request[PRINCIPAL], request.match_info["number"], form))

    async def autosave(self, request):
        form = await self.body(request, TicketForm)   # same schema and limits as a save
        await self.db(self.desk.autosave, request[PRINCIPAL], request.match_info["number"], form)
        return answer({"ok": True})

    async def assign_ticket(self, request):
        body = await self.body(request, AssignIn)
        return answer(await self.db(self.desk.assign, request[PRINCIPAL], request.match_info["number"],
                                   body.agent_no))

    async def ticket_voice(self, request):
        path = await self.db(self.desk.voice_file, request[PRINCIPAL], request.match_info["number"])
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})
