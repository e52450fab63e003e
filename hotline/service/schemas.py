"""What the agent API accepts: pydantic models with the limits of every field (malformed
input is a 422 with a message, never a 500). Shared by the HTTP layer and the desk service.

Numbers and yes/no answers are strict: JSON's `true` is not the score 1, nor `1` a yes. Free
text is `Line` (one line) or `Text` (notes, results: line feeds allowed): a control character,
a bidi override or a separator is refused here (common.text), before anything stores it."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from db.models import Category
from common import wire
from common.text import control_char


def _checked(multiline: bool):
    # before str's own checks, so a too-long value still reads "at most N characters"
    def check(value):
        bad = control_char(value, multiline) if isinstance(value, str) else None
        if bad is not None:
            raise ValueError(f"含有不允许的控制字符 U+{ord(bad):04X}")
        return value
    return BeforeValidator(check)


def _priority(value: int) -> int:
    if value not in wire.PRIORITIES:
        raise ValueError(f"优先级应为 {'/'.join(map(str, wire.PRIORITIES))} 之一")
    return value


#: one line of free text (an address, a name, a reason)
Line = Annotated[str, _checked(multiline=False)]
OptionalLine = Annotated[str | None, _checked(multiline=False)]
#: free text of several lines (notes, a result, a comment)
Text = Annotated[str, _checked(multiline=True)]


class LoginIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=wire.AGENT_NO_MAX, pattern=r"^\d+$")
    password: str = Field(min_length=1, max_length=wire.PASSWORD_MAX)


class QueueIn(BaseModel):
    member: StrictBool


class PauseIn(BaseModel):
    paused: StrictBool
    reason: Line = Field(default="", max_length=wire.PAUSE_REASON_MAX)


class TicketForm(BaseModel):
    # a draft is stored as sent: unknown keys and non-finite numbers are refused, not kept
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    category: Category | None = None
    address: Line = Field(default="", max_length=wire.ADDRESS_MAX)
    name: Line = Field(default="", max_length=wire.NAME_MAX)
    callback_number: Line = Field(default="", max_length=wire.CALLBACK_MAX)
    confirmed_problem: StrictBool = False
    confirmed_address: StrictBool = False
    confirmed_name: StrictBool = False
    confirmed_phone: StrictBool = False
    station_code: OptionalLine = Field(default=None, max_length=wire.STATION_CODE_MAX)
    priority: Annotated[StrictInt, AfterValidator(_priority)] = wire.PRIORITY_NORMAL
    notes: Text = Field(default="", max_length=wire.NOTES_MAX)
    account_no: OptionalLine = Field(default=None, max_length=wire.ACCOUNT_NO_MAX)
    #: answered on the call (e.g. a billing question): the ticket is saved as resolved, no repair
    resolved: StrictBool = False
    #: the repair is not needed after all (住户已自行解决): the draft is saved as cancelled with this reason
    cancel_reason: Line = Field(default="", max_length=200)


class AssignIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=wire.AGENT_NO_MAX, pattern=r"^\d+$")


class NewTicketIn(BaseModel):
    """POST /api/tickets: a new ticket on one of this agent's calls."""
    uniqueid: str = Field(min_length=3, max_length=32, pattern=r"^\d{1,20}\.\d{1,10}$")


class TicketStateIn(BaseModel):
    """POST /api/tickets/{n}/state: move a ticket on (the rules: hotline.aftercall.lifecycle)."""
    model_config = ConfigDict(extra="forbid")
    state: Line = Field(min_length=1, max_length=16)
    note: Text = Field(default="", max_length=1000)
    station_code: Line = Field(default="", max_length=wire.STATION_CODE_MAX)


class ConfirmIn(BaseModel):
    """POST /api/tickets/{n}/confirm: a team lead confirms a 待确认 repair, dispatching it at once."""
    model_config = ConfigDict(extra="forbid")
    station_code: Line = Field(default="", max_length=wire.STATION_CODE_MAX)
    dispatch: StrictBool = True
    note: Text = Field(default="", max_length=1000)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Text = Field(default="", max_length=1000)


class AnomalyIn(BaseModel):
    """POST /api/anomalies: record 异常 4–9 on a ticket (or none), and/or about an agent (工号)."""
    model_config = ConfigDict(extra="forbid")
    type: Line = Field(min_length=1, max_length=32)
    ticket: OptionalLine = Field(default=None, max_length=16)
    note: Text = Field(default="", max_length=2000)
    agent: str | None = Field(default=None, min_length=1, max_length=wire.AGENT_NO_MAX, pattern=r"^\d+$")


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Text = Field(default="", max_length=2000)


class CallbackOutcomeIn(BaseModel):
    """POST wire.CALLBACK_OUTCOME: what the call-back came to (wire.CALLBACK_OUTCOMES, or closed)."""
    model_config = ConfigDict(extra="forbid")
    outcome: Line = Field(min_length=1, max_length=32)
    note: Text = Field(default="", max_length=1000)


class SurveyIn(BaseModel):
    """POST wire.SURVEY: the answers a–f (checked in hotline.aftercall.surveys, with words per question)."""
    model_config = ConfigDict(extra="forbid")
    solved: StrictBool | None = None
    attitude: Line = Field(default="", max_length=16)
    charged: StrictBool | None = None
    score: StrictInt | None = None
    comment: Text = Field(default="", max_length=1000)
    fee_reminder: StrictBool | None = None


class SurveyBookIn(BaseModel):
    """POST wire.SURVEY_BOOK: not convenient, call again at this time."""
    model_config = ConfigDict(extra="forbid")
    at: Line = Field(min_length=1, max_length=32)
    note: Text = Field(default="", max_length=500)


class ReportSignIn(BaseModel):
    """POST wire.REPORT_SIGN: the head signs a finished reporting day."""
    model_config = ConfigDict(extra="forbid")
    date: Line = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class RecordingDeleteIn(BaseModel):
    """POST wire.RECORDING_DELETE: a team lead's application, with the reason written."""
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(min_length=2, max_length=wire.RECORDING_DELETE_REASON_MAX)


class QaSampleAddIn(BaseModel):
    """POST wire.QA_SAMPLE: a recording (a leg) added to its day's sample by hand."""
    model_config = ConfigDict(extra="forbid")
    recording: StrictInt = Field(ge=1)


#: a finding code or an item's key: a plain word (the rules check it against the lists)
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]


class QaCheckIn(BaseModel):
    """POST wire.QA_CHECKS (wire.QA_CHECK_FIELDS): a written check result of one leg."""
    model_config = ConfigDict(extra="forbid")
    recording: StrictInt = Field(ge=1)
    scorecard: str = Field(default="", max_length=16, pattern=r"^[a-z_]*$")
    items: dict[Code, Code] = Field(max_length=40)
    findings: list[Code] = Field(default_factory=list, max_length=len(wire.QA_FINDINGS))
    note: Text = Field(default="", max_length=wire.QA_NOTE_MAX)


class QaPeerMarkIn(BaseModel):
    """POST wire.QA_PEER_MARK: listened — findings with their cause, or 闪光点, or none (clean)."""
    model_config = ConfigDict(extra="forbid")
    findings: list[Code] = Field(default_factory=list, max_length=len(wire.QA_FINDINGS))
    note: Text = Field(default="", max_length=wire.QA_NOTE_MAX)


class QaDecideIn(BaseModel):
    """POST wire.QA_PROPOSAL: a team lead confirms (a finding against the agent) or dismisses."""
    model_config = ConfigDict(extra="forbid")
    confirm: StrictBool
    note: Text = Field(default="", max_length=wire.QA_NOTE_MAX)


class ListenIn(BaseModel):
    """POST wire.LISTEN_IN: listen only, or whisper to the agent too."""
    model_config = ConfigDict(extra="forbid")
    whisper: StrictBool = False
