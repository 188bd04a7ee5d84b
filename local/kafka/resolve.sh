#!/usr/bin/env bash
# Resolves the test broker (pom.xml: kafka_2.13 and its runtime dependencies) from Maven
# Central into .cache/engines/ (Maven's repository and the broker's classpath folder).
# Idempotent: a classpath folder that matches the pom is kept. Prints the folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/.cache/engines"
lib="$cache/kafka-lib"
stamp="$lib/.pom.sha256"
want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  command -v mvn >/dev/null || { echo "local/kafka/resolve.sh: Maven (mvn) is not installed: apt-get install maven" >&2; exit 1; }
  rm -rf "$lib"
  mvn -q -B -f "$here/pom.xml" -Dmaven.repo.local="$cache/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib" >&2
  echo "$want" > "$stamp"
fi
echo "$lib"
