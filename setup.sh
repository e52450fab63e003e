#!/usr/bin/env bash
# One command: install, build/find Asterisk 22, load demo data, start the hotline.
#   ./setup.sh            → the hotline runs on its embedded defaults (SQLite, private Asterisk)
# State lives in $HOTLINE_HOME (default ~/.local/state/hotline).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
.venv/bin/hotline asterisk-provision
.venv/bin/hotline demo-data --accounts 200
exec .venv/bin/hotline up
