"""Free text from people (an agent's note, a resident's address) as data, never as terminal control.

Refused at input (the agent API answers 422) and escaped on output (everything `hotline` prints):
C0 and C1 controls (ESC starts ANSI/OSC sequences: a title, the clipboard, a hyperlink; CR
overwrites a line), DEL, the bidi overrides and isolates (U+202E RLO turns "exe.txt" into
"txt.exe") and the line/paragraph separators. A multi-line field (notes, results) may hold
line feeds and tabs; a one-line field may not."""
from __future__ import annotations

import re

#: the bidi embeddings, overrides and isolates, the directional marks, the Arabic letter mark
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: what no stored text may hold: C0 (but TAB and LF, below), DEL, C1, bidi controls, U+2028/9
_FORBIDDEN = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
#: a multi-line field: TAB and LF are its own
_FORBIDDEN_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
#: what the terminal must never receive raw from stored text: all of the above, TAB and LF too
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def control_char(text: str, multiline: bool = False) -> str | None:
    """The first character `text` may not hold (None: clean); `multiline` allows TAB and LF."""
    m = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(text)
    return m.group() if m else None


def _escaped(ch: str) -> str:
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(text: str) -> str:
    """`text` for one line of a terminal: every control, separator and bidi character shown as
    an escape (\\e, \\r, \\n, \\x9b, \\u202e), so stored text can neither drive the terminal nor
    forge another line."""
    return _UNPRINTABLE.sub(lambda m: _escaped(m.group()), str(text))


def printable_lines(text: str) -> str:
    """Several lines (JSON with indent, a log tail): each line made `printable`, the line breaks
    kept. (JSON's own escaping already turned a stored line feed into \\n.)"""
    return "\n".join(printable(line) for line in str(text).split("\n"))
