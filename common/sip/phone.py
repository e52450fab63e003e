"""The pjsua2 SIP engine: the desk's softphone, and the bench's callers and agent phones (no Qt).

One pjsua2 ``Endpoint`` per process lives on ONE thread of its own
(:class:`SipStack`): that thread creates the endpoint (null audio device, UDP on
the bind address, 127.0.0.1 unless told), loops ``libHandleEvents(10)`` and runs the work other threads hand
it through a queue (``stack.call(fn)``). No other thread ever calls pjsua2.

:class:`Phone` and :class:`Call` are plain Python facades usable from any
thread. The pjsua2 objects behind them (``pj.Account``/``pj.Call``
subclasses) are owned by the stack and created *and destroyed* on its thread:
their C++ destructors call into pjsua (hang up, delete the account), so letting
Python free them on a test thread would break the one-thread rule.

Each call's audio is wired into the conference bridge as soon as media is up
(capture → call, call → playback): without a port pumping frames, RFC 4733 DTMF
reaches Asterisk tens of seconds late (docs/stack-notes.md). VAD is off too: with VAD
on and no wiring, measured here, 2 of 3 digits reached Read() after 5 s.
``CallInfo`` objects are kept in a variable while their ``media`` vector is
read (SWIG temporaries).

Limits compiled into the pjsua2-python 2.15.1 wheel: 4 calls at a time
(PJSUA_MAX_CALLS; `dial` raises TooManyCalls beyond) and 8 accounts (PJSUA_MAX_ACC;
one more aborts the process, so registered phones stop at 7). Anonymous
callers share one account whatever their number. Load tests beyond 4 calls
use sipp or several processes.

A *line* (`Phone.line`) is the far side of a trunk instead: a UDP port of its own that takes
every INVITE sent to it, whatever the number (the PSTN gateway in tests: bench.resident).

    stack = SipStack.instance()
    agent = Phone.register(stack, sip_port, "agent-1001", "secret1")
    agent.wait_registered(5)
    call = agent.dial("9000").wait_state("CONFIRMED", 5)
    call.send_dtmf("123")
    call.hangup(); call.wait_state("DISCONNECTED", 5)

One file on purpose (over 500 lines): the stack, the calls and the phones share one ownership
rule — pjsua2 objects are created, used and destroyed on the stack's thread only — and reach into
each other's private state under it; split, that rule would span modules and be easier to break.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import queue
import random
import re
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable

import pjsua2 as pj

from common.naming import endpoint

__all__ = ["SipError", "TooManyCalls", "SipStack", "Phone", "Call",
           "MAX_CALLS", "MAX_ACCOUNTS", "request_port"]

STATES = {pj.PJSIP_INV_STATE_NULL: "NULL", pj.PJSIP_INV_STATE_CALLING: "CALLING",
          pj.PJSIP_INV_STATE_INCOMING: "INCOMING", pj.PJSIP_INV_STATE_EARLY: "EARLY",
          pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
          pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
          pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED"}


_MEDIA_STATUS = {pj.PJSUA_CALL_MEDIA_NONE: "NONE", pj.PJSUA_CALL_MEDIA_ACTIVE: "ACTIVE",
                 pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "LOCAL_HOLD",
                 pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "REMOTE_HOLD", pj.PJSUA_CALL_MEDIA_ERROR: "ERROR"}


class SipError(RuntimeError):
    """A pjsua2 operation failed (the pjsua2 ``Error`` turned into a normal exception)."""


class TooManyCalls(SipError):
    """Every call slot of the process is taken (see `MAX_CALLS`)."""


def _wrap(exc: BaseException) -> BaseException:
    if isinstance(exc, pj.Error):
        try:
            return SipError(f"{exc.title}: {exc.reason} (status {exc.status})")
        except Exception:
            return SipError(str(exc))
    return exc


def _without_stdout(fn: Callable[[], Any]) -> Any:
    """Run `fn` with file descriptor 1 on /dev/null (pjlib logs to C stdout)."""
    try:
        libc = ctypes.CDLL(None)
        libc.fflush(None)
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return fn()
    os.dup2(devnull, 1)
    try:
        return fn()
    finally:
        libc.fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_REQUEST_PORT = re.compile(r"^INVITE\s+sips?:(?:[^@\s>]*@)?[^:;\s>]+:(\d+)")


def request_port(message: str) -> int:
    """The port an INVITE's Request-URI names ('INVITE sip:138…@127.0.0.1:40123 SIP/2.0' → 40123), or 0."""
    m = _REQUEST_PORT.match(message or "")
    return int(m.group(1)) if m else 0


# ----------------------------------------------------------------- stack ----

class SipStack:
    """The process's pjsua2 endpoint and the one thread allowed to touch it."""

    _instance: "SipStack | None" = None
    _lock = threading.Lock()

    @classmethod
    def instance(cls, **kwargs) -> "SipStack":
        """The shared stack, started at first use (and again after `close()`)."""
        with cls._lock:
            if cls._instance is None or not cls._instance.alive:
                cls._instance = cls(**kwargs)
            return cls._instance

    def __init__(self, max_calls: int = 256, log_level: int = 0, log_file: str | None = None,
                 start_timeout: float = 20.0, bind: str = "127.0.0.1"):
        self.bind = bind                        # SIP and RTP address ("" = all interfaces)
        self._jobs: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._error: BaseException | None = None
        self._stopping = False
        self._owned: set[Any] = set()           # pjsua2 objects; freed on this thread only
        self._accounts: list["Phone"] = []     # registered phones
        self._lines: dict[int, "Phone"] = {}   # local port → the line that takes its INVITEs
        self._anon: "_PjAccount | None" = None
        self._max_calls = max_calls
        self._log_level = int(os.environ.get("HOTLINE_SIP_LOG_LEVEL", log_level))
        self._log_file = os.environ.get("HOTLINE_SIP_LOG_FILE", log_file)
        self.ep: "pj.Endpoint | None" = None     # only to be used on the stack's thread
        self.local_port = 0
        self.thread = threading.Thread(target=self._main, name="pjsua2", daemon=True)
        self.thread.start()
        if not self._ready.wait(start_timeout):
            raise SipError("the pjsua2 thread did not start in time")
        if self._error is not None:
            raise SipError(f"pjsua2 could not start: {self._error}") from self._error
        atexit.register(self.close)

    # -- the pjsua2 thread --
    def _main(self) -> None:
        try:
            self.ep = ep = pj.Endpoint()
            if self._log_level == 0:
                _without_stdout(ep.libCreate)  # pjlib's start-up chatter, before any log config
            else:
                ep.libCreate()
            cfg = pj.EpConfig()
            cfg.uaConfig.threadCnt = 0
            cfg.uaConfig.mainThreadOnly = True
            cfg.uaConfig.maxCalls = self._max_calls
            cfg.uaConfig.userAgent = "hotline-sipphone"
            cfg.logConfig.level = self._log_level
            cfg.logConfig.consoleLevel = self._log_level if not self._log_file else 0
            if self._log_file:
                cfg.logConfig.filename = self._log_file
            cfg.medConfig.noVad = True
            cfg.medConfig.clockRate = 8000
            cfg.medConfig.sndClockRate = 8000
            cfg.medConfig.channelCount = 1
            cfg.medConfig.maxMediaPorts = max(254, 2 * self._max_calls + 16)
            ep.libInit(cfg)
            tcfg = pj.TransportConfig()
            tcfg.boundAddress = self.bind
            tcfg.port = 0
            tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            tinfo = ep.transportGetInfo(tid)
            self.local_port = int(str(tinfo.localName).rsplit(":", 1)[-1])
            del tinfo
            ep.libStart()
            ep.audDevManager().setNullDev()
        except BaseException as exc:  # surfaced to the creating thread
            self._error = exc
            self._ready.set()
            self._stopped.set()
            return
        self._ready.set()
        try:
            while not self._stopping:
                ep.libHandleEvents(10)
                self._run_jobs()
        finally:
            self._teardown()
            self._stopped.set()

    def _run_jobs(self) -> None:
        while True:
            try:
                fn, fut = self._jobs.get_nowait()
            except queue.Empty:
                return
            if fut is not None and not fut.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:
                if fut is not None:
                    fut.set_exception(_wrap(exc))
            else:
                if fut is not None:
                    fut.set_result(result)

    def _teardown(self) -> None:
        ep = self.ep
        try:
            self._run_jobs()
            ep.hangupAllCalls()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and any(isinstance(o, _PjCall) for o in self._owned):
                ep.libHandleEvents(10)
                self._run_jobs()
            for phone in list(self._accounts):
                phone._shutdown_here()
            if self._anon is not None:
                self._anon.shutdown()
                self._anon = None
            end = time.monotonic() + 0.3          # let un-REGISTERs and BYEs leave
            while time.monotonic() < end:
                ep.libHandleEvents(10)
            self._run_jobs()
            self._owned.clear()                   # C++ destructors run here, lib still alive
            ep.libDestroy()
        except BaseException:
            pass
        finally:
            self.ep = None
            del ep                                # ~Endpoint on this thread
            # anything handed over after the end fails instead of hanging
            while True:
                try:
                    _fn, fut = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if fut is not None and not fut.done():
                    fut.set_exception(SipError("the SIP stack is closed"))

    # -- any thread --
    @property
    def alive(self) -> bool:
        return self.thread.is_alive() and not self._stopping

    def on_thread(self) -> bool:
        return threading.current_thread() is self.thread

    def call(self, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Run `fn()` on the pjsua2 thread and return its result (or raise its error)."""
        if self.on_thread():
            try:
                return fn()
            except pj.Error as exc:
                raise _wrap(exc) from None
        if not self.alive:
            raise SipError("the SIP stack is closed")
        fut: Future = Future()
        self._jobs.put((fn, fut))
        try:
            return fut.result(timeout)
        except FutureTimeout:
            fut.cancel()
            raise TimeoutError(f"the pjsua2 thread did not run {fn!r} within {timeout} s") from None

    run = call  # older name

    def post(self, fn: Callable[[], Any]) -> None:
        """Queue `fn()` for the pjsua2 thread without waiting (errors are dropped)."""
        self._jobs.put((fn, None))

    def close(self, timeout: float = 10.0) -> None:
        """Hang up every call, remove every account, `libDestroy()`; idempotent."""
        if not self.thread.is_alive():
            return
        self._stopping = True
        if not self.on_thread():
            self._stopped.wait(timeout)
            self.thread.join(1)
        try:
            atexit.unregister(self.close)
        except Exception:
            pass

    # -- ownership (stack thread) --
    def lan_transport(self) -> int:
        """A UDP transport on all interfaces, made once (pjsua2 thread only)."""
        if getattr(self, "_lan_tid", None) is None:
            tcfg = pj.TransportConfig()
            tcfg.port = 0
            self._lan_tid = self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        return self._lan_tid

    def _own(self, obj) -> None:
        self._owned.add(obj)

    def live_calls(self) -> int:
        """Calls not yet DISCONNECTED, all phones together."""
        return sum(1 for o in list(self._owned) if isinstance(o, _PjCall))

    def _anonymous_account(self) -> "_PjAccount":
        """The one unregistered account every anonymous caller dials through."""
        if self._anon is None:
            cfg = pj.AccountConfig()
            cfg.idUri = f"sip:anonymous@{self.bind or '127.0.0.1'}"
            _media_config(cfg, self.bind)
            acc = _PjAccount(None, cfg, self)
            acc.create(cfg)
            self._anon = acc
            self._own(acc)
        return self._anon

    def _line_for(self, message: str) -> "Phone | None":
        """The line whose own port this INVITE was sent to (stack thread)."""
        return self._lines.get(request_port(message)) if self._lines else None



# ------------------------------------------------------------------ calls ----

def _media_config(cfg, bind: str) -> None:
    """No STUN; RTP from a random range, so a leftover call of an earlier process
    never sends its media to this one's port (pjmedia follows the RTP source)."""
    cfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    cfg.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    cfg.mediaConfig.transportConfig.boundAddress = bind
    cfg.mediaConfig.transportConfig.port = 30000 + 2 * random.randrange(10000)
    cfg.mediaConfig.transportConfig.portRange = 4000


class _PjCall(pj.Call):
    """The pjsua2 side of a call: lives and dies on the stack's thread."""

    def __init__(self, facade: "Call", account: "_PjAccount", call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.facade = facade
        self.recorder: "pj.AudioMediaRecorder | None" = None
        self.recorded = False                # one recorder per call, never restarted
        self.tone: "pj.ToneGenerator | None" = None
        self.ended = False

    def onCallState(self, prm):
        ci = self.getInfo()  # keep the info object alive while reading it
        state = STATES.get(ci.state, str(ci.state))
        f = self.facade
        f.remote_uri, f.sip_call_id = ci.remoteUri, ci.callIdString
        f.last_status, f.last_reason = ci.lastStatusCode, ci.lastReason
        del ci
        if state == "DISCONNECTED":
            self.ended = True
            self._stop_recorder()
            self.tone = None                 # freed here, on the stack's thread
            # pjsua2's `delete this` in onCallState: the stack drops its reference
            # now, and the frame's `self` is the last one, so ~Call runs on this
            # thread as the callback returns, before pjsua can reuse the call slot.
            f.stack._owned.discard(self)
        f._set_state(state)

    def onCallMediaState(self, prm):
        if self.ended:
            return
        ci = self.getInfo()  # NOT `for mi in self.getInfo().media` (SWIG temporary)
        media = ci.media
        mgr = self.facade.stack.ep.audDevManager()
        status = "NONE"
        for i in range(len(media)):
            mi = media[i]
            if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            status = _MEDIA_STATUS.get(mi.status, str(mi.status))
            if mi.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                audio = self.getAudioMedia(i)
                # pump frames both ways through the bridge: DTMF then leaves at once
                mgr.getCaptureDevMedia().startTransmit(audio)
                audio.startTransmit(mgr.getPlaybackDevMedia())
                path = self.facade._record_path
                if path and not self.recorded:
                    self._start_recorder(audio, path)
            break                              # the first audio stream is the call's
        del media, ci
        self.facade._on_media(status)

    def onDtmfDigit(self, prm):
        self.facade._on_dtmf(prm.digit)

    def onCallTransferStatus(self, prm):
        self.facade._on_transfer_status(prm.statusCode, prm.reason, prm.finalNotify)
        prm.cont = not prm.finalNotify

    def _start_recorder(self, audio, path: str) -> None:
        self.recorded = True
        self.recorder = pj.AudioMediaRecorder()
        self.recorder.createRecorder(path)
        audio.startTransmit(self.recorder)

    def _stop_recorder(self) -> None:
        if self.recorder is not None:
            rec, self.recorder = self.recorder, None
            # the bridge drops the port on its next tick and only then writes the
            # WAV header: `Call.wait_recording` waits for that
            del rec


class Call:
    """A call leg, usable from any thread. States: NULL CALLING INCOMING EARLY
    CONNECTING CONFIRMED DISCONNECTED (pjsip's names)."""

    def __init__(self, phone: "Phone", direction: str):
        self.phone, self.stack = phone, phone.stack
        self.direction = direction                   # "out" | "in"
        self.state = "NULL"
        self.history: list[str] = []
        self.states: queue.Queue[str] = queue.Queue()  # every state change, in order
        self.remote_uri = ""
        self.sip_call_id = ""
        self.last_status = 0
        self.last_reason = ""
        self.dtmf_received = ""                        # RFC 4733 digits the far end sent us
        self.invite = ""                               # an incoming call's INVITE, as received
        self.transfer_status: int | None = None        # final NOTIFY status of a REFER
        self.created_at = time.monotonic()
        self.connected_at: float | None = None
        self.ended_at: float | None = None
        self.media_active = threading.Event()          # audio flowed at least once
        self.media_status = "NONE"                     # ACTIVE LOCAL_HOLD REMOTE_HOLD NONE ERROR
        self._cond = threading.Condition()
        self._callbacks: list[Callable[["Call", str], None]] = []
        self._record_path: str | None = None
        self._pj: _PjCall | None = None

    def __repr__(self) -> str:
        return f"<Call {self.direction} {self.remote_uri or '?'} {self.state}>"

    # -- from the pjsua2 thread --
    def _set_state(self, state: str) -> None:
        with self._cond:
            if self.history and self.history[-1] == state:
                return
            self.state = state
            self.history.append(state)
            now = time.monotonic()
            if state == "CONFIRMED" and self.connected_at is None:
                self.connected_at = now
            if state == "DISCONNECTED":
                self.ended_at = now
                self._pj = None
                self.phone._forget(self)
            self._cond.notify_all()
            callbacks = list(self._callbacks)
        self.states.put(state)
        for cb in callbacks:
            try:
                cb(self, state)
            except Exception:
                pass

    def _on_media(self, status: str) -> None:
        with self._cond:
            self.media_status = status
            if status in ("ACTIVE", "REMOTE_HOLD"):
                self.media_active.set()
            self._cond.notify_all()

    def _on_dtmf(self, digit: str) -> None:
        with self._cond:
            self.dtmf_received += digit
            self._cond.notify_all()

    def _on_transfer_status(self, code: int, reason: str, final: bool) -> None:
        with self._cond:
            if final:
                self.transfer_status = code
            self._cond.notify_all()

    # -- any thread --
    def on_state(self, callback: Callable[["Call", str], None]) -> None:
        """`callback(call, state)` on every later state change. It runs on the
        pjsua2 thread: keep it short, never block in it."""
        with self._cond:
            self._callbacks.append(callback)

    @property
    def ended(self) -> bool:
        return self.state == "DISCONNECTED"

    def wait_state(self, state: str, timeout: float = 10.0) -> "Call":
        """Wait until the call has reached `state` (now or earlier). Raises
        `TimeoutError`, or `SipError` if the call ended before reaching it."""
        state = state.upper()
        deadline = time.monotonic() + timeout
        with self._cond:
            while state not in self.history:
                if "DISCONNECTED" in self.history:
                    raise SipError(f"call ended ({self.last_status} {self.last_reason}) "
                                   f"before reaching {state}; states {self.history}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"call did not reach {state} in {timeout} s "
                                       f"(states {self.history})")
                self._cond.wait(left)
        return self

    def wait_media(self, timeout: float = 10.0) -> "Call":
        if not self.media_active.wait(timeout):
            raise TimeoutError(f"no active audio on the call in {timeout} s (state {self.state})")
        return self

    def wait_dtmf(self, count: int, timeout: float = 10.0) -> str:
        """Wait until `count` DTMF digits were received; returns them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.dtmf_received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"received DTMF {self.dtmf_received!r}, expected {count} digits")
                self._cond.wait(left)
            return self.dtmf_received

    def _do(self, what: str, fn: Callable[[_PjCall], Any], timeout: float = 10.0) -> Any:
        def job():
            pjc = self._pj
            if pjc is None:
                raise SipError(f"cannot {what}: the call has ended ({self.state})")
            return fn(pjc)
        return self.stack.call(job, timeout)

    def send_dtmf(self, digits: str, gap: float = 0.25, duration_ms: int = 120) -> None:
        """Send `digits` as RFC 4733 events, one at a time, `gap` s apart."""
        self.wait_media(5)
        for n, d in enumerate(str(digits)):
            if n and gap:
                time.sleep(gap)

            def one(pjc: _PjCall, d=d):
                prm = pj.CallSendDtmfParam()
                prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
                prm.digits = d
                prm.duration = duration_ms
                pjc.sendDtmf(prm)
            self._do("send DTMF", one)

    def play_tone(self, freq_hz: int = 440) -> "Call":
        """Send a steady tone on this call until it ends (the null audio device sends only
        silence): the far end, or a recording of it, hears that audio crossed. Needs media up."""
        def do(pjc: _PjCall):
            if pjc.tone is not None or pjc.ended:
                return
            ci = pjc.getInfo()
            media = ci.media
            for i in range(len(media)):
                if media[i].type == pj.PJMEDIA_TYPE_AUDIO and media[i].status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    tone = pj.ToneDesc()
                    tone.freq1, tone.freq2, tone.on_msec, tone.off_msec = int(freq_hz), 0, 1000, 0
                    tones = pj.ToneDescVector()
                    tones.append(tone)
                    gen = pj.ToneGenerator()
                    gen.createToneGenerator(8000, 1)
                    gen.play(tones, True)
                    gen.startTransmit(pjc.getAudioMedia(i))
                    pjc.tone = gen
                    break
            del media, ci
        self.wait_media(5)
        self._do("play a tone", do)
        return self

    def answer(self, code: int = 200) -> "Call":
        def do(pjc: _PjCall):
            prm = pj.CallOpParam()
            prm.statusCode = code
            pjc.answer(prm)
        self._do("answer", do)
        return self

    def hangup(self, code: int | None = None) -> None:
        """End the call (BYE / CANCEL / a reject `code` for an incoming call);
        a call that already ended is left alone."""
        def do():
            pjc = self._pj
            if pjc is None or self.state == "DISCONNECTED":
                return
            prm = pj.CallOpParam()
            if code is not None:
                prm.statusCode = code
            elif self.state == "INCOMING" or (self.direction == "in" and self.state == "EARLY"):
                prm.statusCode = 486
            try:
                pjc.hangup(prm)
            except pj.Error:
                pass
        if self.state != "DISCONNECTED" and self.stack.alive:
            self.stack.call(do)

    def wait_media_status(self, status: str, timeout: float = 5.0) -> "Call":
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.media_status != status:
                if self.state == "DISCONNECTED":
                    raise SipError(f"call ended while waiting for media {status}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"media is {self.media_status}, not {status}, after {timeout} s")
                self._cond.wait(left)
        return self

    def hold(self, timeout: float | None = 5.0) -> "Call":
        """Put the far end on hold (re-INVITE sendonly); waits for LOCAL_HOLD
        unless `timeout` is None."""
        self._do("hold", lambda pjc: pjc.setHold(pj.CallOpParam(True)))
        return self.wait_media_status("LOCAL_HOLD", timeout) if timeout is not None else self

    def unhold(self, timeout: float | None = 5.0) -> "Call":
        """Take the call off hold (re-INVITE sendrecv); waits for ACTIVE
        unless `timeout` is None."""
        def do(pjc: _PjCall):
            prm = pj.CallOpParam(True)
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            pjc.reinvite(prm)
        self._do("unhold", do)
        return self.wait_media_status("ACTIVE", timeout) if timeout is not None else self

    def transfer(self, dest: str) -> None:
        """Blind transfer (REFER) to `dest`: an extension, or a full sip: URI."""
        uri = dest if ":" in dest else f"sip:{dest}@{self.phone.server}"

        def do(pjc: _PjCall):
            with self._cond:
                self.transfer_status = None
            pjc.xfer(uri, pj.CallOpParam(True))
        self._do("transfer", do)

    def transfer_replacing(self, consultation: "Call") -> None:
        """Attended transfer: REFER this call (the held caller) to the far end of
        `consultation` (the team lead, talked to first) with Replaces, so the two far ends
        talk to each other (pjsua2 ``xferReplaces``; Asterisk's attended transfer). Both
        pjsua2 calls are used on the stack's thread. See `wait_transfer` for the outcome."""
        def do(pjc: _PjCall):
            dest = consultation._pj
            if dest is None:
                raise SipError(f"cannot transfer: the consultation has ended ({consultation.state})")
            with self._cond:
                self.transfer_status = None
            pjc.xferReplaces(dest, pj.CallOpParam(True))
        self._do("attended transfer", do)

    def wait_transfer(self, timeout: float = 10.0) -> int:
        """The final status the transfer target reported (NOTIFY sipfrag)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.transfer_status is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no final transfer status")
                self._cond.wait(left)
            return self.transfer_status

    def record_to(self, path: str | os.PathLike) -> "Call":
        """Record the audio received on this call to a WAV file (closed at hang-up).
        Best set before media is up; on a call already up it starts now."""
        self._record_path = str(path)

        def start(pjc: _PjCall):
            if pjc.recorded or pjc.ended:
                return
            ci = pjc.getInfo()
            media = ci.media
            for i in range(len(media)):
                if media[i].type == pj.PJMEDIA_TYPE_AUDIO and media[i].status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    pjc._start_recorder(pjc.getAudioMedia(i), self._record_path)
                    break
            del media, ci
        if self._pj is not None and self.media_active.is_set():
            self._do("record", start)
        return self

    def wait_recording(self, timeout: float = 5.0) -> str:
        """Wait for the call to end and its WAV file to be complete; returns the path.
        (The conference bridge drops the recorder on its next tick, and only
        then is the WAV header filled in.)"""
        if not self._record_path:
            raise SipError("this call records nothing (see record_to)")
        deadline = time.monotonic() + timeout
        self.wait_state("DISCONNECTED", timeout)
        while True:
            try:
                with open(self._record_path, "rb") as fh:
                    head = fh.read(8)
                if len(head) == 8 and head[:4] == b"RIFF" and int.from_bytes(head[4:], "little"):
                    return self._record_path
            except FileNotFoundError:
                pass
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self._record_path} was not completed in {timeout} s")
            time.sleep(0.02)

    @property
    def duration(self) -> float:
        """Seconds since the call was answered (until it ended); 0 if never answered."""
        if self.connected_at is None:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.connected_at

    @property
    def setup_time(self) -> float | None:
        """Seconds from dialling to CONFIRMED (None if not answered)."""
        return None if self.connected_at is None else self.connected_at - self.created_at


# ----------------------------------------------------------------- phones ----

class _PjAccount(pj.Account):
    """The pjsua2 side of an account; `facade` is None for the shared account
    that all anonymous callers dial through."""

    def __init__(self, facade: "Phone | None", cfg, stack: SipStack):
        super().__init__()
        self.facade, self.stack = facade, stack
        self.cfg = cfg                       # kept: the shared account is modify()'d per caller
        self.id_uri = cfg.idUri

    def onRegState(self, prm):
        ai = self.getInfo()
        if self.facade is not None:
            self.facade._on_reg(bool(ai.regIsActive), int(ai.regStatus), str(ai.regStatusText))
        del ai

    def onIncomingCall(self, prm):
        message = prm.rdata.wholeMsg
        # pjsua picks an account by user and host; a line is known by its own port instead
        line = self.stack._line_for(message)
        if line is not None and not line._closed:
            line._on_incoming(self, prm.callId, message)
            return
        if line is None and self.facade is not None:
            self.facade._on_incoming(self, prm.callId, message)
            return
        # nobody listens on an anonymous caller's account (or a closed line): turn the call away
        pjc = pj.Call(self, prm.callId)
        op = pj.CallOpParam()
        op.statusCode = 480
        try:
            pjc.hangup(op)
        except pj.Error:
            pass
        del pjc


#: compiled into the pjsua2-python 2.15.1 wheel (PJSUA_MAX_ACC): one more account
#: aborts the whole process in an assert, so `Phone` refuses before that
MAX_ACCOUNTS = 8
#: compiled into the wheel (PJSUA_MAX_CALLS): calls at a time, per process
MAX_CALLS = 4


class Phone:
    """A SIP phone: a registered agent phone (one pjsua2 account each, at most
    ``MAX_ACCOUNTS - 1``), or an anonymous PSTN-like caller (any number of them:
    they share one unregistered account whose From is set per call)."""

    def __init__(self, stack: SipStack, server_port: int, host: str = "127.0.0.1"):
        self.stack = stack
        self.server = f"{host}:{server_port}"
        self.host = host
        self.uri = ""
        self.anonymous_caller = False
        self.registered = False
        self.reg_status = 0
        self.reg_text = ""
        self.auto_answer = False          # answer incoming calls at once (benchmarks)
        self.port = 0                     # a line's own port (`Phone.line`)
        self.incoming: queue.Queue[Call] = queue.Queue()
        self._calls: set[Call] = set()
        self._cond = threading.Condition()
        self._pj: _PjAccount | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<Phone {self.uri} via {self.server}>"

    @classmethod
    def register(cls, stack: SipStack, server_port: int, user: str, password: str,
                 host: str = "127.0.0.1") -> "Phone":
        """An account that REGISTERs `user` (e.g. ``agent-1001``) with digest auth.
        Returns at once; see `wait_registered`. A server off loopback (an agent PC on the
        LAN) gets a UDP transport and RTP on all interfaces when the stack itself is bound to loopback."""
        phone = cls(stack, server_port, host)
        phone.uri = f"sip:{user}@{host}"

        def make():
            if len(stack._accounts) >= MAX_ACCOUNTS - 1:   # one kept for anonymous callers
                raise SipError(f"at most {MAX_ACCOUNTS - 1} registered phones per process "
                               f"(PJSUA_MAX_ACC={MAX_ACCOUNTS} in the pjsua2 wheel); close one first")
            cfg = pj.AccountConfig()
            cfg.idUri = phone.uri
            cfg.regConfig.registrarUri = f"sip:{phone.server}"
            cfg.regConfig.timeoutSec = 300
            cfg.regConfig.retryIntervalSec = 2
            cfg.regConfig.firstRetryIntervalSec = 1
            cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
            _media_config(cfg, stack.bind)
            if stack.bind.startswith("127.") and not host.startswith("127.") and host != "localhost":
                cfg.sipConfig.transportId = stack.lan_transport()
                cfg.mediaConfig.transportConfig.boundAddress = ""
            acc = _PjAccount(phone, cfg, stack)
            acc.create(cfg)
            phone._pj = acc
            stack._own(acc)
            stack._accounts.append(phone)
        stack.call(make)
        return phone

    @classmethod
    def agent(cls, stack: SipStack, server_port: int, agent_no: str, secret: str,
              host: str = "127.0.0.1") -> "Phone":
        """The desk phone of agent `agent_no` (endpoint and auth user ``agent-<工号>``)."""
        return cls.register(stack, server_port, endpoint(agent_no), secret, host)

    @classmethod
    def anonymous(cls, stack: SipStack, server_port: int, caller_number: str,
                  host: str = "127.0.0.1") -> "Phone":
        """A caller as the PSTN gateway presents it: From ``sip:<number>@127.0.0.1``,
        no registration, no authentication (Asterisk identifies it by IP)."""
        phone = cls(stack, server_port, host)
        phone.anonymous_caller = True
        user = "".join(c for c in str(caller_number) if c.isalnum() or c in "+*#") or "anonymous"
        phone.uri = f"sip:{user}@127.0.0.1"
        stack.call(stack._anonymous_account)     # created once, on the stack's thread
        return phone

    @classmethod
    def line(cls, stack: SipStack, port: int = 0) -> "Phone":
        """The far side of a trunk: a UDP port of its own (`line.port`, any free one by default,
        on the stack's address) where every INVITE is this phone's incoming call, whatever the
        number dialled (`Call.invite` holds the request). Nothing registers; calls out from a line
        go through the shared anonymous account."""
        phone = cls(stack, 0, stack.bind or "127.0.0.1")
        phone.anonymous_caller = True

        def make():
            stack._anonymous_account()     # pjsua hands an INVITE to some account first
            tcfg = pj.TransportConfig()
            tcfg.boundAddress = stack.bind
            tcfg.port = port
            tid = stack.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            tinfo = stack.ep.transportGetInfo(tid)
            phone.port = int(str(tinfo.localName).rsplit(":", 1)[-1])
            del tinfo
            phone.uri = f"sip:line@{phone.host}:{phone.port}"
            stack._lines[phone.port] = phone
        stack.call(make)
        return phone

    # -- stack thread --
    def _account_for_call(self) -> _PjAccount:
        if self._closed:
            raise SipError(f"{self.uri} is closed")
        if not self.anonymous_caller:
            if self._pj is None:
                raise SipError(f"{self.uri} is closed")
            return self._pj
        acc = self.stack._anonymous_account()
        if acc.id_uri != self.uri:
            acc.cfg.idUri = self.uri
            acc.modify(acc.cfg)                  # From of the next INVITE
            acc.id_uri = self.uri
        return acc

    def _on_reg(self, active: bool, status: int, text: str) -> None:
        with self._cond:
            self.reg_status, self.reg_text = status, text
            self.registered = active and status // 100 == 2
            self._cond.notify_all()

    def _on_incoming(self, acc: _PjAccount, call_id: int, message: str = "") -> None:
        call = Call(self, "in")
        call.invite = message
        pjc = _PjCall(call, acc, call_id)
        call._pj = pjc
        self.stack._own(pjc)
        ci = pjc.getInfo()
        call.remote_uri, call.sip_call_id = ci.remoteUri, ci.callIdString
        del ci
        with self._cond:
            self._calls.add(call)
        call._set_state("INCOMING")
        prm = pj.CallOpParam()
        prm.statusCode = 200 if self.auto_answer else 180
        try:
            pjc.answer(prm)
        except pj.Error:
            pass
        self.incoming.put(call)

    def _forget(self, call: Call) -> None:
        with self._cond:
            self._calls.discard(call)

    def _shutdown_here(self) -> None:
        self._closed = True
        acc, self._pj = self._pj, None
        if acc is not None:
            try:
                acc.shutdown()          # un-REGISTER
            except pj.Error:
                pass
            self.stack._owned.discard(acc)
        if self in self.stack._accounts:
            self.stack._accounts.remove(self)

    # -- any thread --
    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def renew_registration(self) -> None:
        """REGISTER again now (Asterisk restarted and may have lost the contact)."""
        def renew():
            if self._pj is not None and not self._closed:
                self._pj.setRegistration(True)
        self.stack.call(renew)

    def wait_registered(self, timeout: float = 10.0) -> "Phone":
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.registered:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.uri} not registered in {timeout} s "
                                       f"(last status {self.reg_status} {self.reg_text})")
                self._cond.wait(left)
        return self

    def wait_incoming(self, timeout: float = 10.0) -> Call:
        try:
            return self.incoming.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no incoming call for {self.uri} in {timeout} s") from None

    def dial(self, extension: str, record_to: str | os.PathLike | None = None,
             headers: dict[str, str] | None = None, slot_wait: float = 2.0) -> Call:
        """INVITE `extension` (or a full sip: URI) at the server; returns at once
        (after up to `slot_wait` s if a call slot is still being freed).
        Raises `TooManyCalls` when `MAX_CALLS` calls are up."""
        target = extension if str(extension).startswith("sip:") else f"sip:{extension}@{self.server}"
        call = Call(self, "out")
        if record_to:
            call._record_path = str(record_to)

        def do():
            acc = self._account_for_call()
            pjc = _PjCall(call, acc)
            prm = pj.CallOpParam(True)
            for name, value in (headers or {}).items():
                h = pj.SipHeader()
                h.hName, h.hValue = name, value
                prm.txOption.headers.append(h)
            call._pj = pjc
            self.stack._own(pjc)
            with self._cond:
                self._calls.add(call)
            try:
                pjc.makeCall(target, prm)
            except pj.Error as exc:
                call._pj = None
                self.stack._owned.discard(pjc)
                self._forget(call)
                pjc = None                   # freed here, on this thread
                if exc.status == 70010:      # PJ_ETOOMANY
                    raise TooManyCalls(f"too many calls at once: the pjsua2 wheel allows "
                                       f"{MAX_CALLS} per process (PJSUA_MAX_CALLS)") from None
                raise
            if call.state == "NULL":
                call._set_state("CALLING")

        # a call that just ended frees its slot a moment after DISCONNECTED
        # (pjsua tears media down asynchronously): wait for it, briefly
        deadline = time.monotonic() + slot_wait
        while True:
            try:
                self.stack.call(do)
                return call
            except TooManyCalls:
                if time.monotonic() >= deadline or self.stack.live_calls() >= MAX_CALLS:
                    raise
                time.sleep(0.02)

    def hangup_all(self) -> None:
        for c in self.calls:
            c.hangup()

    def close(self) -> None:
        """Hang up this phone's calls and remove its account (un-REGISTER)."""
        if self._closed or not self.stack.alive:
            return

        def do():
            for c in list(self._calls):
                pjc = c._pj
                if pjc is not None:
                    try:
                        pjc.hangup(pj.CallOpParam(True))
                    except pj.Error:
                        pass
            if self.anonymous_caller:
                self._closed = True      # the shared account stays (a line's port: calls turned away)
            else:
                self._shutdown_here()
        try:
            self.stack.call(do)
        except (SipError, TimeoutError):
            pass
