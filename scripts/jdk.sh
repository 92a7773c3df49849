# Sourced by ./loupe and scripts/bench.sh: selects a JDK 25 and exports JAVA_HOME and PATH.
# Looks at $JAVA_HOME first, then the JDKs installed under /usr/lib/jvm, then `java` on PATH.

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  for d in "${candidates[@]}"; do
    if [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] && [ "$(java_major "$d/bin/java")" = "25" ]; then
      echo "$d"; return 0
    fi
  done
  if command -v java >/dev/null && [ "$(java_major java)" = "25" ]; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"; return 0
  fi
  echo "loupe: Loupe needs a JDK 25 (Temurin 25 recommended): install one under /usr/lib/jvm or set JAVA_HOME" >&2
  return 1
}

JAVA_HOME="$(find_jdk)" || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# The tokenizer library must never reach for the network.
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
