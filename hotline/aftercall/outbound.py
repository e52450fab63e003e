"""Click-to-call from the worklists (#15): an agent calls the resident of a 回电 or 回访 entry. The
service rings the agent's own phone; answered, it enters the dialplan's [outbound] with the number,
which calls the resident with the hotline's number as caller id, records, and links the call.

What is decided here, for `CallbackList.call` and `SurveyList.call` (each list keeps who may call
its entries): the number — the ticket's call-back number (else the caller's), read on the server,
never taken from the request — checked by the dialplan's own rules (common.phones), and
what the service is to ring (`CallOut`). Protocol-free: `hotline.service` sends the Originate."""
from __future__ import annotations

import re
from dataclasses import dataclass

from db.models import Ticket
from hotline.aftercall.rules import CALLERS, Actor, Refused, RuleError
from common import phones, wire

#: what the agent's phone shows in front of the number while it rings (the call's kind)
KINDS = wire.CALL_OUT_LABELS
_TICKET_NO = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True)
class CallOut:
    """Ring `agent_no`'s own phone, then `number`, for ticket `ticket` (a `kind` of KINDS)."""
    ticket: str
    number: str
    agent_no: str
    kind: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def answer(self) -> dict:
        """The API's answer (wire.SAMPLE_CALL_OUT): the desk answers the ringing leg that matches it."""
        return {"ticket": self.ticket, "number": self.number, "kind": self.kind, "label": self.label}


def ticket_number(number) -> str:
    """A ticket number from a path: digits only, bounded; anything else is not found."""
    text = str(number or "")
    if not _TICKET_NO.fullmatch(text):
        raise RuleError(404, f"没有这张报修单: {text[:20]}")
    return text


def may_call_out(actor: Actor, kind: str, number: str) -> None:
    """Only agents and team leads call residents (whatever the entry): the others' phones, if they
    have one, carry no permission to call out in the dialplan either (common.agent_phones)."""
    if actor.role not in CALLERS:
        raise Refused("只有座席和领班可以外呼", f"{kind}_call_refused", "ticket", number)


def call_out(t: Ticket, actor: Actor, kind: str, allowed=frozenset()) -> CallOut:
    """The call of `t`'s resident by `actor`; 409 when the ticket has no number the hotline may dial."""
    may_call_out(actor, kind, t.number)
    number = t.callback_number or t.caller_number or ""
    why = phones.refusal(number, allowed)
    if why == "invalid":
        raise RuleError(409, f"报修单 {t.number} 没有可拨打的号码")
    if why:
        raise RuleError(409, f"报修单 {t.number} 的号码是{phones.CLASS_LABELS[why]},本热线不允许外呼")
    return CallOut(t.number, number, actor.agent_no, kind)
