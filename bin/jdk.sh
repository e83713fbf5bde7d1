# Sourced by ./build and ./jgluon: finds a JDK 25 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME, the `java` on PATH, then /usr/lib/jvm/* (Temurin's package lands there).

jgluon_java_major() {  # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}

jgluon_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  c=$(command -v java 2>/dev/null) && candidates+=("$(dirname "$(dirname "$(readlink -f "$c")")")")
  for c in /usr/lib/jvm/*; do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(jgluon_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$c"
      export PATH="$c/bin:$PATH"
      return 0
    fi
  done
  cat >&2 <<MSG
jgluon: no JDK 25 found (looked at \$JAVA_HOME, the java on PATH and /usr/lib/jvm/*).
  Install one, e.g. Eclipse Temurin 25 (package temurin-25-jdk from the Adoptium apt
  repository, or a tarball from adoptium.net), then set JAVA_HOME to it and run again.
MSG
  return 1
}
