#!/usr/bin/env bash
# The command line: help, version, exit codes, stdin default, progress only
# on a terminal, --quiet.
source "$(dirname "$0")/lib.sh"

status() { set +e; "$@" >/dev/null 2>&1; echo $?; set -e; }
help=$("$bin" help run)
for o in --output --overwrite --compress --compress-level --max-file-bytes \
         --max-event-bytes --max-depth --max-open-files --gap --start-event \
         --no-start-events --max-duration --split-at-midnight --lateness --state-ttl \
         --quiet --help; do
  check "help documents $o" grep -q -- "$o" <<<"$help"
done
check "help documents the exit codes" grep -q "exit status" <<<"$help"
check "run --help is the same help" eq "$("$bin" run --help)" "$help"
check "--version prints the version" grep -qE '^sessionize [0-9]+\.[0-9]+\.[0-9]+$' <<<"$("$bin" --version)"
check "--help exits 0" eq "$(status "$bin" --help)" 0
check "no command exits 2" eq "$(status "$bin")" 2
check "unknown command exits 2" eq "$(status "$bin" frobnicate)" 2
check "unknown option exits 2" eq "$(status "$bin" run --frobnicate)" 2
check "option missing its value exits 2" eq "$(status "$bin" run --output)" 2
check "bad size exits 2" eq "$(status "$bin" run --max-file-bytes 12XB)" 2
check "too small event limit exits 2" eq "$(status "$bin" run --max-event-bytes 10)" 2
check "a duration that would overflow exits 2" eq "$(status "$bin" run --gap 9223372036854775807ms --lateness 1ms)" 2
check "a state TTL below gap + lateness exits 2" eq "$(status "$bin" run --gap 30m --state-ttl 10m)" 2
check "a duration without unit exits 2" eq "$(status "$bin" run --gap 30)" 2
check "gzip level over 9 exits 2" eq "$(status "$bin" run --compress gzip --compress-level 12)" 2
"$bin" run --compress nope -o "$work/never" 2>/dev/null || true
check "a usage error creates no output directory" test ! -e "$work/never"

"$gen" --events "$(scaled 70000)" --machines "$(scaled 300)" --seed 2 -o "$work/in.ndjson"
"$bin" run -o "$work/stdin" <"$work/in.ndjson" 2>"$work/stdin.err"
check "no INPUT reads standard input" eq "$(jq -r '.inputs[0].name' "$work/stdin/_manifest.json")" "<stdin>"
check "the summary goes to stderr" grep -q "lines read" "$work/stdin.err"
check "no progress line when stderr is not a terminal" eq "$(tr -cd '\r' <"$work/stdin.err" | wc -c)" 0

if command -v script >/dev/null; then
  # script(1) gives the run a terminal; its own stdin must be open (CI may
  # start us with none), so it reads /dev/null.
  script -qec "'$bin' run -o '$work/tty' '$work/in.ndjson'" /dev/null </dev/null >"$work/tty.out" 2>&1
  check "a terminal shows the progress line" grep -q "events/s" "$work/tty.out"
  check "the progress line shows an ETA for files" grep -q "ETA" "$work/tty.out"
  script -qec "'$bin' run --quiet -o '$work/ttyq' '$work/in.ndjson'" /dev/null </dev/null >"$work/ttyq.out" 2>&1
  check "--quiet silences progress and summary" eq "$(wc -c <"$work/ttyq.out")" 0
else
  echo "FAIL: script(1) is missing (package bsdutils)"; failures=$((failures + 1))
fi
# Large inputs are mapped; a file cut short under the mapping by another
# process raises SIGBUS, which the run explains before it exits 1. The
# signal is sent by hand here, to a run blocked reading a pipe: a real one
# depends on timing. Not under valgrind: it treats SIGBUS as a fault of the
# instruction running when the signal lands, and its core crashed (CI,
# a863eb1) when the signal caught the run between two system calls.
if [ -n "${SZ_VALGRIND_LOGS:-}" ]; then
  echo "skip: the SIGBUS checks (valgrind pass; the plain and sanitized passes run them)"
else
  mkfifo "$work/fifo"
  "$bin" run -q -o "$work/bus" <"$work/fifo" 2>"$work/bus.err" &
  pid=$!
  exec 3>"$work/fifo"
  # Field 3 of /proc/PID/stat is the main thread's state; S once it waits
  # for the pipe, after _staging is made.
  until { [ -d "$work/bus/_staging" ] &&
          [ "$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" = S ]; } ||
        ! kill -0 "$pid" 2>/dev/null; do :; done
  kill -BUS "$pid" 2>/dev/null || true
  rc=0; wait "$pid" || rc=$?
  exec 3>&-
  check "SIGBUS exits 1" eq "$rc" 1
  check "SIGBUS is explained" grep -q "an input file shrank while it was being read" "$work/bus.err"
  check "SIGBUS commits nothing" test ! -e "$work/bus/_manifest.json"
fi
finish
