"""#27 on the real stack: a scripted reporting day on a hotline of this module's own, on the real
clock (Asterisk's queue_log and the service's records then share the day): residents call through
the IVR — two answered by an agent's phone, two who hang up waiting (one within 5 s), one who
presses 1 for a call-back, one while nobody is logged in, one after hours — then a team lead
confirms and dispatches their repairs, one is completed and surveyed, an agent files a complaint.

`hotline report daily --json` must give: every queue figure equal to an independent count from
the queue_log file itself (and the no-agent / after-hours calls the queue never sees from the call
records), and to what the script did; every ticket figure equal to a count in the database. The
XLSX reads back with openpyxl and the PDF renders with pdftoppm. The head signs the day (the next
morning); a repair completed afterwards changes the day's figures now, the archive stays as signed
and the difference is shown."""
from __future__ import annotations

import json
import subprocess
import time
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bench.desk_demo import demo_callers
from bench.scenarios import CallerDialog, press_1_for_callback, resident_reports_no_heat, standby_agent
from bench.scratch import scratch_hotline
from common import wire
from conftest import IvrHarness, agent_in_queue, require_tool, scratch, wait_for
from db.models import AnomalyRecord, Call, CallOutcome, RepairStation, Role, Survey, Ticket, TicketState, \
    TicketTransition
from hotline.admin import runtime
from hotline.admin.users import add_user
from test_admin import hotline_cli
from test_agent_api import PASSWORD, Api

pytestmark = pytest.mark.asterisk

AGENT, LEAD, HEAD = "2701", "2791", "2799"
#: what the script does, as the report's breakdown must show it
SCRIPTED = {"answered": 2, "abandoned": 2, "callback": 1, "max_wait": 0, "no_agent": 1, "after_hours": 1,
            "unfinished": 0}


def day_of(now: datetime) -> tuple[str, str]:
    """A reporting day that began 6 hours ago (HOTLINE_REPORT_DAY_START), so the test never
    straddles its boundary: (the day, its start as HH:MM)."""
    began = now - timedelta(hours=6)
    return began.date().isoformat(), f"{began.hour:02d}:00"


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    require_tool("pdftoppm", "poppler-utils")
    the_day, day_start = day_of(datetime.now())
    s = scratch(tmp_path_factory.mktemp("report-day-home"), today="", report_day_start=day_start)
    with scratch_hotline(s, accounts=30):
        h = IvrHarness(s)
        with h.sessions() as db:
            for no, name, role in ((AGENT, "赵静", Role.agent), (LEAD, "孙班长", Role.team_lead),
                                   (HEAD, "钱部长", Role.head)):
                add_user(db, no, name, role, PASSWORD, actor="test")
            db.commit()
        try:
            with standby_agent(h.settings, h.sessions, h.ami, h.stack, h.ports["sip"]) as standby:
                h.standby = standby
                h.day = the_day
                h.numbers = script_the_calls(h)
            yield h
        finally:
            h.hangup_all()
            h.close()


def dial(h, number: str) -> CallerDialog:
    return CallerDialog(h.ami, h.phone_for(number), h.settings.extension, number)


def script_the_calls(h) -> dict[str, list[str]]:
    """The day's calls, one after another; {part: the callers' numbers}."""
    callers = iter(demo_callers(h.settings, 7))
    numbers: dict[str, list[str]] = defaultdict(list)

    with agent_in_queue(h, AGENT, "赵静") as phone:             # answered by the agent's phone
        for _ in range(SCRIPTED["answered"]):
            number, known = next(callers)
            d = resident_reports_no_heat(dial(h, number), known)
            leg = phone.wait_incoming(30)
            leg.answer(200).wait_state("CONFIRMED", 10)
            time.sleep(3)
            d.hangup()
            leg.wait_state("DISCONNECTED", 10)
            numbers["answered"].append(number)

    for waited in (2, 9):                               # hang up waiting: one short (≤ 5 s), one not
        number, known = next(callers)
        d = resident_reports_no_heat(dial(h, number), known)
        time.sleep(waited)
        d.hangup()
        numbers["abandoned"].append(number)

    number, known = next(callers)                       # key 1: call me back instead
    press_1_for_callback(resident_reports_no_heat(dial(h, number), known))
    numbers["callback"].append(number)

    h.standby(False)                                    # nobody logged in: booked, never queued
    try:
        number, known = next(callers)
        d = resident_reports_no_heat(dial(h, number), known, queue=False)
        d.at("no_agent_offer", timeout=30).at("no_agent_choice").at("no_agent_booked", timeout=30)
        d.call.wait_state("DISCONNECTED", 40)
        numbers["no_agent"].append(number)
    finally:
        h.standby(True)

    # after hours: out of the season, the office closed all day — a message, a call-back
    closed = h.settings.replace(season_start="06-01", season_end="06-02", office_open="00:00", office_close="00:00")
    runtime.restart_service(closed)
    try:
        number, _known = next(callers)
        d = dial(h, number)
        d.recording("#", timeout=30).at("callback_confirm", "1").at("after_hours_thanks", timeout=40)
        d.call.wait_state("DISCONNECTED", 30)
        numbers["after_hours"].append(number)
    finally:
        runtime.restart_service(h.settings)
    return numbers


def report(h, *args: str, settings=None) -> dict:
    got = hotline_cli(settings or h.settings, "report", "daily", "--date", h.day, "--json", *args)
    assert got.returncode == 0, got.stderr
    return json.loads(got.stdout)


def queue_log_count(h, start: datetime, end: datetime) -> dict:
    """The day's queue figures counted straight from Asterisk's queue_log file (the calls whose
    first line falls in the day), and from the call records for the calls the queue never sees."""
    lines: dict[str, list[list[str]]] = defaultdict(list)
    for raw in (h.settings.asterisk_dir / "log" / "queue_log").read_text().splitlines():
        f = raw.split("|")
        if len(f) >= 5 and f[1] not in ("", "NONE") and f[2] == "repair":
            lines[f[1]].append(f)
    parts = dict.fromkeys(SCRIPTED, 0)
    holds, talk, short = [], 0, 0
    queued = set()
    for callid, ev in lines.items():
        first = datetime.fromtimestamp(int(ev[0][0]))
        names = [e[4] for e in ev]
        if not (start <= first < end) or not ({"ENTERQUEUE", "HOTLINE_NOAGENT"} & set(names)):
            continue
        queued.add(callid)
        if "CONNECT" in names:
            parts["answered"] += 1
            holds.append(int(next(e for e in ev if e[4] == "CONNECT")[5]))
            talk += sum(int(e[6]) for e in ev if e[4] in ("COMPLETECALLER", "COMPLETEAGENT"))
        elif "EXITWITHKEY" in names:
            parts["callback"] += 1
        elif "ABANDON" in names:
            parts["abandoned"] += 1
            short += int(next(e for e in ev if e[4] == "ABANDON")[7]) <= 5
        elif "EXITWITHTIMEOUT" in names:
            parts["max_wait"] += 1
        elif {"EXITEMPTY", "HOTLINE_NOAGENT"} & set(names):
            parts["no_agent"] += 1
        else:
            parts["unfinished"] += 1
    with h.sessions() as db:
        for outcome, part in ((CallOutcome.no_agent, "no_agent"), (CallOutcome.after_hours_message, "after_hours")):
            uids = db.scalars(select(Call.uniqueid).where(Call.direction == "in", Call.outcome == outcome,
                                                          Call.ivr_at >= start, Call.ivr_at < end))
            parts[part] += sum(uid not in queued for uid in uids)
    offered = sum(parts.values())
    return {"parts": parts, "offered": offered, "abandoned_short": short, "talk_sum_s": talk,
            "asa_s": round(sum(holds) / len(holds), 1) if holds else None,
            "service_level_20s": round(sum(x <= 20 for x in holds) / offered, 4) if offered else None}


def db_count(h, start: datetime, end: datetime) -> dict:
    """The day's ticket figures counted in the database."""
    with h.sessions() as db:
        def first_into(state):
            first = func.min(TicketTransition.at)
            return len(db.execute(select(TicketTransition.ticket_id).where(
                TicketTransition.state == state, TicketTransition.at < end)
                .group_by(TicketTransition.ticket_id).having(first >= start)).all())
        anomalies = dict(db.execute(select(AnomalyRecord.type, func.count()).where(
            AnomalyRecord.opened_at >= start, AnomalyRecord.opened_at < end).group_by(AnomalyRecord.type)).all())
        return {"received": first_into(TicketState.new), "completed": first_into(TicketState.completed),
                "followed_up": db.scalar(select(func.count()).select_from(Survey).where(
                    Survey.at >= start, Survey.at < end)),
                "anomalies": {k.value: v for k, v in anomalies.items()}}


def api_as(h, agent_no: str) -> Api:
    api = Api(f"http://127.0.0.1:{h.ports['api']}")
    assert api.login(agent_no)[0] == 200
    return api


def tickets_of(h, numbers: list[str]) -> list[str]:
    with h.sessions() as db:
        return [db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id).where(Call.caller == n))
                for n in numbers]


def move(api: Api, ticket: str, *steps: tuple[str, dict]) -> None:
    for state, extra in steps:
        status, body = api.call("POST", wire.path(wire.TICKET_STATE, number=ticket), {"state": state, **extra})
        assert status == 200, body


def test_a_scripted_day_reports_what_queue_log_and_the_database_say_and_stays_as_signed(day, tmp_path):
    h = day
    lead, agent = api_as(h, LEAD), api_as(h, AGENT)
    with h.sessions() as db:
        station = db.scalars(select(RepairStation.code).order_by(RepairStation.code)).first()
    first, second = tickets_of(h, h.numbers["answered"])
    for t in (first, second):                          # the lead confirms and dispatches both repairs
        status, body = lead.call("POST", wire.path(wire.TICKET_CONFIRM, number=t),
                                 {"station_code": station, "dispatch": True})
        assert status == 200, body
    move(lead, first, ("accepted", {}), ("completed", {"note": "放气后恢复"}))
    status, body = agent.call("POST", wire.path(wire.SURVEY, number=first),
                              {"solved": True, "attitude": "satisfied", "charged": False, "score": 9})
    assert status == 201, body
    status, body = agent.call("POST", wire.ANOMALIES, {"type": "complaint_billing", "ticket": second,
                                                       "note": "住户投诉收费员态度"})
    assert status == 201, body

    # the service ingests queue_log as it grows: the report has every call once it has caught up
    r = wait_for(lambda: (got := report(h))["queue"]["offered"] == sum(SCRIPTED.values()) and got, 90,
                 "the day's calls in the report")
    start, end = (datetime.fromisoformat(r["period"][k]) for k in ("from", "to"))
    q, counted = r["queue"], queue_log_count(h, start, end)
    breakdown = {p["key"]: p["count"] for p in q["breakdown"]}
    print(f"\nreport {h.day} from {start:%H:%M}: {breakdown}; independent {counted}")
    assert breakdown == counted["parts"] == SCRIPTED
    assert sum(breakdown.values()) == q["offered"] == counted["offered"]
    assert (q["answered"], q["abandoned"]) == (SCRIPTED["answered"], SCRIPTED["abandoned"])
    assert q["abandoned_short"] == counted["abandoned_short"] == 1
    assert q["service_level_20s"] == counted["service_level_20s"] and 0 < q["service_level_20s"] <= 1
    assert q["asa_s"] == counted["asa_s"] and q["talk_sum_s"] == counted["talk_sum_s"] > 0
    assert q["aht_s"] == round((q["talk_sum_s"] + q["wrapup_sum_s"]) / q["answered"], 1)
    assert q["disagreements"] == [], q["disagreements"]
    assert AGENT in [a["agent_no"] for a in r["agents"]]
    assert next(a for a in r["agents"] if a["agent_no"] == AGENT)["answered"] == SCRIPTED["answered"]

    # the IVR: every resident's call of the day passed through it; first-call resolution waits its days
    assert r["ivr"]["calls"] == sum(SCRIPTED.values()) and r["ivr"]["time_n"] == r["ivr"]["calls"]
    assert r["first_call"]["status"] == "pending"

    counted = db_count(h, start, end)
    t = r["tickets"]
    assert (t["received"], t["completed"], t["followed_up"]) == \
        (counted["received"], counted["completed"], counted["followed_up"]) == (2, 1, 1)
    assert {k: v["opened"] for k, v in r["anomalies"].items() if v["opened"]} == counted["anomalies"]
    assert counted["anomalies"].get("complaint_billing") == 1

    # the exports: the XLSX reads back with the same figures, the PDF renders
    xlsx, pdf = tmp_path / "day.xlsx", tmp_path / "day.pdf"
    report(h, "--xlsx", str(xlsx), "--pdf", str(pdf))
    cells = [c for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert q["offered"] in cells and "已接听" in cells
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000

    # the next morning the head signs the day; a repair completed afterwards shows as a difference
    morning = h.settings.replace(today=(end + timedelta(hours=2)).isoformat(timespec="minutes"))
    signed = hotline_cli(morning, "report", "sign", "--date", h.day, "--as", HEAD)
    assert signed.returncode == 0, signed.stderr
    move(lead, second, ("accepted", {}), ("completed", {"note": "阀门更换"}))
    now = report(h, settings=morning)
    assert now["tickets"]["completed"] == 2 and now["signed"]["by"] == HEAD
    assert {"figure": "tickets.completed", "signed": 1, "now": 2} in now["differs_from_signed"]
    archived = report(h, "--signed", settings=morning)
    assert archived["tickets"]["completed"] == 1 and archived["queue"]["offered"] == q["offered"]
