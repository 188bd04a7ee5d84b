# Sourced by spark/pin-jars.sh and spark/dev/jars.sh: the connector jars of spark/Dockerfile,
# read from the Dockerfile itself (its fetch lines and version ARGs), so the image, the pins
# and the local Spark runs can never list different jars.
dockerfile="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/Dockerfile"
maven="$(sed -n 's/^ARG MAVEN_CENTRAL=//p' "$dockerfile")"
dockerfile_arg() { sed -n "s/^ARG $1=//p" "$dockerfile"; }
# One Maven Central path per line, versions filled in.
dockerfile_jar_paths() {
  grep -o 'fetch "[^"]*"' "$dockerfile" | sed 's/^fetch "//; s/"$//' | while read -r path; do
    for a in SPARK_VERSION SCALA_BINARY KAFKA_CLIENTS_VERSION COMMONS_POOL2_VERSION MSK_IAM_AUTH_VERSION; do
      path="${path//\$\{$a\}/$(dockerfile_arg "$a")}"
    done
    echo "$path"
  done
}
