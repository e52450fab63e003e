"""Prompt catalog → real audio with espeak-ng + sox (missing tools FAIL, never skip)."""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import wave

import pytest

from common.settings import load_settings
from ivr import prompts
from ivr.prompts import (P, PROMPT_IDS, import_prompt, load_catalog, render_catalog, sound_name,
                         tts_sound)

SPEC_WORDING = {   # docs/product.md §1, word for word
    "greeting_hello": "您好", "greeting_xinnian": "新年好", "greeting_laodong": "劳动节快乐",
    "greeting_zhongqiu": "中秋节快乐", "greeting_guoqing": "国庆节快乐",
    "greeting_welcome": "欢迎致电大龙供暖报修热线,本次通话将被录音。",
    "address_confirm": "确认请按1,更改请按2", "address_confirm_rekey": "确认请按1,重新输入请按2",
    "account_enter": "请输入您的供热户号,以井号键结束",
    "open_ticket_offer": "您有一张正在处理的报修单,查询进度请按1,新的报修请按2",
    "state_callback_booked": "已为您登记回电,客服人员会尽快与您联系",
    "state_unconfirmed": "已登记,正在等待工作人员确认,确认后我们会与您联系", "state_new": "已受理,正在为您安排维修",
    "ticket_station_expected": "预计负责的维修站是", "ticket_station_is": "负责的维修站是",
    "state_dispatched": "已派单至维修站,正在等待维修站接单", "state_accepted": "维修站已接单,维修人员将与您联系",
    "state_contacted": "维修人员已与您联系,正在为您处理", "after_status_menu": "新的报修请按1,人工服务请按0",
    "problem_menu": "暖气不热请按1,漏水请按2,噪音或异响请按3,缴费及其他问题请按4,人工服务请按0。",
    "callback_confirm": "确认请按1,重新输入请按2",
    "voice_description": "请在提示音后简要描述问题,按井号键结束", "ticket_number_is": "您的报修单号是",
    "queue_transfer": "正在为您转接客服人员,请稍候。", "queue_callback_offer": "如不想等待,请按1,我们将尽快给您回电",
}


def wav_format(path) -> tuple[int, int, int, float]:
    with wave.open(str(path)) as w:
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes() / w.getframerate()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing — install the Debian package {tool}")
    s = load_settings(home=str(tmp_path_factory.mktemp("prompts-home")))
    return s, render_catalog(s)


def test_catalog_ids_and_wording():
    catalog = load_catalog()
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in catalog)
    for pid, text in SPEC_WORDING.items():
        assert catalog[pid] == text, pid
    with open(prompts.CATALOG, "rb") as fh:
        assert tomllib.load(fh)["meta"]["language"] == "zh-CN"
    assert P.greeting_welcome == "greeting_welcome" and set(PROMPT_IDS) == set(catalog)
    assert sound_name(P.problem_menu) == "hotline/problem_menu"
    with pytest.raises(AttributeError):
        P.greeting_wellcome  # noqa: B018 — a typo must not pass silently


def test_catalog_rendered_as_8k_mono(rendered):
    s, files = rendered
    assert {f.stem for f in files} == set(PROMPT_IDS)
    for f in files:
        rate, channels, width, seconds = wav_format(f)
        assert (rate, channels, width) == (8000, 1, 2), f.name
        assert seconds > 0.3, f.name
    assert wav_format(s.home / "sounds" / "moh" / "hold.wav")[:3] == (8000, 1, 2)
    out = subprocess.run(["soxi", "-r", str(s.prompts_dir / "greeting_welcome.wav")], capture_output=True, text=True)
    assert out.stdout.strip() == "8000"


def test_queue_announcements_and_numbers_are_rendered_in_chinese_for_asterisk(rendered):
    """Asterisk's queue says "您目前排在第 二 位 … 预计等待时间约 三十 秒" from sounds/zh, not English."""
    s, _ = rendered
    zh = s.home / "sounds" / "zh"
    for name in ("queue-thereare", "queue-callswaiting", "queue-youarenext", "queue-holdtime", "queue-seconds",
                 "queue-minutes", "queue-thankyou", "digits/0", "digits/7", "digits/10", "digits/90",
                 "digits/hundred", "digits/wan"):
        rate, channels, width, seconds = wav_format(zh / f"{name}.wav")
        assert (rate, channels, width) == (8000, 1, 2) and seconds > 0.1, name


def test_rerender_is_a_noop(rendered):
    s, files = rendered
    before = {f: f.stat().st_mtime_ns for f in files}
    render_catalog(s)
    assert {f: f.stat().st_mtime_ns for f in files} == before


def test_custom_recording_wins(rendered, tmp_path):
    s, _ = rendered
    studio = tmp_path / "studio.wav"   # a 44.1 kHz stereo "studio" take: a 2 s tone
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(studio), "synth", "2", "sine", "440"], check=True)
    import_prompt(s, "goodbye", studio)
    rate, channels, _, seconds = wav_format(s.prompts_dir / "goodbye.wav")
    assert (rate, channels) == (8000, 1) and abs(seconds - 2.0) < 0.05
    assert (s.custom_prompts_dir / "goodbye.wav").exists()
    # a full render keeps the recording, and removing it brings the TTS back
    render_catalog(s)
    assert abs(wav_format(s.prompts_dir / "goodbye.wav")[3] - 2.0) < 0.05
    (s.custom_prompts_dir / "goodbye.wav").unlink()
    render_catalog(s)
    assert abs(wav_format(s.prompts_dir / "goodbye.wav")[3] - 2.0) > 0.05
    with pytest.raises(ValueError, match="unknown prompt id"):
        import_prompt(s, "no_such_prompt", studio)


def test_tts_sound_caches(rendered):
    s, _ = rendered
    name = tts_sound(s, "幺 三 八 零 零 幺 三 八 零 零 零")
    path = s.tts_cache_dir / (name.split("/", 1)[1] + ".wav")
    assert name.startswith("tts/") and wav_format(path)[:2] == (8000, 1)
    mtime = path.stat().st_mtime_ns
    assert tts_sound(s, "幺 三 八 零 零 幺 三 八 零 零 零") == name
    assert path.stat().st_mtime_ns == mtime
    assert tts_sound(s, "大龙区供热路 8 号") != name
    assert wav_format(s.tts_cache_dir / (tts_sound(s, "") [4:] + ".wav"))[0] == 8000   # empty text: silence


def test_voice_speaks_mandarin_not_english_pinyin():
    # espeak-ng 1.51's `cmn` reads 你好 as English "ni three hao three"; the fallback must not
    voice = prompts.speaking_voice("cmn")
    out = subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, "你好"], capture_output=True, text=True).stdout
    assert "(en)" not in out and out.strip()


def test_missing_tool_names_the_package(rendered, monkeypatch):
    s, _ = rendered
    monkeypatch.setattr(prompts.shutil, "which", lambda tool: None if tool == "espeak-ng" else "/usr/bin/" + tool)
    with pytest.raises(RuntimeError, match="Debian package espeak-ng"):
        tts_sound(s, "一段新的文字")
