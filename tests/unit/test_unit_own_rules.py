"""#25 — moves that belong to a rule of their own, over the real agent API (the access matrix's
world: tests/unit/test_access_matrix.py): a repair reaches followed_up only through its 回访, a 回访
is stored only with real answers (JSON's true is not a score), and an agent neither calls a 回访
entry that is not on their list nor learns its number."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from common import wire
from db.models import Survey, Ticket, TicketState
from hotline import cli
from hotline.aftercall.lifecycle import OWN_RULE
from test_access_matrix import ADMIN, AGENT, HEAD, LEAD, ME, OTHER, OWN, STATION, Hotline, hotline_on
from test_access_matrix import template  # noqa: F401  (the fixture)

REPO = Path(__file__).resolve().parents[2]
ANSWERS = {"solved": True, "attitude": "average", "charged": False, "score": 8}


def _state(h: Hotline, number: str) -> TicketState:
    with h.sessions() as db:
        return db.scalar(select(Ticket.state).where(Ticket.number == number))


async def test_no_role_moves_a_completed_repair_to_followed_up_but_its_survey(template, tmp_path):  # noqa: F811
    number = template[2].objects["survey", AGENT, OWN]["number"]
    async with hotline_on(template, tmp_path) as h:
        for role in (AGENT, LEAD, HEAD, ADMIN, STATION):
            r = await h.client.post(wire.path(wire.TICKET_STATE, number=number), json={"state": "followed_up"},
                                    headers=h.headers(role))
            assert r.status == 409 and (await r.json())["error"] == OWN_RULE[TicketState.followed_up], role
        got = CliRunner().invoke(cli.app, ["tickets", "set-state", number, "followed_up", "--as", ME[LEAD]],
                                 env={"HOTLINE_HOME": str(tmp_path / "cli"), "HOTLINE_DB_URL": h.svc.settings.db_url})
        assert got.exit_code != 0 and OWN_RULE[TicketState.followed_up] in got.output
        assert _state(h, number) is TicketState.completed
        r = await h.client.post(wire.path(wire.SURVEY, number=number), json=ANSWERS, headers=h.headers(AGENT))
        assert r.status == 201 and _state(h, number) is TicketState.followed_up


def test_only_the_survey_moves_a_ticket_to_followed_up():
    """In the code: the one `settle(…, followed_up)` is the 回访's save; nothing else names the move."""
    movers = []
    for pkg in ("hotline", "ivr", "db", "bench", "agi_scripts"):
        for path in (REPO / pkg).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "TicketState.followed_up" in line and ("settle(" in line or "move_ticket(" in line):
                    movers.append(f"{path.relative_to(REPO)}:{n}")
    assert [m.split(":")[0] for m in movers] == ["hotline/aftercall/surveys.py"]


async def test_a_json_true_is_no_score_and_nothing_is_stored(template, tmp_path):  # noqa: F811
    number = template[2].objects["survey", AGENT, OWN]["number"]
    async with hotline_on(template, tmp_path) as h:
        for bad in ({"score": True}, {"score": 8.0}, {"score": "8"}, {"solved": 1}, {"charged": "false"},
                    {"fee_reminder": 0}):
            r = await h.client.post(wire.path(wire.SURVEY, number=number), json={**ANSWERS, **bad},
                                    headers=h.headers(AGENT))
            assert r.status == 422, bad
        with h.sessions() as db:
            assert db.scalar(select(func.count(Survey.id))) == 0
        assert _state(h, number) is TicketState.completed


async def test_an_agent_calls_no_survey_entry_off_their_list_nor_learns_its_number(template, tmp_path):  # noqa: F811
    objects = template[2].objects
    theirs, dialers = objects["survey", AGENT, OWN]["number"], objects["survey", AGENT, OTHER]["number"]
    async with hotline_on(template, tmp_path) as h:
        with h.sessions() as db:
            phone = db.scalar(select(Ticket.callback_number).where(Ticket.number == dialers))
        listed = await (await h.client.get(wire.SURVEYS, headers=h.headers(AGENT))).json()
        assert theirs in [r["ticket"] for r in listed] and dialers not in [r["ticket"] for r in listed]
        last = h.last_audit()
        r = await h.client.post(wire.path(wire.SURVEY_CALL, number=dialers), headers=h.headers(AGENT))
        assert r.status == 403 and phone not in await r.text()
        refused = h.audited_since(last)
        assert [(a.actor, a.action) for a in refused] == [(ME[AGENT], "survey_call_refused")]
        assert refused[0].object_id == dialers and phone not in str(refused[0].detail)
        assert not [a for a in h.svc.ami.sent if a[0] == "Originate"]
        for route, body in ((wire.SURVEY, ANSWERS), (wire.SURVEY_BOOK, {"at": "2026-11-24T10:00"})):
            r = await h.client.post(wire.path(route, number=dialers), json=body, headers=h.headers(AGENT))
            assert r.status == 403, route
        r = await h.client.post(wire.path(wire.SURVEY_CALL, number=theirs), headers=h.headers(AGENT))
        assert r.status == 200 and (await r.json())["kind"] == "survey"
        assert [a[0] for a in h.svc.ami.sent].count("Originate") == 1
