"""sipp for the bench: RFC 4733 keys as pcaps, the intake's key schedule, a caller's scenario,
one run's counts, the tickets checked.

Used by benchmarks/ivr_sipp.py (the capacity ladder) and the real-stack tests (a call refused
beyond the RTP range's limit; two nodes on one PostgreSQL). sipp is Debian's sip-tester.
"""
from __future__ import annotations

import csv
import os
import socket
import struct
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from db.models import AccountPhone, Call, Category, Ticket
from hotline.admin.amiclient import AmiEventLog
from common import wire
from common.ami import ami_action
from common.naming import QUEUE
from ivr.prompts import P

#: RFC 4733 event codes
EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
#: the intake's keys: address confirmed, leak, call-back confirmed, end of the voice description
INTAKE_KEYS = ("1", "2", "1", "#")


# ------------------------------------------------------------------- pcaps --

def write_dtmf_pcap(path: Path, key: str, index: int) -> None:
    """One RFC 4733 key (200 ms, then the end packet three times) as a pcap sipp can replay:
    Ethernet/IPv4/UDP, payload type 101. `index` gives each key of a call its own RTP sequence
    numbers and timestamp, so Asterisk takes each as a new event."""
    seq0, ts, ssrc = 1000 * (index + 1), 80000 * (index + 1), 0x0E05384E
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    packets = [(i, i * 160, False) for i in range(1, 8)] + [(8, 1280, True)] * 3
    t0 = 1_700_000_000.0
    for n, (i, duration, end) in enumerate(packets):
        marker = 0x80 if n == 0 else 0
        rtp = struct.pack("!BBHII", 0x80, marker | 101, (seq0 + min(i, 8)) & 0xFFFF, ts, ssrc)
        rtp += struct.pack("!BBH", EVENTS[key], (0x80 if end else 0) | 10, duration)
        udp = struct.pack("!HHHH", 4000, 4000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                         socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1")) + udp
        frame = b"\0" * 12 + b"\x08\x00" + ip
        t = t0 + 0.02 * min(i, 8) + (0.00005 * n if end else 0)
        out.append(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))


# ---------------------------------------------------------------- scenario --

def wav_s(path: Path) -> float:
    return max(0.0, (path.stat().st_size - 44) / 16000)


def schedule(s, queue_s: float) -> tuple[list[tuple[float, str]], float]:
    """(seconds after answer, key) for the intake, and the time on the line before BYE."""
    d = {p: wav_s(s.prompts_dir / f"{p}.wav") for p in (
        P.greeting_hello, P.greeting_welcome, P.your_address_is, P.voice_description, P.ticket_number_is,
        P.ticket_number_repeat, P.queue_transfer, P.digit_0)}
    # each key in the middle of the window its menu leaves (a key before the menu starts is lost:
    # between AGI commands nobody reads the channel), so a few seconds of lag under load are fine
    k1 = d[P.greeting_hello] + d[P.greeting_welcome] + 3.0     # during 您登记的地址是 … / the confirm menu
    k2 = k1 + 5.0                                               # during the problem menu (12 s)
    k3 = k2 + 5.0                                               # during 您的回电号码是 + the number
    k4 = k3 + 1.0 + d[P.voice_description] + 4.0                # recording after the beep
    queued = k4 + 1.0 + d[P.ticket_number_is] + 10 * d[P.digit_0] + d[P.ticket_number_repeat] + 2.5 \
        + d[P.queue_transfer]
    return list(zip((k1, k2, k3, k4), INTAKE_KEYS)), queued + queue_s


def intake_pcaps(work: Path, keys: list[tuple[float, str]]) -> list[Path]:
    """A pcap per key of the schedule, each with its own RTP sequence numbers and timestamps."""
    out = []
    for i, (_t, key) in enumerate(keys):
        out.append(work / f"key{i}_{'pound' if key == '#' else key}.pcap")
        write_dtmf_pcap(out[-1], key, i)
    return out


def scenario_xml(keys: list[tuple[float, str]], pcaps: list[Path], on_line: float) -> str:
    steps, at = [], 0.0
    for (t, _key), pcap in zip(keys, pcaps):
        steps.append(f'  <pause milliseconds="{int((t - at) * 1000)}"/>\n'
                     f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n')
        at = t
    steps.append(f'  <pause milliseconds="{int((on_line - at) * 1000)}"/>\n')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<scenario name="hotline intake">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=sendrecv
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]:[local_port]>;tag=[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
{''.join(steps)}  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]:[local_port]>;tag=[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""


#: starts of a sipp that exits at once (a port taken under it), and how long it must stay up
SIPP_STARTS, SIPP_SETTLE_S = 3, 1.0


def free_udp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def start_sipp(work: Path, name: str, sip_port: int, extension: str, scenario: str, numbers: list[str],
               concurrency: int, rate: float) -> subprocess.Popen:
    """sipp placing `numbers`' calls in the background (its output in <work>/<name>.out, its
    statistics in <name>_stat.csv): a fault test kills what it calls into while these run.

    sipp's own ports are picked free and then bound by sipp: in between, an Asterisk on this
    machine may take one for RTP (random RTP blocks share the ephemeral range) and sipp exits at
    once, placing nothing — a fault test then counted a whole run of callers as lost. A sipp
    that is gone within its first second is started again on fresh ports."""
    sf, inf = work / f"{name}.xml", work / f"{name}.csv"
    sf.write_text(scenario)
    inf.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    stat = work / f"{name}_stat.csv"
    for attempt in range(SIPP_STARTS):
        argv = ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(sf), "-inf", str(inf), "-s", extension,
                "-i", "127.0.0.1", "-p", str(free_udp()), "-mi", "127.0.0.1", "-mp", str(free_udp()),
                "-l", str(concurrency), "-m", str(len(numbers)), "-r", f"{rate:g}", "-max_socket", "4096",
                "-trace_stat", "-stf", str(stat), "-fd", "1", "-trace_err", "-error_file", str(work / f"{name}_err.log"),
                "-nostdin", "-timeout", str(int(300 + len(numbers) * 2)), "-timeout_error"]
        out = work / f"{name}.out"
        with out.open("w") as log:
            proc = subprocess.Popen(argv, cwd=work, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not _exited_without_calls(proc, stat):
            return proc                         # placing its calls (or done with them: left unreaped)
        proc.wait()
        if attempt == SIPP_STARTS - 1:
            raise RuntimeError(f"sipp exited at start (exit {proc.returncode}): {out.read_text()[-400:]}")
    raise AssertionError("unreachable")


def _exited_without_calls(proc: subprocess.Popen, stat: Path) -> bool:
    """Whether sipp is gone within SIPP_SETTLE_S having created no call; polled without reaping
    it, so that run_sipp's wait4 still reads its CPU time."""
    deadline = time.monotonic() + SIPP_SETTLE_S
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            rows = list(csv.reader(stat.open(), delimiter=";")) if stat.exists() else []
            return len(rows) < 2 or rows[-1][rows[0].index("TotalCallCreated")] == "0"
        time.sleep(0.05)
    return False


def run_sipp(work: Path, name: str, sip_port: int, extension: str, scenario: str, numbers: list[str],
             concurrency: int, rate: float) -> dict:
    """One sipp run; {'placed', 'ok', 'failed'} from its statistics file, and sipp's own CPU seconds."""
    proc = start_sipp(work, name, sip_port, extension, scenario, numbers, concurrency, rate)
    # wait4: this child's own CPU (RUSAGE_CHILDREN would add any other child reaped meanwhile)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stat = work / f"{name}_stat.csv"
    rows = list(csv.reader(stat.open(), delimiter=";")) if stat.exists() else []
    if len(rows) < 2:
        raise RuntimeError(f"sipp wrote no statistics (exit {proc.returncode}): see {work / f'{name}.out'}")
    head, last = rows[0], rows[-1]
    col = {k: i for i, k in enumerate(head)}
    return {"placed": int(last[col["TotalCallCreated"]]), "ok": int(last[col["SuccessfulCall(C)"]]),
            "failed": int(last[col["FailedCall(C)"]]),
            # the callers' side shares the machine: its CPU is part of the picture
            "sipp_cpu_s": usage.ru_utime + usage.ru_stime}


def outcome(run: dict) -> dict:
    """A run's calls alone (placed, ok, failed): what tests compare, without the CPU figure."""
    return {k: run[k] for k in ("placed", "ok", "failed")}




def tickets_right(sessions, numbers: list[str]) -> set[str]:
    """The callers whose call left exactly one ticket, with their account, leak, 加急 and the
    call-back number."""
    right = set()
    with sessions() as db:
        account_of = dict(db.execute(select(AccountPhone.phone, AccountPhone.account_id)
                                     .where(AccountPhone.phone.in_(numbers))).all())
        for n in numbers:
            calls = db.scalars(select(Call).where(Call.caller == n)).all()
            tickets = [db.get(Ticket, c.ticket_id) for c in calls if c.ticket_id]
            if len(calls) == 1 and len(tickets) == 1:
                t = tickets[0]
                if t.account_id == account_of.get(n) and t.category is Category.leak \
                        and t.priority == wire.PRIORITY_URGENT and t.callback_number == n:
                    right.add(n)
    return right


def stand_by_member(ami: AmiEventLog) -> None:
    """A paused queue member whose device state is NOT_INUSE (a Local channel to an existing
    extension): callers join and wait; nobody is rung."""
    r = ami.action(ami_action("QueueAdd", Queue=QUEUE, Interface="Local/hangup@hotline", MemberName="bench",
                              Paused="true", Reason="bench"))
    if r.get("Response") != "Success":
        raise RuntimeError(f"stand-by member: {r}")
