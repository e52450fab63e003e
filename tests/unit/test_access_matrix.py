"""#25 — the access matrix: every route of the wire contract × every role (agent, team lead, head,
admin, station, statistician, no login) × their own object and another's, with the answer expected. The real
agent API (hotline.service.api over the desk service and the after-call rules) on a copy of one
SQLite database per answer; AMI is `RecordedAmi`, the only fake. A refusal is 403 and leaves an
audit entry (`*_refused`); without a login every route but the public ones answers 401.

The table cannot fall behind: a route in common/wire.py or in the app's router without its rows
fails `test_every_route_of_the_wire_and_of_the_app_has_its_rows`.

Whose object is whose: a call (and its pop, its ticket) is "own" when this person answered it
(REJECT: when it rings at them); a station's ticket when it was dispatched to their station; a
call-back entry when they hold it; a 回访 entry when it is on their list (automated-first mode: the
dialer gave it up to the agents), "other" when the dialer still owns it; a recording when it is of
their call; an account when their search found it; a completed repair to re-open when its
resident is on a call they answered. "Other" is another agent's (for a station: another station's,
and for a station's call routes an agent's call — a station has no phone, so no call of its own).
The statistician (统计员, #27) reads, exports and signs the reports and reaches nothing else: every other
route refuses them, their "own" objects (a call they were made to answer in the template) included."""
from __future__ import annotations

import shutil
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from common import wire
from common.passwords import token_hash
from common.ports import Ports
from common.settings import load_settings
from db.models import (AnomalyRecord, AnomalyType, ApiSession, AuditEntry, Call, CallOutcome, Category, HeatingAccount,
                       Outage, QaPeerListen, QaProposal, Recording, RepairStation, Role, StationArea, SupervisorAlert,
                       SurveyCall, TicketState, User)
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket
from hotline.admin.users import add_user
from hotline.aftercall.qa.standards import STANDARDS_DIR, load_standards, read_standard
from hotline.service.api import metrics_refusal
from hotline.service.app import HotlineService
from ivr.context import IvrContext, Records
from test_unit_service_events import RecordedAmi

NOW = datetime(2026, 11, 23, 10, 0)
INTAKE_ITEMS = [i["key"] for i in read_standard(STANDARDS_DIR / "intake.toml")["items"]]
PASSWORD = "correct-horse-7"
OWN, OTHER = "own", "other"
AGENT, LEAD, HEAD, ADMIN, STATION, NOBODY = "agent", "team_lead", "head", "admin", "station", "nobody"
STAT = "statistician"
ROLES = (AGENT, LEAD, HEAD, ADMIN, STATION, STAT, NOBODY)
SUPERVISING = (LEAD, HEAD, ADMIN)
#: who acts in each role, and whose object is "other" to them
ME = {AGENT: "1001", LEAD: "1101", HEAD: "1201", ADMIN: "1301", STATION: "8001", STAT: "1401"}
THEM = {AGENT: "1002", LEAD: "1001", HEAD: "1001", ADMIN: "1001", STATION: "8002", STAT: "1001"}
USERS = {"1001": Role.agent, "1002": Role.agent, "1101": Role.team_lead, "1201": Role.head, "1301": Role.admin,
         "8001": Role.station, "8002": Role.station, "1401": Role.statistician}
STATION_OF = {"8001": "TX", "8002": "HP"}


def every(status: int, nobody: int = 401, stat: int = 403) -> dict:
    """Everybody logged in answers `status`, but the statistician: `stat` (by default refused — they
    reach the reports and their own session only)."""
    return {**{r: status for r in ROLES if r not in (NOBODY, STAT)}, STAT: stat, NOBODY: nobody}


_LEAD = object()
#: the statistician refused: 403, for their own object and another's where the row has both
REFUSED = (403, 403)


def by_role(agent, lead, station, boss=_LEAD, nobody=401, stat=403) -> dict:
    """The head and admins (`boss`) answer as team leads do, but where the work is a phone's:
    agents and team leads alone work the queue and call residents. The statistician (`stat`) is
    refused unless told otherwise."""
    boss = lead if boss is _LEAD else boss
    if stat == 403 and isinstance(agent, tuple):
        stat = REFUSED
    return {AGENT: agent, LEAD: lead, HEAD: boss, ADMIN: boss, STATION: station, STAT: stat, NOBODY: nobody}


#: (method, route) → role → the answer: one status, or (own object, another's); None: no such object
MATRIX: dict[tuple[str, str], dict] = {
    ("GET", wire.HEALTH): every(200, nobody=200, stat=200),
    # for supervisors, no login: the API alone runs here (no FastAGI listening), so it is not ready yet
    ("GET", wire.READY): every(503, nobody=503, stat=503),
    # Prometheus' scrape: figures only, no session; on the server itself (the test client is loopback)
    # without HOTLINE_METRICS_TOKEN — off loopback refused, with the token the token's holder
    # (test_the_metrics_are_the_servers_own_or_the_token_holders)
    ("GET", wire.METRICS): every(200, nobody=200, stat=200),
    ("POST", wire.LOGIN): every(200, nobody=401, stat=200),           # no login: a wrong password
    ("POST", wire.LOGOUT): every(200, stat=200),
    ("GET", wire.ME): every(200, stat=200),
    ("GET", wire.WS): every(101, stat=101),
    ("GET", wire.SCRIPT): every(200),
    ("GET", wire.STATIONS): every(200),
    # the queue is the phones' of agents and team leads: never a station's, nor the head's or an admin's
    ("POST", wire.QUEUE): by_role(200, 200, 403, boss=403),
    ("POST", wire.PAUSE): by_role(200, 200, 403, boss=403),
    ("GET", wire.DIRECTORY): by_role(200, 200, 403),                  # a station has no phone to transfer
    ("POST", wire.WRAPUP_DONE): by_role(200, 200, 403, boss=403),
    ("POST", wire.REJECT): by_role((200, 403), (200, 403), (None, 403), boss=(403, 403)),
    ("GET", wire.AGENTS): by_role(403, 200, 403),
    # 实时监听 (#28): a team lead's phone alone listens in (the head's and admins' phones are no team lead's)
    ("POST", wire.LISTEN_IN): by_role(403, 200, 403, boss=403),
    ("GET", wire.ACCOUNTS): by_role(200, 200, 403),                   # stations search nobody
    ("GET", wire.ACCOUNT): by_role((200, 403), (200, 200), (403, 403)),
    ("GET", wire.POP): by_role((200, 403), (200, 200), (None, 403)),
    ("GET", wire.DRAFTS): every(200),
    ("POST", wire.TICKETS): by_role((201, 403), (201, 201), (None, 403)),
    # a station's "other": another station's ticket, after searching its resident's account
    ("GET", wire.TICKET): by_role((200, 403), (200, 200), (200, 403)),
    ("PUT", wire.TICKET): by_role((200, 403), (200, 200), (403, 403)),
    ("PUT", wire.TICKET_DRAFT): by_role((200, 403), (200, 200), (403, 403)),
    ("POST", wire.TICKET_ASSIGN): by_role((403, 403), (200, 200), (403, 403)),
    ("GET", wire.TICKET_VOICE): by_role((200, 403), (200, 200), (403, 403)),
    ("GET", wire.RECORDINGS): by_role(200, 200, 403),                # an agent finds their own legs; a station none
    ("GET", wire.RECORDING_AUDIO): by_role((200, 403), (200, 200), (None, 403)),
    ("GET", wire.AUDIT): by_role(403, 200, 403),
    ("GET", wire.TICKETS): by_role(403, 200, 200),
    ("POST", wire.TICKET_STATE): by_role((403, 403), (200, 200), (200, 403)),      # → accepted (接单)
    # an agent re-opens only for the resident on their call, never a searched account's ticket
    ("POST", wire.TICKET_REOPEN): by_role((201, 403), (201, 201), (403, 403)),
    ("POST", wire.TICKET_CONFIRM): by_role((403, 403), (200, 200), (403, 403)),
    ("GET", wire.ANOMALIES): by_role(403, 200, 403),
    ("POST", wire.ANOMALIES): by_role((201, 403), (201, 201), (201, 403)),
    ("POST", wire.ANOMALY_HANDLE): by_role(403, 200, 403),
    ("POST", wire.ANOMALY_CLOSE): by_role(403, 200, 403),
    ("POST", wire.ANOMALY_ACK): by_role(403, 200, 403),
    ("GET", wire.ANOMALIES_UNACKED): every(200),
    ("GET", wire.CALLBACKS): by_role(200, 200, 403),
    # another's live take is a conflict (it lapses), not a refusal
    ("POST", wire.CALLBACK_TAKE): by_role((200, 409), (200, 409), (403, 403)),
    ("POST", wire.CALLBACK_OUTCOME): by_role((200, 409), (200, 409), (403, 403)),
    # calls out: agents (their own entries) and team leads (any); never the head, an admin, a station
    ("POST", wire.CALLBACK_CALL): by_role((200, 403), (200, 200), (403, 403), boss=(403, 403)),
    ("GET", wire.SURVEYS): by_role(200, 200, 403),
    ("POST", wire.SURVEY): by_role((201, 403), (201, 201), (403, 403)),
    ("POST", wire.SURVEY_BOOK): by_role((200, 403), (200, 200), (403, 403)),
    ("POST", wire.SURVEY_CALL): by_role((200, 403), (200, 200), (403, 403), boss=(403, 403)),
    # the reports: team leads, the head, admins and statisticians read them; the head or a statistician signs
    ("GET", wire.REPORT_DAILY): by_role(403, 200, 403, stat=200),
    ("GET", wire.REPORT_PERIOD): by_role(403, 200, 403, stat=200),
    ("POST", wire.REPORT_SIGN): {AGENT: 403, LEAD: 403, HEAD: 200, ADMIN: 403, STATION: 403, STAT: 200, NOBODY: 401},
    ("GET", wire.REPORT_FILE): by_role(403, 200, 403, stat=200),
    # the drill-down from a figure to its repairs and calls: as reading reports
    ("GET", wire.REPORT_DRILL): by_role(403, 200, 403, stat=200),
    # quality checks (#28): only a team lead applies to delete a recording (an empty one: the template's are)
    ("POST", wire.RECORDING_DELETE): by_role((403, 403), (200, 200), (403, 403), boss=(403, 403)),
    ("GET", wire.QA_SCORECARDS): by_role(200, 200, 403),
    ("GET", wire.QA_SAMPLE): by_role(403, 200, 403),
    # team leads and the head add calls and check them (never their own leg); not an admin
    ("POST", wire.QA_SAMPLE): {AGENT: (403, 403), LEAD: (201, 201), HEAD: (201, 201), ADMIN: (403, 403),
                               STATION: (403, 403), STAT: REFUSED, NOBODY: 401},
    ("GET", wire.QA_WEEKLY): by_role(403, 200, 403),
    ("GET", wire.QA_CHECKS): by_role(200, 200, 403),                  # an agent: the checks of their own legs
    ("POST", wire.QA_CHECKS): {AGENT: (403, 403), LEAD: (403, 201), HEAD: (403, 201), ADMIN: (403, 403),
                               STATION: (403, 403), STAT: REFUSED, NOBODY: 401},
    # peer listening is the agents' on shift: their own quota, never another's
    ("GET", wire.QA_PEER): {AGENT: 200, LEAD: 403, HEAD: 403, ADMIN: 403, STATION: 403, STAT: 403, NOBODY: 401},
    ("POST", wire.QA_PEER_MARK): {AGENT: (200, 403), LEAD: (403, 403), HEAD: (403, 403), ADMIN: (403, 403),
                                  STATION: (403, 403), STAT: REFUSED, NOBODY: 401},
    ("GET", wire.QA_PROPOSALS): by_role(403, 200, 403),
    ("POST", wire.QA_PROPOSAL): {AGENT: (403, 403), LEAD: (200, 200), HEAD: (200, 200), ADMIN: (403, 403),
                                 STATION: (403, 403), STAT: REFUSED, NOBODY: 401},
    # an agent: their own results; a statistician everyone's (the QA figures the reports draw on)
    ("GET", wire.QA_RESULTS): by_role(200, 200, 403, stat=200),
    # supervision (#30): the board, acting on an agent from it (1002, paused in the test), alerts
    ("GET", wire.BOARD): by_role(403, 200, 403),
    ("POST", wire.AGENT_UNPAUSE): by_role(403, 200, 403),
    ("POST", wire.AGENT_SIGN_OUT): by_role(403, 200, 403),
    ("GET", wire.ALERTS): by_role(403, 200, 403),
    ("POST", wire.ALERT_ACK): by_role(403, 200, 403),
    # 区域停热 (#30): team leads, the head and admins declare, list and end outages; nobody else
    ("GET", wire.OUTAGES): by_role(403, 200, 403),
    ("POST", wire.OUTAGES): by_role(403, 201, 403),
    ("POST", wire.OUTAGE_END): by_role(403, 200, 403),
    # a station called on dispatch (#30): team leads, the head and admins have it called again now
    ("POST", wire.STATION_NOTIFY): by_role(403, 200, 403),
    # the wall display (#30) opens with a display token alone: a session — anybody's, as the bearer and as
    # ?token= — is none (401, not a refusal of a person: nobody is known); tests/unit/test_wall_page.py
    # shows a display token opening them and nothing else
    **{("GET", route): every(401, stat=401) for route in wire.DISPLAY_ROUTES},
    # the wall page's script and style: static, no figure, no token
    **{("GET", route): every(200, nobody=200, stat=200) for route in wire.WALL_ASSETS},
}

# ------------------------------------------------------------------------- the world --

class PhonesAmi(RecordedAmi):
    """RecordedAmi that also answers DeviceStateList (the transfer directory): no phone known."""

    async def action(self, name, as_list=False, **fields):
        answer = await super().action(name, as_list, **fields)
        return [{"Event": "DeviceStateListComplete"}] if name == "DeviceStateList" else answer


@dataclass
class Made:
    """The objects of the template database: (kind, role, whose) → what names them."""
    objects: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    anomaly: int = 0
    alert: int = 0
    seq: int = 0

    def uniqueid(self) -> str:
        self.seq += 1
        return f"1763900000.{self.seq}"


def _owner(role: str, whose: str) -> str:
    return ME[role] if whose == OWN else THEM[role]


class Builder:
    def __init__(self, db, home: Path, made: Made):
        self.db, self.home, self.made = db, home, made
        self.users = {u.agent_no: u for u in db.scalars(select(User))}
        self.stations = {s.code: s for s in db.scalars(select(RepairStation))}
        self.accounts = 0

    def account(self) -> HeatingAccount:
        self.accounts += 1
        a = HeatingAccount(account_no=f"{30000000 + self.accounts}", name=f"住户{self.accounts}", district="铁西区",
                           compound="兴华北街", building=str(self.accounts), unit="1", room="101", fee_status="paid")
        self.db.add(a)
        self.db.flush()
        return a

    def ticket(self, state: TicketState, station: str = "TX", **fields):
        acc = fields.pop("account", None) or self.account()
        phone = f"139{acc.account_no}"                    # each resident their own number
        t = create_ticket(self.db, NOW - timedelta(hours=3), state=state, account_id=acc.id,
                          station_id=self.stations[station].id, category=Category.no_heat, caller_number=phone,
                          callback_number=phone, address_snapshot=acc.address, name_snapshot=acc.name, **fields)
        voice = self.home / "voice" / f"{t.number}.wav"
        voice.write_bytes(b"RIFF")
        t.voice_path = str(voice)
        return t, acc

    def call(self, ticket, agent_no: str | None, ended: bool = False) -> str:
        uid = self.made.uniqueid()
        self.db.add(Call(uniqueid=uid, caller=ticket.caller_number, ticket_id=ticket.id,
                         agent_id=self.users[agent_no].id if agent_no else None, ivr_at=NOW - timedelta(minutes=5),
                         answered_at=NOW - timedelta(minutes=4) if agent_no else None,
                         ended_at=NOW - timedelta(minutes=1) if ended else None))
        return uid

    def of(self, owner: str, state: TicketState, ended: bool = False) -> tuple:
        """A ticket that is `owner`'s: of a call they answered, or (a station) dispatched to it."""
        if USERS[owner] is Role.station:
            t, acc = self.ticket(state, STATION_OF[owner])
            self.call(t, "1002", ended=True)
        else:
            t, acc = self.ticket(state)
            self.call(t, owner, ended=ended)
        return t, acc

    def build(self, role: str, whose: str) -> None:
        owner, put = _owner(role, whose), self.made.objects
        # a station has no phone: "its" calls, rings and recordings are not there; another's is an agent's
        caller = "1001" if USERS[owner] is Role.station else owner
        t, _ = self.ticket(TicketState.draft)
        put["call", role, whose] = {"uniqueid": self.call(t, caller), "number": t.number}
        t, _ = self.ticket(TicketState.draft)
        put["ring", role, whose] = {"uniqueid": self.call(t, None), "number": t.number, "at": caller}
        t, acc = self.of(owner, TicketState.dispatched)
        put["ticket", role, whose] = {"number": t.number, "account_no": acc.account_no}
        t, _ = self.of(owner, TicketState.draft)
        put["draft", role, whose] = {"number": t.number}
        t, _ = self.of(owner, TicketState.draft, ended=True)
        put["unconfirmed", role, whose] = {"number": t.number}
        # a completed repair; "own": its resident is on a call this person answered just now
        t, acc = self.of(owner, TicketState.completed, ended=True)
        if whose == OWN and USERS[owner] is not Role.station:
            again, _ = self.ticket(TicketState.draft, account=acc)
            self.call(again, owner)
        put["completed", role, whose] = {"number": t.number, "account_no": acc.account_no}
        t, _ = self.ticket(TicketState.new, callback_requested=True, callback_reason=CallOutcome.callback_requested,
                           callback_taken_by_id=self.users[owner].id, callback_taken_at=NOW - timedelta(minutes=2))
        put["callback", role, whose] = {"number": t.number}
        # 回访 in automated-first mode: given up to the agents (theirs), or the dialer's still (nobody's list)
        t, _ = self.ticket(TicketState.completed)
        self.db.add(SurveyCall(ticket_id=t.id, at=NOW - timedelta(hours=2), ended_at=NOW - timedelta(hours=2),
                               outcome="no_answer",
                               next_at=None if whose == OWN else NOW + timedelta(hours=1)))
        put["survey", role, whose] = {"number": t.number}
        rec = self.home / "recordings" / f"{role}-{whose}.wav"
        rec.write_bytes(b"RIFF")
        r = Recording(agent_id=self.users[caller].id, path=str(rec), created_at=NOW)
        self.db.add(r)
        self.db.flush()
        put["recording", role, whose] = {"rid": r.id}
        put["account", role, whose] = {"account_no": self.account().account_no}
        # an empty recording (a bare header) a team lead may apply to delete
        empty = self.home / "recordings" / f"{role}-{whose}-empty.wav"
        empty.write_bytes(b"RIFF")
        e = Recording(agent_id=self.users[caller].id, path=str(empty), created_at=NOW)
        self.db.add(e)
        # a colleague's recording handed to `owner` (an agent's) to listen to today
        self.db.flush()
        listener = owner if USERS[owner] is Role.agent else "1002"
        peer = QaPeerListen(day=NOW.date().isoformat(), listener_id=self.users[listener].id, recording_id=e.id,
                            agent_id=e.agent_id, assigned_at=NOW, findings=[], note="")
        proposal = QaProposal(source="recall", source_id=e.id, finding="wrong_station", ticket_id=t.id,
                              agent_id=self.users[caller].id, detail="维修站退回", at=NOW, state="open")
        self.db.add_all([peer, proposal])
        self.db.flush()
        put["empty", role, whose] = {"rid": e.id}
        outage = Outage(district="铁西区", compound="兴华北街", building="", until=NOW + timedelta(hours=8),
                        message="停热", prompt="", declared_by="1101", declared_at=NOW, call_back=False)
        self.db.add(outage)
        self.db.flush()
        put["outage", role, whose] = {"oid": outage.id}
        put["peer", role, whose] = {"pid": peer.id}
        put["proposal", role, whose] = {"pid": proposal.id}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """One database with every role's people and sessions, and each role's own and other objects."""
    base = tmp_path_factory.mktemp("matrix")
    home = base / "home"
    for d in ("voice", "recordings"):
        (home / d).mkdir(parents=True)
    engine = make_engine(f"sqlite:///{base / 'template.db'}")
    migrate(engine)
    made = Made()
    with session_factory(engine)() as db, db.begin():
        tx, hp = RepairStation(code="TX", name="铁西维修站", phone="024-25670000"), \
            RepairStation(code="HP", name="和平维修站", phone="024-23000000")
        db.add_all([tx, hp])
        db.flush()
        db.add(StationArea(station_id=tx.id, district="铁西区"))
        for no, role in USERS.items():
            u = add_user(db, no, f"人{no}", role, PASSWORD)
            u.station_id = {"TX": tx.id, "HP": hp.id}[STATION_OF[no]] if no in STATION_OF else None
            db.add(ApiSession(token_hash=token_hash(_token(no)), user_id=u.id, created_at=NOW,
                              expires_at=datetime(2099, 1, 1)))
        load_standards(db, NOW)
        b = Builder(db, home, made)
        for role in ROLES[:-1]:
            for whose in (OWN, OTHER):
                b.build(role, whose)
        a = AnomalyRecord(type=AnomalyType.complaint_technician, opened_at=NOW, deadline=NOW + timedelta(days=1),
                          note="住户投诉")
        db.add(a)
        db.flush()
        made.anomaly = a.id
        alert = SupervisorAlert(kind="long_pause", subject="1002", message="1002 小休 已 41 分钟(上限 15 分钟)",
                                raised_at=NOW, ack_note="")
        db.add(alert)
        db.flush()
        made.alert = alert.id
    engine.dispose()
    return base / "template.db", home, made


def _token(agent_no: str) -> str:
    return f"matrix-session-of-{agent_no}"


# ------------------------------------------------------------------------ the requests --

@dataclass
class Request:
    method: str
    path: str
    body: dict | None = None
    query: dict | None = None
    #: a request made first, as the same person (a search that grants an account)
    before: tuple[str, dict] | None = None


def request_for(method: str, route: str, role: str, whose: str, made: Made) -> Request:
    """The request that asks this route about this role's own (or another's) object."""
    acting = role if role != NOBODY else AGENT
    obj = lambda kind: made.objects[kind, acting, whose or OWN]
    p = wire.path
    search = lambda no: (wire.ACCOUNTS, {"q": no})
    later = (NOW + timedelta(days=1)).isoformat(timespec="minutes")
    form = {"category": "leak", "address": "铁西区 兴华北街 1-1-101", "name": "王秀兰", "callback_number": "13912345678",
            "confirmed_problem": True, "confirmed_address": True, "confirmed_name": True, "confirmed_phone": True}
    r = {
        wire.LOGIN: lambda: Request(method, route, {"agent_no": ME.get(role, "1001"),
                                                    "password": PASSWORD if role != NOBODY else "wrong-password"}),
        wire.QUEUE: lambda: Request(method, route, {"member": True}),
        wire.PAUSE: lambda: Request(method, route, {"paused": True, "reason": "小休"}),
        wire.REJECT: lambda: Request(method, p(route, uniqueid=obj("ring")["uniqueid"])),
        wire.ACCOUNTS: lambda: Request(method, route, query={"q": obj("account")["account_no"]}),
        wire.ACCOUNT: lambda: Request(method, p(route, account_no=obj("account")["account_no"]),
                                      before=search(obj("account")["account_no"]) if whose == OWN else None),
        wire.POP: lambda: Request(method, p(route, uniqueid=obj("call")["uniqueid"])),
        wire.TICKETS: lambda: Request(method, route, {"uniqueid": obj("call")["uniqueid"]}) if method == "POST"
        else Request(method, route),
        wire.TICKET: lambda: Request(method, p(route, number=obj("ticket" if method == "GET" else "draft")["number"]),
                                     form if method == "PUT" else None,
                                     before=search(obj("ticket")["account_no"])
                                     if method == "GET" and role == STATION and whose == OTHER else None),
        wire.TICKET_DRAFT: lambda: Request(method, p(route, number=obj("draft")["number"]), form),
        wire.TICKET_ASSIGN: lambda: Request(method, p(route, number=obj("ticket")["number"]), {"agent_no": "1002"}),
        wire.TICKET_VOICE: lambda: Request(method, p(route, number=obj("ticket")["number"])),
        wire.RECORDING_AUDIO: lambda: Request(method, p(route, rid=obj("recording")["rid"])),
        wire.TICKET_STATE: lambda: Request(method, p(route, number=obj("ticket")["number"]), {"state": "accepted"}),
        wire.TICKET_REOPEN: lambda: Request(method, p(route, number=obj("completed")["number"]), {"note": "还是不热"},
                                            before=search(obj("completed")["account_no"]) if whose == OTHER else None),
        wire.TICKET_CONFIRM: lambda: Request(method, p(route, number=obj("unconfirmed")["number"]),
                                             {"station_code": "TX", "dispatch": True}),
        wire.ANOMALIES: lambda: Request(method, route, {"type": "praise", "ticket": obj("ticket")["number"],
                                                        "note": "住户表扬"}) if method == "POST" else Request(method, route),
        wire.ANOMALY_HANDLE: lambda: Request(method, p(route, aid=made.anomaly), {"result": "已联系住户"}),
        wire.ANOMALY_CLOSE: lambda: Request(method, p(route, aid=made.anomaly), {"result": "已处理"}),
        wire.ANOMALY_ACK: lambda: Request(method, p(route, aid=made.anomaly)),
        wire.CALLBACK_TAKE: lambda: Request(method, p(route, number=obj("callback")["number"])),
        wire.CALLBACK_OUTCOME: lambda: Request(method, p(route, number=obj("callback")["number"]),
                                               {"outcome": "no_answer"}),
        wire.CALLBACK_CALL: lambda: Request(method, p(route, number=obj("callback")["number"])),
        wire.SURVEY: lambda: Request(method, p(route, number=obj("survey")["number"]),
                                     {"solved": True, "attitude": "average", "charged": False, "score": 8}),
        wire.SURVEY_BOOK: lambda: Request(method, p(route, number=obj("survey")["number"]), {"at": later}),
        wire.SURVEY_CALL: lambda: Request(method, p(route, number=obj("survey")["number"])),
        wire.REPORT_DAILY: lambda: Request(method, route, query={"date": "2026-11-22"}),
        wire.REPORT_PERIOD: lambda: Request(method, p(route, kind="weekly"), query={"date": "2026-11-22"}),
        wire.REPORT_SIGN: lambda: Request(method, route, {"date": "2026-11-22"}),
        wire.REPORT_FILE: lambda: Request(method, route, query={"kind": "daily", "date": "2026-11-22", "format": "pdf"}),
        wire.REPORT_DRILL: lambda: Request(method, route, query={"date": "2026-11-23", "figure": "tickets.by_district",
                                                                 "value": "铁西区"}),
        wire.RECORDING_DELETE: lambda: Request(method, p(route, rid=obj("empty")["rid"]), {"reason": "空录音,无通话内容"}),
        wire.QA_SAMPLE: lambda: Request(method, route, {"recording": obj("recording")["rid"]}) if method == "POST"
        else Request(method, route, query={"date": "2026-11-22"}),
        wire.QA_WEEKLY: lambda: Request(method, route, query={"date": "2026-11-22"}),
        wire.QA_CHECKS: lambda: Request(method, route, {"recording": obj("recording")["rid"], "scorecard": "intake",
                                                        "items": dict.fromkeys(INTAKE_ITEMS, "pass")})
        if method == "POST" else Request(method, route, query={"date": "2026-11-23"}),
        wire.QA_PEER_MARK: lambda: Request(method, p(route, pid=obj("peer")["pid"]), {"findings": []}),
        wire.QA_PROPOSAL: lambda: Request(method, p(route, pid=obj("proposal")["pid"]), {"confirm": True}),
        wire.QA_RESULTS: lambda: Request(method, route, query={"month": "2026-11"}),
        # a declared outage's area: one of the template's accounts' (its notice rendered: a second of audio)
        wire.OUTAGES: lambda: Request(method, route, {"area": "铁西区/兴华北街/1", "until": later, "message": "铁西区停热"})
        if method == "POST" else Request(method, route),
        wire.OUTAGE_END: lambda: Request(method, p(route, oid=obj("outage")["oid"]), {"call_back": True}),
        # an agent on a live call (the template's call of 1002 is answered and not ended)
        wire.LISTEN_IN: lambda: Request(method, p(route, agent_no="1002"), {"whisper": False}),
        wire.AGENT_UNPAUSE: lambda: Request(method, p(route, agent_no="1002"), {"note": "小休超时"}),
        wire.AGENT_SIGN_OUT: lambda: Request(method, p(route, agent_no="1002"), {"note": "下班未签出"}),
        wire.ALERT_ACK: lambda: Request(method, p(route, aid=made.alert), {"note": "已电话提醒"}),
        wire.STATION_NOTIFY: lambda: Request(method, p(route, number=obj("ticket")["number"])),
        **{display: (lambda: Request(method, route, query={"token": _token(ME[role])} if role != NOBODY else None))
           for display in wire.DISPLAY_ROUTES},
    }.get(route)
    return r() if r else Request(method, route)


def _cells():
    for (method, route), answers in MATRIX.items():
        for role in ROLES:
            expected = answers[role]
            if isinstance(expected, tuple):
                for whose, status in zip((OWN, OTHER), expected):
                    if status is not None:
                        yield pytest.param(method, route, role, whose, status, id=f"{method} {route} {role} {whose}")
            else:
                yield pytest.param(method, route, role, "", expected, id=f"{method} {route} {role}")


async def _answer(client: TestClient, req: Request, headers: dict) -> int:
    if req.path == wire.WS:
        try:
            async with client.ws_connect(req.path, headers=headers) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as e:
            return e.status
    r = await client.request(req.method, req.path, json=req.body, params=req.query, headers=headers)
    return r.status


@dataclass
class Hotline:
    """The agent API on a fresh copy of the template database."""
    svc: HotlineService
    client: TestClient
    sessions: object

    @staticmethod
    def headers(role: str) -> dict:
        return {"Authorization": f"Bearer {_token(ME[role])}"} if role != NOBODY else {}

    def last_audit(self) -> int:
        with self.sessions() as db:
            return db.scalar(select(func.max(AuditEntry.id))) or 0

    def audited_since(self, last: int) -> list[AuditEntry]:
        with self.sessions() as db:
            return list(db.scalars(select(AuditEntry).where(AuditEntry.id > last)))


@asynccontextmanager
async def hotline_on(template, tmp_path):
    db_file, home, _ = template
    shutil.copy(db_file, tmp_path / "w.db")
    s = load_settings(home=str(home), db_url=f"sqlite:///{tmp_path / 'w.db'}", today=NOW.isoformat(),
                      survey_mode="automated-first", pause_reasons="小休,会议")
    sessions = session_factory(make_engine(s.database_url))
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                         ctx=IvrContext(s, Records(sessions, s)), ami=PhonesAmi())
    try:
        async with TestClient(TestServer(svc.api.app())) as client:
            yield Hotline(svc, client, sessions)
    finally:
        sessions.kw["bind"].dispose()


@pytest.mark.parametrize("method, route, role, whose, expected", list(_cells()))
async def test_each_role_gets_the_answer_of_the_matrix(template, tmp_path, method, route, role, whose, expected):
    made = template[2]
    req = request_for(method, route, role, whose, made)
    headers = Hotline.headers(role)
    async with hotline_on(template, tmp_path) as h:
        if route == wire.REJECT:
            ring = made.objects["ring", role if role != NOBODY else AGENT, whose or OWN]
            h.svc.queue.rang(ring["at"], ring["uniqueid"], ring["number"])
        if route == wire.AGENT_UNPAUSE:     # 1002 on a long 小休
            h.svc.queue.joined("1002", True)
            h.svc.queue.paused("1002", True, "小休")
        if req.before:
            await h.client.get(req.before[0], params=req.before[1], headers=headers)
        audited = h.last_audit()
        status = await _answer(h.client, req, headers)
        refusals = [a.action for a in h.audited_since(audited) if a.actor == ME.get(role)]
    assert status == expected, f"{method} {req.path} as {role} ({whose or '-'}): {status}, expected {expected}"
    if status == 403:
        assert any(a.endswith("_refused") for a in refusals), f"refused without an audit entry: {refusals}"


# ------------------------------------------------------------------ the table is whole --

def test_every_route_of_the_wire_and_of_the_app_has_its_rows(tmp_path):
    wire_routes = {v for k, v in vars(wire).items() if k.isupper() and isinstance(v, str)
                   and (v.startswith("/api/") or v == wire.METRICS)} | set(wire.DISPLAY_ROUTES) | set(wire.WALL_ASSETS)
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'a.db'}")
    migrate(make_engine(s.database_url))
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199), ami=PhonesAmi())
    served = {(r.method, r.resource.canonical) for r in svc.api.app().router.routes() if r.method != "HEAD"}
    table = set(MATRIX)
    assert wire_routes == {route for _, route in table}, "a wire route without rows (or a row for no route)"
    assert served == table, f"served without rows: {served - table}; rows for nothing served: {table - served}"
    for key, answers in MATRIX.items():
        assert set(answers) == set(ROLES), key
        assert answers[NOBODY] == 401 or key[1] in wire.PUBLIC, key


async def test_the_report_routes_answer_bad_input_with_a_clear_4xx(template, tmp_path):
    lead, head = Hotline.headers(LEAD), Hotline.headers(HEAD)
    async with hotline_on(template, tmp_path) as h:
        got = await h.client.get(wire.REPORT_DAILY, params={"date": "22/11/2026"}, headers=lead)
        assert got.status == 422 and "YYYY-MM-DD" in (await got.json())["error"]
        got = await h.client.get(wire.path(wire.REPORT_PERIOD, kind="yearly"), params={"date": "2026-11-22"},
                                 headers=lead)
        assert got.status == 404
        assert (await h.client.post(wire.REPORT_SIGN, json={"date": "2026-13-45"}, headers=head)).status == 422
        assert (await h.client.post(wire.REPORT_SIGN, json={"date": "2026-11-23"}, headers=head)).status == 409  # not over
        daily = await (await h.client.get(wire.REPORT_DAILY, params={"date": "2026-11-22"}, headers=lead)).json()
        assert {"tickets", "queue", "agents", "stations", "hot_spots", "outages", "signed", "differs_from_signed"} <= set(daily)
        drill = lambda **q: h.client.get(wire.REPORT_DRILL, params={"date": "2026-11-23", **q}, headers=lead)
        got = await drill(figure="tickets.nonsense")
        assert got.status == 400 and "明细" in (await got.json())["error"]
        assert (await drill(figure="tickets.received", value="铁西区")).status == 400     # a total has no buckets
        assert (await drill(figure="tickets.by_district", value="铁西\x1b[2J")).status == 422
        assert (await drill(figure="tickets.received", kind="yearly")).status == 422
        assert (await drill(figure="tickets.received", date="2026-11-23'")).status == 422


async def test_the_report_file_is_the_files_bytes_named_for_saving_and_bad_input_is_400(template, tmp_path):
    lead = Hotline.headers(LEAD)
    ask = {"kind": "daily", "date": "2026-11-22", "format": "xlsx"}
    async with hotline_on(template, tmp_path) as h:
        for bad in ({"kind": "yearly"}, {"date": "22/11/2026"}, {"date": ""}, {"format": "docx"}, {"format": ""}):
            got = await h.client.get(wire.REPORT_FILE, params={**ask, **bad}, headers=lead)
            assert got.status == 400 and (await got.json())["error"], bad
        got = await h.client.get(wire.REPORT_FILE, params=ask, headers=lead)
        assert got.status == 200 and got.content_type.endswith("spreadsheetml.sheet")
        assert (await got.read())[:2] == b"PK"
        assert 'filename="hotline-daily-2026-11-22.xlsx"' in got.headers["Content-Disposition"]
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
        got = await h.client.get(wire.REPORT_FILE, params={**ask, "kind": "monthly", "format": "pdf"}, headers=lead)
        assert got.status == 200 and got.content_type == "application/pdf" and (await got.read()).startswith(b"%PDF")
        exports = [(a.actor, a.object_id, a.detail) for a in h.audited_since(0) if a.action == "report_export"]
        assert exports == [("1101", "daily:2026-11-22", {"format": "xlsx"}), ("1101", "monthly:2026-11-22", {"format": "pdf"})]


async def test_the_qa_routes_answer_bad_input_with_a_clear_4xx(template, tmp_path):
    lead, agent = Hotline.headers(LEAD), Hotline.headers(AGENT)
    made = template[2]
    rid = made.objects["recording", AGENT, OWN]["rid"]
    async with hotline_on(template, tmp_path) as h:
        for query in ({"since": "yesterday"}, {"direction": "sideways"}, {"phone": "1"}):
            got = await h.client.get(wire.RECORDINGS, params=query, headers=lead)
            assert got.status == 422, query
        assert (await h.client.get(wire.QA_RESULTS, params={"month": "2026-13"}, headers=lead)).status == 422
        assert (await h.client.get(wire.QA_SAMPLE, params={"date": "23.11.2026"}, headers=lead)).status == 422
        bad_checks = [{"recording": rid, "items": {"opening": "maybe"}},
                      {"recording": rid, "items": dict.fromkeys(INTAKE_ITEMS, "pass"), "findings": ["rude"]},
                      {"recording": rid, "items": dict.fromkeys(INTAKE_ITEMS, "pass"), "scorecard": "nope"},
                      {"recording": "41", "items": {}}]
        for body in bad_checks:
            got = await h.client.post(wire.QA_CHECKS, json=body, headers=lead)
            assert got.status == 422, (body, await got.text())
        for missing in (999999, 10**30):
            got = await h.client.post(wire.QA_CHECKS, json={"recording": missing, "items": {}}, headers=lead)
            assert got.status == 404, missing
        got = await h.client.post(wire.path(wire.RECORDING_DELETE, rid=rid), json={"reason": ""}, headers=lead)
        assert got.status == 422
        got = await h.client.post(wire.path(wire.RECORDING_DELETE, rid="x1"), json={"reason": "空录音"}, headers=lead)
        assert got.status == 404
        pid = made.objects["peer", AGENT, OWN]["pid"]
        got = await h.client.post(wire.path(wire.QA_PEER_MARK, pid=pid), json={"findings": ["misleading"]},
                                  headers=agent)
        assert got.status == 422 and "原因" in (await got.json())["error"]


async def test_listening_in_is_on_an_agent_on_a_live_call_and_rings_the_leads_own_phone(template, tmp_path):
    lead = Hotline.headers(LEAD)
    async with hotline_on(template, tmp_path) as h:
        for target, body, status in (("9999", {}, 404), ("1101", {}, 404), ("x1;", {}, 404),
                                     ("1002", {"whisper": "yes"}, 422)):
            got = await h.client.post(wire.path(wire.LISTEN_IN, agent_no=target), json=body, headers=lead)
            assert got.status == status, (target, body, await got.text())
        with h.sessions() as db, db.begin():
            db.execute(Call.__table__.update().values(ended_at=NOW))         # every call over
        got = await h.client.post(wire.path(wire.LISTEN_IN, agent_no="1001"), json={}, headers=lead)
        assert got.status == 409 and "没有通话" in (await got.json())["error"]
        h.svc.queue.rang("1001", "1763900000.99", "")                         # the queue: 1001 talks now
        h.svc.queue.connected("1001")
        last = h.last_audit()
        got = await h.client.post(wire.path(wire.LISTEN_IN, agent_no="1001"), json={"whisper": True}, headers=lead)
        assert got.status == 200, await got.text()
        assert await got.json() == {**wire.SAMPLE_LISTEN_IN, "name": "人1001", "whisper": True, "label": "耳语"}
        name, fields = h.svc.ami.sent[-1]
        assert name == "Originate" and fields["Channel"] == "PJSIP/agent-1101"
        assert (fields["Context"], fields["Exten"], fields["Priority"]) == ("listen-in", "1001", "whisper")
        assert fields["CallerID"] == '"耳语 1001" <1001>'
        audit = [a for a in h.audited_since(last) if a.action == "listen_in"]
        assert [(a.actor, a.object_id, a.detail) for a in audit] == [("1101", "1001", {"whisper": True})]


def test_the_metrics_are_the_servers_own_or_the_token_holders():
    assert metrics_refusal("", "", "127.0.0.1") is None and metrics_refusal("", "", "::1") is None
    assert metrics_refusal("", "", "192.168.1.20")[0] == 403
    assert metrics_refusal("", "Bearer anything", "192.168.1.20")[0] == 403
    assert metrics_refusal("s3cret-token", "Bearer s3cret-token", "192.168.1.20") is None
    assert metrics_refusal("s3cret-token", "Bearer wrong", "127.0.0.1")[0] == 401
    assert metrics_refusal("s3cret-token", "", "127.0.0.1")[0] == 401


async def test_the_metrics_name_no_number_and_no_name_and_health_says_what_is_down(template, tmp_path):
    async with hotline_on(template, tmp_path) as h:
        got = await h.client.get(wire.METRICS)
        assert got.status == 200 and got.content_type == "text/plain"
        body = await got.text()
        for name in ("hotline_fastagi_turnaround_seconds_bucket", "hotline_calls_total", "hotline_agents{",
                     "hotline_survey_attempts_total", "hotline_queue_callers_waiting", 'hotline_part_up{part="database"} 1.0'):
            assert name in body, name
        with h.sessions() as db:
            numbers = {c.caller for c in db.scalars(select(Call)) if c.caller}
            names = {u.name for u in db.scalars(select(User))} | {a.name for a in db.scalars(select(HeatingAccount))}
        assert numbers and names
        assert not [x for x in numbers | names if x in body]
        assert (await h.client.get(wire.HEALTH)).status == 200
        ready = await h.client.get(wire.READY)
        assert ready.status == 503 and (await ready.json())["down"] == ["fastagi"]
        h.svc.ami.connected.clear()
        health = await h.client.get(wire.HEALTH)
        assert health.status == 503 and (await health.json())["down"] == ["ami"]
        h.svc.ami.connected.set()
        h.sessions.kw["bind"].dispose()
        (tmp_path / "w.db").unlink()
        (tmp_path / "w.db").mkdir()     # the database gone from under the service: a directory cannot be opened
        health = await h.client.get(wire.HEALTH)
        assert health.status == 503 and (await health.json())["down"] == ["database"]


# ------------------------------------------------------------------ the board (#30) --

async def test_the_board_shows_each_agent_state_duration_and_the_waiting_caller_masked(template, tmp_path):
    lead = Hotline.headers(LEAD)
    async with hotline_on(template, tmp_path) as h:
        ami = h.svc.ami
        await ami.replay({"Event": "QueueMemberAdded", "MemberName": "PJSIP/agent-1001", "Paused": "0"})
        await ami.replay({"Event": "QueueMemberAdded", "MemberName": "PJSIP/agent-1002", "Paused": "1",
                          "PausedReason": "小休"})
        await ami.replay({"Event": "QueueCallerJoin", "Uniqueid": "1763900099.1", "CallerIDNum": "13912345678",
                          "Position": "1"})
        got = await h.client.get(wire.BOARD, headers=lead)
        board = await got.json()
    assert got.status == 200 and set(board) == set(wire.SAMPLE_BOARD)
    rows = {a["agent_no"]: a for a in board["agents"]}
    assert set(rows) == {"1001", "1002", "1101"}                      # agents and team leads, not the others
    assert set(rows["1001"]) == set(wire.SAMPLE_BOARD["agents"][0])
    # the template's phones are not registered (no device state): logged in, the phone is down
    assert rows["1001"]["state"] == "unregistered" and rows["1001"]["logged_in"]
    assert board["waiting"][0]["caller"] == "139******78" and board["summary"]["waiting"] == 1
    assert set(board["summary"]) >= set(wire.SAMPLE_BOARD["summary"])


async def test_a_forced_unpause_reaches_asterisk_and_a_sign_out_ends_the_agents_desk(template, tmp_path):
    lead = Hotline.headers(LEAD)
    async with hotline_on(template, tmp_path) as h:
        h.svc.queue.joined("1002", True)
        h.svc.queue.paused("1002", True, "小休")
        got = await h.client.post(wire.path(wire.AGENT_UNPAUSE, agent_no="1002"), json={"note": "超时"}, headers=lead)
        assert got.status == 200
        assert ("QueuePause", "false") in [(n, str(f.get("Paused")).lower()) for n, f in h.svc.ami.sent]
        again = await h.client.post(wire.path(wire.AGENT_UNPAUSE, agent_no="1002"), json={}, headers=lead)
        assert again.status == 409                                     # not paused any more
        gone = await h.client.post(wire.path(wire.AGENT_SIGN_OUT, agent_no="1002"), json={"note": "下班未签出"},
                                   headers=lead)
        assert gone.status == 200 and (await gone.json())["sessions_ended"] == 1
        mine = await h.client.get(wire.ME, headers=Hotline.headers(AGENT) | {"Authorization": f"Bearer {_token('1002')}"})
        assert mine.status == 401
        nobody = await h.client.post(wire.path(wire.AGENT_SIGN_OUT, agent_no="9999"), json={}, headers=lead)
        assert nobody.status == 404
        with h.sessions() as db:
            actions = [(e.actor, e.action, e.object_id) for e in db.scalars(select(AuditEntry))]
    assert ("1101", "force_unpause", "1002") in actions and ("1101", "force_sign_out", "1002") in actions
