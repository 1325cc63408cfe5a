#!/usr/bin/env bash
# Validate `kg export kgx` with the kgx package's own validator (issue 4), as in
# bench/RESULTS.md, "kgx validation".
#
# usage: bench/kgx_validate.sh [STORE_ROOT ...]
#   no argument: the mini graph (tests/fixtures/mirror, built here) and, if it has a
#   current build, var/store (the full graph: ~6 min to export, ~4 min to validate).
# env:   KGX_VENV (default /tmp/kgxvenv)  KGX_OUT (default /tmp/kgx-validate)  PYTHON (default python)
#
# kgx lives in its own venv: it pins pyarrow<16 (so numpy<2), sphinx==5.3.0, docker<7,
# which would downgrade this project's environment. kgx 2.7.0 does not resolve here
# (pip backtracks to 2.6.0 after ~7 minutes), so 2.6.0 is pinned.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${KGX_VENV:-/tmp/kgxvenv}
OUT=${KGX_OUT:-/tmp/kgx-validate}
PY=${PYTHON:-python}
KGX_VERSION=2.6.0

if ! "$VENV/bin/python" -c "import kgx" 2>/dev/null; then
  echo "installing kgx==$KGX_VERSION into $VENV ..."
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q "kgx==$KGX_VERSION"
fi
mkdir -p "$OUT"
cd "$REPO"
# this checkout's kg, whatever `kg` on PATH points to
kg() { PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" "$PY" -c "from kg.cli import app; app()" "$@"; }

stores=("$@")
if [ ${#stores[@]} -eq 0 ]; then
  rm -rf "$OUT/mini-store"
  PYTHONPATH="$REPO" "$PY" -c "
from pathlib import Path
from kg.build import build
build(Path('$OUT/mini-store'), data_dir=Path('tests/fixtures/mirror'), allow_download=False, log=lambda m: None)"
  stores=("$OUT/mini-store")
  if [ -e var/store/current ]; then stores+=("var/store"); fi
fi

for store in "${stores[@]}"; do
  dir="$OUT/$(basename "$store")-kgx"
  echo "== $store -> $dir"
  start=$SECONDS
  kg export kgx --store "$store" --out "$dir"
  echo "export: $((SECONDS - start)) s"
  "$VENV/bin/python" bench/kgx_validate.py "$dir" --json "$dir.json"
done
