"""A pjsua2 SIP phone for tests, benchmarks and `hotline dialplan test` (no Qt).

pjsua2 lives on ONE thread of its own (``SipStack``): it creates the endpoint
and loops ``libHandleEvents``; every other thread hands work over through
``stack.run(fn)`` and waits for the result. Audio uses the null device, and each
call's audio is wired into the conference bridge as soon as media is up — without
a port pumping frames, RFC 4733 DTMF reaches Asterisk tens of seconds late
(pitfalls.md).
"""
from __future__ import annotations

import itertools
import random
import queue
import threading
import time
from concurrent.futures import Future

import pjsua2 as pj

_STATES = {pj.PJSIP_INV_STATE_NULL: "NULL", pj.PJSIP_INV_STATE_CALLING: "CALLING",
           pj.PJSIP_INV_STATE_INCOMING: "INCOMING", pj.PJSIP_INV_STATE_EARLY: "EARLY",
           pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING", pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
           pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED"}


class SipStack:
    _instance: "SipStack | None" = None
    _lock = threading.Lock()

    @classmethod
    def instance(cls) -> "SipStack":
        with cls._lock:
            if cls._instance is None or not cls._instance.thread.is_alive():
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._main, name="pjsua2", daemon=True)
        self.thread.start()
        self.ready.wait(20)
        if self.error:
            raise self.error

    def _main(self) -> None:
        try:
            self.ep = pj.Endpoint()
            self.ep.libCreate()
            cfg = pj.EpConfig()
            cfg.uaConfig.threadCnt = 0
            cfg.uaConfig.mainThreadOnly = True
            cfg.uaConfig.maxCalls = 512
            cfg.logConfig.level = 0
            cfg.logConfig.consoleLevel = 0
            cfg.medConfig.noVad = True
            self.ep.libInit(cfg)
            tcfg = pj.TransportConfig()
            tcfg.boundAddress = "127.0.0.1"
            tcfg.port = 0
            self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            self.ep.libStart()
            self.ep.audDevManager().setNullDev()
        except BaseException as exc:  # surfaced to the creating thread
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        while not self.stopping:
            self.ep.libHandleEvents(5)
            while True:
                try:
                    fn, fut = self.jobs.get_nowait()
                except queue.Empty:
                    break
                try:
                    fut.set_result(fn())
                except BaseException as exc:
                    fut.set_exception(exc)
        try:
            self.ep.hangupAllCalls()
            self.ep.libHandleEvents(50)
            self.ep.libDestroy()
        except Exception:
            pass

    def run(self, fn, timeout: float = 10):
        """Run `fn` on the pjsua2 thread and return its result."""
        if threading.current_thread() is self.thread:
            return fn()
        fut: Future = Future()
        self.jobs.put((fn, fut))
        return fut.result(timeout)

    def close(self) -> None:
        self.stopping = True
        self.thread.join(10)


class Call(pj.Call):
    """A call leg; state changes are observed from any thread through `wait_state`."""

    def __init__(self, stack: SipStack, account: "Phone", call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.stack, self.phone = stack, account
        self.state = "NULL"
        self.cond = threading.Condition()
        self.history: list[str] = []
        self.connected_at: float | None = None
        self.ended_at: float | None = None
        self.remote_uri = ""
        self.sip_call_id = ""
        self.last_status = 0
        self._recorder = None
        self._record_path: str | None = None

    # --- callbacks (pjsua2 thread) ---
    def onCallState(self, prm):
        ci = self.getInfo()  # keep the info object alive while reading it
        state = _STATES.get(ci.state, str(ci.state))
        self.remote_uri, self.sip_call_id, self.last_status = ci.remoteUri, ci.callIdString, ci.lastStatusCode
        with self.cond:
            self.state = state
            self.history.append(state)
            if state == "CONFIRMED" and self.connected_at is None:
                self.connected_at = time.monotonic()
            if state == "DISCONNECTED":
                self.ended_at = time.monotonic()
                self.phone.calls.discard(self)
            self.cond.notify_all()

    def onCallMediaState(self, prm):
        ci = self.getInfo()
        for i, mi in enumerate(ci.media):
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(i)
                mgr = self.stack.ep.audDevManager()
                # pump frames both ways through the bridge: DTMF then leaves at once
                mgr.getCaptureDevMedia().startTransmit(audio)
                audio.startTransmit(mgr.getPlaybackDevMedia())
                if self._record_path and self._recorder is None:
                    self._recorder = pj.AudioMediaRecorder()
                    self._recorder.createRecorder(self._record_path)
                    audio.startTransmit(self._recorder)

    # --- API (any thread) ---
    def wait_state(self, state: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while state not in self.history:
                if state != "DISCONNECTED" and "DISCONNECTED" in self.history:
                    raise AssertionError(f"call ended ({self.last_status}) before reaching {state}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"call did not reach {state} in {timeout} s (now {self.state})")
                self.cond.wait(left)

    def send_dtmf(self, digits: str, gap: float = 0.25) -> None:
        for d in digits:
            def one(d=d):
                prm = pj.CallSendDtmfParam()
                prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
                prm.digits = d
                prm.duration = 120
                self.sendDtmf(prm)
            self.stack.run(one)
            time.sleep(gap)

    def answer(self, code: int = 200) -> None:
        def do():
            prm = pj.CallOpParam()
            prm.statusCode = code
            super(Call, self).answer(prm)
        self.stack.run(do)

    def hangup(self) -> None:
        def do():
            if self.state != "DISCONNECTED":
                prm = pj.CallOpParam()
                prm.statusCode = 603 if self.state == "INCOMING" else 200
                super(Call, self).hangup(prm)
        try:
            self.stack.run(do)
        except pj.Error:
            pass

    def hold(self) -> None:
        self.stack.run(lambda: self.setHold(pj.CallOpParam(True)))

    def unhold(self) -> None:
        def do():
            prm = pj.CallOpParam(True)
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            self.reinvite(prm)
        self.stack.run(do)

    def transfer(self, dest_uri: str) -> None:
        self.stack.run(lambda: self.xfer(dest_uri, pj.CallOpParam(True)))

    def record_to(self, path: str) -> None:
        """Record the audio received on this call (set before it connects)."""
        self._record_path = path

    @property
    def duration(self) -> float:
        if self.connected_at is None:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.connected_at


def _media_ports(cfg) -> None:
    """No STUN; RTP from a random range, so a leftover call of an earlier process
    never sends its media to this one's port (pjmedia follows the RTP source)."""
    cfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    cfg.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    cfg.mediaConfig.transportConfig.port = 30000 + 2 * random.randrange(12000)
    cfg.mediaConfig.transportConfig.portRange = 2000


class Phone(pj.Account):
    """A SIP account: a registered agent phone, or an unregistered PSTN-like caller."""
    _ids = itertools.count(1)

    def __init__(self, stack: SipStack, server_port: int, host: str = "127.0.0.1"):
        super().__init__()
        self.stack, self.server = stack, f"{host}:{server_port}"
        self.reg_cond = threading.Condition()
        self.reg_status = 0
        self.registered = False
        self.calls: set[Call] = set()
        self.incoming: queue.Queue[Call] = queue.Queue()

    @classmethod
    def register(cls, stack: SipStack, server_port: int, user: str, password: str,
                 host: str = "127.0.0.1") -> "Phone":
        phone = cls(stack, server_port, host)

        def make():
            cfg = pj.AccountConfig()
            cfg.idUri = f"sip:{user}@{host}"
            cfg.regConfig.registrarUri = f"sip:{phone.server}"
            cfg.regConfig.timeoutSec = 120
            cfg.regConfig.retryIntervalSec = 2
            cred = pj.AuthCredInfo("digest", "*", user, 0, password)
            cfg.sipConfig.authCreds.append(cred)
            _media_ports(cfg)
            phone.create(cfg)
        stack.run(make)
        return phone

    @classmethod
    def anonymous(cls, stack: SipStack, server_port: int, caller_number: str,
                  host: str = "127.0.0.1") -> "Phone":
        """A caller as the PSTN gateway presents it: From sip:<number>@<gateway>, no registration."""
        phone = cls(stack, server_port, host)
        user = "".join(c for c in caller_number if c.isalnum()) or "anonymous"
        name = caller_number.replace('"', "'")

        def make():
            cfg = pj.AccountConfig()
            cfg.idUri = f'"{name}" <sip:{user}@{host}>'
            _media_ports(cfg)
            phone.create(cfg)
        stack.run(make)
        return phone

    def onRegState(self, prm):
        ai = self.getInfo()
        with self.reg_cond:
            self.reg_status = ai.regStatus
            self.registered = ai.regIsActive and ai.regStatus // 100 == 2
            self.reg_cond.notify_all()

    def onIncomingCall(self, prm):
        call = Call(self.stack, self, prm.callId)
        self.calls.add(call)
        call.state = "INCOMING"
        call.history.append("INCOMING")
        ci = call.getInfo()
        call.remote_uri = ci.remoteUri
        self.incoming.put(call)

    def wait_registered(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self.reg_cond:
            while not self.registered:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"not registered (last status {self.reg_status})")
                self.reg_cond.wait(left)

    def wait_incoming(self, timeout: float = 10) -> Call:
        try:
            return self.incoming.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("no incoming call") from None

    def dial(self, extension: str, record_to: str | None = None) -> Call:
        def do():
            call = Call(self.stack, self)
            if record_to:
                call.record_to(record_to)
            call.makeCall(f"sip:{extension}@{self.server}", pj.CallOpParam(True))
            self.calls.add(call)
            return call
        return self.stack.run(do)

    def close(self) -> None:
        def do():
            for c in list(self.calls):
                try:
                    pj.Call.hangup(c, pj.CallOpParam(True))
                except pj.Error:
                    pass
            self.shutdown()
        try:
            self.stack.run(do)
        except Exception:
            pass
