"""#25 — the dialplan's access matrix: which contexts each kind of endpoint (the PSTN trunk, an
agent's phone, a team lead's, the head's, an admin's, a station's) can reach, and which of them may
put a call on the trunk, read from the configuration `hotline up` renders (hotline.admin.asterisk,
the agents' phones from the database as hotline.admin.runtime lists them). No Asterisk: the text
is read the way Asterisk reads it — sections, templates, #include — and every static way from one
context to another is followed (Goto, GotoIf, Gosub, Dial's U(), Queue's gosub and its queue's
exit context, hangup handlers, Local channels, include)."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common.naming import (OUTAGE_CONTEXT, OUTAGE_DIAL_CONTEXT, OUTBOUND_CONTEXT, STATION_CONTEXT, STATION_DIAL_CONTEXT,
                           SURVEY_CONTEXT, SURVEY_DIAL_CONTEXT)
from common.ports import Ports
from common.settings import load_settings
from db.models import Role
from db.session import make_engine, migrate, session_factory
from hotline.admin import runtime
from hotline.admin.asterisk import AsteriskInstall, PrivateAsterisk
from hotline.admin.users import add_user

TRUNK, AGENT, LEAD, HEAD, ADMIN, STATION = "trunk", "agent", "team_lead", "head", "admin", "station"
PEOPLE = {"1001": AGENT, "1101": LEAD, "1201": HEAD, "1301": ADMIN, "8001": STATION}

#: what a caller from the PSTN reaches: the IVR, the queue (and its key-1 exit), the answered
#: agent's side of the call and the hang-up; never the transfer, a call out or the 回访 dialler
FROM_PSTN = {"from-pstn", "hotline", "queue-exit", "hotline-answered", "hotline-hangup"}
#: what a desk phone reaches: the hotline number (everything a caller reaches), colleagues
#: (transfer) and residents (calls out, under the number rules of [number-class]) — never the
#: listen-in, which only a granted request's Originate reaches (below)
FROM_DESK = (FROM_PSTN - {"from-pstn"}) | {"from-agents", "transfer", "hotline-transfer-answered", "outbound",
                                          "outbound-dial", "outbound-hangup", "number-class"}
#: kind → (contexts reachable, may put a call on the trunk)
DIALPLAN_MATRIX = {
    TRUNK: (FROM_PSTN, False),
    AGENT: (FROM_DESK, True),
    LEAD: (FROM_DESK, True),
    HEAD: (FROM_DESK, False),          # a phone for colleagues, no calls out
    ADMIN: (FROM_DESK, False),
    STATION: (set(), False),           # no phone at all
}
#: reached only by the service's Originate, from no endpoint
ORIGINATE_ONLY = {SURVEY_DIAL_CONTEXT, SURVEY_CONTEXT, "survey-hangup", "listen-in",
                  STATION_DIAL_CONTEXT, STATION_CONTEXT, "station-hangup",
                  OUTAGE_DIAL_CONTEXT, OUTAGE_CONTEXT, "outage-hangup"}

# ------------------------------------------------------------------ reading the config --

@dataclass
class Section:
    name: str
    templates: list[str]
    lines: list[tuple[str, str]] = field(default_factory=list)     # (key, value) in order, "=>" like "="

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.lines if k == key]


def read_conf(etc: Path, name: str) -> list[Section]:
    """A config file as Asterisk reads it: #include followed (relative to etc), comments dropped."""
    sections: list[Section] = []

    def read(file: str) -> None:
        for raw in (etc / file).read_text(encoding="utf-8").splitlines():
            line = raw.split(";", 1)[0].strip()          # no escaped \; in our files
            if not line:
                continue
            if line.startswith("#include"):
                read(line.split(None, 1)[1].strip().strip('"'))
            elif m := re.fullmatch(r"\[([^\]]+)\](?:\(([^)]*)\))?", line):
                sections.append(Section(m[1], [t.strip() for t in (m[2] or "").split(",") if t.strip()]))
            elif m := re.fullmatch(r"([\w-]+)\s*=>?\s*(.*)", line):
                sections[-1].lines.append((m[1], m[2]))
    read(name)
    return sections


def resolved(sections: list[Section], s: Section) -> dict[str, list[str]]:
    """A section's settings with its templates' (templates first, its own last)."""
    out: dict[str, list[str]] = defaultdict(list)
    for t in s.templates:
        if t == "!":
            continue
        template = next(x for x in sections if x.name == t and "!" in x.templates)
        for k, v in resolved(sections, template).items():
            out[k] += v
    for k, v in s.lines:
        out[k].append(v)
    return out


@dataclass(frozen=True)
class Endpoint:
    name: str
    context: str
    variables: dict[str, str]


def endpoints(etc: Path) -> list[Endpoint]:
    sections = read_conf(etc, "pjsip.conf")
    found = []
    for s in sections:
        if "!" in s.templates:
            continue
        conf = resolved(sections, s)
        if conf.get("type", [""])[-1] == "endpoint":
            found.append(Endpoint(s.name, conf["context"][-1],
                                  dict(v.split("=", 1) for v in conf.get("set_var", []))))
    return found


def _call(text: str, app: str) -> list[str]:
    """The argument strings of every `app(...)` in `text` (balanced parentheses)."""
    found = []
    for m in re.finditer(rf"\b{app}\(", text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        found.append(text[m.end():i - 1])
    return found


def _label_context(label: str, here: str) -> str:
    """The context a Goto-like label goes to: `ctx,exten,prio` names one; shorter ones stay here."""
    parts = [p.strip() for p in label.split(",")]
    return parts[0] if len(parts) == 3 else here


def _gotoif_labels(args: str) -> list[str]:
    """`$[cond]?a:b` → the labels a and b (the condition may hold ':' and '?' of its own)."""
    depth, i = 0, 0
    while i < len(args):
        depth += {"[": 1, "]": -1}.get(args[i], 0)
        if args[i] == "?" and depth == 0:
            break
        i += 1
    return [x for x in args[i + 1:].split(":") if x.strip()]


def dialplan(etc: Path) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """(context → the contexts it leads to, context → its lines)."""
    queues = {s.name: resolved(read_conf(etc, "queues.conf"), s) for s in read_conf(etc, "queues.conf")}
    edges: dict[str, set[str]] = defaultdict(set)
    lines: dict[str, list[str]] = defaultdict(list)
    for s in read_conf(etc, "extensions.conf"):
        if s.name in ("general", "globals"):
            continue
        edges[s.name]
        for key, text in s.lines:
            if key == "include":
                edges[s.name].add(text.strip())
                continue
            lines[s.name].append(text)
            for args in _call(text, "Goto") + _call(text, "Gosub"):
                edges[s.name].add(_label_context(args, s.name))
            for args in _call(text, "GotoIf"):
                edges[s.name] |= {_label_context(label, s.name) for label in _gotoif_labels(args)}
            for args in _call(text, "U"):
                edges[s.name].add(args.split("^", 1)[0])
            for args in _call(text, "Queue"):
                parts = args.split(",")
                if len(parts) > 6 and parts[6]:
                    edges[s.name].add(parts[6].strip())           # the gosub on the answering agent
                edges[s.name] |= set(queues.get(parts[0].strip(), {}).get("context", []))
            edges[s.name] |= set(re.findall(r"hangup_handler_push\)=([\w-]+),", text))
            edges[s.name] |= set(re.findall(r"Local/[^@]*@([\w-]+)", text))
    return edges, lines


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        c = todo.pop()
        if c not in seen:
            assert c in edges, f"a way into [{c}], which the dialplan does not have"
            seen.add(c)
            todo += edges[c]
    return seen


def may_pass(guards: list[str], ep: Endpoint) -> bool:
    """Whether `ep`'s channels get past [outbound-dial]'s guard on the caller (the first GotoIf that
    sends a call to `refused`): a channel variable its endpoint sets, or a prefix of its name."""
    for guard in guards:
        if m := re.search(r'"\$\{CHANNEL\(endpoint\):0:(\d+)\}" = "([^"]*)"', guard):
            return ep.name[:int(m[1])] == m[2]
        if m := re.search(r'"\$\{(\w+)\}" = "([^"]*)"', guard):
            return ep.variables.get(m[1]) == m[2]
    raise AssertionError(f"[outbound-dial] checks the caller in a way this test does not read: {guards}")


# --------------------------------------------------------------------------- the world --

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The configuration `hotline up` writes for a hotline with one person of every role."""
    base = tmp_path_factory.mktemp("dialplan")
    s = load_settings(home=str(base / "home"), db_url=f"sqlite:///{base / 'h.db'}")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        for no, role in PEOPLE.items():
            add_user(db, no, f"人{no}", Role(role), "correct-horse-7")
    modules = base / "root/usr/lib/asterisk/modules"
    modules.mkdir(parents=True)
    install = AsteriskInstall(("/usr/sbin/asterisk",), modules, base / "root/sounds", "Asterisk 22.0.0")
    ast = PrivateAsterisk(s, install, Ports(sip=5060, ami=5038, fastagi=4573, api=8088, rtp_start=10000,
                                            rtp_end=10199), base=base / "asterisk",
                          agents=runtime.agent_phones(sessions))
    ast.write_config()
    engine.dispose()
    return ast.etc


def _kind(ep: Endpoint) -> str:
    if ep.name == "pstn-trunk":
        return TRUNK
    return PEOPLE[ep.name.removeprefix("agent-")]


def test_each_kind_of_endpoint_reaches_the_contexts_of_the_matrix_and_no_more(rendered):
    edges, lines = dialplan(rendered)
    guards = [t for t in lines["outbound-dial"] if "GotoIf" in t and "refused" in t]
    found = {}
    for ep in endpoints(rendered):
        reach = reachable(edges, ep.context)
        calls_out = "outbound-dial" in reach and may_pass(guards, ep)
        found[_kind(ep)] = (reach, calls_out)
    for kind in DIALPLAN_MATRIX:
        found.setdefault(kind, (set(), False))              # no endpoint: nothing reachable
    expected = DIALPLAN_MATRIX
    assert {k: (sorted(r), out) for k, (r, out) in found.items()} == \
        {k: (sorted(r), out) for k, (r, out) in expected.items()}


def test_no_phone_dials_a_listen_in_and_only_a_team_leads_phone_gets_past_its_guard(rendered):
    edges, lines = dialplan(rendered)
    assert not [ep for ep in endpoints(rendered) if "listen-in" in reachable(edges, ep.context)]
    guards = [t for t in lines["listen-in"] if "GotoIf" in t and "refused" in t]
    assert {_kind(ep) for ep in endpoints(rendered) if may_pass(guards, ep)} == {LEAD}
    spying = {c for c, texts in lines.items() if any("ChanSpy(" in t for t in texts)}
    assert spying == {"listen-in"}
    body = lines["listen-in"]
    first_spy = next(i for i, t in enumerate(body) if "ChanSpy(" in t)
    assert any("refused" in t and "LISTEN_IN" in t for t in body[:first_spy])       # the guard comes first
    assert "Answer()" not in " ".join(t for t in body if "refused" in t)          # refused unanswered


def test_the_trunk_is_dialled_only_from_the_call_out_survey_station_and_outage_contexts(rendered):
    _, lines = dialplan(rendered)
    dialling = {c for c, texts in lines.items() if any("@pstn-trunk" in t for t in texts)}
    assert dialling == {"outbound-dial", SURVEY_DIAL_CONTEXT, STATION_DIAL_CONTEXT, OUTAGE_DIAL_CONTEXT}
    # and each of those only behind a number check: [outbound]'s classes, the service's checked number
    assert all(re.search(r"REGEX\(\"\^\[0-9\]", " ".join(lines[c])) for c in dialling)


def test_the_survey_dialler_is_reached_by_the_services_originate_only(rendered):
    edges, _ = dialplan(rendered)
    from_endpoints = set().union(*(reachable(edges, ep.context) for ep in endpoints(rendered)))
    assert from_endpoints.isdisjoint(ORIGINATE_ONLY)
    # what the service originates into exists: click-to-call's [outbound], the 回访's two halves
    assert {OUTBOUND_CONTEXT, SURVEY_DIAL_CONTEXT, SURVEY_CONTEXT} <= set(edges)
    assert reachable(edges, SURVEY_DIAL_CONTEXT) == {SURVEY_DIAL_CONTEXT, "number-class"}   # the same number rules as [outbound]
    assert reachable(edges, SURVEY_CONTEXT) == {SURVEY_CONTEXT, "survey-hangup"}
    # and a station's call on dispatch (#30): the same shape, the same number rules
    assert {STATION_DIAL_CONTEXT, STATION_CONTEXT} <= set(edges)
    assert reachable(edges, STATION_DIAL_CONTEXT) == {STATION_DIAL_CONTEXT, "number-class"}
    assert reachable(edges, STATION_CONTEXT) == {STATION_CONTEXT, "station-hangup"}
    # and the 供热已恢复 call-back of an outage's affected callers (#30): the same shape, the same number rules
    assert {OUTAGE_DIAL_CONTEXT, OUTAGE_CONTEXT} <= set(edges)
    assert reachable(edges, OUTAGE_DIAL_CONTEXT) == {OUTAGE_DIAL_CONTEXT, "number-class"}
    assert reachable(edges, OUTAGE_CONTEXT) == {OUTAGE_CONTEXT, "outage-hangup"}


def test_the_reader_follows_every_way_between_contexts():
    """The parser itself, on a dialplan made for it."""
    assert _gotoif_labels('$["${CHANNEL(endpoint):0:6}" = "agent-"]?:outbound,refused,1') == ["outbound,refused,1"]
    assert _gotoif_labels("$[${X} > 1]?a,s,1:b") == ["a,s,1", "b"]
    assert _label_context("hotline,queue,join", "x") == "hotline" and _label_context("${R},1", "x") == "x"
    assert _call("Dial(PJSIP/1@t,30,U(ctx^${A}))", "U") == ["ctx^${A}"]
