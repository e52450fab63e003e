"""The agent's softphone: common.sip.phone (pjsua2 on its own thread) wrapped in a QObject.

pjsua2 runs only on the SipStack thread. This module never calls pjsua2 from the
GUI thread and never makes the GUI thread wait:

* commands (register, answer, hold, ...) run on one worker thread that uses the
  thread-safe facades of common.sip.phone (``Phone``/``Call``; they hand the work
  to the stack via ``stack.call``);
* events come back through a small bridge QObject living in the GUI thread:
  call states from ``Call.on_state`` callbacks (pjsua2 thread), incoming calls
  from a watcher thread blocked in ``phone.wait_incoming()``, and the
  registration state from a 1 s poll of ``phone.registered`` (pjsua2 retries a
  failed registration by itself every ``retryIntervalSec``).
Signals emitted from those threads reach GUI slots queued.
"""
from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from common import wire

try:   # the desktop still starts (without a phone) if pjsua2 is missing on the PC
    import pjsua2 as pj

    from common.sip import phone as sipphone
    HAVE_PJSUA2 = True
    _IMPORT_ERROR = ""
except Exception as exc:  # pragma: no cover - depends on the PC
    pj = sipphone = None
    HAVE_PJSUA2 = False
    _IMPORT_ERROR = str(exc)



def caller_from_uri(uri: str) -> tuple[str, str]:
    """'"Zhang" <sip:13900001111@gw>' → ("13900001111", "Zhang")."""
    name = ""
    m = re.match(r'\s*"([^"]*)"', uri or "")
    if m:
        name = m.group(1)
    m = re.search(r"sips?:([^@;>]+)", uri or "")
    return (m.group(1) if m else (uri or "")), name


class _Bridge(QObject):
    """Lives in the GUI thread; emitted from other threads (queued delivery)."""
    incoming = Signal(object)
    state = Signal(object, str)
    consult = Signal(object, str)
    transferred = Signal(object, int)
    failed = Signal(str)


class SoftPhone(QObject):
    """Qt face of the agent's SIP phone.

    Signals: registered(bool ok, int status), incoming(dict call_info: number, name,
    remote_uri), call_state(str: idle / ringing / talking / held / ended),
    muted_changed(bool), held_changed(bool), error(str),
    consult_state(str: none / calling / talking / transferring) — the consultation of an
    attended transfer: the caller on hold, the agent's second call to the team lead.
    """
    consult_state = Signal(str)
    registered = Signal(bool, int)
    incoming = Signal(dict)
    call_state = Signal(str)
    muted_changed = Signal(bool)
    held_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, *, real_audio: bool | None = None):
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.incoming.connect(self._on_incoming)
        self._bridge.state.connect(self._on_state)
        self._bridge.failed.connect(self.error)
        self._bridge.consult.connect(self._on_consult_state)
        self._bridge.transferred.connect(self._on_transferred)
        self.consult_call = None
        self.consulting = "none"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="softphone")
        self.stack = None
        self.phone = None
        self.call = None
        self.sip: dict = {}
        self.is_registered = False
        self._last_status = -1
        self.muted = False
        self.held = False
        self.state = "idle"
        self._watch_stop: threading.Event | None = None
        if real_audio is None:
            real_audio = os.environ.get("HOTLINE_NULL_AUDIO", "") in ("", "0") and \
                os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"
        self.real_audio = real_audio
        self._player = None            # pjsua2 object: only touched on the stack thread
        self._poll = QTimer(self)
        self._poll.setInterval(1000)
        self._poll.timeout.connect(self._poll_registration)

    @property
    def available(self) -> bool:
        return HAVE_PJSUA2

    # ----------------------------------------------------------- worker --
    def _submit(self, fn, what: str) -> None:
        def job():
            try:
                fn()
            except Exception as exc:   # reported, never a crash
                self._bridge.failed.emit(f"{what}失败: {exc}")
        try:
            self._pool.submit(job)
        except RuntimeError:           # shut down
            pass

    # ------------------------------------------------------ registration --
    def register(self, sip: dict) -> None:
        """Register with the `sip` dict of the login answer (server, port, username, password)."""
        if not HAVE_PJSUA2:
            self.error.emit("本机未安装 pjsua2，软电话不可用（%s）" % _IMPORT_ERROR)
            return
        self.sip = dict(sip or {})
        host = str(self.sip.get("server") or "127.0.0.1")
        port = int(self.sip.get("port") or 5060)
        user, password = str(self.sip.get("username", "")), str(self.sip.get("password", ""))
        self._last_status = -1

        def do():
            self._unregister_now()
            stack = sipphone.SipStack.instance()
            self.stack = stack
            if self.real_audio:
                self._try_real_audio(stack)
            phone = sipphone.Phone.register(stack, port, user, password, host)
            self.phone = phone
            stop = threading.Event()
            self._watch_stop = stop
            threading.Thread(target=self._watch_incoming, args=(phone, stop), name="softphone-incoming",
                             daemon=True).start()
        self._submit(do, "SIP 注册")
        self._poll.start()

    def _try_real_audio(self, stack) -> None:
        def do():
            mgr = stack.ep.audDevManager()
            mgr.setCaptureDev(-1)     # PJMEDIA_AUD_DEFAULT_CAPTURE_DEV
            mgr.setPlaybackDev(-2)    # PJMEDIA_AUD_DEFAULT_PLAYBACK_DEV
        try:
            stack.call(do)
        except Exception:
            try:
                stack.call(lambda: stack.ep.audDevManager().setNullDev())
            except Exception:
                pass
            self._bridge.failed.emit("未找到耳机/声卡，使用静音设备")

    def _watch_incoming(self, phone, stop: threading.Event) -> None:
        """Watcher thread: each incoming call → bridge (GUI thread); busy desk → 486."""
        while not stop.is_set():
            try:
                call = phone.wait_incoming(0.5)
            except TimeoutError:
                continue
            except Exception:
                return
            if stop.is_set():
                self._submit(lambda c=call: c.hangup(480), "拒接")
                return
            call.on_state(lambda c, s: self._bridge.state.emit(c, s))
            self._bridge.incoming.emit(call)

    def _unregister_now(self) -> None:     # worker thread
        if self._watch_stop is not None:
            self._watch_stop.set()
        phone, self.phone = self.phone, None
        if phone is not None:
            phone.close()

    def unregister(self) -> None:
        self._poll.stop()
        self.call = None
        self._set_state("idle")
        self._submit(self._unregister_now, "SIP 注销")
        if self.is_registered:
            self.is_registered = False
            self.registered.emit(False, 0)

    def renew_registration(self) -> None:
        """Asterisk restarted (the service says so): register again at once, not at expiry."""
        phone = self.phone
        if phone is not None:
            self._submit(phone.renew_registration, "SIP 注册")

    @Slot()
    def _poll_registration(self) -> None:
        phone = self.phone
        if phone is None:
            return
        ok, status = bool(phone.registered), int(phone.reg_status or 0)
        if ok != self.is_registered or (not ok and status != self._last_status):
            self.is_registered = ok
            self._last_status = status
            self.registered.emit(ok, status)

    # ---------------------------------------------------------- events --
    @Slot(object)
    def _on_incoming(self, call) -> None:
        if self.call is not None and not self.call.ended:
            self._submit(lambda: call.hangup(486), "拒接")     # one call at a time on a desk
            return
        self.call = call
        self.muted = self.held = False
        number, name = caller_from_uri(call.remote_uri)
        self._set_state("ringing")
        self.incoming.emit({"remote_uri": call.remote_uri, "number": number, "name": name,
                            "sip_call_id": call.sip_call_id})
        if call.ended:          # the caller gave up before we saw it
            self._on_state(call, "DISCONNECTED")

    @Slot(object, str)
    def _on_state(self, call, state: str) -> None:
        if call is not self.call:
            return
        if state == "CONFIRMED":
            self._set_state("held" if self.held else "talking")
        elif state == "DISCONNECTED":
            self.call = None
            if self.muted:
                self.muted = False
                self.muted_changed.emit(False)
            if self.held:
                self.held = False
                self.held_changed.emit(False)
            self._set_state("ended")
            self._set_state("idle")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.call_state.emit(state)

    # --------------------------------------------------------- commands --
    def answer(self) -> None:
        call = self.call
        if call is not None and self.state == "ringing":
            self._submit(lambda: call.answer(200), "接听")

    def reject(self) -> None:
        call = self.call
        if call is not None and self.state == "ringing":
            self._submit(lambda: call.hangup(486), "拒接")

    def hangup(self) -> None:
        call = self.call
        if call is not None:
            self._submit(call.hangup, "挂机")

    def hold(self, on: bool = True) -> None:
        call = self.call
        if call is None or self.state not in ("talking", "held") or on == self.held:
            self.held_changed.emit(self.held)
            return
        self.held = on
        self.held_changed.emit(on)
        self._set_state("held" if on else "talking")

        def do():
            if on:
                call.hold(timeout=5)
            else:
                call.unhold(timeout=5)
                if self.muted:                 # the re-INVITE rewired the microphone
                    self._apply_mute(call, True)
        self._submit(do, "保持" if on else "恢复通话")

    def mute(self, on: bool = True) -> None:
        call = self.call
        if call is None or on == self.muted:
            self.muted_changed.emit(self.muted)
            return
        self.muted = on
        self.muted_changed.emit(on)
        self._submit(lambda: self._apply_mute(call, on), "静音")

    @staticmethod
    def _apply_mute(call, on: bool) -> None:      # worker thread → stack thread
        def do():
            pjc = getattr(call, "_pj", None)
            if pjc is None:
                return
            audio = pjc.getAudioMedia(-1)
            cap = call.stack.ep.audDevManager().getCaptureDevMedia()
            if on:
                cap.stopTransmit(audio)
            else:
                cap.startTransmit(audio)
        call.stack.call(do)

    def _target(self, ext: str) -> str:
        """The transfer target as a 工号 (3 to 6 digits, as the directory lists them), or ''."""
        ext = (ext or "").strip()
        if self.call is None or self.state not in ("talking", "held"):
            self.error.emit("没有通话可转接")
            return ""
        if not re.fullmatch(wire.TRANSFER_TARGET_PATTERN, ext):
            self.error.emit("请从列表中选择转接对象")
            return ""
        return ext

    def transfer(self, ext: str) -> None:
        """Blind transfer to a 工号 (team lead / agent). If the target does not take the call,
        the dialplan brings the caller back to this phone (or to the queue, first in line)."""
        call = self.call
        ext = self._target(ext)
        if not ext or self.consult_call is not None:
            return
        self._submit(lambda: call.transfer(ext), "转接")

        def settle():   # own thread: the one command worker must stay free meanwhile
            try:
                status = call.wait_transfer(20)
            except TimeoutError:
                status = 0
            if 200 <= status < 300:
                if not call.ended:       # RFC 5589: the transferor ends its leg once it worked
                    self._submit(call.hangup, "挂机")
            else:
                self._bridge.failed.emit(f"转接 {ext} 未成功（{status or '无应答'}），通话仍在本机")
        threading.Thread(target=settle, daemon=True, name="softphone-transfer").start()

    # ------------------------------------------------ attended transfer --
    def consult(self, ext: str) -> None:
        """Attended transfer, step 1: the caller on hold, a second call to `ext` (the team lead)."""
        call = self.call
        ext = self._target(ext)
        if not ext or self.consult_call is not None:
            return
        if not self.held:
            self.hold(True)
        self._set_consult("calling")

        def do():
            consult = self.phone.dial(ext)
            consult.on_state(lambda c, s: self._bridge.consult.emit(c, s))
            self._bridge.consult.emit(consult, "CALLING")
            if consult.ended:
                self._bridge.consult.emit(consult, "DISCONNECTED")
        if call is not None:
            self._submit(do, "咨询转接")

    def complete_transfer(self) -> None:
        """Attended transfer, step 2: the caller and the team lead talk (REFER with Replaces);
        this desk's two legs end once Asterisk says it worked."""
        call, consult = self.call, self.consult_call
        if call is None or consult is None or self.consulting != "talking":
            self.error.emit("咨询通话未接通，无法完成转接")
            return
        self._set_consult("transferring")
        self._submit(lambda: call.transfer_replacing(consult), "完成转接")

        def settle():   # own thread: the command worker stays free
            try:
                status = call.wait_transfer(20)
            except TimeoutError:
                status = 0
            self._bridge.transferred.emit(call, status)
        threading.Thread(target=settle, daemon=True, name="softphone-attended").start()

    def cancel_consult(self) -> None:
        """Back to the caller: the consultation (if any) ends and the caller is taken off hold."""
        consult = self.consult_call
        if consult is not None:
            self._submit(consult.hangup, "结束咨询")
        elif self.held:
            self.hold(False)

    @Slot(object, str)
    def _on_consult_state(self, consult, state: str) -> None:
        if state == "CALLING" and self.consult_call is None and self.consulting == "calling":
            self.consult_call = consult
            return
        if consult is not self.consult_call:
            return
        if state == "CONFIRMED" and self.consulting == "calling":
            self._set_consult("talking")
        elif state == "DISCONNECTED":
            transferring = self.consulting == "transferring"
            self.consult_call = None
            self._set_consult("none")
            if not transferring:
                if 300 <= (consult.last_status or 0) and consult.connected_at is None:
                    self.error.emit(f"咨询未接通（{consult.last_status}），已回到来电")
                if self.call is not None and self.held:
                    self.hold(False)           # the caller is back with the agent

    @Slot(object, int)
    def _on_transferred(self, call, status: int) -> None:
        if 200 <= status < 300:
            for leg in (call, self.consult_call):
                if leg is not None and not leg.ended:
                    self._submit(leg.hangup, "挂机")
        else:
            self.error.emit(f"转接未成功（{status or '无应答'}），请取回来电")
            if self.consulting == "transferring":
                self._set_consult("talking" if self.consult_call is not None else "none")

    def _set_consult(self, state: str) -> None:
        if state != self.consulting:
            self.consulting = state
            self.consult_state.emit(state)

    def dtmf(self, digit: str) -> None:
        call = self.call
        if call is None or not re.fullmatch(r"[0-9*#A-D]", digit or ""):
            return
        self._submit(lambda: call.send_dtmf(digit, gap=0), "发送按键")

    def play_file(self, path: str) -> None:
        """Play a WAV (the caller's voice description) to the headset through pjsua2."""
        if not HAVE_PJSUA2:
            self.error.emit("软电话不可用，无法播放")
            return

        def do():
            stack = self.stack or sipphone.SipStack.instance()
            self.stack = stack

            def play():                       # on the stack thread: the old player dies here
                mgr = stack.ep.audDevManager()
                if self._player is not None:
                    try:
                        self._player.stopTransmit(mgr.getPlaybackDevMedia())
                    except Exception:
                        pass
                    self._player = None
                p = pj.AudioMediaPlayer()
                p.createPlayer(path, pj.PJMEDIA_FILE_NO_LOOP)
                p.startTransmit(mgr.getPlaybackDevMedia())
                self._player = p
            stack.call(play)
        self._submit(do, "播放")

    def stop_playing(self) -> None:
        """Stop the recording playing in the headset (the QA screen's pause, seek and speed)."""
        if not HAVE_PJSUA2 or self.stack is None:
            return
        stack = self.stack

        def do():
            def stop():                       # on the stack thread, like the player's start
                if self._player is not None:
                    try:
                        self._player.stopTransmit(stack.ep.audDevManager().getPlaybackDevMedia())
                    except Exception:
                        pass
                    self._player = None
            stack.call(stop)
        self._submit(do, "停止播放")

    def shutdown(self) -> None:
        self._poll.stop()

        def do():
            self._unregister_now()
            stack = self.stack
            if stack is not None and self._player is not None and stack.alive:
                def drop():
                    self._player = None
                stack.call(drop)
        try:
            self._pool.submit(do).result(5)
        except Exception:
            pass
        self._pool.shutdown(wait=False)
