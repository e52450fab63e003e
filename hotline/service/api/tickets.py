"""After the call: the tickets' lists and moves, the anomaly register, recordings, the audit trail."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from hotline.aftercall import compress
from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.desk import DeskError
from hotline.service.schemas import AnomalyIn, ConfirmIn, NoteIn, RecordingDeleteIn, ResultIn, TicketStateIn
from common import wire
from common.text import control_char

log = logging.getLogger("hotline.api")


class TicketsRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.TICKETS, self.list_tickets)
        r.add_post(wire.TICKET_STATE, self.move_ticket)
        r.add_post(wire.TICKET_REOPEN, self.reopen_ticket)
        r.add_post(wire.TICKET_CONFIRM, self.confirm_ticket)
        r.add_get(wire.ANOMALIES_UNACKED, self.unacknowledged)
        r.add_get(wire.ANOMALIES, self.list_anomalies)
        r.add_post(wire.ANOMALIES, self.record_anomaly)
        r.add_post(wire.ANOMALY_HANDLE, self.handle_anomaly)
        r.add_post(wire.ANOMALY_CLOSE, self.close_anomaly)
        r.add_post(wire.ANOMALY_ACK, self.ack_anomaly)
        r.add_get(wire.RECORDINGS, self.list_recordings)
        r.add_get(wire.RECORDING_AUDIO, self.recording_audio)
        r.add_post(wire.RECORDING_DELETE, self.delete_recording)
        r.add_get(wire.AUDIT, self.audit_log)

    async def list_tickets(self, request):
        q = request.query
        flags = ("overdue", wire.UNCONFIRMED)
        filters = {k: q.get(k, "")[:64] for k in wire.TICKET_FILTERS if k not in flags}
        if any(control_char(v) is not None for v in filters.values()):
            raise DeskError(422, "筛选条件含有不允许的控制字符")
        return answer(await self.db(lambda: self.work.tickets(request[PRINCIPAL].actor, overdue=q.get("overdue") == "1",
                                                             unconfirmed=q.get(wire.UNCONFIRMED) == "1", **filters)))

    async def move_ticket(self, request):
        body = await self.body(request, TicketStateIn)
        p = request[PRINCIPAL]
        t = await self.db(self.work.move, p.actor, request.match_info["number"], body.state, body.note,
                          body.station_code)
        await self.hub.ticket_changed(t)
        return answer({k: v for k, v in t.items() if k != "station_id"})

    async def reopen_ticket(self, request):
        body = await self.body(request, NoteIn)
        # the rule decides (hotline.aftercall.lifecycle.reopen): an agent only for the resident on
        # their call — a ticket they may merely read (a searched account's) is not enough
        t = await self.db(self.work.reopen, request[PRINCIPAL].actor, request.match_info["number"], body.note)
        await self.hub.lead_ticket(t)
        return answer(t, 201)

    async def confirm_ticket(self, request):
        """待确认 → confirmed (and dispatched) by a team lead; the station is told like any dispatch."""
        body = await self.body(request, ConfirmIn)
        t = await self.db(self.work.confirm, request[PRINCIPAL].actor, request.match_info["number"], body.station_code,
                          body.dispatch, body.note)
        await self.hub.ticket_changed(t)
        return answer({k: v for k, v in t.items() if k != "station_id"})

    async def unacknowledged(self, request):
        return answer(await self.db(self.anomalies.unacknowledged, request[PRINCIPAL].actor))

    async def list_anomalies(self, request):
        return answer(await self.db(self.anomalies.register, request[PRINCIPAL].actor,
                                   request.query.get("open") == "1"))

    async def record_anomaly(self, request):
        body = await self.body(request, AnomalyIn)
        p = request[PRINCIPAL]
        if body.ticket and not p.actor.supervises:
            await self.db(self.desk.ticket, p, body.ticket)    # an agent: on a ticket they may see
        a = await self.db(self.anomalies.record, p.actor, body.type, body.ticket, body.note, body.agent)
        await self.hub.anomaly_raised(a)
        return answer(a, 201)

    async def handle_anomaly(self, request):
        body = await self.body(request, ResultIn)
        return answer(await self.db(self.anomalies.handle, request[PRINCIPAL].actor, request.match_info["aid"],
                                   body.result))

    async def close_anomaly(self, request):
        body = await self.body(request, ResultIn)
        return answer(await self.db(self.anomalies.close, request[PRINCIPAL].actor, request.match_info["aid"],
                                   body.result))

    async def ack_anomaly(self, request):
        await self.db(self.anomalies.ack, request[PRINCIPAL].actor, request.match_info["aid"])
        return answer({"ok": True})

    async def list_recordings(self, request):
        filters = {k: request.query.get(k, "")[:64] for k in wire.RECORDING_FILTERS}
        if any(control_char(v) is not None for v in filters.values()):
            raise DeskError(422, "筛选条件含有不允许的控制字符")
        return answer(await self.db(lambda: self.desk.recordings(request[PRINCIPAL], **filters)))

    async def recording_audio(self, request):
        path = await self.db(self.desk.recording_file, request[PRINCIPAL], request.match_info["rid"])
        if path.suffix.lower() == ".ogg":   # kept as Ogg Vorbis (#29): the desk plays PCM WAV
            try:
                body = await asyncio.to_thread(compress.wav_of, path)
            except compress.ConversionError as exc:
                log.warning("recording %s could not be decoded: %s", request.match_info["rid"][:20], exc)
                raise DeskError(503, "录音无法解码") from exc
            return web.Response(body=body, headers={"Content-Type": "audio/wav"})
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def delete_recording(self, request):
        """A team lead's application to delete an empty recording (the service measures it)."""
        body = await self.body(request, RecordingDeleteIn)
        return answer(await self.db(self.book.delete, request[PRINCIPAL].actor, request.match_info["rid"],
                                   body.reason))

    async def audit_log(self, request):
        return answer(await self.db(self.desk.audit_log, request[PRINCIPAL]))
