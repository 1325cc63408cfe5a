#!/usr/bin/env bash
# Embedded Neo4j for tests: make sure Java 17 and Maven exist, then build the launcher
# classpath (neo4j/launcher/target/) from Maven Central artifacts. Idempotent: a second
# run with a warm ~/.m2 is offline and takes seconds. Called by .ci/run; developers may
# run it too (kg.store.neo4j_launcher also builds on demand).
#
# Knobs: NEO4J_SETUP_SKIP=1 skips everything (e.g. a machine that never runs -m neo4j);
#        MAVEN_REPO_LOCAL=DIR uses another local repository instead of ~/.m2/repository.
set -euo pipefail

if [ "${NEO4J_SETUP_SKIP:-0}" = "1" ]; then
  echo "neo4j-setup: skipped (NEO4J_SETUP_SKIP=1)"
  exit 0
fi

cd "$(dirname "$0")/.."
pom=neo4j/launcher/pom.xml

java_major() {
  # "openjdk version "17.0.15" ..." -> 17 ; "1.8.0_x" -> 1
  java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1
}

need_java=0
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  need_java=1
else
  major="$(java_major)"
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then need_java=1; fi
fi
if [ "$need_java" = 1 ] || ! command -v mvn >/dev/null 2>&1; then
  echo "neo4j-setup: installing openjdk-17-jdk-headless and maven"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi

major="$(java_major)"
case "$major" in
  17|21) ;;
  *) echo "neo4j-setup: WARNING: java is version $major; Neo4j 5.26 supports Java 17 and 21" \
          "(set JAVA_HOME to one of those)" >&2 ;;
esac

mvn_args=(-q -B -Dstyle.color=never -f "$pom" -DskipTests)
if [ -n "${MAVEN_REPO_LOCAL:-}" ]; then
  mvn_args+=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
fi

start=$(date +%s)
# Offline first: with a warm local repository this needs no network at all.
if ! mvn -o "${mvn_args[@]}" package >/dev/null 2>&1; then
  mvn "${mvn_args[@]}" package
fi
test -f neo4j/launcher/target/classpath.txt
test -f neo4j/launcher/target/neo4j-launcher.jar
echo "neo4j-setup: launcher classpath ready in neo4j/launcher/target ($(ls neo4j/launcher/target/lib | wc -l) jars, $(( $(date +%s) - start )) s)"
