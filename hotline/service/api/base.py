"""What every area of the agent API shares: the request's principal, JSON in and out, a service
call off the event loop, the objects the handlers are thin over (`ApiParts`)."""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from aiohttp import web

from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.callbacks import CallbackList
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.recordings import RecordingBook
from hotline.aftercall.reports.archive import Reports
from hotline.aftercall.surveys import SurveyList
from hotline.service.desk import DeskError, DeskService, Principal
from hotline.service.hub import PushHub
from hotline.service.telephony import Telephony

log = logging.getLogger("hotline.api")

# who is calling, set by the auth middleware for the handlers behind it
PRINCIPAL = web.RequestKey("principal", Principal)


@dataclass
class ApiParts:
    """The service objects behind the routes: the telephony side through its narrow interface,
    the hub for pushes, and the service layer (one transaction per method)."""
    settings: object
    line: Telephony
    hub: PushHub
    desk: DeskService
    work: TicketWork
    anomalies: AnomalyRegister
    callbacks: CallbackList
    surveys: SurveyList
    reports: Reports
    qa: QaWork
    book: RecordingBook
    #: more of the service layer, by name (the board, alerts, outages, stations, displays)
    extra: dict | None = None


def answer(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


async def db(fn, *args):
    """A service-layer call (blocking: the database) in a worker thread."""
    return await asyncio.to_thread(fn, *args)


async def body(request: web.Request, model, timeout_s: float):
    """The request's JSON object validated by `model` (a 4xx for anything else)."""
    try:
        raw = await asyncio.wait_for(request.read(), timeout=timeout_s)
    except asyncio.TimeoutError:
        raise DeskError(408, "请求超时")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError: not JSON, not UTF-8, or an integer past Python's digit limit;
        # RecursionError: thousands of nested brackets
        log.info("bad JSON on %s from %s: %s", request.path, request.remote, type(exc).__name__)
        raise DeskError(400, "请求体不是有效的 JSON")
    if not isinstance(data, dict):
        raise DeskError(400, "请求体应为 JSON 对象")
    return model.model_validate(data)


class Area:
    """One area's routes: `register(router)` adds them; handlers read the request, call one
    service method, answer JSON."""

    db = staticmethod(db)

    def __init__(self, parts: ApiParts):
        self.parts = parts
        self.settings, self.line, self.hub = parts.settings, parts.line, parts.hub
        self.desk, self.work, self.anomalies = parts.desk, parts.work, parts.anomalies
        self.callbacks, self.surveys, self.reports = parts.callbacks, parts.surveys, parts.reports
        self.qa, self.book = parts.qa, parts.book

    async def body(self, request: web.Request, model):
        return await body(request, model, self.settings.api_body_timeout_s)

    def register(self, r: web.UrlDispatcher) -> None:
        raise NotImplementedError
