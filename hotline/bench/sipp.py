"""sipp for the bench: RFC 4733 keys as pcaps, a caller's scenario, one run's counts.

Used by benchmarks/ivr_sipp.py (the capacity ladder) and the capacity tests (a call refused
beyond the RTP range's limit). sipp is Debian's sip-tester.
"""
from __future__ import annotations

import csv
import socket
import struct
import subprocess
from pathlib import Path

#: RFC 4733 event codes
EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}


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


def free_udp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def run_sipp(work: Path, name: str, sip_port: int, extension: str, scenario: str, numbers: list[str],
             concurrency: int, rate: float) -> dict:
    """One sipp run; {'placed', 'ok', 'failed'} from its statistics file."""
    sf, inf = work / f"{name}.xml", work / f"{name}.csv"
    sf.write_text(scenario)
    inf.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    stat = work / f"{name}_stat.csv"
    argv = ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(sf), "-inf", str(inf), "-s", extension,
            "-i", "127.0.0.1", "-p", str(free_udp()), "-mi", "127.0.0.1", "-mp", str(free_udp()),
            "-l", str(concurrency), "-m", str(len(numbers)), "-r", f"{rate:g}", "-max_socket", "4096",
            "-trace_stat", "-stf", str(stat), "-fd", "1", "-trace_err", "-error_file", str(work / f"{name}_err.log"),
            "-nostdin", "-timeout", str(int(300 + len(numbers) * 2)), "-timeout_error"]
    log = (work / f"{name}.out").open("w")
    r = subprocess.run(argv, cwd=work, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    rows = list(csv.reader(stat.open(), delimiter=";")) if stat.exists() else []
    if len(rows) < 2:
        raise RuntimeError(f"sipp wrote no statistics (exit {r.returncode}): see {work / f'{name}.out'}")
    head, last = rows[0], rows[-1]
    col = {k: i for i, k in enumerate(head)}
    return {"placed": int(last[col["TotalCallCreated"]]), "ok": int(last[col["SuccessfulCall(C)"]]),
            "failed": int(last[col["FailedCall(C)"]])}


