"""What the service keeps current in Asterisk's PJSIP config while the hotline runs.

- **The agents' phones** (`pjsip_agents.generated.conf`, common.agent_phones): a desk's SIP secret
  is replaced at logout (hotline.service.desk), and Asterisk must refuse the old one at once — the
  file is rewritten from the database and PJSIP reloaded before the logout is answered.
- **Addresses that keep guessing SIP passwords** (`pjsip_banned.generated.conf`): Asterisk has no
  limit of its own on failed authentications; it reports each one as a security event over AMI
  (`ChallengeResponseFailed`, `InvalidPassword`). An address past `HOTLINE_SIP_FAILURES_PER_ADDRESS`
  in 15 minutes goes into a PJSIP ACL: every request from it is refused (403) for 15 minutes, then
  the ban lapses. The PSTN gateway's address is never banned (every resident's call comes from it).

Both reach Asterisk the way the admin CLI does: the file written whole, then `module reload
res_pjsip.so` through Asterisk's own CLI socket (a fixed command; the service's AMI user may not
reload anything). No text from the network reaches the file unparsed: an address is written only
as `ipaddress` prints it.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from db.queries import agent_phones
from hotline.aftercall.rules import add_audit
from hotline.service.desk import FailureWindow
from common.agent_phones import AGENTS_FILE, agents_conf, write_generated
from common.naming import BANNED_FILE
from common.phones import mask_phone
from common.settings import Settings

log = logging.getLogger("hotline.sip")

#: the window failures are counted in, and how long a ban lasts (as the agent API's login limit)
WINDOW_S = BAN_S = 15 * 60
#: the security events that are a wrong guess: a digest answered wrongly (known phone or not —
#: Asterisk challenges unknown names too, so both look alike), a plain password refused
FAILURES = ("ChallengeResponseFailed", "InvalidPassword")
#: the PJSIP section of the ban list (pjsip.conf includes the file)
ACL_SECTION = "hotline-banned"
RELOAD = "module reload res_pjsip.so"
#: a change Asterisk did not take is tried again at a login, but not more often than this (a burst
#: of logins while Asterisk is away waits for no reload each)
RETRY_S = 5.0
_PHONE_NAME = re.compile(r"agent-[0-9]{1,16}")


def shown_account(account) -> str:
    """The name a failed request gave, for the log: a desk phone's as it is, anything else (a
    number, junk) masked like a phone number — Asterisk's own log no longer says it (logger.conf)."""
    text = str(account or "")
    return text if _PHONE_NAME.fullmatch(text) else mask_phone(text)


def event_address(event: dict) -> str | None:
    """The source address of a security event ('IPV4/UDP/10.0.0.9/5060', 'IPV6/UDP/[::1]/5060'),
    normalised; None for anything that is not one address."""
    parts = str(event.get("RemoteAddress", "")).split("/")
    if len(parts) < 4:
        return None
    try:
        return str(ipaddress.ip_address("/".join(parts[2:-1]).strip("[]")))
    except ValueError:
        return None


def banned_conf(addresses) -> str:
    """The PJSIP ACL refusing `addresses` (already normalised); empty: nobody is banned."""
    if not addresses:
        return ""
    return f"[{ACL_SECTION}]\ntype = acl\n" + "".join(f"deny = {a}\n" for a in sorted(addresses))


class SipGuard:
    """`rx(command)`: the argv of `asterisk -rx command` to the running Asterisk, None when there is
    none (common.runstate.asterisk_rx). `clock`: seconds, monotonic (a pinned HOTLINE_TODAY must
    not stop a ban from lapsing)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 rx: Callable[[str], list[str] | None], clock: Callable[[], float] = time.monotonic):
        self.settings, self.sessions, self.rx, self.clock = settings, sessions, rx, clock
        self.failures = FailureWindow(WINDOW_S, settings.sip_failures_per_address)
        self.banned: dict[str, float] = {}          # address → when its ban lapses (clock)
        self._lock = asyncio.Lock()
        #: the agents' file or the ban list was written but Asterisk did not take it: next time again
        self.stale = False
        self._retry_at = 0.0
        self._exempt = self._gateway(settings.pstn_gateway)

    @staticmethod
    def _gateway(spec: str):
        try:
            return ipaddress.ip_network(spec.strip(), strict=False)
        except ValueError:           # a host name: compared as written
            return spec.strip()

    def exempt(self, address: str) -> bool:
        if isinstance(self._exempt, str):
            return address == self._exempt
        return ipaddress.ip_address(address) in self._exempt

    @property
    def etc(self):
        return self.settings.asterisk_dir / "etc"

    # ------------------------------------------------------------ reloads --
    async def _reload(self) -> bool:
        argv = self.rx(RELOAD)
        if argv is None:
            log.warning("no running Asterisk in the run state: PJSIP not reloaded")
            return False
        try:
            proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT)
        except OSError as exc:
            log.warning("PJSIP reload failed: %s", exc)
            return False
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=15)
        except asyncio.TimeoutError:
            proc.kill()                    # ours, by its own handle
            await proc.wait()
            log.warning("PJSIP reload unanswered in 15 s")
            return False
        text = out.decode(errors="replace").strip()
        if proc.returncode != 0 or "successfully" not in text:
            log.warning("PJSIP reload failed (exit %s): %s", proc.returncode, text[:200])
            return False
        return True

    async def _apply(self, write: Callable[[], object]) -> bool:
        """Write (in a worker thread: it may read the database) and reload, one at a time."""
        async with self._lock:
            self._retry_at = self.clock() + RETRY_S
            try:
                await asyncio.to_thread(write)
            except Exception as exc:     # DB away, disk full: Asterisk keeps what it has
                log.warning("could not write Asterisk's PJSIP config: %s", exc)
                self.stale = True
                return False
            ok = await self._reload()
            self.stale = not ok
            return ok

    def _write_phones(self) -> None:
        with self.sessions() as db:
            phones = agent_phones(db)
        write_generated(self.etc / AGENTS_FILE, agents_conf(phones))

    def _write_bans(self) -> None:
        write_generated(self.etc / BANNED_FILE, banned_conf(self.banned))

    def _write_all(self) -> None:
        self._write_phones()
        self._write_bans()

    async def phones_changed(self) -> bool:
        """A SIP secret changed in the database (a logout): Asterisk takes the agents' phones as the
        database has them now. False (and logged) when it could not: tried again at the next login."""
        return await self._apply(self._write_all)

    async def ensure_current(self) -> None:
        """Before a login is answered: an earlier change Asterisk did not take is tried again."""
        if self.stale and self.clock() >= self._retry_at:
            await self._apply(self._write_all)

    async def asterisk_restarted(self) -> None:
        """Asterisk (re)started from a freshly generated config (no bans): the live bans go back."""
        if self.banned or self.stale:
            await self._apply(self._write_all)

    # --------------------------------------------------------------- bans --
    async def security_event(self, event: dict) -> None:
        """An AMI security event: a failed authentication counts against its source address."""
        if event.get("Event") not in FAILURES:
            return
        address = event_address(event)
        if address is None:
            return
        who = shown_account(event.get("AccountID"))
        if self.exempt(address) or address in self.banned:
            log.info("SIP: failed authentication as %s from %s", who, address)
            return
        failed = self.failures.add(address)
        log.info("SIP: failed authentication as %s from %s (%d of %d)", who, address, failed,
                 self.settings.sip_failures_per_address)
        if failed < self.settings.sip_failures_per_address:
            return
        self.banned[address] = self.clock() + BAN_S
        log.warning("SIP: %s failed %d authentications within %d min: refused for %d min",
                    address, failed, WINDOW_S // 60, BAN_S // 60)
        await asyncio.to_thread(self._audit, "sip_banned", address)
        await self._apply(self._write_bans)

    async def lift_expired(self) -> list[str]:
        """Bans whose time is up lapse (the address may try again)."""
        now = self.clock()
        lapsed = [a for a, until in self.banned.items() if until <= now]
        for a in lapsed:
            del self.banned[a]
            log.info("SIP: the ban of %s lapsed", a)
        if lapsed:
            await self._apply(self._write_bans)
        return lapsed

    def _audit(self, action: str, address: str) -> None:
        try:
            with self.sessions() as db, db.begin():
                add_audit(db, "asterisk", action, "address", address,
                          limit=self.settings.sip_failures_per_address, minutes=BAN_S // 60)
        except Exception as exc:   # the ban holds without its audit entry
            log.warning("could not audit %s of %s: %s", action, address, exc)
