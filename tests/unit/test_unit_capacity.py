"""Capacity (#16): the RTP range against the expected concurrency; the service's share of the AGI turnaround."""
from __future__ import annotations

import pytest

from hotline.service.fastagi import AgiTimings
from common.ports import RANDOM_RTP, PortInUse, Ports, rtp_range
from common.settings import load_settings


def test_the_default_range_carries_the_capacity_goal(tmp_path):
    s = load_settings(home=str(tmp_path))
    start, end = rtp_range(s)
    assert (start, end) == (10000, 19999)
    p = Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=start, rtp_end=end)
    assert p.channel_limit == 5000 and p.call_limit == 2500 >= s.expected_calls >= 540


def test_a_range_too_small_for_the_expected_calls_is_refused_with_the_setting_to_change(tmp_path):
    s = load_settings(home=str(tmp_path), rtp_ports=200, expected_calls=600)
    with pytest.raises(PortInUse, match=r"HOTLINE_RTP_PORTS=200 carries 50 calls.*at least 2400"):
        rtp_range(s)


def test_a_range_past_the_last_port_is_refused(tmp_path):
    with pytest.raises(PortInUse, match="outside 1024–65535"):
        rtp_range(load_settings(home=str(tmp_path), rtp_start=60000, rtp_ports=10000))


def test_random_blocks_stay_in_their_band_clear_of_the_default_range(tmp_path):
    s = load_settings(home=str(tmp_path), rtp_start=0, rtp_ports=400, expected_calls=100)
    for _ in range(200):
        start, end = rtp_range(s)
        assert start % 2 == 0 and end - start + 1 == 400
        assert RANDOM_RTP[0] <= start and end < RANDOM_RTP[1]


def test_the_services_share_of_the_agi_turnaround_is_reported_per_minute_and_then_reset():
    t = AgiTimings()
    assert t.report() is None                       # a quiet minute says nothing
    t.shares += [0.0001] * 98 + [0.004, 0.010]
    t.lags += [0.0005, 0.002]
    r = t.report()
    assert r["commands"] == 100 and r["share_p50_ms"] == 0.1 and r["share_p99_ms"] == 10.0
    assert r["loop_lag_p99_ms"] == 2.0 and t.report() is None
