"""The wire contract says what the service and the desk both rely on: it must match the domain."""
from __future__ import annotations

from db.models import Category, Role, TicketState
from db.session import make_engine, migrate, session_factory
from desktop.models.labels import CATEGORY_LABELS, STATE_LABELS
from hotline.service.desk import DeskService, Principal
from hotline.service.schemas import TicketForm
from common import wire
from common.settings import load_settings


def test_the_wire_carries_every_ticket_state_and_category_of_the_domain():
    assert wire.TICKET_STATES == tuple(s.value for s in TicketState)
    assert wire.CATEGORIES == tuple(c.value for c in Category)


def test_the_desk_has_a_label_for_every_state_and_category_on_the_wire():
    assert set(STATE_LABELS) == set(wire.TICKET_STATES)
    assert set(CATEGORY_LABELS) == set(wire.CATEGORIES)


def test_the_ticket_form_the_desk_sends_is_the_one_the_service_accepts():
    assert set(wire.FORM_FIELDS) == set(TicketForm.model_fields)
    assert TicketForm.model_fields["notes"].metadata[0].max_length == wire.NOTES_MAX


def test_the_sample_pop_uses_ticket_numbers_as_the_server_issues_them():
    numbers = [wire.SAMPLE_POP["ticket"]["number"], *(h["number"] for h in wire.SAMPLE_POP["history"])]
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert wire.SAMPLE_POP["ivr"]["voice_url"] == wire.path(wire.TICKET_VOICE, number=numbers[0])


def test_the_sample_script_is_what_the_service_answers_on_a_normal_day(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", today="2026-11-23T10:00")
    engine = make_engine(s.database_url)
    migrate(engine)
    desk = DeskService(session_factory(engine), s, {}.get)
    assert desk.script(Principal(user_id=1, agent_no="1001", name="李娜", role=Role.agent, session_id=1,
                                 expires_at=None)) == wire.SAMPLE_SCRIPT
