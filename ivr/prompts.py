"""The prompt catalog and its audio: TTS at setup, studio recordings win, cached read-backs.

Flows name prompts through `P` (``P.greeting_welcome``): a typo is an
AttributeError at import, not a silent missing file at 3 a.m.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CATALOG = Path(__file__).with_name("prompts.toml")


def load_catalog() -> dict[str, str]:
    with open(CATALOG, "rb") as fh:
        return dict(tomllib.load(fh)["prompts"])


class _Ids:
    def __init__(self, ids):
        for i in ids:
            setattr(self, i, i)


P = _Ids(load_catalog())


def sound_name(prompt_id: str) -> str:
    """What Asterisk plays: the hotline's sounds dir is linked as `hotline`."""
    return f"hotline/{prompt_id}"


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise RuntimeError(f"{tool} is missing — install the Debian package {package}")
    return path


def synthesise(text: str, out: Path, voice: str) -> None:
    """espeak-ng → 8 kHz mono 16-bit WAV (what Asterisk's format_wav plays)."""
    espeak, sox = _need("espeak-ng", "espeak-ng"), _need("sox", "sox")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tts.wav")
    subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(tmp), text], check=True,
                   capture_output=True, timeout=60)
    convert(tmp, out)
    tmp.unlink(missing_ok=True)


def convert(src: Path, out: Path) -> None:
    sox = _need("sox", "sox")
    part = out.with_suffix(".part.wav")
    r = subprocess.run([sox, str(src), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(part)],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        part.unlink(missing_ok=True)
        raise RuntimeError(f"sox could not convert {src.name}: {r.stderr.strip().splitlines()[-1:] or ''}")
    part.replace(out)   # never a half-written prompt


def _fingerprint(settings, text: str, custom: Path) -> str:
    if custom.exists():
        return "custom:" + hashlib.sha1(custom.read_bytes()).hexdigest()
    return f"tts:{settings.tts_voice}:" + hashlib.sha1(text.encode()).hexdigest()


def render_catalog(settings, force: bool = False, only: list[str] | None = None) -> list[Path]:
    """Render every prompt id that changed since the last render (text, voice or recording)."""
    _need("espeak-ng", "espeak-ng")
    _need("sox", "sox")
    out_dir = settings.prompts_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    jobs = []
    for pid, text in load_catalog().items():
        if only and pid not in only:
            continue
        custom = settings.custom_prompts_dir / f"{pid}.wav"
        fp = _fingerprint(settings, text, custom)
        out = out_dir / f"{pid}.wav"
        if force or manifest.get(pid) != fp or not out.exists():
            jobs.append((pid, text, custom, out, fp))

    def run(job):
        pid, text, custom, out, fp = job
        if custom.exists():
            convert(custom, out)
        else:
            synthesise(text, out, settings.tts_voice)
        return pid, fp

    with ThreadPoolExecutor(max_workers=4) as pool:
        for pid, fp in pool.map(run, jobs):
            manifest[pid] = fp
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    _render_hold_music(settings)
    return sorted(out_dir.glob("*.wav"))


def _render_hold_music(settings) -> None:
    """A soft looping chord progression, rendered once (an admin may drop real files in moh/)."""
    moh = settings.home / "sounds" / "moh"
    moh.mkdir(parents=True, exist_ok=True)
    target = moh / "hold.wav"
    if target.exists():
        return
    sox = _need("sox", "sox")
    part = moh / "hold.part.wav"
    chords = [("C4", "E4", "G4"), ("A3", "C4", "E4"), ("F3", "A3", "C4"), ("G3", "B3", "D4")]
    pieces = []
    for i, chord in enumerate(chords):
        p = moh / f".chord{i}.wav"
        subprocess.run([sox, "-n", "-r", "8000", "-c", "1", "-b", "16", str(p), "synth", "2.5",
                        *sum((["pl", n] for n in chord), []), "fade", "0.3", "2.5", "0.6", "gain", "-18"],
                       check=True, capture_output=True)
        pieces.append(str(p))
    subprocess.run([sox, *pieces, str(part)], check=True, capture_output=True)
    for p in pieces:
        Path(p).unlink()
    part.replace(target)


def tts_sound(settings, text: str) -> str:
    """A read-back (address, digits) as an Asterisk sound name, synthesised once per text."""
    key = hashlib.sha1(f"{settings.tts_voice}\0{text}".encode()).hexdigest()[:20]
    out = settings.tts_cache_dir / f"{key}.wav"
    if not out.exists():
        synthesise(text, out, settings.tts_voice)
    return f"tts/{key}"


def import_prompt(settings, prompt_id: str, file: Path) -> Path:
    catalog = load_catalog()
    if prompt_id not in catalog:
        raise ValueError(f"unknown prompt id {prompt_id!r} — `hotline prompts list` shows the ids")
    if not Path(file).is_file():
        raise ValueError(f"{file}: no such file")
    custom = settings.custom_prompts_dir / f"{prompt_id}.wav"
    custom.parent.mkdir(parents=True, exist_ok=True)
    convert(Path(file), custom)
    render_catalog(settings, only=[prompt_id])
    return custom
