"""Keyed input and digits read out (ivr.validation): examples plus property tests on junk. Phone
numbers are common.phones' (test_unit_phones)."""
from __future__ import annotations

import re

from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from common.phones import clean_digits
from ivr.validation import digits_to_speech, parse_keyed

junk = st.one_of(st.text(max_size=80), st.binary(max_size=40).map(repr),
                 st.from_regex(r"[0-9+\-*# ]{0,60}", fullmatch=True), st.none(), st.integers())


def test_examples():
    assert parse_keyed("123#") == ("123", True)
    assert parse_keyed("1*2*3") == ("123", False)
    assert parse_keyed("12#34") == ("12", True)
    assert parse_keyed("") == ("", False)
    assert digits_to_speech("2611230001") == "二 六 幺 幺 二 三 零 零 零 幺"
    assert digits_to_speech("") == ""


@given(st.from_regex(r"[0-9]{1,20}", fullmatch=True))
def test_digits_round_trip(number):
    assert clean_digits(digits_to_speech(number).translate(str.maketrans("零幺二三四五六七八九", "0123456789"))) == number
    assert parse_keyed(number + "#") == (number, True)


@hsettings(max_examples=300)
@given(junk)
def test_junk_never_raises(raw):
    digits, hashed = parse_keyed(raw)
    assert re.fullmatch(r"[0-9]*", digits) and isinstance(hashed, bool)
    assert re.fullmatch(r"[零幺二三四五六七八九 ]*", digits_to_speech(raw))
