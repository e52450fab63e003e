"""The caller's path through the hotline (docs/product.md §1), as plain async functions.

Each flow takes a `Channel` and an `IvrContext`; it never touches Asterisk,
AMI or SQL directly, so the same code runs over FastAGI, classic AGI and in
tests. A flow ends by setting ``HOTLINE_ROUTE`` — the dialplan extension of
[hotline] to continue at (``queue`` or ``hangup``) — and returning; waiting in
the queue happens in the dialplan, not on an AGI connection.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from db.models import AT_STATION, CallOutcome, Category, TicketState, finest_outage
from common import wire
from common.naming import agent_no_of, endpoint as endpoint_name
from ivr.channel import CallerHungUp, Channel, call_of, vouched
from ivr.context import AccountView, IvrContext, TicketView
from ivr import storage
from ivr.holidays import opener_for
from ivr.hours import is_staffed
from ivr.prompts import P, digit_sounds, readback_sound, sound_name
from common.phones import MAX_DIGITS, clean_digits, is_valid_callback, mask_phone, normalise_caller_id, number_class

log = logging.getLogger("ivr.flow")

# key → category; leak raises the queue priority
PROBLEM_KEYS = {"1": Category.no_heat, "2": Category.leak, "3": Category.noise, "4": Category.other}
LEAK_PRIORITY = wire.PRIORITY_URGENT

# holiday key → greeting prompt
OPENER_PROMPTS = {"yuandan": P.greeting_xinnian, "chunjie": P.greeting_xinnian,
                  "laodong": P.greeting_laodong, "zhongqiu": P.greeting_zhongqiu,
                  "guoqing": P.greeting_guoqing}

#: what stands of a ticket in each state, read after its number (docs/product.md §1 step 4); a draft
#: with a call-back booked says that instead (`Caller.ticket_status`)
STATE_PROMPTS = {TicketState.draft: P.state_unconfirmed,     # 待确认: no team lead has confirmed it yet
                 **{s: getattr(P, f"state_{s.value}") for s in TicketState if s is not TicketState.draft}}
#: the states whose station is read, and how: a confirmed repair's is the one expected (suggested by
#: the address), a dispatched one's is working on it; a draft's suggestion is nobody's word yet
STATION_PROMPTS = {TicketState.new: P.ticket_station_expected, **dict.fromkeys(AT_STATION, P.ticket_station_is)}
#: times the ticket number is read again when the caller presses '*'
TICKET_REPEATS = 3
#: the steps a caller can be in (Call.last_step, `Caller.step`), in the flow's order, as the daily
#: report names where callers hang up
STEP_WORDS = {"greeting": "问候语", "identify": "确认户号和地址", "open_ticket": "在办报修提示",
              "status": "收听报修进度", "problem": "选择问题", "callback": "确认回电号码", "voice": "语音描述",
              "after_hours": "非工作时间留言", CallOutcome.no_agent.value: "无座席转回电",
              CallOutcome.max_wait.value: "等待超时转回电", "degraded": "降级进线", "queue": "排队等待",
              "outage": "停热通知"}


def opener_prompt(now, overrides=()) -> str:
    """The prompt id of the day's first words: the holiday's opener, or 您好. The greeting plays it,
    and the service hands it to the dialplan's degraded path (`hotline.service.app`)."""
    opener = opener_for(now, overrides)
    return OPENER_PROMPTS[opener.key] if opener else P.greeting_hello


@dataclass
class Intake:
    """What the caller has told the IVR so far."""
    call: str           # the call's uniqueid: what its writes are keyed by (ivr.context.Records)
    caller: str
    account: AccountView | None = None
    ticket_id: int | None = None
    ticket_number: str = ""
    category: Category | None = None
    callback: str = ""
    voice_path: str = ""


class Caller:
    """One call: the channel, the context and the intake, with the step helpers."""

    def __init__(self, ch: Channel, ctx: IvrContext):
        self.ch, self.ctx, self.s = ch, ctx, ctx.settings
        self.intake: Intake | None = None
        # where the caller is, and what of it the DB has: bookkeeping written along with the call's
        # next write, or once as the flow ends, never on its own between two prompts
        self._step, self._step_written = "", ""
        # the call's writes, behind the caller (the journal keeps them in order): the last one
        self._writes: asyncio.Future | None = None
        # the write that gives the ticket its number, when no reserved number was at hand
        self._numbered: asyncio.Future | None = None
        self._ticket_var = ""                               # the number the channel carries
        # reads started before they are needed (while a prompt plays): account id → open ticket
        self._by_phone: asyncio.Future | None = None
        self._outages: asyncio.Future | None = None
        self._open_ticket: tuple[int, asyncio.Future] | None = None

    def snd(self, prompt: str) -> str:
        return sound_name(prompt)

    async def step(self, name: str) -> None:
        """Where the caller is (the hang-up report reads it). Not written here: a DB write in the
        gap between two AGI commands swallows a key pressed in it (Asterisk reads and drops the
        caller's frames between commands), and at 540 callers the intake's own step writes were
        half of its writes, queued behind each other for seconds (benchmarks/ivr_sipp.py)."""
        self._step = name

    def _unwritten_step(self) -> str | None:
        return self._step if self._step != self._step_written else None

    def write(self, fn, *args, **kwargs) -> asyncio.Future:
        """A write of this call, behind the caller: the flow goes on to its next prompt while the DB
        writes. A DB wait between two AGI commands is a gap in which Asterisk drops the caller's keys,
        and at 540 callers the writes queued behind each other for tens of ms (the bench's AGI
        turnaround p99). The journal (ivr.journal) keeps one call's writes in order and on disk until
        the DB has them: a locked DB delays them, never the caller, and a write that fails does not
        fail the ones after it (before #26 each write awaited the one before and raised its error)."""
        self._writes = self.ctx.journaled(self.intake.call, fn, *args, **kwargs)
        return self._writes

    async def written(self) -> None:
        """Every write of this call so far is in the DB — or, past the deadline, kept in the journal."""
        if self._writes is not None:
            await self.ctx.within(self._writes, what=f"call {self.intake.call[:64]}'s writes")

    def _soon(self, fn, *args) -> asyncio.Future:
        """A read started now, awaited when it is needed (`settle` reaps any left unawaited)."""
        return asyncio.ensure_future(self.ctx.db(fn, *args))

    async def _reap(self, fut: asyncio.Future, default):
        """A read started ahead (`_soon`), waited for at most the deadline: `default` when late."""
        return await self.ctx.within(fut, default, "a look-up")

    async def settle(self) -> None:
        """The flow ends (a hang-up included): its writes and the last step are in the DB before the
        dialplan goes on — so before the queue offers the call to an agent, whose pop reads them —
        or, when the DB is slower than the deadline, kept in the journal (the caller goes on)."""
        for left in (self._by_phone, self._outages, self._open_ticket[1] if self._open_ticket else None):
            if left is not None and not left.done():
                left.cancel()
            elif left is not None and not left.cancelled():
                left.exception()          # retrieved: a failed read nobody needed is not an error
        step = self._unwritten_step()
        if step and self.intake is not None:
            self._step_written = step
            self.write(self.ctx.records.step, self.intake.call, step)
        if self.intake is not None:
            await self.written()

    async def say(self, *prompts: str) -> None:
        await self.ch.play(*(self.snd(p) for p in prompts))

    def readback(self, text: str) -> str | None:
        """The pre-rendered sound of `text` (an address, a station), or None: never synthesised here."""
        return readback_sound(self.s, text)

    async def menu(self, prompts: list[str], valid: str, tries: int | None = None,
                   extra: list[str] | None = None) -> str | None:
        """Play a one-key menu up to `tries` times; the valid key, or None."""
        tries = tries or self.s.max_tries
        for attempt in range(tries):
            sounds = [*(extra or []), *(self.snd(p) for p in prompts)] if attempt == 0 or extra is None \
                else [self.snd(p) for p in prompts]
            key = await self.ch.get_digits(sounds, 1, self.s.digit_timeout_ms)
            if key and key in valid:
                return key
            await self.say(P.invalid_key if key else P.no_input)
        return None

    async def keyed(self, prompts: list[str], max_digits: int) -> str:
        """Digits ended by '#' (or by the timeout); junk such as '*' is dropped."""
        raw = await self.ch.get_digits([self.snd(p) for p in prompts], max_digits, self.s.digit_timeout_ms)
        return clean_digits(raw)

    def save(self, **fields) -> None:
        """The draft's fields, written behind the caller (`write`). Its number is one reserved ahead
        (ivr.context.TicketNumbers): the caller hears it at once and the draft is written with it,
        however late. With none at hand the write takes the next of the day (`ticket_number` waits
        for it, at most the deadline)."""
        step = self._unwritten_step()
        self._step_written = step or self._step_written
        intake = self.intake
        if not intake.ticket_number and self._numbered is None:
            intake.ticket_number = self.ctx.numbers.take() or ""
        done = self.write(self.ctx.records.save_ticket, intake.call, intake.ticket_number or None, last_step=step,
                          **fields)
        if not intake.ticket_number and self._numbered is None:
            self._numbered = done

            def numbered(f: asyncio.Future) -> None:
                if not f.cancelled() and f.exception() is None and f.result() is not None:
                    intake.ticket_number = intake.ticket_number or f.result().number
            done.add_done_callback(numbered)

    async def ticket_number(self) -> str:
        """The ticket's number, and on the channel (the agent's pop and the reports read it there);
        '' when none is known within the deadline (its draft is numbered when the write lands)."""
        if not self.intake.ticket_number and self._numbered is not None:
            await self.ctx.within(self._numbered, what="the ticket's number")
        number = self.intake.ticket_number
        if number and number != self._ticket_var:
            await self.ch.set_var("__HOTLINE_TICKET", number)
            self._ticket_var = number
        return number

    # -------------------------------------------------------------- steps --
    async def greet(self) -> None:
        now = self.ctx.now()
        overrides = await self.ctx.read(self.ctx.records.holiday_overrides, now.year, default=[])
        opener = opener_for(now, overrides)
        await self.ch.set_var("HOTLINE_OPENER", opener.key if opener else "")
        await self.say(opener_prompt(now, overrides), P.greeting_welcome)
        await self.ch.set_var("HOTLINE_GREETED", "1")

    async def outage_notice(self) -> bool:
        """区域停热 (#30), right after the greeting: a caller whose account lies in an open outage's
        area hears its notice and '受停热影响登记请按1,报修其他问题请按2'. 1: registered as affected
        (no ticket, no queue), thanked, the call ends (True). Anything else, or nothing: the normal
        repair path (False). Callers from elsewhere hear nothing of it."""
        outages = await self._reap(self._outages, []) if self._outages is not None else []
        if not outages:
            return False
        hit = next(((o, a) for a in await self.accounts_by_phone()
                    if (o := finest_outage(outages, a.district, a.compound, a.building)) is not None), None)
        if hit is None:
            return False
        outage, account = hit
        await self.step("outage")
        key = await self.ch.get_digits([self.snd(P.outage_intro), outage.sound, self.snd(P.outage_choice)], 1,
                                       self.s.digit_timeout_ms)
        if key != "1":
            return False
        self._step = self._step_written = "outage"          # the registration writes it
        self.write(self.ctx.records.outage_caller, self.intake.call, outage.id, self.intake.caller, account.account_no)
        log.info("call %s: registered as affected by outage %s", self.intake.call, outage.id)
        await self.say(P.outage_registered)
        await self.ch.set_var("HOTLINE_ROUTE", "hangup")
        return True

    async def identify(self) -> AccountView | None:
        """Step 3: by caller id, else by 户号 keyed (three tries); None = unknown."""
        await self.step("identify")
        matches = await self.accounts_by_phone()
        if len(matches) == 1:
            # its open ticket is looked up while the address is read back
            self._open_ticket = (matches[0].id, self._soon(self.ctx.records.open_ticket, matches[0].id))
            key = await self.confirm_address(matches[0], P.address_confirm)
            if key == "1":
                return matches[0]
        for _ in range(self.s.max_tries):
            digits = await self.keyed([P.account_enter], 20)
            acc = await self.ctx.read(self.ctx.records.account_by_no, digits) if digits else None
            if acc is None:
                await self.say(P.account_not_found if digits else P.no_input)
                continue
            if await self.confirm_address(acc, P.address_confirm_rekey) == "1":
                return acc
        await self.say(P.account_continue_without)
        return None

    async def accounts_by_phone(self) -> list[AccountView]:
        """The accounts of the caller's number: looked up while the greeting plays (`_intake`)."""
        if self._by_phone is None:
            self._by_phone = self._soon(self.ctx.records.accounts_by_phone, self.intake.caller)
        return await self._reap(self._by_phone, [])

    async def confirm_address(self, acc: AccountView, prompt: str) -> str | None:
        address = self.readback(acc.address)
        # an address not rendered yet (just imported): the 户号's digits instead, no waiting on TTS
        extra = [self.snd(P.your_address_is), address] if address else \
            [self.snd(P.your_account_is), *digit_sounds(acc.account_no)]
        return await self.menu([prompt], "12", extra=extra)

    async def open_ticket_status(self) -> str:
        """Step 4: 'new' (go on with a new report) or 'agent'."""
        account_id = self.intake.account.id
        ahead = self._open_ticket
        t = await (self._reap(ahead[1], None) if ahead and ahead[0] == account_id else
                   self.ctx.read(self.ctx.records.open_ticket, account_id))
        if t is None:
            return "new"
        await self.step("open_ticket")
        key = await self.menu([P.open_ticket_offer], "12")
        if key != "1":
            return "new"
        self.intake.ticket_id, self.intake.ticket_number = t.id, t.number
        # self-service: the caller hears what stands of the ticket (the reports count it), written
        # behind the caller with the step, like the draft's fields (`save`)
        await self.step("status")
        self._step_written = "status"
        self.write(self.ctx.records.status_heard, self.intake.call, "status")
        await self.ch.play(self.snd(P.ticket_status_intro), *digit_sounds(t.number), *self.ticket_status(t))
        key = await self.menu([P.after_status_menu], "10")
        if key == "1":
            self.intake.ticket_id, self.intake.ticket_number = None, ""  # a new report gets its own ticket
            return "new"
        self.write(self.ctx.records.attach_ticket, self.intake.call, t.id)
        await self.ticket_number()
        return "agent"

    def ticket_status(self, t: TicketView) -> list[str]:
        """What stands of the ticket, as the sounds read after its number: a draft with a call-back
        booked says so, one without waits for a team lead's confirmation; a confirmed repair says its
        state, then its station (when its name is rendered) and a call-back booked on it."""
        booked = [self.snd(P.state_callback_booked)] if t.callback_requested else []
        if t.state is TicketState.draft:
            return booked or [self.snd(STATE_PROMPTS[t.state])]
        sounds = [self.snd(STATE_PROMPTS[t.state])]
        station = self.readback(t.station) if t.station and t.state in STATION_PROMPTS else None
        if station:
            sounds += [self.snd(STATION_PROMPTS[t.state]), station]
        return sounds + booked

    async def problem(self) -> Category | None:
        """Step 5: the problem key; None = the caller wants (or is sent to) an agent."""
        await self.step("problem")
        key = await self.menu([P.problem_menu], "12340")
        return PROBLEM_KEYS.get(key or "0")

    def callback_ok(self, number: str) -> bool:
        """A number the hotline may call back here (common.phones, Settings.outbound_allowed)."""
        return is_valid_callback(number, self.s.outbound_allowed)

    async def callback_number(self) -> str:
        """Step 6: confirm the caller id as call-back number, or key a new one. A number the
        hotline may not dial is not taken: a number of a class the installation does not call
        (international, premium) hears that it cannot be called back, junk that it is no number."""
        await self.step("callback")
        number = self.intake.caller
        if self.callback_ok(number):
            key = await self.menu([P.callback_confirm], "12",
                                  extra=[self.snd(P.callback_number_is), *digit_sounds(number)])
            if key == "1":
                return number
        for _ in range(self.s.max_tries):
            # the longest everyday number is 12 digits (ended there without '#'); international and
            # premium numbers, where allowed, may run to MAX_DIGITS
            digits = await self.keyed([P.callback_enter], MAX_DIGITS if self.s.outbound_allowed else 12)
            if self.callback_ok(digits):
                key = await self.menu([P.callback_confirm], "12",
                                      extra=[self.snd(P.callback_number_is), *digit_sounds(digits)])
                if key == "1":
                    return digits
                continue
            await self.say(P.no_input if not digits else
                           P.callback_invalid if number_class(digits) is None else P.callback_not_dialable)
        return number if self.callback_ok(number) else ""

    async def voice_description(self, prompt: str = P.voice_description) -> str:
        """Step 7: up to 30 s after the beep, '#' ends it."""
        await self.step("voice")
        await self.say(prompt)
        day = self.ctx.now().strftime("%Y/%m/%d")
        base = self.s.voice_dir / day / (self.ch.uniqueid or "unknown").replace("/", "_")
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:   # a full disk: the caller still records (Asterisk fails), is flagged, goes on
            log.warning("voice messages directory unavailable: %s", exc)
        started = time.monotonic()
        await self.ch.record(str(base), "wav", self.s.voice_max_s, escape="#")
        path = base.parent / (base.name + ".wav")   # uniqueids hold a dot: no with_suffix
        health, seconds = storage.health_of(path, time.monotonic() - started)
        if health in storage.FLAGGED:
            # never a silent loss: the ticket says the message failed (the leads' alert counts it)
            log.warning("voice message of call %s flagged %s (%.1f s of audio)", self.ch.uniqueid, health, seconds)
        if health in storage.FLAGGED or seconds > 0:
            self.save(voice_health=health)
        return str(path) if health in (storage.OK, storage.SHORT) and seconds > 0 else ""

    async def read_ticket_number(self) -> None:
        """'您的报修单号是 …', then '重听请按星号键': '*' (during the number or the second after
        the offer) reads it again, up to TICKET_REPEATS times."""
        number = digit_sounds(await self.ticket_number())
        if not number:     # none known in time (docs/stack-notes.md): the caller is not told a wrong one
            return
        for _ in range(1 + TICKET_REPEATS):
            key = await self.ch.play(self.snd(P.ticket_number_is), *number, self.snd(P.ticket_number_repeat),
                                     "silence/1", "silence/1", escape="*")
            if key != "*":
                return

    async def to_queue(self, priority: int = 0) -> None:
        await self.ticket_number()
        self.write(self.ctx.records.mark_queued, self.intake.call)
        self._step = self._step_written = "queue"
        await self.ch.set_var("HOTLINE_PRIORITY", str(priority))
        await self.ch.set_var("HOTLINE_ROUTE", "queue")   # the flow's end (settle) waits for the writes


# ------------------------------------------------------------------ flows --

async def caller_flow(ch: Channel, ctx: IvrContext) -> None:
    """Greeting → hours → identification → open ticket → problem → call-back → voice → ticket → queue."""
    c = Caller(ch, ctx)
    try:
        await _intake(c)
    finally:
        await c.settle()


async def _intake(c: Caller) -> None:
    ch, ctx = c.ch, c.ctx
    caller = normalise_caller_id(ch.caller_id)
    # the record is written while the greeting plays: the caller hears 您好 at once, however busy
    # the DB is (at 540 callers the first prompt waited 3 s behind it); with it the call's token
    # (refused when the uniqueid has a record already: nothing is written for this request)
    token = v.issued if (v := vouched(ch)) is not None else ""
    c.intake = intake = Intake(ch.uniqueid, caller)
    c.write(ctx.records.start_call, ch.uniqueid, ch.linkedid, caller, ch.dnid, token)
    c._by_phone = c._soon(ctx.records.accounts_by_phone, caller)        # who it is, meanwhile
    c._outages = asyncio.ensure_future(ctx.open_outages())              # and any area without heating
    await c.greet()
    if await c.outage_notice():
        return

    if not is_staffed(ctx.now(), ctx.settings):
        await after_hours(c)
        return

    intake.account = await c.identify()
    if intake.account:
        await ch.set_var("__HOTLINE_ACCOUNT", intake.account.account_no)
        if await c.open_ticket_status() == "agent":
            await c.to_queue()
            return

    intake.category = await c.problem()
    priority = LEAK_PRIORITY if intake.category == Category.leak else 0
    fields = {"account_id": intake.account.id if intake.account else None, "priority": priority,
              "category": intake.category, "callback_number": caller if c.callback_ok(caller) else ""}
    c.save(**fields)   # the draft exists from here on: a hang-up loses nothing (settle waits for it)
    await ch.set_var("__HOTLINE_CATEGORY", intake.category.value if intake.category else "")
    if intake.category is not None:
        intake.callback = await c.callback_number()
        await ch.set_var("__HOTLINE_CALLBACK", intake.callback)
        c.save(callback_number=intake.callback)
        intake.voice_path = await c.voice_description()
        if intake.voice_path:
            await ch.set_var("__HOTLINE_VOICE", intake.voice_path)
            c.save(voice_path=intake.voice_path)
        await c.read_ticket_number()
    await c.to_queue(priority)


async def after_hours(c: Caller) -> None:
    """Outside staffed hours: a message and a call-back number become a call-back ticket."""
    await c.step("after_hours")
    matches = await c.accounts_by_phone()
    account = matches[0] if len(matches) == 1 else None
    c.save(account_id=account.id if account else None, callback_requested=True,
           callback_number=c.intake.caller if c.callback_ok(c.intake.caller) else "")
    await c.say(P.after_hours)
    voice = await c.voice_description(P.after_hours_record)
    callback = await c.callback_number()
    c.save(voice_path=voice or None, callback_number=callback)
    c.write(c.ctx.records.request_callback, c.ch.uniqueid, CallOutcome.after_hours_message,
            c.intake.ticket_number or None)
    await c.read_ticket_number()
    await c.say(P.after_hours_thanks)
    await c.ch.set_var("HOTLINE_ROUTE", "hangup")


async def degraded(ch: Channel, ctx: IvrContext) -> None:
    """The dialplan's degraded path, as the caller joins the queue without a token (the service was
    away at the greeting) and the service is back: this is the call's first request. Its record
    starts (queued, last_step degraded) with the token issued here, so what follows — an agent's
    answer, the call-back offer, the hang-up — is recorded as for any call."""
    v = vouched(ch)
    await ctx.within(ctx.journaled(ch.uniqueid, ctx.records.note_degraded_call, ch.uniqueid, ch.linkedid,
                                   ch.caller_id, v.issued if v else ""), what="the degraded call's record")


async def queue_callback(ch: Channel, ctx: IvrContext) -> None:
    """Key 1 while waiting: a call-back instead of waiting; thank and end."""
    uniqueid = await call_of(ch, "HOTLINE_CALL") or ch.uniqueid
    await ctx.within(ctx.journaled(uniqueid, ctx.records.request_callback, uniqueid, CallOutcome.callback_requested,
                                   await known_number(ctx, uniqueid)), what="the call-back")
    await ch.play(sound_name(P.callback_thanks))
    await ch.hangup()


#: QUEUESTATUS values (Queue() in the dialplan) that send the caller to `no_agent`
NO_AGENT_STATUSES = {"JOINEMPTY": CallOutcome.no_agent, "LEAVEEMPTY": CallOutcome.no_agent,
                     "JOINUNAVAIL": CallOutcome.no_agent, "LEAVEUNAVAIL": CallOutcome.no_agent,
                     "TIMEOUT": CallOutcome.max_wait}


async def no_agent(ch: Channel, ctx: IvrContext) -> None:
    """Nobody waits forever: no agent is logged in, or the caller waited the maximum.

    The call-back is booked at once (a hang-up during the offer loses nothing), then offered:
    1 = call me back, 2 = leave a message; no key = the call-back stands. The caller hears the
    ticket number and the call ends."""
    c = Caller(ch, ctx)
    try:
        await _no_agent(c)
    finally:
        await c.settle()


async def _no_agent(c: Caller) -> None:
    ch, ctx = c.ch, c.ctx
    uniqueid = await call_of(ch, "HOTLINE_CALL") or ch.uniqueid
    reason = NO_AGENT_STATUSES.get(await ch.get_var("QUEUESTATUS"), CallOutcome.no_agent)
    caller = normalise_caller_id(ch.caller_id)
    c.intake = Intake(uniqueid, caller)
    # a call that came through the degraded path has no record yet: it gets one now
    c.write(ctx.records.start_call, uniqueid, ch.linkedid, caller, ch.dnid)
    await c.step(reason.value)
    # the number the caller hears: their draft's (this service gave it), else one reserved now
    c.intake.ticket_number = await known_number(ctx, uniqueid) or await ctx.numbers.next(ctx.settings.db_deadline_s)
    c.write(ctx.records.request_callback, uniqueid, reason, c.intake.ticket_number or None)
    await c.ticket_number()
    log.info("call %s: %s, call-back booked on ticket %s", uniqueid, reason.value, c.intake.ticket_number or "(numbered later)")
    key = await c.menu([P.no_agent_choice], "12", tries=2,
                       extra=[c.snd(P.max_wait_offer if reason == CallOutcome.max_wait else P.no_agent_offer)])
    if key == "2":
        voice = await c.voice_description(P.no_agent_record)
        if voice:
            c.save(voice_path=voice)
            await ch.set_var("__HOTLINE_VOICE", voice)
    await c.say(P.no_agent_booked)
    await c.read_ticket_number()
    await c.say(P.goodbye)
    await ch.set_var("HOTLINE_ROUTE", "hangup")


async def known_number(ctx: IvrContext, uniqueid: str) -> str:
    """The number of the call's ticket: the one this service gave it (its draft may still wait in the
    journal), else the DB's ('' for none, or not known within the deadline)."""
    return ctx.number_of_call(uniqueid) or await ctx.read(ctx.records.ticket_number_of_call, uniqueid, default="")


async def call_end(ch: Channel, ctx: IvrContext) -> None:
    """Hang-up handler: the call record's outcome says where the caller left."""
    uniqueid = await call_of(ch, "HOTLINE_CALL") or ch.uniqueid
    status = await ch.get_var("QUEUESTATUS")
    degraded = await ch.get_var("HOTLINE_DEGRADED") == "1"
    outcome = await ctx.within(ctx.journaled(uniqueid, ctx.records.end_call, uniqueid, status, degraded),
                               what="the call's end")
    log.info("call %s ended: %s", uniqueid, outcome.value if outcome else "unknown")


async def answered(ch: Channel, ctx: IvrContext) -> None:
    """Runs on the agent's channel when a queue call is answered."""
    uniqueid = await call_of(ch, "HOTLINE_CALL")
    endpoint = await ch.get_var("CHANNEL(endpoint)")     # agent-<工号> on the agent's own channel
    recording = await ch.get_var("REC")
    agent_no = agent_no_of(endpoint)
    if ctx.storage_check is not None:   # the disk's free space as the recording starts (a statvfs)
        await ctx.storage_check()
    await ctx.within(ctx.journaled(uniqueid, ctx.records.answered, uniqueid, agent_no, recording),
                     what="the answer")


async def transferred(ch: Channel, ctx: IvrContext) -> None:
    """Runs on a transfer leg's target channel when it answered (dialplan
    [hotline-transfer-answered]): its recording is linked to the caller's call and ticket.
    A blind-transferred caller's channel carries HOTLINE_CALL; a consultation (the agent's own
    call to a team lead, completed later by an attended transfer) is found through the
    consulting agent's open call (XFER_BY)."""
    uniqueid = await call_of(ch, "HOTLINE_CALL")
    by = agent_no_of(endpoint_name(await ch.get_var("XFER_BY")))
    target = agent_no_of(await ch.get_var("CHANNEL(endpoint)"))
    recording = await ch.get_var("REC")
    linked = await ctx.within(ctx.journaled(uniqueid or ch.uniqueid, ctx.records.transfer_leg, uniqueid, by, target,
                                            recording), what="the transfer leg")
    log.info("transfer leg to %s (by %s) %s", target or "?", by or "-",
             f"linked to call {linked}" if linked else "not linked to a hotline call")


async def call_out(ch: Channel, ctx: IvrContext) -> None:
    """[outbound-dial], on the agent's channel before the resident's phone rings: the call record
    (direction out) and its recording, linked to the ticket — the click-to-call's
    (HOTLINE_OUT_TICKET, set by the service's Originate) or, for a hand-dialled number, the
    agent's taken call-back entry of that number. Nothing read here is trusted as text: the
    number is digits, the ticket and the 工号 are parsed, the path must lie under the recordings.
    Over FastAGI the click-to-call's ticket is the one its token was issued for (a hand-dialled
    call has none, whatever a forged request answers for HOTLINE_OUT_TICKET), and a hand-dialled
    call's token, issued here, is kept with its record."""
    number = clean_digits(await ch.get_var("EXTEN"))
    agent_no = agent_no_of(await ch.get_var("CHANNEL(endpoint)"))
    v = vouched(ch)
    ticket = v.ticket if v is not None else await ch.get_var("HOTLINE_OUT_TICKET")
    recording = await ch.get_var("REC")
    linked = await ctx.within(ctx.journaled(ch.uniqueid, ctx.records.start_call_out, ch.uniqueid, ch.linkedid,
                                            number, agent_no, ticket, recording, v.issued if v else ""),
                              what="the call out's record")
    log.info("call out by %s to %s: ticket %s", agent_no or "?", mask_phone(number), linked or "none")


async def call_out_end(ch: Channel, ctx: IvrContext) -> None:
    """[outbound-hangup]: how the resident's side went (Dial's DIALSTATUS, ANSWEREDTIME), the
    recording sealed."""
    status = await ch.get_var("DIALSTATUS")
    answered_s = await ch.get_var("ANSWEREDTIME")
    if status.strip().upper() == "ANSWER":
        await ctx.db(ctx.records.recordings_closed, ch.uniqueid)     # files, not the DB: waits 2 s at most
    outcome = await ctx.within(ctx.journaled(ch.uniqueid, ctx.records.end_call_out, ch.uniqueid, status, answered_s),
                               what="the call out's end")
    log.info("call out %s ended: %s", ch.uniqueid, outcome.value if outcome else "unknown")


ROUTES = {"caller": caller_flow, "degraded": degraded, "callback": queue_callback, "call_end": call_end,
          "answered": answered, "transferred": transferred, "no_agent": no_agent,
          "call_out": call_out, "call_out_end": call_out_end}


async def run_flow(flow, ch: Channel, ctx: IvrContext, name: str) -> None:
    """Run a flow; a hang-up is a normal end, any other failure is logged (masked) and
    the caller still goes on to the queue through the dialplan's degraded path."""
    if flow is None:
        log.error("no flow named %r", name)
        return
    try:
        await flow(ch, ctx)
    except CallerHungUp:
        log.debug("caller hung up during %s", name)
    except Exception as exc:
        log.error("flow %s failed for caller %s: %s: %s", name, mask_phone(normalise_caller_id(ch.caller_id)),
                  type(exc).__name__, exc)
        try:
            await ch.set_var("HOTLINE_ROUTE", "")  # dialplan: degraded path to the queue
        except Exception:
            pass
