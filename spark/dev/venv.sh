#!/usr/bin/env bash
# Creates (or completes) .venv-spark/: the interpreter the real-engine tests and
# `npm start -- --engine spark` run the Spark jobs with. PySpark at the Spark version
# of the EMR release the stack deploys (Pulumi.yaml's pv-fault:sparkVersion default:
# one source of truth, never a second literal) plus spark/requirements.txt, the pins
# the EMR image installs. Idempotent: a venv that already holds these versions is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-spark"
spark_version="$(awk '/^  pv-fault:sparkVersion:/ { f = 1 } f && /default:/ { print $2; exit }' "$root/Pulumi.yaml")"
if ! [[ "$spark_version" =~ ^3\.5\.[0-9]+$ ]]; then
  echo "spark/dev/venv.sh: no Spark 3.5.x version under pv-fault:sparkVersion in Pulumi.yaml (found '$spark_version')" >&2
  exit 1
fi
# Same interpreter family as EMR's /usr/bin/python3 (Debian's here; the jobs keep to 3.9 syntax)
python="${SPARK_VENV_PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "spark/dev/venv.sh: $python cannot create a venv: apt-get install python3-venv" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
want="pyspark==$spark_version $(grep -Ev '^\s*(#|$)' "$root/spark/requirements.txt" | tr '\n' ' ')"
# pip freeze names PyWavelets as PyWavelets and pyspark as pyspark: compare case-insensitively
have="$("$venv/bin/python" -m pip freeze 2>/dev/null | tr 'A-Z' 'a-z')"
missing=0
for pin in $want; do grep -qx "$(tr 'A-Z' 'a-z' <<<"$pin")" <<<"$have" || missing=1; done
if [ "$missing" = 1 ]; then
  "$venv/bin/python" -m pip install --quiet --only-binary=numpy,pandas,pyarrow,PyWavelets "pyspark==$spark_version" -r "$root/spark/requirements.txt"
fi
"$venv/bin/python" -c 'import pyspark, numpy, pandas, pyarrow, pywt; print("spark venv:", "pyspark", pyspark.__version__, "numpy", numpy.__version__, "pandas", pandas.__version__, "pyarrow", pyarrow.__version__, "pywt", pywt.__version__)'
