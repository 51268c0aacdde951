#!/usr/bin/env bash
# The test command (README "Test"; .ci/run calls exactly this). Installs what a fresh Debian/Ubuntu
# machine lacks (PostgreSQL for the throwaway test server, Chromium and CJK fonts for the browser
# journeys), runs `dotnet test Procurement.sln` with any arguments given here (for example
# `bash test.sh --filter "FullyQualifiedName~AwardCommandTests"`), copies the browser journeys'
# screenshots to artifacts/screenshots/, and ends with the summed totals of all test projects on
# one line: "N passed, N failed, N skipped". Exits with dotnet test's status.
set -uo pipefail
cd "$(dirname "$0")" || exit 1

# Runs a command as root: directly when root, through sudo when there is one; otherwise fails.
as_root() {
  if [ "$(id -u)" = "0" ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 127
  fi
}

have_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
# The browser tests drive Debian's Chromium at /usr/bin/chromium; CJK fonts so that the Chinese
# pages render in the screenshots.
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Missing: ${missing[*]} (PostgreSQL for the throwaway test server, Chromium and CJK fonts for the browser tests)."
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get on this machine: install ${missing[*]} (Chromium at /usr/bin/chromium, PostgreSQL's initdb and pg_ctl) yourself; the tests that need them fail until then." >&2
  elif [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "Not root and no sudo: as root, run 'apt-get install -y ${missing[*]}'; the tests that need them fail until then." >&2
  elif echo "Installing them with apt-get..." && ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "Installing ${missing[*]} failed: as root, run 'apt-get install -y ${missing[*]}'; the tests that need them fail until then." >&2
  fi
fi
# As root, the tests start PostgreSQL as the postgres user (initdb refuses to run as root).
if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --no-create-home postgres
fi

log=$(mktemp)
record=$(mktemp)
trap 'rm -f "$log" "$record"' EXIT
PROCUREMENT_TEST_PG_RECORD="$record" dotnet test Procurement.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each throwaway PostgreSQL server the tests start is recorded here; the test process stops its
# own on exit, but the test host can end before that has run: stop and remove what is left.
pg_ctl_bin=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)
while read -r dir; do
  [ -d "$dir" ] || continue
  if [ -n "$pg_ctl_bin" ] && [ -f "$dir/postmaster.pid" ]; then
    if [ "$(id -u)" = "0" ]; then
      su postgres -s /bin/sh -c "'$pg_ctl_bin' -D '$dir' -m immediate -w stop" >/dev/null 2>&1
    else
      "$pg_ctl_bin" -D "$dir" -m immediate -w stop >/dev/null 2>&1
    fi
  fi
  rm -rf "$dir"
done < "$record"

sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{ total += $2 } END { print total + 0 }'; }
passed=$(sum "Passed")
failed=$(sum "Failed")
skipped=$(sum "Skipped")
if [ "$status" -ne 0 ] && [ "$failed" = "0" ]; then
  echo "dotnet test exited with $status before any test failed (build or host error)."
fi
# The browser journeys' screenshots are the run's artefacts.
shots=tests/Procurement.Tests/bin/Debug/net10.0/screenshots
if compgen -G "$shots/*.png" >/dev/null; then
  mkdir -p artifacts/screenshots && cp "$shots"/*.png artifacts/screenshots/
  echo "Screenshots of the browser journeys: $(pwd)/artifacts/screenshots ($(find artifacts/screenshots -name '*.png' | wc -l) files)"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
