"""What the agent API accepts: pydantic models with the limits of every field (malformed
input is a 422 with a message, never a 500). Shared by the HTTP layer and the desk service."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from db.models import Category
from common import wire


class LoginIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=wire.AGENT_NO_MAX, pattern=r"^\d+$")
    password: str = Field(min_length=1, max_length=wire.PASSWORD_MAX)


class QueueIn(BaseModel):
    member: bool


class PauseIn(BaseModel):
    paused: bool
    reason: str = Field(default="", max_length=wire.PAUSE_REASON_MAX)


class TicketForm(BaseModel):
    # a draft is stored as sent: unknown keys and non-finite numbers are refused, not kept
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    category: Category | None = None
    address: str = Field(default="", max_length=wire.ADDRESS_MAX)
    name: str = Field(default="", max_length=wire.NAME_MAX)
    callback_number: str = Field(default="", max_length=wire.CALLBACK_MAX)
    confirmed_problem: bool = False
    confirmed_address: bool = False
    confirmed_name: bool = False
    confirmed_phone: bool = False
    station_code: str | None = Field(default=None, max_length=wire.STATION_CODE_MAX)
    priority: Literal[wire.PRIORITIES] = wire.PRIORITY_NORMAL   # type: ignore[valid-type]
    notes: str = Field(default="", max_length=wire.NOTES_MAX)
    account_no: str | None = Field(default=None, max_length=wire.ACCOUNT_NO_MAX)
    #: answered on the call (e.g. a billing question): the ticket is saved as resolved, no repair
    resolved: bool = False
    #: the repair is not needed after all (住户已自行解决): the draft is saved as cancelled with this reason
    cancel_reason: str = Field(default="", max_length=200)


class AssignIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=wire.AGENT_NO_MAX, pattern=r"^\d+$")


class NewTicketIn(BaseModel):
    """POST /api/tickets: a new ticket on one of this agent's calls."""
    uniqueid: str = Field(min_length=3, max_length=32, pattern=r"^\d{1,20}\.\d{1,10}$")


class TicketStateIn(BaseModel):
    """POST /api/tickets/{n}/state: move a ticket on (the rules: hotline.aftercall.lifecycle)."""
    model_config = ConfigDict(extra="forbid")
    state: str = Field(min_length=1, max_length=16)
    note: str = Field(default="", max_length=1000)
    station_code: str = Field(default="", max_length=wire.STATION_CODE_MAX)


class ConfirmIn(BaseModel):
    """POST /api/tickets/{n}/confirm: a team lead confirms a 待确认 repair, dispatching it at once."""
    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(default="", max_length=wire.STATION_CODE_MAX)
    dispatch: bool = True
    note: str = Field(default="", max_length=1000)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)


class AnomalyIn(BaseModel):
    """POST /api/anomalies: record 异常 4–9 on a ticket (or none)."""
    model_config = ConfigDict(extra="forbid")
    type: str = Field(min_length=1, max_length=32)
    ticket: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=2000)


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: str = Field(default="", max_length=2000)


class CallbackOutcomeIn(BaseModel):
    """POST wire.CALLBACK_OUTCOME: what the call-back came to (wire.CALLBACK_OUTCOMES, or closed)."""
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=1000)


class SurveyIn(BaseModel):
    """POST wire.SURVEY: the answers a–f (checked in hotline.aftercall.surveys, with words per question)."""
    model_config = ConfigDict(extra="forbid")
    solved: bool | None = None
    attitude: str = Field(default="", max_length=16)
    charged: bool | None = None
    score: int | None = None
    comment: str = Field(default="", max_length=1000)
    fee_reminder: bool | None = None


class SurveyBookIn(BaseModel):
    """POST wire.SURVEY_BOOK: not convenient, call again at this time."""
    model_config = ConfigDict(extra="forbid")
    at: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=500)
