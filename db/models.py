"""SQLAlchemy 2 typed models: the hotline's records.

One place for the domain's enumerations (ticket states, categories, call
outcomes, roles); everything else imports them from here.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def _enum(cls):
    # store the value (readable in SQL, stable across renames of the Python name)
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, length=32)


class Role(str, enum.Enum):
    agent = "agent"
    team_lead = "team_lead"
    head = "head"            # 部长, department head
    admin = "admin"
    station = "station"      # a repair station's people: its own tickets only (接单 / 已联系 / 返单)
    statistician = "statistician"   # 统计员: reads and signs the reports, nothing else (no phone, no tickets)


class Category(str, enum.Enum):
    no_heat = "no_heat"
    leak = "leak"
    noise = "noise"
    other = "other"


class TicketState(str, enum.Enum):
    draft = "draft"              # written by the IVR, not yet confirmed by an agent
    new = "new"
    dispatched = "dispatched"    # station notified
    accepted = "accepted"        # the station took it (接单)
    contacted = "contacted"      # technician phoned the resident
    completed = "completed"      # 返单
    followed_up = "followed_up"  # 回访
    resolved = "resolved"        # answered on the call (e.g. a billing question): no repair needed
    closed = "closed"
    cancelled = "cancelled"      # withdrawn, with a reason


#: the lifecycle: the moves a ticket may make (who may make each: hotline.aftercall.lifecycle)
TICKET_FLOW: dict[TicketState, tuple[TicketState, ...]] = {
    TicketState.draft: (TicketState.new, TicketState.resolved, TicketState.cancelled),
    TicketState.new: (TicketState.dispatched, TicketState.resolved, TicketState.cancelled),
    TicketState.dispatched: (TicketState.accepted, TicketState.new, TicketState.cancelled),   # new: recalled
    TicketState.accepted: (TicketState.contacted, TicketState.completed, TicketState.cancelled),
    TicketState.contacted: (TicketState.completed, TicketState.cancelled),
    TicketState.completed: (TicketState.followed_up, TicketState.closed),
    TicketState.followed_up: (TicketState.closed,),
    TicketState.resolved: (TicketState.closed,),
    TicketState.closed: (),
    TicketState.cancelled: (),
}
#: the repair is with a station: the anomaly timers run
AT_STATION = (TicketState.dispatched, TicketState.accepted, TicketState.contacted)
#: the one place that says which tickets are done for the caller: the repair is finished (返单,
#: 回访), the question was answered on the call, or the ticket is closed or cancelled. Everything
#: else is open — the IVR's "您有一张正在处理的报修单" offer considers only those.
DONE_STATES = (TicketState.completed, TicketState.followed_up, TicketState.resolved, TicketState.closed,
               TicketState.cancelled)
OPEN_STATES = tuple(s for s in TicketState if s not in DONE_STATES)


class CallOutcome(str, enum.Enum):
    answered = "answered"
    abandoned = "abandoned"
    callback_requested = "callback_requested"
    after_hours_message = "after_hours_message"
    in_ivr_hangup = "in_ivr_hangup"
    #: keyed 1 on an outage's notice (区域停热): registered as affected, no ticket, no queue
    outage_registered = "outage_registered"
    no_agent = "no_agent"        # no agent logged in: call-back booked instead of waiting
    max_wait = "max_wait"        # waited the maximum (Settings.max_wait_s): call-back booked
    # a call out (direction out): the resident's side, from Dial's DIALSTATUS (answered: ANSWER)
    busy = "busy"
    no_answer = "no_answer"      # rang out, or the agent hung up first
    failed = "failed"            # the gateway refused or was unreachable
    # cut off by the hotline itself: its channel vanished (Asterisk died) or Asterisk restarted
    # under it, and no hang-up ever reached the service (hotline.service.reconcile)
    interrupted = "interrupted"


class AnomalyType(str, enum.Enum):
    """异常事件 1–9 of the hotline's rules: 1–3 raised by timers, 4–9 recorded by people."""
    station_late = "station_late"                  # 1 station did not accept in time
    contact_late = "contact_late"                  # 2 technician did not phone the resident in time
    over_4h = "over_4h"                            # 3 repair open more than 4 hours after dispatch
    unreachable = "unreachable"                    # 4 station phone and technician mobile unanswered
    praise = "praise"                              # 5
    complaint_technician = "complaint_technician"  # 6
    complaint_billing = "complaint_billing"        # 7
    suggestion = "suggestion"                      # 8
    forwarded = "forwarded"                        # 9 from the city / district heating office
    # the system's own, beside the customer's 1–9: a repair (draft of an ended call) not confirmed in time
    confirm_late = "confirm_late"


TIMER_ANOMALIES = (AnomalyType.station_late, AnomalyType.contact_late, AnomalyType.over_4h, AnomalyType.confirm_late)
#: complaints go to the head and the team leads at once and stay there until acknowledged
ESCALATED_ANOMALIES = (AnomalyType.complaint_technician, AnomalyType.complaint_billing, AnomalyType.forwarded)


class AnomalyState(str, enum.Enum):
    open = "open"
    handled = "handled"
    closed = "closed"


class RepairStation(Base):
    __tablename__ = "repair_station"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20))
    #: the technicians' mobiles (when the station phone is not answered: 异常 4 if neither is)
    technician_phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    districts: Mapped[list[District]] = relationship(back_populates="station")
    areas: Mapped[list[StationArea]] = relationship(back_populates="station", cascade="all, delete-orphan",
                                                    order_by="StationArea.id")


class StationArea(Base):
    """An area a station serves: a district, or finer a compound (小区) or one building in it. The
    finest match for an address suggests the station."""
    __tablename__ = "station_area"
    __table_args__ = (UniqueConstraint("district", "compound", "building"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("repair_station.id", ondelete="CASCADE"), index=True)
    district: Mapped[str] = mapped_column(String(64))
    compound: Mapped[str] = mapped_column(String(64), default="")
    building: Mapped[str] = mapped_column(String(32), default="")
    station: Mapped[RepairStation] = relationship(back_populates="areas")


class District(Base):
    """A district (片区) and the repair station serving it."""
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("repair_station.id"))
    station: Mapped[RepairStation | None] = relationship(back_populates="districts")


def stations_serving(db: Session, districts: Iterable[str]) -> dict[str, RepairStation]:
    """{district: the repair station suggested for its accounts} (IVR draft and desk), one query."""
    return dict(db.execute(select(District.name, RepairStation)
                           .join(RepairStation, District.station_id == RepairStation.id)
                           .where(District.name.in_(set(districts)))).all())


def station_serving(db: Session, district: str) -> RepairStation | None:
    return stations_serving(db, [district]).get(district)


class HeatingAccount(Base):
    """A heating account (供热户号) from the company's customer master data."""
    __tablename__ = "heating_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(String(64), index=True)
    compound: Mapped[str] = mapped_column(String(64))
    building: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    room: Mapped[str] = mapped_column(String(16))
    #: the heating fee this season: paid / unpaid / unknown (None: not imported) — 回访's f
    fee_status: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())
    phones: Mapped[list[AccountPhone]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountPhone.id")

    @property
    def address(self) -> str:
        """The address as an agent would read it back: 片区 小区 楼 单元 室."""
        return self.format_address(self.district, self.compound, self.building, self.unit, self.room)

    @staticmethod
    def format_address(district: str, compound: str, building: str, unit: str, room: str) -> str:
        return f"{district}{compound}{building}号楼{unit}单元{room}室"

    @property
    def phone_numbers(self) -> list[str]:
        return [p.phone for p in self.phones]


class AccountPhone(Base):
    __tablename__ = "account_phone"
    __table_args__ = (UniqueConstraint("account_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("heating_account.id", ondelete="CASCADE"))
    #: digits only, as the IVR sees a caller id
    phone: Mapped[str] = mapped_column(String(20), index=True)
    account: Mapped[HeatingAccount] = relationship(back_populates="phones")


class User(Base):
    """A person with a login: agent (座席), team lead (领班), head (部长) or admin."""
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_no: Mapped[str] = mapped_column(String(16), unique=True)   # 工号
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    sip_secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: for role station: the repair station this login works for
    station_id: Mapped[int | None] = mapped_column(ForeignKey("repair_station.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Ticket(Base):
    """A repair ticket (报修单): drafted by the IVR, completed by an agent, tracked to closing."""
    __tablename__ = "ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("heating_account.id"), index=True)
    caller_number: Mapped[str] = mapped_column(String(40), default="")
    callback_number: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[Category | None] = mapped_column(_enum(Category))
    description: Mapped[str] = mapped_column(Text, default="")
    voice_path: Mapped[str | None] = mapped_column(String(255))
    #: the caller's voice message as checked after Record (ivr.storage): '' none, ok, or flagged
    voice_health: Mapped[str] = mapped_column(String(8), default="", server_default="")
    address_snapshot: Mapped[str] = mapped_column(String(255), default="")
    name_snapshot: Mapped[str] = mapped_column(String(64), default="")
    # read-back confirmations (跟读确认), one per field
    confirmed_problem: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_address: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_name: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("repair_station.id"))
    state: Mapped[TicketState] = mapped_column(_enum(TicketState), default=TicketState.draft, index=True)
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    #: why the call-back was booked: how the call that asked for it ended (CallOutcome value)
    callback_reason: Mapped[CallOutcome | None] = mapped_column(_enum(CallOutcome))
    #: a re-opened repair ("还是不热"): the earlier ticket this one follows up
    followup_of_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    #: the agent a team lead handed the ticket to (besides whoever answered its calls)
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: the call-back worklist: who took the entry and when (a take lapses, CallbackPolicy.take_min),
    #: and whether it went to the team lead after the attempts (CallbackPolicy)
    callback_taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    callback_taken_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 回访 not convenient: the time booked with the resident (the ticket is back on the list then)
    survey_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    account: Mapped[HeatingAccount | None] = relationship()
    station: Mapped[RepairStation | None] = relationship()
    callback_taken_by: Mapped[User | None] = relationship(foreign_keys=[callback_taken_by_id])
    transitions: Mapped[list[TicketTransition]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketTransition.id")
    calls: Mapped[list[Call]] = relationship(back_populates="ticket", order_by="Call.id")


class TicketDraft(Base):
    """An agent's unsaved ticket form, autosaved by the desk: one per (ticket, agent), so two
    agents on one ticket never overwrite each other's typing."""
    __tablename__ = "ticket_draft"
    __table_args__ = (UniqueConstraint("ticket_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    form: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class TicketTransition(Base):
    """When a ticket entered each state, and who moved it."""
    __tablename__ = "ticket_transition"
    #: the reports' moves into a state within a day (received, completed, dispatched)
    __table_args__ = (Index("ix_ticket_transition_state_at", "state", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    state: Mapped[TicketState] = mapped_column(_enum(TicketState))
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    ticket: Mapped[Ticket] = relationship(back_populates="transitions")
    user: Mapped[User | None] = relationship()


class Call(Base):
    """One call through the hotline, from the IVR to hang-up."""
    __tablename__ = "call"
    id: Mapped[int] = mapped_column(primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), unique=True)
    linkedid: Mapped[str] = mapped_column(String(64), default="", index=True)
    caller: Mapped[str] = mapped_column(String(40), default="")
    did: Mapped[str] = mapped_column(String(40), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    #: indexed: the reports read a day's calls (a season holds a million)
    ivr_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: indexed: every minute the service looks for the calls without one (hotline.service.reconcile)
    outcome: Mapped[CallOutcome | None] = mapped_column(_enum(CallOutcome), index=True)
    #: the IVR step the caller was in last (where a hang-up happened)
    last_step: Mapped[str] = mapped_column(String(32), default="")
    #: in (a resident called the hotline) | out (an agent called a resident) | survey (the
    #: automated 回访 call); `caller` is the resident's number either way
    direction: Mapped[str] = mapped_column(String(8), default="in", server_default="in")
    #: when the caller heard their open ticket's status in the IVR (self-service, step 4); None: never
    status_heard_at: Mapped[datetime | None] = mapped_column(DateTime)
    ticket: Mapped[Ticket | None] = relationship(back_populates="calls")


class CallHold(Base):
    """A stretch an agent's phone held a call (AMI Hold → Unhold on the agent's channel, written by
    the service's AMI gateway); ended_at empty while it lasts, set at the call's end if no Unhold came."""
    __tablename__ = "call_hold"
    __table_args__ = (Index("ix_call_hold_user_started", "user_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class AgentPause(Base):
    """A stretch of time an agent was unavailable to the queue and why (示忙 reasons, 话后整理,
    未接听), as Asterisk reported it: ended_at empty while it lasts. Feeds the reports."""
    __tablename__ = "agent_pause"
    __table_args__ = (Index("ix_agent_pause_user_started", "user_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship()


class AnomalyRecord(Base):
    """One entry of the anomaly register (异常事件): what, about which ticket, whose, until when, and
    how it ended (open → handled → closed, with the result)."""
    __tablename__ = "anomaly"
    __table_args__ = (Index("ix_anomaly_state_type", "state", "type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[AnomalyType] = mapped_column(_enum(AnomalyType))
    state: Mapped[AnomalyState] = mapped_column(_enum(AnomalyState), default=AnomalyState.open)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))   # None: raised by a timer
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deadline: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: the register's second subject besides a ticket: an agent of the hotline the entry is about (a
    #: complaint about them, praise of them) — the QA results count these against / for that agent
    about_agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    ticket: Mapped[Ticket | None] = relationship()
    about_agent: Mapped[User | None] = relationship(foreign_keys=[about_agent_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])


class CallbackAttempt(Base):
    """One try at calling a resident back (reached, no_answer, busy, wrong_number), or how the
    entry left the list otherwise (called_in: they called again and were answered; closed: a team
    lead closed an escalated one)."""
    __tablename__ = "callback_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User | None] = relationship()


class Survey(Base):
    """A 回访 (follow-up survey) of a completed repair: the script's answers a–f, by whom, when,
    and how (an agent on the phone, or the automated IVR call)."""
    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    channel: Mapped[str] = mapped_column(String(8))                 # agent | ivr
    solved: Mapped[bool] = mapped_column(Boolean)                   # a 问题解决了吗
    attitude: Mapped[str] = mapped_column(String(16))               # b satisfied / average / unsatisfied
    charged: Mapped[bool] = mapped_column(Boolean)                  # c 跟您收费了吗
    score: Mapped[int] = mapped_column(Integer)                     # d 1–10
    comment: Mapped[str] = mapped_column(Text, default="")          # e
    fee_reminder: Mapped[bool | None] = mapped_column(Boolean)      # f read (None: did not apply)
    #: e as the resident's own voice (the automated call records it): a path under recordings/
    comment_recording: Mapped[str | None] = mapped_column(String(255))
    user: Mapped[User | None] = relationship()


class SurveyCall(Base):
    """One automated 回访 call to a resident: when it was placed, how it ended (answered, busy,
    no_answer, failed; declined: pressed 2; done: the answers stored) and when it may be tried
    again. The dialer reads these for its retry policy and concurrency."""
    __tablename__ = "survey_call"
    __table_args__ = (Index("ix_survey_call_ticket_at", "ticket_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="placed")
    uniqueid: Mapped[str] = mapped_column(String(64), default="")
    next_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: the attempt as channels and AMI see it (Local/<ref>@survey-dial): random digits, never the
    #: sequential id (db.call_tokens.attempt_ref); None on attempts made before #25
    ref: Mapped[str | None] = mapped_column(String(24), unique=True)


class StationCall(Base):
    """A repair station told of a dispatched repair by phone (#30): requested in the dispatch's own
    transaction (hotline.aftercall.lifecycle), then called by the service's station dialer
    (hotline.aftercall.station_calls) at the station's duty phone until someone keys 1 (接单: the
    ticket → accepted, as the station, by phone) or the attempts run out. `outcome` is the last thing
    known (requested, placed, answered, busy, no_answer, failed; accepted, refused: a number the
    policy refuses, moot: the ticket moved on); `next_at` the next try while the dialer owns it,
    `ended_at` set once it does not any more."""
    __tablename__ = "station_call"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("repair_station.id", ondelete="SET NULL"))
    #: when it was asked for, and by whom (the dispatching 工号, cli, …)
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16), default="requested")
    next_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    uniqueid: Mapped[str] = mapped_column(String(64), default="")
    #: asked for by hand (`hotline stations notify`, POST notify-station), not by a dispatch: called even when
    #: calls on dispatch are off (Settings.station_call_attempts 0), no webhook
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the optional webhook (Settings.station_webhook_url) of a dispatch: when it was taken (2xx), tries
    webhook_at: Mapped[datetime | None] = mapped_column(DateTime)
    webhook_tries: Mapped[int] = mapped_column(Integer, default=0)
    #: the attempt on the line as channels and AMI see it (Local/<ref>@station-dial): random digits,
    #: a fresh one per attempt (db.call_tokens.attempt_ref), never the sequential id
    ref: Mapped[str | None] = mapped_column(String(24), unique=True)


class CallToken(Base):
    """A per-call token of FastAGI requests (db/call_tokens.py): the service issued it to one call,
    the call's channels carry it (HOTLINE_CALL_TOKEN), only its SHA-256 is kept. `call` is the call's
    uniqueid (in, out) or the 回访 attempt's ref (survey); a click-to-call's is empty until its first
    request binds it."""
    __tablename__ = "call_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    call: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the ticket a click-to-call was placed for ('' for none)
    ticket: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class CallTokenUse(Base):
    """A stage of a call accepted with its token: each at most once (the unique pair)."""
    __tablename__ = "call_token_use"
    __table_args__ = (UniqueConstraint("token_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("call_token.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(96))
    at: Mapped[datetime] = mapped_column(DateTime)


class AnomalyAck(Base):
    """Who has seen an escalated anomaly (the notification leaves their desk then)."""
    __tablename__ = "anomaly_ack"
    __table_args__ = (UniqueConstraint("anomaly_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    anomaly_id: Mapped[int] = mapped_column(ForeignKey("anomaly.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime)


class Recording(Base):
    """A call recording; removable only through the audited team-lead path."""
    __tablename__ = "recording"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    duration_s: Mapped[float] = mapped_column(default=0.0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    #: what the check at the call's end found (ivr.storage): '' not checked yet, ok, or flagged —
    #: empty, short (far shorter than the call), missing; only ok and short files carry a sha256
    health: Mapped[str] = mapped_column(String(8), default="", server_default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    #: deleting is an application of a team lead with a written reason, granted only for a file the
    #: service measured empty (hotline.aftercall.recordings): the row stays, with the file's sha256
    #: and duration as they were, who, when and why
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    delete_reason: Mapped[str | None] = mapped_column(Text)
    #: when `hotline recordings verify` (or the service's round) last found the seal whole
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)


class TicketCounter(Base):
    """The day's ticket sequence (yymmdd → the last seq handed out), incremented atomically by
    `db.tickets.next_ticket_number`: the one source of ticket numbers for every process and node."""
    __tablename__ = "ticket_counter"
    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)


class HolidayOverride(Base):
    """An admin's per-notice window for a holiday opener (overrides the computed one)."""
    __tablename__ = "holiday_override"
    __table_args__ = (UniqueConstraint("holiday", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    holiday: Mapped[str] = mapped_column(String(32))   # key from ivr.holidays.HOLIDAYS
    year: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(255), default="")


class AuditEntry(Base):
    """Who viewed, changed or deleted what, and when."""
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(64))          # 工号, or "ivr"/"cli:<user>"
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict | None] = mapped_column(JSON)
    #: the network address the request came from ("" for the CLI and the IVR)
    source: Mapped[str] = mapped_column(String(64), default="")


class ApiSession(Base):
    """A desktop's login to the agent API. Only a hash of the token is stored."""
    __tablename__ = "api_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    user: Mapped[User] = relationship()


class DisplayToken(Base):
    """A wall display's token (#30, `hotline display-token create`): it opens the wall page and its
    figures (wire.DISPLAY_ROUTES) and nothing else. Only a hash of the token is stored; a revoked
    one is refused from then on (its open stream closes within seconds)."""
    __tablename__ = "display_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the admin calls the screen (大厅大屏); unique among the tokens not revoked
    name: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: when a display last opened the page or its figures (refreshed at most once a minute)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class QueueLogEvent(Base):
    """One line of a node's Asterisk queue_log, as written: the queue's own events (ENTERQUEUE,
    CONNECT, ABANDON, …) and the dialplan's (HOTLINE_DEGRADED, HOTLINE_NOAGENT, HOTLINE_HANGUP),
    kept once — a line is its node's file (inode) and byte offset — for reconciliation and reports."""
    __tablename__ = "queue_log_event"
    __table_args__ = (UniqueConstraint("node", "inode", "byte_offset"),
                      Index("ix_queue_log_event_node_callid", "node", "callid"))
    id: Mapped[int] = mapped_column(primary_key=True)
    node: Mapped[str] = mapped_column(String(16), default="")
    inode: Mapped[int] = mapped_column(BigInteger)
    byte_offset: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    callid: Mapped[str] = mapped_column(String(64), default="")
    queue: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str] = mapped_column(String(64), default="")
    event: Mapped[str] = mapped_column(String(32), default="")
    data1: Mapped[str] = mapped_column(String(128), default="")
    data2: Mapped[str] = mapped_column(String(128), default="")
    data3: Mapped[str] = mapped_column(String(128), default="")
    data4: Mapped[str] = mapped_column(String(128), default="")
    data5: Mapped[str] = mapped_column(String(128), default="")


class QueueLogCursor(Base):
    """How far a node's queue_log has been read: the file (inode) and the byte offset after the
    last whole line taken — a rotated file is finished from there before the new one is begun."""
    __tablename__ = "queue_log_cursor"
    node: Mapped[str] = mapped_column(String(16), primary_key=True)
    inode: Mapped[int] = mapped_column(BigInteger)
    byte_offset: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DailyReport(Base):
    """A reporting day's report as signed (审核无误后方可外报): the figures frozen as generated (their
    JSON and its SHA-256), who signed and when. Never rewritten: later changes to the data show as a
    difference against it (hotline.aftercall.reports), kept with when it was last re-checked."""
    __tablename__ = "daily_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the reporting day (YYYY-MM-DD): from HOTLINE_REPORT_DAY_START that day to the same time the next
    day: Mapped[str] = mapped_column(String(10), unique=True)
    report: Mapped[str] = mapped_column(Text)            # the JSON as signed, byte for byte
    sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(DateTime)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    signed_by: Mapped[User] = relationship()
    #: when the day's data were last built again and compared with the signed copy (None: never since
    #: signing before 0020); the service re-checks every signed day of the season after each day begins
    checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: what differed then: the JSON list of {figure, signed, now} (`[]`: nothing)
    differs: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReportDelivery(Base):
    """One e-mail of a day's report (XLSX + PDF) to the configured list (#27): sent by the service at
    HOTLINE_REPORT_SEND_AT, again after a failure (with a back-off), or now at `hotline report send`
    (asked for with `at` empty, then tried by the service). Every attempt is kept: whether and when
    the day's report went out is read from here — after a restart too."""
    __tablename__ = "report_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the reporting day whose report it is (YYYY-MM-DD)
    day: Mapped[str] = mapped_column(String(10), index=True)
    #: the day's attempts numbered 1, 2, … as tried (empty while an admin's request waits)
    attempt: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: schedule (the set time, or a day missed while the service was down), retry, or cli (`report send`)
    trigger: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    #: when it was tried (empty: not yet), and how that went: ok, or the error as the relay said it
    at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    #: the addresses it went to (comma-separated), as configured at the time
    recipients: Mapped[str] = mapped_column(Text, default="")
# ------------------------------------------------------------------------------ quality checks (QA, #28)

class QaScorecard(Base):
    """A version of a checking standard (接报 / 放宽 / 回访), loaded from its data file
    (hotline/aftercall/qa/standards): a check keeps the version it was scored on, so a changed
    standard never rewrites an old score."""
    __tablename__ = "qa_scorecard"
    __table_args__ = (UniqueConstraint("kind", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(64))
    #: the standard as loaded: {"items": [{key, section, text, required, optional}], ...}
    body: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class QaDraw(Base):
    """A sample drawn for good: the reporting day's (daily) or the ISO week's (weekly, `day` its
    Monday). Drawing again finds this and changes nothing."""
    __tablename__ = "qa_draw"
    __table_args__ = (UniqueConstraint("kind", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    day: Mapped[str] = mapped_column(String(10))
    drawn_at: Mapped[datetime] = mapped_column(DateTime)
    #: who asked first (None: the service's timer at the day's end)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class QaSample(Base):
    """One recording (a leg of a call: a transfer has one per agent) in a day's sample: drawn
    (daily, weekly) or added by a team lead by hand (manual). Scored against the leg's agent."""
    __tablename__ = "qa_sample"
    __table_args__ = (UniqueConstraint("kind", "day", "recording_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    day: Mapped[str] = mapped_column(String(10), index=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime)


class QaCheck(Base):
    """A written check result (要有检查结果记录): who checked which leg against which standard
    version, each item's result, the findings, pass or fail, a note. kind: lead (a team lead's
    check), head (the head's), proposal (a finding a team lead confirmed from a ticket's correction:
    no scorecard)."""
    __tablename__ = "qa_check"
    __table_args__ = (Index("ix_qa_check_agent_at", "agent_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recording.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    checker_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scorecard_id: Mapped[int | None] = mapped_column(ForeignKey("qa_scorecard.id"))
    #: {item key: pass | fail | na}
    items: Mapped[dict] = mapped_column(JSON, default=dict)
    #: finding codes (wire.QA_FINDINGS), praise (闪光点) among them
    findings: Mapped[list] = mapped_column(JSON, default=list)
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    #: the reporting day of the leg checked (a pass rate is per agent per day)
    day: Mapped[str] = mapped_column(String(10), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    checker: Mapped[User] = relationship(foreign_keys=[checker_id])
    scorecard: Mapped[QaScorecard | None] = relationship()


class QaPeerListen(Base):
    """录音由大家共同检查: a colleague's recording of the day before handed to an agent on shift
    (never their own), and what they marked: findings with their cause, or 闪光点, or clean."""
    __tablename__ = "qa_peer_listen"
    __table_args__ = (UniqueConstraint("day", "listener_id", "recording_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the day the listening is done (the recordings are of the reporting day before)
    day: Mapped[str] = mapped_column(String(10), index=True)
    listener_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    listened_at: Mapped[datetime | None] = mapped_column(DateTime)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class QaProposal(Base):
    """A finding the records suggest (a station recall → 选错维修站; an address or phone corrected
    after dispatch → 地址 / 电话填写错误) against the person who saved the ticket, until a team lead
    confirms it (then a QaCheck of kind proposal) or dismisses it. `source` + `source_id` (the
    transition or audit entry it came from) make proposing again a no-op."""
    __tablename__ = "qa_proposal"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    finding: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    check_id: Mapped[int | None] = mapped_column(ForeignKey("qa_check.id"))


class SupervisorAlert(Base):
    """A condition on the line a team lead must see (wire.ALERT_KINDS): raised once per kind and
    subject (an agent's 工号, a hot spot's place, "queue") while it holds, cleared when it ends, and
    shown until a lead acknowledges it (audited)."""
    __tablename__ = "supervisor_alert"
    __table_args__ = (Index("ix_supervisor_alert_open", "acked_at", "raised_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(120), default="")
    message: Mapped[str] = mapped_column(String(300), default="")
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)
    acked_by: Mapped[str | None] = mapped_column(String(16))
    acked_at: Mapped[datetime | None] = mapped_column(DateTime)
    ack_note: Mapped[str] = mapped_column(String(500), default="")


class Outage(Base):
    """区域停热 (#30): a team lead's notice that an area — a district, a compound (小区) in it, or one
    building — has no heating until about `until`. Callers whose account lies in it hear `message`
    (rendered to the sound `prompt` at once, or a recording imported) right after the greeting.
    Open while `ended_at` is None; ending it may book the 供热已恢复 call to every affected caller."""
    __tablename__ = "outage"
    id: Mapped[int] = mapped_column(primary_key=True)
    district: Mapped[str] = mapped_column(String(64))
    compound: Mapped[str] = mapped_column(String(64), default="")
    building: Mapped[str] = mapped_column(String(16), default="")
    until: Mapped[datetime] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text)
    #: the notice's sound file (under the read-back cache: its name from the id only); '' none yet
    prompt: Mapped[str] = mapped_column(String(255), default="")
    #: where the sound came from: tts (the message rendered) or file (a recording imported)
    prompt_source: Mapped[str] = mapped_column(String(8), default="tts")
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(DateTime)
    #: open outages are read by every call: the IVR's query is on this column
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    #: ended with the 供热已恢复 call to every affected caller
    call_back: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def area(self) -> str:
        """区/小区[/楼号], as the lead typed it."""
        return "/".join(p for p in (self.district, self.compound, self.building) if p)

    def covers(self, district: str, compound: str, building: str) -> bool:
        """An address in this area: the same district, and the compound and building where named."""
        return finest_outage([self], district, compound, building) is self


def finest_outage(outages, district: str, compound: str, building: str):
    """Of `outages` (anything with district, compound, building: rows or the IVR's views), the one
    whose area holds this address most narrowly (a building before its compound before its
    district; the latest declared first among equals), or None."""
    best, rank = None, -1
    for o in outages:
        if district == o.district and (not o.compound or compound == o.compound) \
                and (not o.building or building == o.building):
            r = (2 if o.building else 1 if o.compound else 0)
            if r > rank or (r == rank and o.id > best.id):
                best, rank = o, r
    return best


class OutageCaller(Base):
    """A caller who keyed 1 on an outage's notice: affected, linked to the outage, no repair ticket.
    `callback_state` is the 供热已恢复 call's (None: not asked; requested when the outage ended with
    the call-back, then how it went; refused: a number the policy does not dial)."""
    __tablename__ = "outage_caller"
    __table_args__ = (UniqueConstraint("outage_id", "uniqueid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outage.id", ondelete="CASCADE"), index=True)
    uniqueid: Mapped[str] = mapped_column(String(64))
    caller: Mapped[str] = mapped_column(String(20))
    account_no: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    callback_state: Mapped[str | None] = mapped_column(String(16), index=True)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_note: Mapped[str] = mapped_column(String(64), default="")
    #: the 供热已恢复 call's dialer (hotline.aftercall.outage_calls, 0025): attempts made, the next try
    #: (due when set and not ended), the current attempt's random ref on the channel and in AMI
    #: (Local/<ref>@outage-dial, like a station call's), when it was placed, answered, and when the
    #: call-back was over (reached, given up, refused)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    callback_next_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    callback_ref: Mapped[str | None] = mapped_column(String(24), unique=True)
    callback_placed_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_ended_at: Mapped[datetime | None] = mapped_column(DateTime)
