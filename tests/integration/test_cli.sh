#!/bin/bash
# The README's tour as a test: the real mitrad driven by the real mitra and
# mitra-watch. Events acked with increasing seq, visible in `mitra log`,
# seen by `mitra-watch`, still there after kill -9 and restart; a retried
# request id applied once; exit codes; a second daemon refused.
#
# usage: test_cli.sh MITRAD MITRA MITRA_WATCH
set -u
MITRAD=$1 MITRA=$2 WATCH=$3
WORK=$(mktemp -d /tmp/mitra-cli-XXXXXX)
export MITRA_RUNTIME_DIR=$WORK/run
DAEMON_PID=
WATCH_PID=
checks=0 failures=0

cleanup () {
    [ -n "$WATCH_PID" ] && kill -9 "$WATCH_PID" 2>/dev/null
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

check () {   # check DESCRIPTION COMMAND...
    local what=$1; shift
    checks=$((checks + 1))
    if ! "$@"; then
        failures=$((failures + 1))
        echo "FAIL: $what" >&2
    fi
}

start_daemon () {
    "$MITRAD" --state-dir "$WORK/lib" --runtime-dir "$WORK/run" 2>>"$WORK/mitrad.log" &
    DAEMON_PID=$!
    # Readiness: a bounded retry of `hello`, never a bare sleep
    for _ in $(seq 1 100); do
        "$MITRA" --timeout 200 hello >/dev/null 2>&1 && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "mitrad did not become ready:" >&2
    cat "$WORK/mitrad.log" >&2
    exit 1
}

start_daemon

# A watcher from the start of the notification log, for the first 3 events
"$WATCH" --since 1 --json --count 3 event. >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!

out=$("$MITRA" send org.registered org=ngo-hijau name='Yayasan Hijau' kind=ngo focus=water,sanitation country=ID)
check "first send acked as event 1 ($out)" test "$out" = "accepted: event 1 (org.registered)"
out=$("$MITRA" --json send org.registered org=yayasan-air name='Yayasan Air' kind=foundation)
check "second send acked as seq 2 in JSON ($out)" grep -q '"seq": *2' <<<"$out"

# A retried request id is applied once and answered the same
first=$("$MITRA" --json send --id tour-retry-1 org.updated org=ngo-hijau country=MY)
again=$("$MITRA" --json send --id tour-retry-1 org.updated org=ngo-hijau country=MY)
check "retry gets the first reply ($first / $again)" test "$first" = "$again"
check "retry reply is seq 3" grep -q '"seq": *3' <<<"$first"
count=$("$MITRA" --json log | wc -l)
check "log has 3 events, not 4 (got $count)" test "$count" -eq 3
check "human log names the type" bash -c "'$MITRA' log | grep -q 'org.updated'"

# The watcher saw the three events in order
for _ in $(seq 1 100); do
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.1
done
check "mitra-watch exited after --count 3" bash -c "! kill -0 $WATCH_PID 2>/dev/null"
wait "$WATCH_PID" 2>/dev/null
WATCH_PID=
seqs=$(grep -o '"seq": *[0-9]*' "$WORK/watch.out" | grep -o '[0-9]*$' | tr '\n' ' ')
check "mitra-watch printed seqs 1 2 3 (got '$seqs'; stderr: $(cat "$WORK/watch.err"))" test "$seqs" = "1 2 3 "
check "mitra-watch printed the topic" grep -q '"topic": *"event.org.registered"' "$WORK/watch.out"

# Exit codes: 1 rejected, 2 usage, 3 unreachable
"$MITRA" send org.registered org=ngo-hijau name=x kind=ngo >/dev/null 2>"$WORK/err"; rc=$?
check "duplicate org is rejected with exit 1 (got $rc)" test "$rc" -eq 1
check "rejection names the code" grep -q 'conflict' "$WORK/err"
"$MITRA" send >/dev/null 2>&1; rc=$?
check "usage error exits 2 (got $rc)" test "$rc" -eq 2
"$MITRA" --runtime-dir "$WORK/nowhere" --timeout 100 hello >/dev/null 2>&1; rc=$?
check "unreachable daemon exits 3 (got $rc)" test "$rc" -eq 3
check "mitra --help works" bash -c "'$MITRA' --help | grep -q send"
check "mitrad --help works" bash -c "'$MITRAD' --help | grep -q state-dir"
check "mitrad -n prints the effective config" bash -c "'$MITRAD' -n --state-dir '$WORK/lib' | grep -q 'batch_max'"

# A second daemon on the same state directory is refused
"$MITRAD" --state-dir "$WORK/lib" --runtime-dir "$WORK/run2" 2>"$WORK/second.err"; rc=$?
check "second daemon exits non-zero (got $rc)" test "$rc" -ne 0
check "second daemon says why" grep -q 'in use' "$WORK/second.err"

# kill -9 and restart: every acked event still there, the retry still answered
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
start_daemon
count=$("$MITRA" --json log | wc -l)
check "after kill -9 the log still has 3 events (got $count)" test "$count" -eq 3
again=$("$MITRA" --json send --id tour-retry-1 org.updated org=ngo-hijau country=MY)
check "retry after restart gets the first reply" test "$first" = "$again"
out=$("$MITRA" send org.updated org=yayasan-air country=ID)
check "seq continues after restart ($out)" test "$out" = "accepted: event 4 (org.updated)"

# SIGTERM: a clean stop
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?
DAEMON_PID=
check "SIGTERM exits 0 (got $rc)" test "$rc" -eq 0

echo "test_cli: $checks checks, $failures failed" >&2
[ "$failures" -eq 0 ] && [ "$checks" -gt 0 ]
