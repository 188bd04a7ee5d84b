#!/usr/bin/env bash
# Pins the connector jars of spark/Dockerfile: downloads each from Maven Central once,
# computes its sha256 and rewrites spark/jars.sha256. Run it on a machine with internet
# whenever a version ARG in the Dockerfile changes, check the jars' signatures if you
# want more than trust on first use (gpg --verify with the .asc next to each jar), and
# commit the file: every later image build then refuses a jar whose bytes changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=jar-paths.sh
. "$here/jar-paths.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

out="$tmp/jars.sha256"
{
  echo '# sha256 of each jar spark/Dockerfile downloads from Maven Central: "<sha256>  <file name>".'
  echo '# Written by spark/pin-jars.sh on a machine with internet (it downloads each jar once and'
  echo '# records its digest); review a change to this file like a change of code.'
  echo "# Pinned $(date -u +%Y-%m-%d) from $maven."
} > "$out"
dockerfile_jar_paths | while read -r path; do
  name="${path##*/}"
  # a jar the repository does not serve stays UNPINNED, named, and the image build keeps refusing it
  if ! curl -fsSL --retry 3 -o "$tmp/$name" "$maven/$path"; then
    echo "# $name: not served by $maven on $(date -u +%Y-%m-%d)" >> "$out"
    echo "UNPINNED  $name" >> "$out"
    echo "spark/pin-jars.sh: $maven does not serve $path: left UNPINNED" >&2
    continue
  fi
  # Maven Central's own .sha1 only catches a broken download (same origin), not a swapped jar
  echo "$(curl -fsSL "$maven/$path.sha1" | cut -c1-40)  $tmp/$name" | sha1sum -c --quiet -
  echo "$(sha256sum "$tmp/$name" | cut -d' ' -f1)  $name" >> "$out"
done
mv "$out" "$here/jars.sha256"
echo "wrote $here/jars.sha256:"
grep -v '^#' "$here/jars.sha256"
