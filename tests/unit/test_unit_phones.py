"""Phone numbers (common.phones): the number classes and that the dialplan's [outbound] patterns
say the same, valid call-back numbers under the installation's allowed classes, caller ids and typed
numbers as digits, masks — examples plus property tests on junk."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from common import phones
from common.phones import (clean_digits, is_valid_callback, mask_phone, normalise_caller_id,
                           normalise_phone_query, number_class)
from common.settings import load_settings
from hotline.admin.dialplan_check import parse

DIALPLAN = Path(__file__).resolve().parents[2] / "dialplan"
ALLOWED = st.frozensets(st.sampled_from(phones.OPTIONAL))
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).filter(lambda n: not n.startswith(("160", "168")))
landlines = st.one_of(st.from_regex(r"0[1-9][0-9]{8,10}", fullmatch=True),   # area code + number
                      st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True))      # a local number
junk = st.one_of(st.text(max_size=80), st.binary(max_size=40).map(repr),
                 st.from_regex(r"[0-9+\-*# ]{0,60}", fullmatch=True), st.none(), st.integers())


# ----------------------------------------------- classes, and the dialplan --

def test_the_number_classes():
    cases = {"13812345678": "mobile", "19912345678": "mobile", "2345678": "local", "87654321": "local",
             "02425671234": "long_distance", "0311234567": "long_distance", "075512345678": "long_distance",
             "0085212345678": "international", "001202555": "international", "1601234": "premium",
             "16812345678": "premium", "12590123456": "premium", "125930": "premium"}
    for number, kind in cases.items():
        assert phones.number_class(number) == kind, number
    for junk in ("", None, "1234", "123456", "12812345678", "1381234567", "138123456789", "1234567", "0123",
                 "13812345678\n", "1٣812345678", "+8613812345678", "13812345678#", 13812345678, "0" * 21):
        assert phones.number_class(junk) is None, junk
    assert phones.is_valid_callback("13812345678") and not phones.is_valid_callback("16812345678")
    assert phones.refusal("0085212345678") == "international"
    assert phones.refusal("0085212345678", frozenset({"international"})) == ""
    assert phones.refusal("16812345678", frozenset({"international"})) == "premium"
    assert phones.refusal("110") == "invalid"


def _tokens(pattern: str) -> list[str]:
    out, i, p = [], 0, pattern[1:]
    while i < len(p):
        if p[i] == "[":
            j = p.index("]", i)
            out.append(p[i:j + 1])
            i = j + 1
        else:
            out.append(p[i])
            i += 1
    return out


def _weight(tok: str) -> int:
    """Asterisk's pattern order, position by position: a digit beats a set, a set beats X, '.' last."""
    if tok == ".":
        return 1000
    if tok == "X":
        return 10
    if tok.startswith("["):
        a, b = tok[1], tok[3]
        return int(b) - int(a) + 1
    return 1


def _token_matches(tok: str, c: str) -> bool:
    if tok == "X":
        return c.isdigit()
    if tok.startswith("["):
        return tok[1] <= c <= tok[3]
    return tok == c


def _pattern_matches(pattern: str, number: str) -> bool:
    toks = _tokens(pattern)
    if toks and toks[-1] == ".":
        head = toks[:-1]
        return len(number) > len(head) and all(_token_matches(t, c) for t, c in zip(head, number))
    return len(number) == len(toks) and all(_token_matches(t, c) for t, c in zip(toks, number))


def dialplan_verdict(number: str) -> str:
    """What [number-class] (the number check of [outbound] and [survey-dial]) returns for `number`:
    'dial', 'allow:<GLOBAL>' or 'refused'."""
    extens = parse(DIALPLAN / "extensions.conf", DIALPLAN).contexts["number-class"]
    found = [p for p in extens if p.startswith("_") and _pattern_matches(p, number)]
    best = min(found, key=lambda p: [_weight(t) for t in _tokens(p)])
    first = extens[best][0]
    assert first.app == "Return", best
    if first.args in ("1", "0"):
        return "dial" if first.args == "1" else "refused"
    return "allow:" + re.search(r"HOTLINE_ALLOW_(\w+)", first.args).group(1).lower()


def test_every_call_out_goes_through_the_number_classes():
    """[outbound] (agents' calls, click-to-call) and [survey-dial] (the automated 回访) dial only after
    Gosub(number-class,…) said 1 for the number, and only digits reach it."""
    contexts = parse(DIALPLAN / "extensions.conf", DIALPLAN).contexts
    for name, number in (("outbound", "${EXTEN}"), ("survey-dial", "${HOTLINE_SURVEY_NUMBER}")):
        steps = [(p.app, p.args) for prios in contexts[name].values() for p in prios]
        apps = [app for app, _ in steps]
        check = steps.index(("Gosub", f"number-class,{number},1"))
        digits = next(i for i, (app, args) in enumerate(steps) if "REGEX" in args and number in args
                      and "{7,20}" in args)
        assert digits < check and any('"${GOSUB_RETVAL}" = "1"' in args for _, args in steps[check:])
        if "Dial" in apps:
            assert check < apps.index("Dial")
    assert [p for p in contexts["outbound"] if p.startswith("_")] == ["_X."]     # no pattern of its own


def rules_verdict(number: str) -> str:
    kind = phones.number_class(number)
    if kind in phones.EVERYDAY:
        return "dial"
    return f"allow:{kind}" if kind in phones.OPTIONAL else "refused"


@pytest.mark.parametrize("number", ["13812345678", "16812345678", "16012345678", "1601234", "12590123456",
                                    "2345678", "87654321", "02425671234", "0085212345678", "0012",
                                    "1234567", "123456789012", "0123456789", "9999999999999"])
def test_the_dialplan_and_the_service_apply_the_same_rules(number):
    assert dialplan_verdict(number) == rules_verdict(number)


@hsettings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{7,16}", fullmatch=True))
def test_the_dialplan_and_the_service_agree_on_any_number(number):
    assert dialplan_verdict(number) == rules_verdict(number)


def test_agents_reach_outbound_only_with_seven_digits_or_more():
    extens = parse(DIALPLAN / "extensions.conf", DIALPLAN).contexts["from-agents"]
    to_outbound = [p for p, prios in extens.items() if "outbound" in prios[0].args]
    assert to_outbound == ["_XXXXXX."]
    assert not any("outbound" in prios[0].args for p, prios in
                   parse(DIALPLAN / "extensions.conf", DIALPLAN).contexts["from-pstn"].items())


@hsettings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{7,20}", fullmatch=True), ALLOWED)
def test_a_valid_call_back_number_is_one_the_dialplan_dials_here(number, allowed):
    """What the IVR and the desk take as a call-back number, the dialplan's [outbound] calls with the
    installation's HOTLINE_ALLOW_* — and nothing else."""
    verdict = dialplan_verdict(number)
    dials = verdict == "dial" or (verdict.startswith("allow:") and verdict[6:] in allowed)
    assert is_valid_callback(number, allowed) == dials


# ------------------------------------------------------ call-back numbers --

def test_call_back_numbers():
    for good in ("13800138000", "01012345678", "0311234567", "075512345678", "2345678", "87654321"):
        assert is_valid_callback(good), good
    for bad in ("12800138000", "1380013800", "138001380001", "1234567", "0123456789012", "", None,
                "13800138000\n", "1٣800138000", "0311234", "00123456", 13800138000, "138 0013 8000"):
        assert not is_valid_callback(bad), bad


@pytest.mark.parametrize("number,kind", [("0068212345", "international"), ("0085212345678", "international"),
                                         ("16812345678", "premium"), ("1601234", "premium"),
                                         ("12590123456", "premium")])
def test_international_and_premium_numbers_are_call_back_numbers_only_where_allowed(number, kind):
    """HOTLINE_OUTBOUND_ALLOW (Settings.outbound_allowed) decides: what the hotline may not dial, it
    does not keep as a call-back number either."""
    assert number_class(number) == kind
    assert not is_valid_callback(number)
    assert not is_valid_callback(number, frozenset(phones.OPTIONAL) - {kind})
    assert is_valid_callback(number, frozenset({kind}))
    assert phones.refusal(number) == kind and phones.CLASS_LABELS[kind]


@given(st.one_of(mobiles, landlines))
def test_valid_callbacks_round_trip(number):
    assert is_valid_callback(number)
    assert normalise_caller_id(number) == number
    assert normalise_phone_query(number) == number


# ------------------------------------------------ caller ids, typed numbers --

def test_caller_ids():
    assert clean_digits("a1-2 3#*") == "123"
    assert normalise_caller_id("+86 138-0013-8000") == "13800138000"
    assert normalise_caller_id("008613800138000") == "13800138000"
    assert normalise_caller_id("8613800138000") == "13800138000"
    assert normalise_caller_id("+86 10 1234 5678") == "01012345678"
    assert normalise_caller_id("+852 1234 5678") == "0085212345678"       # another country: as dialled
    assert number_class(normalise_caller_id("+1 202 555 0100")) == "international"
    assert normalise_caller_id("sip:13800138000@10.0.0.1:5060") == "13800138000"
    assert normalise_caller_id('"张三" <sip:02612345678@gw;user=phone>') == "02612345678"
    assert normalise_caller_id('"Name" <123>') == "123"
    assert normalise_caller_id("anonymous") == ""
    assert normalise_caller_id("'; DROP TABLE accounts; --") == ""
    assert normalise_caller_id(None) == ""
    assert normalise_caller_id("9" * 40) == "9" * 20


@given(mobiles)
def test_international_mobiles(number):
    for raw in (f"+86{number}", f"0086{number}", f"+86 {number[:3]}-{number[3:7]}-{number[7:]}",
                f'"Caller" <sip:+86{number}@10.1.2.3>'):
        assert normalise_caller_id(raw) == number


@pytest.mark.parametrize("query,phone", [
    ("+8613304567836", "13304567836"), ("+86 133-0456-7836", "13304567836"),
    ("0086 13304567836", "13304567836"), ("86 13304567836", "13304567836"),
    ("13304567836", "13304567836"), ("(024)34500413", "02434500413"), ("024-3450 0413", "02434500413"),
    ("+86 24 3450 0413", "02434500413"), ("王秀兰", ""), ("南湖小区3号楼", ""), ("", ""), (None, ""),
    ("1' OR '1'='1", ""), ("1" * 60, ""), ("abc 9;9#9", ""),
])
def test_a_typed_number_is_normalised_like_a_caller_id(query, phone):
    assert normalise_phone_query(query) == phone


@given(st.text(max_size=50))
def test_phone_query_normalisation_never_raises_and_returns_digits(text):
    out = normalise_phone_query(text)
    assert out == "" or (out.isascii() and out.isdigit() and len(out) <= 20)


# ------------------------------------------------------------------ junk --

@hsettings(max_examples=300)
@given(junk, ALLOWED)
def test_junk_never_raises(raw, allowed):
    out = normalise_caller_id(raw)
    assert re.fullmatch(r"[0-9]{0,20}", out)
    assert isinstance(is_valid_callback(raw, allowed), bool)
    assert number_class(raw) in (None, *phones.EVERYDAY, *phones.OPTIONAL)


@hsettings(max_examples=300)
@given(junk)
def test_masks_reveal_at_most_five_digits(raw):
    masked = mask_phone(raw)
    assert sum(c.isdigit() for c in masked) <= 5
    assert len(masked) == len(clean_digits(raw))


def test_masks():
    assert mask_phone("13800138000") == "138******00"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


# ------------------------------------------------------ the public number --

def test_the_public_number_setting_is_digits_or_refused(tmp_path):
    s = load_settings(home=str(tmp_path))
    assert s.public_number == "" and s.public_digits == ""          # not configured by default
    for typed, digits in (("96069", "96069"), ("024-2345 6789", "02423456789"), ("(024)23456789", "02423456789"),
                          ("+86 24 2345 6789", "02423456789")):
        assert s.replace(public_number=typed).public_digits == digits
    for bad in ("abc", "12", "8000;x", "9" * 21, "${HOTLINE_EXTENSION}"):
        with pytest.raises(ValueError, match="HOTLINE_PUBLIC_NUMBER"):
            s.replace(public_number=bad).public_digits


def test_calls_out_present_the_public_number_never_the_internal_extension():
    """[outbound-dial] and [survey-dial] set the caller id residents see from HOTLINE_PUBLIC_NUMBER
    (none configured: no number at all), never from HOTLINE_EXTENSION or an agent's 工号."""
    contexts = parse(DIALPLAN / "extensions.conf", DIALPLAN).contexts
    for name in ("outbound-dial", "survey-dial"):
        steps = [(p.app, p.args) for prios in contexts[name].values() for p in prios]
        assert ("Set", "CALLERID(num)=${HOTLINE_PUBLIC_NUMBER}") in steps, name
        assert ("ExecIf", '$["${HOTLINE_PUBLIC_NUMBER}" = ""]?Set(CALLERID(pres)=unavailable)') in steps, name
        dial = next(i for i, (app, _) in enumerate(steps) if app == "Dial")
        assert max(i for i, (_, args) in enumerate(steps) if "CALLERID(num" in args) < dial
    assert not any("CALLERID(num)=${HOTLINE_EXTENSION}" in p.args
                   for extens in contexts.values() for prios in extens.values() for p in prios)
