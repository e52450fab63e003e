"""The one AMI action builder: no value can start a second action (no Asterisk needed)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.ami import AmiValueError, ami_action, encode


def test_an_action_is_built_from_plain_fields_and_none_is_left_out():
    assert ami_action("QueuePause", Queue="repair", Paused="true", Reason=None) == \
        {"Action": "QueuePause", "Queue": "repair", "Paused": "true"}


@pytest.mark.parametrize("value", ["用餐\r\nAction: DBPut", "a\nb", "a\rb", "nul\x00", "\r\n\r\n"])
def test_a_line_break_or_nul_in_any_value_is_refused(value):
    with pytest.raises(AmiValueError):
        ami_action("QueuePause", Reason=value)
    with pytest.raises(AmiValueError):
        encode({"Action": "QueuePause", "Reason": value})


@pytest.mark.parametrize("name", ["Queue Pause", "Action", "X\r\nAction", "", "1abc", "Reason:"])
def test_field_names_are_plain_words_and_never_a_second_action(name):
    with pytest.raises(AmiValueError):
        ami_action("QueuePause", **{name: "x"})


@pytest.mark.parametrize("name", ["Queue Pause", "X\r\nAction: DBPut", "", "1abc", "Reason:"])
def test_action_names_are_plain_words(name):
    with pytest.raises(AmiValueError):
        ami_action(name)


def test_other_control_characters_are_dropped():
    assert ami_action("QueuePause", Reason="用\x07餐\x1b\t")["Reason"] == "用餐\t"


@given(st.text())
def test_no_value_whatever_it_holds_yields_more_than_one_action(value):
    try:
        wire = encode(ami_action("QueuePause", Queue="repair", Reason=value))
    except AmiValueError:
        assert any(c in value for c in "\r\n\x00")
        return
    assert wire.count(b"\r\n\r\n") == 1 and wire.endswith(b"\r\n\r\n")
    assert [line for line in wire.split(b"\r\n") if line.startswith(b"Action:")] == [b"Action: QueuePause"]
