#!/usr/bin/env bash
# The EMR image's connector jars for a local spark-submit: downloads each jar spark/Dockerfile
# fetches into .cache/engines/spark-jars/, checks it against spark/jars.sha256 (a jar whose
# bytes differ is deleted and refused), and prints the comma-separated paths for --jars.
# A jar jars.sha256 leaves UNPINNED is replaced by its line in spark/dev/jar-substitutes.sha256,
# and said so on stderr; one with neither stops here, naming it. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../jar-paths.sh
. "$here/../jar-paths.sh"
root="$(cd "$here/../.." && pwd)"
dir="$root/.cache/engines/spark-jars"
mkdir -p "$dir"
pinned() { awk -v n="$1" '$0 !~ /^#/ && $2 == n { print $1 }' "$root/spark/jars.sha256"; }
jars=()
while read -r path; do
  name="${path##*/}"
  sum="$(pinned "$name")"
  if ! [[ "$sum" =~ ^[0-9a-f]{64}$ ]]; then
    line="$(awk -v n="$name" '$0 !~ /^#/ && $3 == n' "$here/jar-substitutes.sha256")"
    if [ -z "$line" ]; then
      echo "spark/dev/jars.sh: $name has no sha256 in spark/jars.sha256 and no substitute in spark/dev/jar-substitutes.sha256: run spark/pin-jars.sh" >&2
      exit 1
    fi
    read -r sum path _ <<<"$line"
    echo "spark/dev/jars.sh: $name is not pinned (not served by $maven); using ${path##*/} (spark/dev/jar-substitutes.sha256)" >&2
    name="${path##*/}"
  fi
  if ! echo "$sum  $dir/$name" | sha256sum -c --quiet - >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$dir/$name.part" "$maven/$path"
    if ! echo "$sum  $dir/$name.part" | sha256sum -c --quiet - >/dev/null 2>&1; then
      rm -f "$dir/$name.part"
      echo "spark/dev/jars.sh: $maven/$path does not have the pinned sha256 $sum: refused" >&2
      exit 1
    fi
    mv "$dir/$name.part" "$dir/$name"
  fi
  jars+=("$dir/$name")
done < <(dockerfile_jar_paths)
(IFS=,; echo "${jars[*]}")
