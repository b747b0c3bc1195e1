#!/bin/sh
# Run fuzz_engine for a bounded time over a scratch copy of the corpus, so
# that a crash fails the caller (ctest, make fuzz) and leaves its input in
# WORK/crashes to be added to tests/fuzz/corpus as a regression.
#
# usage: run_fuzz.sh FUZZ_ENGINE SECONDS WORK CORPUS
set -eu
engine=$1 seconds=$2 work=$3 corpus=$4
mkdir -p "$work/corpus" "$work/crashes"
# The protocol's names, so that mutations get past the schema
dict=$(dirname "$corpus")/fuzz_engine.dict
# An input taking 10 s is a finding (a stall); memory stays far below 2 GB
if "$engine" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -dict="$dict" -print_final_stats=1 -artifact_prefix="$work/crashes/" \
        "$work/corpus" "$corpus"; then
    echo "run_fuzz: no finding in $seconds s"
else
    rc=$?
    echo "run_fuzz: FINDING (exit $rc): the input is in $work/crashes/;" \
         "copy it to tests/fuzz/corpus/crash-NAME once fixed, so that ctest replays it" >&2
    exit "$rc"
fi
