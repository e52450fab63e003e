"""The prompt catalog and its audio: TTS at setup, studio recordings win, read-backs rendered ahead of calls.

Flows name prompts through `P` (``P.greeting_welcome``): a typo is an
AttributeError at import, not a silent missing file at 3 a.m. Every file made
here is 8 kHz mono 16-bit WAV, what Asterisk plays without transcoding.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

CATALOG = Path(__file__).with_name("prompts.toml")
ESPEAK_SPEED = "150"          # words/min: a little slower than espeak's 175, for old phones and ears
WORKERS = min(8, os.cpu_count() or 2)
_ID = re.compile(r"[a-z][a-z0-9_]*")
_manifest_lock = threading.Lock()


def load_catalog() -> dict[str, str]:
    """{prompt id: zh-CN text} from prompts.toml, in file order."""
    with open(CATALOG, "rb") as fh:
        prompts = dict(tomllib.load(fh)["prompts"])
    bad = [i for i in prompts if not _ID.fullmatch(i)]
    if bad:   # ids become file names and Python attributes
        raise ValueError(f"{CATALOG.name}: prompt ids must be snake_case: {', '.join(bad)}")
    return prompts


PROMPT_IDS: tuple[str, ...] = tuple(load_catalog())


class _Ids:
    """Attribute per prompt id whose value is the id itself; unknown names raise AttributeError."""
    __slots__ = ()

    def __dir__(self):
        return list(PROMPT_IDS)


for _pid in PROMPT_IDS:
    setattr(_Ids, _pid, _pid)
P = _Ids()


def sound_name(prompt_id: str) -> str:
    """What Asterisk plays: the hotline's prompts dir is linked into its sounds as `hotline`."""
    return f"hotline/{prompt_id}"


# ------------------------------------------------------------------ tools --

def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise RuntimeError(f"{tool} is missing — install the Debian package {package} "
                           f"(apt-get install {package})")
    return path


def _run(argv: list[str], what: str, stdin: str | None = None) -> None:
    r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"{what} failed: {tail[0] if tail else f'exit {r.returncode}'}")


def _tmp_beside(out: Path, suffix: str) -> Path:
    """A unique temp file in the target's dir: concurrent renders never share one, rename is atomic."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=suffix, dir=out.parent)
    os.close(fd)
    return Path(name)


def convert(src: Path, out: Path) -> None:
    """Any sox-readable audio → 8 kHz mono 16-bit WAV at `out`, never half-written."""
    sox = _need("sox", "sox")
    part = _tmp_beside(out, ".wav")
    try:
        _run([sox, "-q", str(src), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(part)],
             f"sox converting {Path(src).name}")
        # mkstemp's 0600 stays: Asterisk runs as the hotline's own user, state is private
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def speaking_voice(voice: str) -> str:
    """The espeak-ng voice actually used for `voice`.

    espeak-ng 1.51 (Debian 12) has a broken `cmn`: it turns 你好 into pinyin and
    reads that in English ("ni three hao three"; espeak-ng issues #1236, #1370).
    `cmn-latn-pinyin` reads hanzi correctly there, so fall back to it when a probe
    shows the English switch; fixed espeak versions keep the configured voice.
    """
    espeak = _need("espeak-ng", "espeak-ng")
    r = subprocess.run([espeak, "-q", "-x", "-v", voice, "你好"], capture_output=True, text=True, timeout=30)
    if r.returncode == 0 and "(en)" in r.stdout:
        return "cmn-latn-pinyin"
    return voice


def synthesise(text: str, out: Path, voice: str) -> None:
    """espeak-ng → 8 kHz WAV. Text goes through stdin: an address starting with '-' is no option."""
    espeak, sox = _need("espeak-ng", "espeak-ng"), _need("sox", "sox")
    raw = _tmp_beside(out, ".tts.wav")
    try:
        if text.strip():
            _run([espeak, "-v", speaking_voice(voice), "-s", ESPEAK_SPEED, "-w", str(raw), "--stdin"],
                 "espeak-ng", stdin=text)
        if raw.stat().st_size == 0:   # nothing speakable (empty, '。'): a breath of silence instead
            _run([sox, "-n", "-r", "8000", "-c", "1", str(raw), "trim", "0", "0.2"], "sox")
        convert(raw, out)
    finally:
        raw.unlink(missing_ok=True)


# ---------------------------------------------------------------- catalog --

def _fingerprint(settings, text: str, custom: Path | None = None) -> str:
    """What a rendered file was made from: a changed text, voice or recording re-renders it."""
    if custom is not None and custom.exists():
        return "custom:" + hashlib.sha1(custom.read_bytes()).hexdigest()
    return f"tts:{speaking_voice(settings.tts_voice)}:{ESPEAK_SPEED}:" + hashlib.sha1(text.encode()).hexdigest()


def render_catalog(settings, force: bool = False, only: list[str] | None = None) -> list[Path]:
    """Render every prompt whose source changed since the last run; returns the catalog's files."""
    _need("espeak-ng", "espeak-ng")
    _need("sox", "sox")
    catalog = load_catalog()
    _render_changed(settings, settings.prompts_dir, {
        pid: (text, settings.custom_prompts_dir / f"{pid}.wav")
        for pid, text in catalog.items() if not only or pid in only}, force)
    render_hold_music(settings)
    if not only:
        render_asterisk_zh(settings, force)
    return [settings.prompts_dir / f"{pid}.wav" for pid in catalog if not only or pid in only]


def load_asterisk_zh() -> dict[str, str]:
    """{Asterisk sound name ('queue-thereare', 'digits/7'): zh-CN text} from prompts.toml."""
    with open(CATALOG, "rb") as fh:
        return dict(tomllib.load(fh).get("asterisk_zh", {}))


def render_asterisk_zh(settings, force: bool = False) -> Path:
    """Asterisk's queue and number sounds in Chinese under sounds/zh (Asterisk's `zh` language)."""
    out_dir = settings.home / "sounds" / "zh"
    _render_changed(settings, out_dir, {name: (text, None) for name, text in load_asterisk_zh().items()},
                    force)
    return out_dir


def _render_changed(settings, out_dir: Path, sources: dict[str, tuple[str, Path | None]],
                    force: bool) -> None:
    """Render into out_dir each sound whose source (text, voice or the admin's recording)
    changed since the manifest there was written."""
    manifest_path = out_dir / "manifest.json"
    with _manifest_lock:
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, ValueError):
            manifest = {}
        jobs = []
        for name, (text, custom) in sources.items():
            fp, out = _fingerprint(settings, text, custom), out_dir / f"{name}.wav"
            if force or manifest.get(name) != fp or not out.exists():
                out.parent.mkdir(parents=True, exist_ok=True)   # names may hold a sub-folder (digits/2)
                jobs.append((name, text, custom, out, fp))

        def run(job):
            name, text, custom, out, fp = job
            if custom is not None and custom.exists():   # an admin's studio recording wins over TTS
                convert(custom, out)
            else:
                synthesise(text, out, settings.tts_voice)
            manifest[name] = fp

        out_dir.mkdir(parents=True, exist_ok=True)
        try:   # espeak and sox are single-threaded: run several at once
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                list(pool.map(run, jobs))
        finally:   # what did render is remembered even if one sound failed
            manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))


def render_hold_music(settings) -> Path:
    """A soft chord progression for the queue, looped by Asterisk; made once (an admin may replace it)."""
    moh = settings.home / "sounds" / "moh"
    target = moh / "hold.wav"
    if target.exists():
        return target
    sox = _need("sox", "sox")
    chords = [("C4", "E4", "G4"), ("A3", "C4", "E4"), ("F3", "A3", "C4"), ("G3", "B3", "D4")]
    pieces = [_tmp_beside(target, f".chord{i}.wav") for i in range(len(chords))]
    part = _tmp_beside(target, ".wav")
    try:
        for chord, p in zip(chords, pieces):
            # three plucked strings mixed down to one channel, faded in and out
            _run([sox, "-q", "-n", "-r", "8000", "-c", "1", "-b", "16", str(p), "synth", "2.5",
                  *(a for n in chord for a in ("pl", n)), "fade", "0.3", "2.5", "0.6"], "sox synth")
        _run([sox, "-q", *map(str, pieces), str(part), "norm", "-12"], "sox")
        part.replace(target)
    finally:
        for p in (*pieces, part):
            p.unlink(missing_ok=True)
    return target


# -------------------------------------------------------------- read-backs --
# Nothing is synthesised on a call: numbers are read from the catalog's digit prompts, and the
# texts a call reads back (addresses, station names) are rendered ahead of it — in bulk, in the
# background (the service, `hotline prompts render`) — into a cache bounded by Settings.tts_cache_mb.

#: the prompt read for each digit
DIGIT_PROMPTS = {d: f"digit_{d}" for d in "0123456789"}
if set(DIGIT_PROMPTS.values()) - set(PROMPT_IDS):
    raise ValueError(f"{CATALOG.name}: digit_0 … digit_9 are missing")


def digit_sounds(number) -> list[str]:
    """'2611230001' → the digit prompts' sounds, one per digit (anything but a digit is dropped)."""
    return [sound_name(DIGIT_PROMPTS[c]) for c in str(number) if c in DIGIT_PROMPTS]


def _readback_key(settings, text: str) -> str:
    return hashlib.sha1(f"{speaking_voice(settings.tts_voice)}\0{text}".encode()).hexdigest()


def tts_sound(settings, text: str) -> str:
    """Render a read-back now (the renderer's step — never on a call): 'tts/<hash>', once per text."""
    key = _readback_key(settings, text)
    out = settings.tts_cache_dir / f"{key}.wav"
    if not out.exists():
        synthesise(text, out, settings.tts_voice)
    return f"tts/{key}"


def readback_sound(settings, text: str) -> str | None:
    """The rendered read-back of `text` as a sound name, or None when it is not rendered yet: the
    call path only looks (one stat), it never waits on TTS."""
    key = _readback_key(settings, text)
    return f"tts/{key}" if (settings.tts_cache_dir / f"{key}.wav").exists() else None


# A station told of a dispatched repair by phone (#30): the call's briefing (problem, priority, address)
# is rendered once for that call, when the service places it — never on the call — into a file named by
# the call's id alone (no text of the ticket in any path), beside the read-back cache (its bound and
# pruning look at its top level only). Old ones go when new ones are made.

#: briefings older than this are removed when another is rendered (every call is long over)
STATION_BRIEFING_KEEP_S = 2 * 24 * 3600


def station_briefing_file(settings, call_id: int) -> Path:
    return settings.tts_cache_dir / "station" / f"{int(call_id)}.wav"


def render_station_briefing(settings, call_id: int, text: str) -> str:
    """Render the briefing of station call `call_id` now (espeak-ng + sox, the service's worker
    thread); its sound name 'tts/station/<id>'. Briefings of long-gone calls are removed."""
    out = station_briefing_file(settings, call_id)
    synthesise(text, out, settings.tts_voice)
    cutoff = out.stat().st_mtime - STATION_BRIEFING_KEEP_S
    for e in os.scandir(out.parent):
        if e.name.endswith(".wav") and e.is_file() and e.stat().st_mtime < cutoff:
            Path(e.path).unlink(missing_ok=True)
    return f"tts/station/{int(call_id)}"


def station_briefing_sound(settings, call_id: int) -> str | None:
    """The briefing's sound name when it was rendered (one stat: the call never waits on TTS)."""
    return f"tts/station/{int(call_id)}" if station_briefing_file(settings, call_id).exists() else None


def render_readbacks(settings, texts, force: bool = False, prune: bool = False, progress=None) -> dict:
    """Render each of `texts` not rendered yet, several at once, within the cache's bound
    (Settings.tts_cache_mb): when it is full, files no text wants any more go first (oldest
    first); with none left nothing more is rendered (those calls read the 户号's digits). The bound
    is checked before each batch of WORKERS × 4, so it is exceeded by one batch at most.
    `prune` (a rebuild, `hotline prompts render`) removes every file no text wants; `progress(done,
    total)` after each batch. Returns {"rendered", "removed", "skipped", "bytes"}."""
    cache = settings.tts_cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    wanted = {_readback_key(settings, t): t for t in set(texts)}
    files = {e.name[:-4]: e for e in os.scandir(cache) if e.name.endswith(".wav") and e.is_file()}
    sizes = {k: e.stat().st_size for k, e in files.items()}
    stale = sorted((k for k in files if k not in wanted), key=lambda k: files[k].stat().st_mtime)
    removed = 0

    def drop(k):
        nonlocal removed
        (cache / f"{k}.wav").unlink(missing_ok=True)
        sizes.pop(k, None)
        removed += 1
    if prune:
        for k in stale:
            drop(k)
        stale = []
    todo = [k for k in wanted if force or k not in files]
    bound = max(0, int(settings.tts_cache_mb)) * 1024 * 1024
    rendered = skipped = 0

    def run(k):
        out = cache / f"{k}.wav"
        synthesise(wanted[k], out, settings.tts_voice)
        return k, out.stat().st_size
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for i in range(0, len(todo), WORKERS * 4):
            while sum(sizes.values()) > bound and stale:
                drop(stale.pop(0))
            if sum(sizes.values()) > bound:
                skipped = len(todo) - i
                break
            for k, size in pool.map(run, todo[i:i + WORKERS * 4]):
                sizes[k] = size
                rendered += 1
            if progress is not None:
                progress(rendered, len(todo))
    return {"rendered": rendered, "removed": removed, "skipped": skipped, "bytes": sum(sizes.values())}


# ---------------------------------------------------------------- outages --
# An outage's notice (区域停热, #30) is rendered once, when a team lead declares it, into a folder of
# the read-back cache of its own (render_readbacks never prunes sub-folders): the file is named by
# the outage's id alone, never by any text.

#: the longest recorded notice taken (`hotline outage set --file`)
OUTAGE_FILE_MAX_S = 120


def outage_file(settings, outage_id: int) -> Path:
    return settings.tts_cache_dir / "outage" / f"{int(outage_id)}.wav"


def outage_sound(outage_id: int) -> str:
    """What Asterisk plays for the outage's notice (the cache is linked into its sounds as `tts`)."""
    return f"tts/outage/{int(outage_id)}"


def render_outage(settings, text: str, out: Path) -> None:
    """The notice's text → 8 kHz WAV at `out` (espeak-ng through stdin, as every prompt)."""
    synthesise(text, out, settings.tts_voice)


def check_wav(file) -> float:
    """A recorded notice as imported: a readable PCM WAV of some audio and at most OUTAGE_FILE_MAX_S;
    its length in seconds. ValueError (the admin reads it) otherwise."""
    import wave  # noqa: PLC0415 — only an import needs it
    path = Path(file)
    if not path.is_file():
        raise ValueError(f"{path}: 没有这个文件")
    try:
        with wave.open(str(path), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"{path}: 不是有效的 WAV 文件 ({exc})") from None
    seconds = frames / rate if rate else 0.0
    if seconds <= 0.2:
        raise ValueError(f"{path}: 录音是空的")
    if seconds > OUTAGE_FILE_MAX_S:
        raise ValueError(f"{path}: 录音 {seconds:.0f} 秒,最长 {OUTAGE_FILE_MAX_S} 秒")
    return seconds


def import_prompt(settings, prompt_id: str, file) -> Path:
    """Make a studio recording (any sox-readable audio) the prompt `prompt_id`, and render it now."""
    if prompt_id not in load_catalog():
        raise ValueError(f"unknown prompt id {prompt_id!r} — `hotline prompts list` shows the ids")
    if not Path(file).is_file():
        raise ValueError(f"{file}: no such file")
    custom = settings.custom_prompts_dir / f"{prompt_id}.wav"
    convert(Path(file), custom)
    render_catalog(settings, only=[prompt_id])
    return custom
