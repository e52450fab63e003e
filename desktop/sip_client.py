"""The agent's softphone: hotline.sipphone (pjsua2 on its own thread) wrapped in a QObject.

pjsua2 runs only on the SipStack thread. Its callbacks (registration, incoming
call, call/media state) are turned into signals of a small bridge QObject that
lives in the GUI thread, so they arrive queued. Commands from the GUI go to a
single worker thread that hands them to pjsua2 via ``stack.run`` — the GUI thread
never calls pjsua2 and never waits for it.
"""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal, Slot

try:   # the desktop still starts (without a phone) if pjsua2 is missing
    import pjsua2 as pj
    from hotline.sipphone import Call, Phone, SipStack, _media_ports
    HAVE_PJSUA2 = True
except Exception:  # pragma: no cover - depends on the PC
    pj = None
    Call = Phone = SipStack = object  # type: ignore
    _media_ports = None
    HAVE_PJSUA2 = False

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def caller_from_uri(uri: str) -> tuple[str, str]:
    """'"Zhang" <sip:13900001111@gw>' → ("13900001111", "Zhang")."""
    name = ""
    m = re.match(r'\s*"([^"]*)"', uri or "")
    if m:
        name = m.group(1)
    m = re.search(r"sips?:([^@;>]+)", uri or "")
    return (m.group(1) if m else (uri or "")), name


class _Bridge(QObject):
    """Lives in the GUI thread; emitted from the pjsua2 thread (queued delivery)."""
    reg = Signal(bool, int, str)
    incoming = Signal(object)
    state = Signal(object, str)
    media = Signal(object)


if HAVE_PJSUA2:
    class DeskCall(Call):
        """A call leg that reports its state changes to the bridge."""
        bridge: _Bridge | None = None

        def __init__(self, stack, account, call_id=pj.PJSUA_INVALID_ID, bridge=None):
            super().__init__(stack, account, call_id)
            self.bridge = bridge
            self.muted = False
            self.audio = None

        def onCallState(self, prm):
            super().onCallState(prm)
            if self.bridge is not None:
                self.bridge.state.emit(self, self.state)

        def onCallMediaState(self, prm):
            super().onCallMediaState(prm)
            ci = self.getInfo()
            for i, mi in enumerate(ci.media):
                if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    self.audio = self.getAudioMedia(i)
                    if self.muted:      # a re-INVITE (hold/unhold) rewires the bridge: keep mute
                        self._apply_mute()
            if self.bridge is not None:
                self.bridge.media.emit(self)

        def _apply_mute(self) -> None:      # pjsua2 thread
            if self.audio is None:
                return
            cap = self.stack.ep.audDevManager().getCaptureDevMedia()
            if self.muted:
                cap.stopTransmit(self.audio)
            else:
                cap.startTransmit(self.audio)

    class DeskPhone(Phone):
        """The agent's registered account; incoming calls become DeskCalls."""
        bridge: _Bridge | None = None

        def onRegState(self, prm):
            super().onRegState(prm)
            if self.bridge is not None:
                try:
                    reason = self.getInfo().regStatusText
                except Exception:
                    reason = ""
                self.bridge.reg.emit(self.registered, int(self.reg_status), reason)

        def onIncomingCall(self, prm):
            call = DeskCall(self.stack, self, prm.callId, self.bridge)
            call.state = "INCOMING"
            call.history.append("INCOMING")
            call.remote_uri = call.getInfo().remoteUri
            busy = any(c.state not in ("DISCONNECTED",) for c in self.calls)
            self.calls.add(call)
            if busy:                       # one call at a time on a desk
                call.answer(486)
                return
            call.answer(180)
            if self.bridge is not None:
                self.bridge.incoming.emit(call)
else:  # pragma: no cover
    DeskCall = DeskPhone = None  # type: ignore


class SoftPhone(QObject):
    """Qt face of the agent's SIP phone.

    Signals: registered(bool ok, int status), incoming(dict call_info),
    call_state(str: idle/ringing/talking/held/ended), muted_changed(bool),
    held_changed(bool), error(str).
    """
    registered = Signal(bool, int)
    incoming = Signal(dict)
    call_state = Signal(str)
    muted_changed = Signal(bool)
    held_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, *, real_audio: bool | None = None):
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.reg.connect(self._on_reg)
        self._bridge.incoming.connect(self._on_incoming)
        self._bridge.state.connect(self._on_state)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="softphone")
        self.stack = None
        self.phone = None
        self.call = None
        self.sip: dict = {}
        self.is_registered = False
        self.muted = False
        self.held = False
        self.state = "idle"
        if real_audio is None:
            real_audio = os.environ.get("HOTLINE_NULL_AUDIO", "") in ("", "0") and \
                os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"
        self.real_audio = real_audio
        self._player = None

    @property
    def available(self) -> bool:
        return HAVE_PJSUA2

    # ----------------------------------------------------------- worker --
    def _submit(self, fn, what: str) -> None:
        def job():
            try:
                fn()
            except Exception as exc:   # report, never crash the GUI
                self.error.emit(f"{what}失败: {exc}")
        self._pool.submit(job)

    # ------------------------------------------------------ registration --
    def register(self, sip: dict) -> None:
        """Register with the `sip` dict from the login answer (server, port, username, password)."""
        if not HAVE_PJSUA2:
            self.error.emit("本机未安装 pjsua2，软电话不可用")
            return
        self.sip = dict(sip or {})
        host = str(self.sip.get("server") or "127.0.0.1")
        port = int(self.sip.get("port") or 5060)
        user, password = str(self.sip.get("username", "")), str(self.sip.get("password", ""))

        def do():
            self._unregister_now()
            stack = SipStack.instance()
            self.stack = stack
            if self.real_audio:
                self._try_real_audio(stack)
            phone = DeskPhone(stack, port, host)
            phone.bridge = self._bridge

            def make():
                cfg = pj.AccountConfig()
                cfg.idUri = f"sip:{user}@{host}"
                cfg.regConfig.registrarUri = f"sip:{phone.server}"
                cfg.regConfig.timeoutSec = 120
                cfg.regConfig.retryIntervalSec = 2       # pjsua2 re-registers by itself
                cfg.regConfig.firstRetryIntervalSec = 2
                cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
                _media_ports(cfg)
                if host not in _LOOPBACK:             # a server on the LAN: reachable transports
                    cfg.sipConfig.transportId = self._lan_transport(stack)
                    cfg.mediaConfig.transportConfig.boundAddress = ""
                phone.create(cfg)
            stack.run(make)
            self.phone = phone
            self._bridge.reg.emit(phone.registered, int(phone.reg_status), "")
        self._submit(do, "SIP 注册")

    @staticmethod
    def _lan_transport(stack) -> int:
        tid = getattr(stack, "_desk_lan_tid", None)
        if tid is None:
            tcfg = pj.TransportConfig()
            tcfg.port = 0
            tid = stack.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            stack._desk_lan_tid = tid
        return tid

    def _try_real_audio(self, stack) -> None:
        def do():
            mgr = stack.ep.audDevManager()
            mgr.setCaptureDev(-1)     # PJMEDIA_AUD_DEFAULT_CAPTURE_DEV
            mgr.setPlaybackDev(-2)    # PJMEDIA_AUD_DEFAULT_PLAYBACK_DEV
        try:
            stack.run(do)
        except Exception:
            try:
                stack.run(lambda: stack.ep.audDevManager().setNullDev())
            except Exception:
                pass
            self.error.emit("未找到耳机/声卡，使用静音设备")

    def _unregister_now(self) -> None:     # worker thread
        phone, self.phone = self.phone, None
        if phone is not None:
            phone.bridge = None
            phone.close()

    def unregister(self) -> None:
        self.call = None
        self._set_state("idle")
        self._submit(self._unregister_now, "SIP 注销")
        if self.is_registered:
            self.is_registered = False
            self.registered.emit(False, 0)

    # ---------------------------------------------------------- events --
    @Slot(bool, int, str)
    def _on_reg(self, ok: bool, status: int, _reason: str) -> None:
        if self.phone is None and ok:
            return
        changed = ok != self.is_registered
        self.is_registered = ok
        if changed or not ok:
            self.registered.emit(ok, status)

    @Slot(object)
    def _on_incoming(self, call) -> None:
        self.call = call
        self.muted = self.held = False
        number, name = caller_from_uri(call.remote_uri)
        self._set_state("ringing")
        self.incoming.emit({"remote_uri": call.remote_uri, "number": number, "name": name,
                            "sip_call_id": call.sip_call_id})

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
        if call is not None:
            self._submit(call.hangup, "拒接")

    def hangup(self) -> None:
        call = self.call
        if call is not None:
            self._submit(call.hangup, "挂机")

    def hold(self, on: bool = True) -> None:
        call = self.call
        if call is None or self.state not in ("talking", "held") or on == self.held:
            return
        self.held = on
        self.held_changed.emit(on)
        self._set_state("held" if on else "talking")
        self._submit(call.hold if on else call.unhold, "保持" if on else "恢复通话")

    def mute(self, on: bool = True) -> None:
        call = self.call
        if call is None or on == self.muted:
            return
        self.muted = on
        self.muted_changed.emit(on)

        def do():
            call.muted = on
            call.stack.run(call._apply_mute)
        self._submit(do, "静音")

    def transfer(self, ext: str) -> None:
        """Blind transfer to a 工号 (team lead / agent) or another queue extension."""
        call = self.call
        ext = (ext or "").strip()
        if call is None:
            self.error.emit("没有通话可转接")
            return
        if not re.fullmatch(r"[0-9*#]{1,16}", ext):
            self.error.emit("请输入要转接的工号或分机号")
            return
        host = str(self.sip.get("server") or "127.0.0.1")
        port = int(self.sip.get("port") or 5060)
        self._submit(lambda: call.transfer(f"sip:{ext}@{host}:{port}"), "转接")

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
            stack = self.stack or SipStack.instance()
            self.stack = stack

            def play():
                if self._player is not None:
                    try:
                        self._player.stopTransmit(stack.ep.audDevManager().getPlaybackDevMedia())
                    except Exception:
                        pass
                p = pj.AudioMediaPlayer()
                p.createPlayer(path, pj.PJMEDIA_FILE_NO_LOOP)
                p.startTransmit(stack.ep.audDevManager().getPlaybackDevMedia())
                self._player = p
            stack.run(play)
        self._submit(do, "播放")

    def shutdown(self) -> None:
        def do():
            self._unregister_now()
        try:
            self._pool.submit(do).result(5)
        except Exception:
            pass
        self._pool.shutdown(wait=False)
