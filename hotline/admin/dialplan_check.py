"""`hotline dialplan check`: lint the admin's dialplan, then load it into a scratch Asterisk.

The lint knows what a reload would not tell: an application Asterisk does not
have, a Goto/Gosub to a context, extension or label that does not exist,
unbalanced parentheses, a missing #include file or include => context, and a
priority given twice. Messages are ``file:line: message``.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hotline.admin.asterisk import AsteriskError, PrivateAsterisk, find_install
from common.ports import Ports
from common.settings import Settings

JUMPS = {"goto", "gosub", "gotoif", "gosubif", "gotoiftime"}


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Priority:
    number: int | None
    label: str | None
    app: str
    args: str
    file: str
    line: int


@dataclass
class Dialplan:
    contexts: dict[str, dict[str, list[Priority]]] = field(default_factory=dict)
    includes: list[tuple[str, str, str, int]] = field(default_factory=list)   # (ctx, included, file, line)
    problems: list[Problem] = field(default_factory=list)


_EXTEN = re.compile(r"^\s*(exten|same)\s*=>?\s*(.*)$", re.I)


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at `sep` outside parentheses, brackets and ${...}."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def parse(path: Path, base: Path, dp: Dialplan | None = None, seen: set | None = None) -> Dialplan:
    dp = dp or Dialplan()
    seen = seen or set()
    if path.resolve() in seen:
        return dp
    seen.add(path.resolve())
    rel = path.name
    context, last_exten, last_prio = None, None, 0
    for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = raw.split(";", 1)[0].rstrip() if not raw.lstrip().startswith("#") else raw.strip()
        if not line.strip():
            continue
        m = re.match(r"^#(try)?include\s+\"?([^\"]+)\"?", line)
        if m:
            target = (base / m.group(2)) if not m.group(2).startswith("/") else Path(m.group(2))
            if target.exists():
                parse(target, base, dp, seen)
            elif not m.group(1) and not m.group(2).endswith(".generated.conf"):
                dp.problems.append(Problem(rel, n, f"#include file {m.group(2)} does not exist"))
            continue
        m = re.match(r"^\s*\[([^\]]+)\](\(.*\))?", line)
        if m:
            context = m.group(1)
            dp.contexts.setdefault(context, {})
            last_exten, last_prio = None, 0
            continue
        if context in (None, "general", "globals"):
            continue
        m = re.match(r"^\s*include\s*=>\s*(\S+)", line, re.I)
        if m:
            dp.includes.append((context, m.group(1).split(",")[0], rel, n))
            continue
        m = _EXTEN.match(line)
        if not m:
            continue
        kind, rest = m.group(1).lower(), m.group(2)
        if kind == "exten":
            parts = rest.split(",", 2)
            if len(parts) < 3:
                dp.problems.append(Problem(rel, n, "exten line needs name,priority,application"))
                continue
            exten, prio, appcall = parts
            last_exten = exten.strip().split("/")[0]
        else:
            if last_exten is None:
                dp.problems.append(Problem(rel, n, "'same =>' without an exten before it"))
                continue
            prio, appcall = (rest.split(",", 1) + [""])[:2]
        prio = prio.strip()
        label = None
        pm = re.match(r"^([^()]+)(?:\(([^)]*)\))?$", prio)
        pnum_s = pm.group(1).strip() if pm else prio
        label = pm.group(2) if pm else None
        if pnum_s == "n":
            number = last_prio + 1
        elif pnum_s == "hint":
            continue
        elif pnum_s.isdigit():
            number = int(pnum_s)
        elif pnum_s.startswith("n+") and pnum_s[2:].isdigit():
            number = last_prio + int(pnum_s[2:])
        else:
            dp.problems.append(Problem(rel, n, f"priority {pnum_s!r} is not a number, n or hint"))
            continue
        appcall = appcall.strip()
        if not _balanced(appcall):
            dp.problems.append(Problem(rel, n, "unbalanced parentheses"))
        am = re.match(r"^([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*$", appcall, re.S)
        app, args = (am.group(1), am.group(2) or "") if am else (appcall.split("(")[0], "")
        prios = dp.contexts[context].setdefault(last_exten, [])
        if kind == "exten" and any(p.number == number for p in prios):
            dp.problems.append(Problem(rel, n, f"priority {number} of {last_exten}@{context} is given twice"))
        prios.append(Priority(number, label, app, args, rel, n))
        last_prio = number
    return dp


def _exten_matches(pattern: str, exten: str) -> bool:
    if not pattern.startswith("_"):
        return pattern == exten
    rx = ""
    p = pattern[1:]
    i = 0
    while i < len(p):
        c = p[i]
        if c == "X":
            rx += "[0-9]"
        elif c == "Z":
            rx += "[1-9]"
        elif c == "N":
            rx += "[2-9]"
        elif c == ".":
            rx += ".+"
        elif c == "!":
            rx += ".*"
        elif c == "[":
            j = p.index("]", i)
            rx += "[" + p[i + 1:j] + "]"
            i = j
        else:
            rx += re.escape(c)
        i += 1
    return re.fullmatch(rx, exten) is not None


def _targets(app: str, args: str, context: str, exten: str) -> list[tuple[str, str, str]]:
    """(context, exten, priority-or-label) triples a jump may go to; dynamic parts stay '${…}'."""
    app = app.lower()
    out = []
    if app in ("gotoif", "gosubif"):
        if "?" not in args:
            return []
        branches = args.split("?", 1)[1]
        for b in _split_top(branches, ":"):
            b = b.strip()
            if b:
                out += _targets("goto", b, context, exten)
        return out
    if app == "gotoiftime":
        return []
    inner = args
    if app == "gosub":
        inner = re.sub(r"\(.*\)$", "", args.strip())  # Gosub(ctx,ext,1(args))
    parts = [x.strip() for x in _split_top(inner)]
    if len(parts) == 1:
        return [(context, exten, parts[0])]
    if len(parts) == 2:
        return [(context, parts[0], parts[1])]
    if len(parts) >= 3:
        return [(parts[0], parts[1], parts[2])]
    return out


def lint(dp: Dialplan, applications: set[str] | None) -> list[Problem]:
    problems = list(dp.problems)
    for ctx, inc, f, n in dp.includes:
        if inc not in dp.contexts:
            problems.append(Problem(f, n, f"include => {inc}: no such context"))
    for ctx, extens in dp.contexts.items():
        for exten, prios in extens.items():
            for p in prios:
                if applications is not None and p.app.lower() not in applications:
                    problems.append(Problem(p.file, p.line, f"unknown application {p.app}"))
                if p.app.lower() not in JUMPS:
                    continue
                for tctx, texten, tprio in _targets(p.app, p.args, ctx, exten):
                    if "$" in tctx or "$" in texten or "$" in tprio:
                        continue  # decided at run time
                    if tctx not in dp.contexts:
                        problems.append(Problem(p.file, p.line, f"{p.app} to missing context {tctx}"))
                        continue
                    # a label jump inside a pattern extension names the pattern itself
                    cands = [v for k, v in dp.contexts[tctx].items() if k == texten or _exten_matches(k, texten)]
                    if not cands:
                        problems.append(Problem(p.file, p.line, f"{p.app} to missing extension {texten}@{tctx}"))
                        continue
                    if tprio.isdigit():
                        if not any(x.number == int(tprio) for c in cands for x in c):
                            problems.append(Problem(p.file, p.line,
                                                    f"{p.app} to missing priority {tprio} of {texten}@{tctx}"))
                    elif not any(x.label == tprio for c in cands for x in c):
                        problems.append(Problem(p.file, p.line,
                                                f"{p.app} to missing label {tprio} in {texten}@{tctx}"))
    problems += _degraded_kept(dp)
    return sorted(problems, key=lambda p: (p.file, p.line))


#: the caller's flow over FastAGI, and the jump right after it that the hotline's promise rests on
CALLER_AGI = re.compile(r"\$\{HOTLINE_FASTAGI\}/caller\b")
DEGRADED_JUMP = 'GotoIf($["${AGISTATUS}" != "SUCCESS"]?degraded,1)'


def _degraded_kept(dp: Dialplan) -> list[Problem]:
    """Every caller's AGI is followed at once by the jump to the degraded path when the service did
    not answer: callers are queued when the service is down. No test call sees it go (the service
    is up for them, and an empty route takes the same way), so it is checked here."""
    out = []
    for extens in dp.contexts.values():
        for prios in extens.values():
            for p in prios:
                if p.app.lower() != "agi" or not CALLER_AGI.search(p.args):
                    continue
                after = next((x for x in prios if x.number == (p.number or 0) + 1), None)
                if after is None or after.app.lower() != "gotoif" or "AGISTATUS" not in after.args \
                        or "degraded" not in after.args:
                    out.append(Problem(p.file, p.line, f"the caller's AGI must be followed by {DEGRADED_JUMP}: "
                                                       f"without it a caller is not queued when the service is away"))
    return out


@dataclass
class CheckResult:
    problems: list[Problem]
    loaded: bool
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.loaded and not self.problems


def problem_lines(result: CheckResult, directory: Path) -> list[str]:
    """`result`'s problems as the admin reads them: "path:line: message"."""
    lines = [f"{Path(directory) / p.file}:{p.line}: {p.message}" if p.line else str(p) for p in result.problems]
    if not result.loaded:
        lines.append(f"{directory}: a scratch Asterisk could not load it")
    return lines


def static_problems(settings: Settings, directory: Path) -> list[str]:
    """The check's gate (dialplan_good.Gate): lint and a scratch Asterisk's load."""
    return problem_lines(check(settings, directory), directory)


def check(settings: Settings, directory: Path) -> CheckResult:
    """Lint `directory`, then load it into a scratch Asterisk and read it back."""
    directory = Path(directory)
    if not (directory / "extensions.conf").exists():
        return CheckResult([Problem(str(directory), 0, "no extensions.conf here")], False)
    scratch = Path(tempfile.mkdtemp(prefix="hotline-check-"))
    s = settings.replace(home=scratch / "home", sip_port=0, ami_port=0, fastagi_port=0, api_port=0,
                         rtp_start=0)   # a random RTP block, clear of the live hotline's
    try:
        ast = PrivateAsterisk(s, find_install(settings, build=False), Ports.allocate(s),
                              base=scratch / "asterisk", dialplan_dir=directory)
        try:
            ast.start(timeout=30)
        except AsteriskError as exc:
            return CheckResult(lint(parse(directory / "extensions.conf", directory), None), False, str(exc))
        try:
            apps = {line.split(":", 1)[0].strip().lower()
                    for line in ast.rx("core show applications").splitlines() if ":" in line}
            problems = lint(parse(directory / "extensions.conf", directory), apps)
            shown = ast.rx("dialplan show")
            log = ast.log_file.read_text(errors="replace") if ast.log_file.exists() else ""
            for line in log.splitlines():
                m = re.search(r"(WARNING|ERROR)\[\d+\]\S* (pbx_config|config)\.c: (.*)", line)
                if m and "documentation" not in line:
                    fm = re.search(r"line (\d+) of (\S+)", m.group(3))
                    problems.append(Problem(Path(fm.group(2)).name if fm else "asterisk",
                                            int(fm.group(1)) if fm else 0, m.group(3).strip()))
            loaded = "-= " in shown and "extensions" in shown
            return CheckResult(problems, loaded, log)
        finally:
            ast.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
