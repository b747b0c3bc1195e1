#!/bin/bash
# The service files checked with systemd's own tools, and the shipped
# configuration checked against the daemon.
#
# usage: test_systemd.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1 SOURCE=$2
WORK=$(mktemp -d /tmp/mitra-systemd-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
checks=0 failures=0
check () {
    local what=$1; shift
    checks=$((checks + 1))
    if ! "$@"; then failures=$((failures + 1)); echo "FAIL: $what" >&2; fi
}

# The unit as configured by CMake, pointed at this build's binary so that
# verify can check the command exists; man pages from this build
sed "s|^ExecStart=[^ ]*/mitrad|ExecStart=$BUILD/daemon/mitrad|" \
    "$BUILD/systemd/mitrad.service" > "$WORK/mitrad.service"
if command -v systemd-analyze >/dev/null; then
    out=$(MANPATH="$BUILD/man:" systemd-analyze verify --recursive-errors=yes "$WORK/mitrad.service" 2>&1)
    check "systemd-analyze verify is clean: $out" test -z "$out"
    exposure=$(systemd-analyze security --offline=yes "$WORK/mitrad.service" 2>/dev/null \
               | sed -n 's/.*Overall exposure level for mitrad.service: \([0-9.]*\).*/\1/p')
    echo "exposure: $exposure"
    check "exposure $exposure <= 2.0" awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
else
    echo "SKIP: systemd-analyze not installed: unit not checked" >&2
fi
check "unit is Type=notify" grep -q '^Type=notify' "$WORK/mitrad.service"
check "unit reloads with SIGHUP" grep -q '^ExecReload=.*-HUP' "$WORK/mitrad.service"

# The shipped configuration loads and names every key the daemon knows
"$BUILD/daemon/mitrad" -n > "$WORK/defaults.conf"
check "shipped mitrad.conf loads" bash -c "'$BUILD/daemon/mitrad' -n -c '$SOURCE/systemd/mitrad.conf' >/dev/null"
keys () { sed -n 's/^ *\([a-z_]*\) = .*/\1/p' "$1" | sort; }
check "shipped mitrad.conf lists every key" diff <(keys "$WORK/defaults.conf") <(keys "$SOURCE/systemd/mitrad.conf")
"$BUILD/daemon/mitrad" -n -c "$SOURCE/systemd/mitrad.conf" | grep -v '^#' > "$WORK/shipped.effective"
grep -v '^#' "$WORK/defaults.conf" > "$WORK/defaults.effective"
check "shipped mitrad.conf holds the defaults" diff "$WORK/defaults.effective" "$WORK/shipped.effective"
printf 'mitrad\n    no_such_key = 1\n' > "$WORK/bad.conf"
"$BUILD/daemon/mitrad" -n -c "$WORK/bad.conf" >/dev/null 2>"$WORK/bad.err"; rc=$?
check "an unknown key is refused with exit 1 (got $rc)" test "$rc" -eq 1
check "the refusal names the key" grep -q 'no_such_key' "$WORK/bad.err"

echo "test_systemd: $checks checks, $failures failed" >&2
[ "$failures" -eq 0 ] && [ "$checks" -gt 0 ]
