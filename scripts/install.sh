#!/usr/bin/env bash
# Installs everything the hotline needs on Debian 12, from the project's own files:
# Debian packages, a virtualenv in .venv with the project (editable, dev extras).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  debootstrap            # builds the cached Asterisk 22 root (Debian 12 has no asterisk)
  espeak-ng sox libsox-fmt-all   # prompts: TTS (cmn) rendered to 8 kHz audio
  sip-tester             # sipp, for load benchmarks and RFC 4733 DTMF pcaps
  postgresql             # the multi-agent database (tests start a throwaway cluster)
  xvfb fonts-noto-cjk libxcb-cursor0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3  # desktop
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0  # Qt xcb under Xvfb
  fonts-wqy-zenhei       # the reports' PDF: a CJK TrueType font reportlab can embed (Noto CJK is OTF/CFF: it cannot)
  poppler-utils          # pdftoppm/pdffonts: tests render the PDF report to PNG and check its fonts are embedded
  chromium               # headless: tests render the wall display (/wall) and screenshot it (docs/screenshots/wall.png)
  logrotate              # the installed server's log policy (/etc/logrotate.d/hotline); tests run it
  systemd                # systemd-analyze: tests verify the units `hotline install --system` writes
  python3-venv
)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
  # pip's notes about this machine's extra package locations are noise; errors still show
  # the exact versions tested (constraints.txt), within pyproject's bounds: a rebuild never pulls whatever is newest
  .venv/bin/pip install -q -c constraints.txt -e ".[dev]" 2> >(grep -vE "^WARNING: Location|BuildBackendWarning|^\s*(!!|\*+|Please be careful|name as your package|with strategy)|^\s*$" >&2)
  rm -f .venv/.installed-*; touch "$stamp"
fi

# the desk's translations: translators edit the .ts, the .qm is compiled here at install
# (never written into the package at run time); tests check the committed .qm is current
for ts in desktop/i18n/*.ts; do
  qm="${ts%.ts}.qm"
  if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then .venv/bin/pyside6-lrelease -silent "$ts" -qm "$qm"; fi
done
