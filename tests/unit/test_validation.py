"""Digits, call-back numbers, caller ids, masks: examples plus property tests on junk."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from ivr.validation import (clean_digits, digits_to_speech, is_valid_callback, mask_phone, normalise_caller_id,
                            normalise_phone_query, parse_keyed)

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0[0-9]{6,11}", fullmatch=True)
junk = st.one_of(st.text(max_size=80), st.binary(max_size=40).map(repr),
                 st.from_regex(r"[0-9+\-*# ]{0,60}", fullmatch=True), st.none(), st.integers())


def test_examples():
    assert clean_digits("a1-2 3#*") == "123"
    assert parse_keyed("123#") == ("123", True)
    assert parse_keyed("1*2*3") == ("123", False)
    assert parse_keyed("12#34") == ("12", True)
    assert parse_keyed("") == ("", False)
    assert is_valid_callback("13800138000") and is_valid_callback("01012345678") and is_valid_callback("0311234")
    for bad in ("12800138000", "1380013800", "138001380001", "1234567", "0123456789012", "", None,
                "13800138000\n", "1٣800138000"):
        assert not is_valid_callback(bad), bad


def test_caller_ids():
    assert normalise_caller_id("+86 138-0013-8000") == "13800138000"
    assert normalise_caller_id("008613800138000") == "13800138000"
    assert normalise_caller_id("8613800138000") == "13800138000"
    assert normalise_caller_id("+86 10 1234 5678") == "01012345678"
    assert normalise_caller_id("sip:13800138000@10.0.0.1:5060") == "13800138000"
    assert normalise_caller_id('"张三" <sip:02612345678@gw;user=phone>') == "02612345678"
    assert normalise_caller_id('"Name" <123>') == "123"
    assert normalise_caller_id("anonymous") == ""
    assert normalise_caller_id("'; DROP TABLE accounts; --") == ""
    assert normalise_caller_id(None) == ""
    assert is_valid_callback(13800138000)   # an int from a form is read as its digits
    assert normalise_caller_id("9" * 40) == "9" * 20


def test_masks_and_speech():
    assert mask_phone("13800138000") == "138******00"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""
    assert digits_to_speech("2611230001") == "二 六 幺 幺 二 三 零 零 零 幺"
    assert digits_to_speech("") == ""


@given(st.one_of(mobiles, landlines))
def test_valid_callbacks_round_trip(number):
    assert is_valid_callback(number)
    assert normalise_caller_id(number) == number
    assert clean_digits(digits_to_speech(number).translate(str.maketrans("零幺二三四五六七八九", "0123456789"))) == number
    assert parse_keyed(number + "#") == (number, True)


@given(mobiles)
def test_international_mobiles(number):
    for raw in (f"+86{number}", f"0086{number}", f"+86 {number[:3]}-{number[3:7]}-{number[7:]}",
                f'"Caller" <sip:+86{number}@10.1.2.3>'):
        assert normalise_caller_id(raw) == number


@hsettings(max_examples=300)
@given(junk)
def test_junk_never_raises(raw):
    out = normalise_caller_id(raw)
    assert re.fullmatch(r"[0-9]{0,20}", out)
    digits, hashed = parse_keyed(raw)
    assert re.fullmatch(r"[0-9]*", digits) and isinstance(hashed, bool)
    assert isinstance(is_valid_callback(raw), bool)
    assert re.fullmatch(r"[零幺二三四五六七八九 ]*", digits_to_speech(raw))


@hsettings(max_examples=300)
@given(junk)
def test_masks_reveal_at_most_five_digits(raw):
    masked = mask_phone(raw)
    assert sum(c.isdigit() for c in masked) <= 5
    assert len(masked) == len(clean_digits(raw))


@pytest.mark.parametrize("query,phone", [
    ("+8613304567836", "13304567836"), ("+86 133-0456-7836", "13304567836"),
    ("0086 13304567836", "13304567836"), ("86 13304567836", "13304567836"),
    ("13304567836", "13304567836"), ("(024)34500413", "02434500413"), ("024-3450 0413", "02434500413"),
    ("+86 24 3450 0413", "02434500413"), ("王秀兰", ""), ("南湖小区3号楼", ""), ("", ""), (None, ""),
    ("1' OR '1'='1", ""), ("1" * 60, ""),
])
def test_a_phone_search_query_is_normalised_like_a_caller_id(query, phone):
    assert normalise_phone_query(query) == phone


@given(st.text(max_size=50))
def test_phone_query_normalisation_never_raises_and_returns_digits(text):
    out = normalise_phone_query(text)
    assert out == "" or (out.isascii() and out.isdigit() and len(out) <= 20)
