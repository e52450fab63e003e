"""FastAGI bound to the call (#25) without Asterisk: the per-call tokens (db/call_tokens.py: issued,
kept hashed, each stage spent once, for its call only), the admission's plan per route
(hotline.service.agi_admission), and the real FastAGI server on a port, attacked by a forged
Asterisk (tests/forged_agi.py) holding the installation's key but not the call's token."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from common.ports import free_port
from common.settings import load_settings
from db.call_tokens import IN, OUT, SURVEY, TOKEN, attempt_ref, digest, issue, prune, redeem
from db.models import Call, CallToken, CallTokenUse, Role, User
from db.session import make_engine, migrate, session_factory
from forged_agi import forge
from hotline.admin.users import add_user
from hotline.service.agi_admission import ask, key_proof, plan
from hotline.service.fastagi import FastAgiServer
from ivr.context import IvrContext, Records

#: the server (an async fixture) and its tests on one event loop: the suite's fixtures' loop
on_the_servers_loop = pytest.mark.asyncio(loop_scope="session")
T0 = datetime(2026, 11, 23, 10, 0)
KEY = "the-installations-key-0123456789"


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    migrate(engine)
    return session_factory(engine)


# ---------------------------------------------------------------- the tokens --

def test_a_token_is_random_and_kept_only_hashed(sessions):
    with sessions() as db, db.begin():
        a, b = issue(db, IN, "1790000000.1", T0), issue(db, IN, "1790000000.2", T0)
    assert a != b and TOKEN.fullmatch(a) and TOKEN.fullmatch(b)
    with sessions() as db:
        stored = {t.call: t.digest for t in db.scalars(select(CallToken))}
    assert stored == {"1790000000.1": digest(a), "1790000000.2": digest(b)} and a not in stored.values()
    refs = {attempt_ref() for _ in range(50)}
    assert len(refs) == 50 and all(len(r) == 20 and r[0] != "0" and r.isdigit() for r in refs)


def test_each_stage_is_accepted_once_for_its_call_only(sessions):
    with sessions() as db, db.begin():
        token = issue(db, IN, "1790000000.1", T0)
    with sessions() as db, db.begin():
        assert redeem(db, token, IN, "1790000000.1", "call_end", T0) is not None
    with sessions() as db, db.begin():
        assert redeem(db, token, IN, "1790000000.1", "call_end", T0) is None         # spent
        assert redeem(db, token, IN, "1790000000.9", "answered:x", T0) is None       # another call's
        assert redeem(db, token, OUT, "1790000000.1", "call_out_end", T0) is None    # another kind
        assert redeem(db, token, SURVEY, "1790000000.1", "survey", T0) is None
        for forged in ("", "x" * 32, token[:-1], token + "=", digest(token), None):
            assert redeem(db, forged, IN, "1790000000.1", "no_agent", T0) is None
        assert redeem(db, token, IN, "1790000000.1", "answered:1790000000.5", T0) is not None
        assert redeem(db, token, IN, "1790000000.1", "answered:1790000000.6", T0) is not None
    with sessions() as db:
        assert sorted(db.scalars(select(CallTokenUse.stage))) == ["answered:1790000000.5", "answered:1790000000.6",
                                                                  "call_end"]


def test_a_click_to_calls_token_is_bound_by_its_first_request(sessions):
    with sessions() as db, db.begin():
        token = issue(db, OUT, None, T0, ticket="2611230001")
    with sessions() as db, db.begin():
        assert redeem(db, token, OUT, "1790000000.3", "call_out", T0).ticket == "2611230001"
    with sessions() as db, db.begin():
        assert redeem(db, token, OUT, "1790000000.4", "call_out_end", T0) is None    # bound to .3 now
        assert redeem(db, token, OUT, "1790000000.3", "call_out_end", T0) is not None


def test_old_tokens_are_pruned(sessions):
    with sessions() as db, db.begin():
        old = issue(db, IN, "1790000000.1", T0 - timedelta(days=3))
        issue(db, IN, "1790000000.2", T0)
        redeem(db, old, IN, "1790000000.1", "call_end", T0)
    with sessions() as db, db.begin():
        assert prune(db, T0) == 1
    with sessions() as db:
        assert list(db.scalars(select(CallToken.call))) == ["1790000000.2"]
        assert db.scalar(select(CallTokenUse.id)) is None


# ------------------------------------------------------------------ the plan --

@pytest.mark.parametrize("route,token,call,attempt,expected", [
    ("caller", "", "", "", ("1.1", "in", "", True)),
    ("caller", "t", "", "", None),                           # a call's first request carries no token
    ("degraded", "", "1.1", "", ("1.1", "in", "", True)),
    ("call_out", "", "", "", ("1.1", "out", "", True)),      # hand-dialled: its first request
    ("call_out", "t", "", "", ("1.1", "out", "call_out", False)),   # click-to-call: the Originate's token
    ("call_end", "", "1.0", "", None),
    ("call_end", "t", "1.0", "", ("1.0", "in", "call_end", False)),
    ("no_agent", "t", "", "", ("1.1", "in", "no_agent", False)),
    ("answered", "t", "1.0", "", ("1.0", "in", "answered:1.1", False)),
    ("answered", "", "1.0", "", None),
    ("transferred", "t", "1.0", "", ("1.0", "in", "transferred:1.1", False)),
    ("transferred", "", "", "", ("", "", "", False)),        # a consultation leg: admitted, bound to nothing
    ("survey", "t", "", "12345678901234567890", ("12345678901234567890", "survey", "survey", False)),
    ("survey_dial", "", "", "12345678901234567890", None),
    ("nonsense", "t", "1.0", "", None),
])
def test_the_plan_of_each_route(route, token, call, attempt, expected):
    p = plan(route, "1.1", token, call, attempt)
    assert (p and (p.call, p.kind, p.stage, p.issue)) == expected


REF = "12345678901234567890"


@pytest.mark.parametrize("route, token, attempt, station, expected", [
    # a station's call (#30) names its attempt by HOTLINE_STATION_CALL, never by a survey's variable
    ("station", "t", "", REF, (REF, "station", "station", False)),
    ("station_dial", "t", "", REF, (REF, "station", "station_dial", False)),
    ("station_end", "t", REF, "", ("", "station", "station_end", False)),
    ("station_dial", "", "", REF, None),                      # no token: never a first request
])
def test_the_plan_of_a_station_call(route, token, attempt, station, expected):
    p = plan(route, "1.1", token, "", attempt, station)
    assert (p and (p.call, p.kind, p.stage, p.issue)) == expected


@pytest.mark.parametrize("route, token, station, outage, expected", [
    # the 供热已恢复 call-back (#30) names its attempt by HOTLINE_OUTAGE_CALL, never by a station's variable
    ("outage_call", "t", "", REF, (REF, "outage", "outage_call", False)),
    ("outage_dial", "t", "", REF, (REF, "outage", "outage_dial", False)),
    ("outage_dial_end", "t", "", REF, (REF, "outage", "outage_dial_end", False)),
    ("outage_call_end", "t", REF, "", ("", "outage", "outage_call_end", False)),
    ("outage_dial", "", "", REF, None),                       # no token: never a first request
])
def test_the_plan_of_an_outage_call_back(route, token, station, outage, expected):
    p = plan(route, "1.1", token, "", "", station, outage)
    assert (p and (p.call, p.kind, p.stage, p.issue)) == expected


def test_the_question_proves_the_key_without_sending_it():
    q = ask("ab12")
    assert KEY not in q and q.startswith("GET FULL VARIABLE ${SHA1(ab12:${FILE(${HOTLINE_AGI_KEY_FILE})})}")
    assert q.endswith("|${HOTLINE_CALL_TOKEN}|${HOTLINE_CALL}|${HOTLINE_SURVEY_CALL}|${HOTLINE_STATION_CALL}"
                      "|${HOTLINE_OUTAGE_CALL}") \
        and " " not in q[18:]
    assert key_proof(KEY, "ab12") != key_proof(KEY, "ab13") != key_proof("other", "ab13")


# -------------------------------------------------- the server, attacked --

class Service:
    """The FastAGI server on a port of its own, the real Records on SQLite."""

    def __init__(self, ctx: IvrContext, port: int):
        self.ctx, self.port = ctx, port

    async def forge(self, route: str, variables: dict, key: str | None = KEY, **kw) -> list[str]:
        return await asyncio.to_thread(forge, self.port, route, variables, key, **kw)

    def call(self, uniqueid: str) -> Call | None:
        with self.ctx.records.sessions() as db:
            return db.scalar(select(Call).where(Call.uniqueid == uniqueid))


@pytest.fixture
async def service(sessions, tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'hotline.db'}",
                      today="2026-11-23T10:00")
    with sessions() as db, db.begin():
        for no in ("1001", "1002"):
            add_user(db, no, f"人{no}", Role.agent, "pw-1234567")
    ctx = IvrContext(s, Records(sessions, s))
    server = FastAgiServer(ctx, KEY, free_port())
    await server.start()
    yield Service(ctx, server.port)
    server.close()
    ctx.close()


async def a_call(service: Service, uniqueid: str) -> dict:
    """A caller's call, as Asterisk starts it: its first request (`caller`) is given the call's token,
    then the caller hangs up in the greeting. The channel's variables, the token among them."""
    chan = {"HOTLINE_CALL": uniqueid}
    got = await service.forge("caller", chan, uniqueid=uniqueid, hangup_at=3)
    assert got[1].startswith('SET VARIABLE __HOTLINE_CALL_TOKEN "') and TOKEN.fullmatch(chan["HOTLINE_CALL_TOKEN"])
    assert service.call(uniqueid) is not None
    return chan


def agent_of(service: Service, uniqueid: str) -> str | None:
    with service.ctx.records.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        return db.get(User, call.agent_id).agent_no if call.agent_id else None


@on_the_servers_loop
async def test_without_the_key_nothing_but_the_question_is_sent(service):
    for key in (None, "guessed"):
        got = await service.forge("caller", {}, key=key, uniqueid="1790000001.1")
        assert len(got) == 1 and got[0].startswith("GET FULL VARIABLE ${SHA1(") and KEY not in got[0]
    assert service.call("1790000001.1") is None


@on_the_servers_loop
async def test_with_the_key_and_without_the_calls_token_a_forged_answer_changes_nothing(service):
    """The threat of #25: the key alone marked any call answered by any agent (and so gave them its
    pop and ticket). Now the call's token is needed, and each stage is spent once."""
    chan = await a_call(service, "1790000002.1")
    agent = {"HOTLINE_CALL": "1790000002.1", "CHANNEL(endpoint)": "agent-1002", "REC": ""}
    for token in (None, "x" * 32, chan["HOTLINE_CALL_TOKEN"][::-1]):
        forged = {**agent, **({"HOTLINE_CALL_TOKEN": token} if token else {})}
        assert len(await service.forge("answered", forged, uniqueid="1790000002.7")) == 1
    assert agent_of(service, "1790000002.1") is None
    # the real agent's channel inherited the token: its answer is recorded, once per channel
    real = {**agent, "CHANNEL(endpoint)": "agent-1001", "HOTLINE_CALL_TOKEN": chan["HOTLINE_CALL_TOKEN"]}
    assert len(await service.forge("answered", real, uniqueid="1790000002.2")) > 1
    assert agent_of(service, "1790000002.1") == "1001"
    replay = {**real, "CHANNEL(endpoint)": "agent-1002"}
    assert len(await service.forge("answered", replay, uniqueid="1790000002.2")) == 1
    assert agent_of(service, "1790000002.1") == "1001"
    # the token does not open another call, nor a wrong key with it
    other = await a_call(service, "1790000002.3")
    assert len(await service.forge("answered", {**replay, "HOTLINE_CALL": "1790000002.3"},
                                   uniqueid="1790000002.8")) == 1
    assert len(await service.forge("answered", {**replay, "HOTLINE_CALL_TOKEN": other["HOTLINE_CALL_TOKEN"],
                                                "HOTLINE_CALL": "1790000002.3"}, key="guessed",
                                   uniqueid="1790000002.9")) == 1
    assert agent_of(service, "1790000002.3") is None


@on_the_servers_loop
async def test_the_hang_up_is_recorded_once_and_a_survey_stage_takes_no_callers_token(service):
    chan = await a_call(service, "1790000003.1")
    assert len(await service.forge("call_end", dict(chan), uniqueid="1790000003.1")) > 1
    ended = service.call("1790000003.1").ended_at
    assert ended is not None
    assert len(await service.forge("call_end", dict(chan), uniqueid="1790000003.1")) == 1      # spent
    for route in ("survey", "survey_dial", "survey_end", "call_out_end"):
        got = await service.forge(route, {**chan, "HOTLINE_SURVEY_CALL": "12345678901234567890"},
                                  uniqueid="1790000003.1")
        assert len(got) == 1, route


@on_the_servers_loop
async def test_a_first_request_for_a_call_that_has_a_record_gets_nothing_of_it(service):
    """A forged `caller` naming a live call's uniqueid is given a token — of nothing: it is never kept,
    so it opens no stage of that call."""
    await a_call(service, "1790000004.1")
    forged = {"HOTLINE_CALL": "1790000004.1"}
    await service.forge("caller", forged, uniqueid="1790000004.1", hangup_at=3)
    assert TOKEN.fullmatch(forged["HOTLINE_CALL_TOKEN"])
    got = await service.forge("answered", {**forged, "CHANNEL(endpoint)": "agent-1002"}, uniqueid="1790000004.2")
    assert len(got) == 1 and agent_of(service, "1790000004.1") is None
    with service.ctx.records.sessions() as db:
        assert db.scalar(select(CallToken).where(CallToken.digest == digest(forged["HOTLINE_CALL_TOKEN"]))) is None


@on_the_servers_loop
async def test_an_agents_consultation_leg_is_admitted_without_a_token(service):
    """Its own first and last request: it links only the leg's own recording, once."""
    got = await service.forge("transferred", {"XFER_BY": "PJSIP/agent-1001-00000001",
                                              "CHANNEL(endpoint)": "agent-1002"}, uniqueid="1790000005.1")
    assert len(got) > 1 and not any("HOTLINE_CALL_TOKEN" in c for c in got[1:])
