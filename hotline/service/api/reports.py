"""Reports and the quality checks on recordings (their results feed the reports)."""
from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from hotline.aftercall.reports.archive import KINDS as REPORT_KINDS, MEDIA_TYPES, file_name, parse_day
from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.desk import DeskError
from hotline.service.schemas import (QaCheckIn, QaDecideIn, QaPeerMarkIn, QaSampleAddIn, ReportSignIn)
from common import wire


class ReportsRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.REPORT_DAILY, self.daily_report)
        r.add_get(wire.REPORT_PERIOD, self.period_report)
        r.add_post(wire.REPORT_SIGN, self.sign_report)
        r.add_get(wire.REPORT_FILE, self.report_file)
        r.add_get(wire.REPORT_DRILL, self.drill_report)
        r.add_get(wire.QA_SCORECARDS, self.qa_scorecards)
        r.add_get(wire.QA_SAMPLE, self.qa_sample)
        r.add_post(wire.QA_SAMPLE, self.qa_add_to_sample)
        r.add_get(wire.QA_WEEKLY, self.qa_weekly)
        r.add_get(wire.QA_CHECKS, self.qa_checks)
        r.add_post(wire.QA_CHECKS, self.qa_check)
        r.add_get(wire.QA_PEER, self.qa_peer)
        r.add_post(wire.QA_PEER_MARK, self.qa_peer_mark)
        r.add_get(wire.QA_PROPOSALS, self.qa_proposals)
        r.add_post(wire.QA_PROPOSAL, self.qa_decide)
        r.add_get(wire.QA_RESULTS, self.qa_results)

    async def daily_report(self, request):
        day = parse_day(request.query.get("date", "")[:20])
        return answer(await self.db(self.reports.daily, request[PRINCIPAL].actor, day))

    async def period_report(self, request):
        kind, day = request.match_info["kind"], parse_day(request.query.get("date", "")[:20])
        if kind not in wire.REPORT_KINDS:
            raise DeskError(404, "没有这种报表")
        return answer(await self.db(self.reports.period, request[PRINCIPAL].actor, kind, day))

    async def sign_report(self, request):
        body = await self.body(request, ReportSignIn)
        return answer(await self.db(self.reports.sign, request[PRINCIPAL].actor, parse_day(body.date)))

    async def report_file(self, request):
        """The report as XLSX or PDF, as a file to save (same readers as the report, audited as an export)."""
        q = request.query
        kind, fmt = q.get("kind", "")[:16], q.get("format", "")[:8]
        if kind not in REPORT_KINDS:
            raise DeskError(400, f"报表类型应为 {', '.join(REPORT_KINDS)} 之一")
        if fmt not in wire.REPORT_FORMATS:
            raise DeskError(400, f"格式应为 {', '.join(wire.REPORT_FORMATS)} 之一")
        try:
            day = parse_day(q.get("date", "")[:20])
        except DeskError as e:
            raise DeskError(400, e.message) from None
        _report, data = await self.db(self.reports.export_bytes, request[PRINCIPAL].actor, kind, day, fmt)
        name = file_name(kind, day, fmt)
        # an ASCII name for old clients, the Chinese one (RFC 6266 / 5987) for the rest
        disposition = f"attachment; filename=\"hotline-{kind}-{day.isoformat()}.{fmt}\"; filename*=UTF-8''{quote(name)}"
        return web.Response(body=data, content_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})

    async def drill_report(self, request):
        """The repairs or calls behind one figure of a day's (or a period's) report."""
        q = request.query
        day = parse_day(q.get("date", "")[:20])
        return answer(await self.db(self.reports.drill, request[PRINCIPAL].actor, day, q.get("figure", "")[:64],
                                   q.get("value"), q.get("kind", "daily")[:16]))

    def _qa_day(self, request):
        text = request.query.get("date", "")[:20]
        return parse_day(text) if text else self.qa.today()

    async def qa_scorecards(self, request):
        return answer(await self.db(self.qa.scorecards, request[PRINCIPAL].actor))

    async def qa_sample(self, request):
        return answer(await self.db(self.qa.sample, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_add_to_sample(self, request):
        body = await self.body(request, QaSampleAddIn)
        return answer(await self.db(self.qa.add_to_sample, request[PRINCIPAL].actor, body.recording), 201)

    async def qa_weekly(self, request):
        return answer(await self.db(self.qa.weekly, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_checks(self, request):
        return answer(await self.db(self.qa.checks, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_check(self, request):
        b = await self.body(request, QaCheckIn)
        return answer(await self.db(self.qa.check, request[PRINCIPAL].actor, b.recording, b.scorecard, b.items,
                                   b.findings, b.note), 201)

    async def qa_peer(self, request):
        return answer(await self.db(self.qa.peer, request[PRINCIPAL].actor))

    async def qa_peer_mark(self, request):
        b = await self.body(request, QaPeerMarkIn)
        return answer(await self.db(self.qa.peer_mark, request[PRINCIPAL].actor, request.match_info["pid"],
                                   b.findings, b.note))

    async def qa_proposals(self, request):
        return answer(await self.db(self.qa.proposals, request[PRINCIPAL].actor, request.query.get("open", "1") != "0"))

    async def qa_decide(self, request):
        b = await self.body(request, QaDecideIn)
        return answer(await self.db(self.qa.decide, request[PRINCIPAL].actor, request.match_info["pid"], b.confirm,
                                   b.note))

    async def qa_results(self, request):
        month = request.query.get("month", "")[:10] or f"{self.qa.today():%Y-%m}"
        return answer(await self.db(self.qa.results, request[PRINCIPAL].actor, month))
