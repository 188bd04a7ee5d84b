#!/usr/bin/env bash
# Creates (or completes) .venv-sim/: the interpreter of the measured side of
# `npm run sim:realism` (detector/realism/measured.py): pvlib, whose package data
# holds the measured irradiance, at the versions pinned in requirements.txt.
# Idempotent and quick when the venv already holds those versions (CI runs it every time).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv-sim"
python="${SIM_VENV_PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "detector/realism/venv.sh: $python cannot create a venv: apt-get install python3-venv" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
# pip freeze spells names its own way (h5py, PyYAML…): compare case-insensitively
have="$("$venv/bin/python" -m pip freeze 2>/dev/null | tr 'A-Z' 'a-z')"
missing=0
for pin in $(grep -Ev '^\s*(#|$)' "$here/requirements.txt"); do grep -qx "$(tr 'A-Z' 'a-z' <<<"$pin")" <<<"$have" || missing=1; done
if [ "$missing" = 1 ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$here/requirements.txt"
fi
"$venv/bin/python" -c 'import pvlib, numpy, pandas, scipy; print("sim venv:", "pvlib", pvlib.__version__, "numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__)'
