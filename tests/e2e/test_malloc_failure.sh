#!/usr/bin/env bash
# Allocation failure, the way curl's torture tests do it: run a small job
# once to count its allocation attempts (C), then C times more with attempt
# N failing, for N = 1..C. Every one of those runs must end cleanly: exit 1
# (a runtime failure; also when it happens while the pipeline file is being
# read), a message that says memory ran out, no crash, no sanitizer report
# (under -DSZ_SANITIZE=ON that includes LeakSanitizer's check at exit), no
# manifest (a manifest says the run finished) and no staging folder left.
# A run that absorbs the failure and exits 0 passes only if its output is
# identical to the run without failures.
#
# The runs use sessionize-torture (tests/torture/sz_torture.c): sessionize
# linked with -Wl,--wrap for every allocating call of our code; see there
# for what it covers and what it cannot (allocations inside libc, libyaml,
# zlib and zstd). --threads 1 makes the numbering of attempts repeatable.
#
# One scenario, "threads", runs with --threads 2 instead: the reader
# thread, the pool's workers, the four batches in flight, route as a pool
# task and the per-shard queues fail only there. Its input spans five
# batches (8192 lines each, BATCH_LINES in src/pipeline/sz_run.c), so that
# every batch is in flight at once and one is refilled. With two threads
# the attempts of the workers interleave differently from run to run, so
# attempt N is not the same allocation in every run and the count need not
# repeat: it is not asserted, and every other criterion above is. Each of
# its runs has a time limit, since a deadlock on an error path (a worker,
# the reader or the main thread waiting for a batch or a task that never
# comes) would otherwise hang the test: a run past it is a failure named
# "hung". It tests a sample of SZ_TORTURE_THREAD_RUNS attempts (default
# 150) spread evenly over the count, and 40 runs failing every attempt
# from some point on.
#
# SZ_TORTURE_BIN names the executable (tests/CMakeLists.txt sets it);
# SZ_TORTURE_MAX_RUNS bounds the runs per scenario (default 1500): past it,
# the first half of that budget is tested one by one and the rest with a
# stride, so a grown count slows the test down gently instead of a lot.
#
# In the valgrind pass (SZ_TEST_SCALE > 1, set by tests/valgrind-check.sh)
# SZ_TORTURE_BIN is a wrapper that runs sessionize-torture under memcheck,
# and a run takes one to two seconds instead of a few milliseconds, so each
# scenario tests a sample: SZ_TORTURE_MAX_RUNS defaults to 15, spread evenly
# from the first attempt to the last (the first ones are the same pipeline
# file's in every scenario), and 3 runs fail every attempt from some point
# on; about 2 minutes 20 in all. "threads", whose runs take about 6 s
# each there, tests 4 attempts and 2 runs failing from some point on. The
# plain and ASan passes keep testing every attempt of the other scenarios.
#
# SZ_TORTURE_SCENARIOS picks some of check, dir, zstd, stdin and threads
# (default: all), to iterate on a fix.
source "$(dirname "$0")/lib.sh"

torture=${SZ_TORTURE_BIN:-$(dirname "$bin")/tests/sessionize-torture}
[ -x "$torture" ] || { echo "FAIL: no torture executable at '$torture'"; exit 1; }
spread=0 from_runs=40 max_runs=${SZ_TORTURE_MAX_RUNS:-1500}
# "threads": its sample, its runs failing from some point on, and the time
# limit of one run, seconds: a run takes 0.2 s here and 0.5 s under ASan.
thread_runs=${SZ_TORTURE_THREAD_RUNS:-150} thread_from_runs=40 hang_secs=60
if [ "${SZ_TEST_SCALE:-1}" -gt 1 ]; then
  spread=1 from_runs=3 max_runs=${SZ_TORTURE_MAX_RUNS:-15}
  # About 6 s a run under memcheck, which runs one thread at a time.
  thread_runs=${SZ_TORTURE_THREAD_RUNS:-4} thread_from_runs=2 hang_secs=300
fi
[ "$max_runs" -ge 2 ] || { echo "FAIL: SZ_TORTURE_MAX_RUNS must be at least 2"; exit 1; }
[ "$thread_runs" -ge 1 ] || { echo "FAIL: SZ_TORTURE_THREAD_RUNS must be at least 1"; exit 1; }
scenarios=${SZ_TORTURE_SCENARIOS:-check dir zstd stdin threads}
# Sanitizer reports get exit codes of their own, so that they can never pass
# for the exit status 1 expected here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99:detect_leaks=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=98"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=97:print_stacktrace=1"
# Outputs go to a tmpfs when there is one: every committed file is fsynced,
# and a thousand runs of fsyncs on a busy disk take minutes while proving
# nothing here.
scratch=$(mktemp -d /dev/shm/sz-torture.XXXXXX 2>/dev/null || mktemp -d "$work/scratch.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# A small job that reaches every stage: directory and stdin inputs, gzip and
# zstd on both sides, a mapped input (64 KiB and more), cleaning rules of
# every kind, a time zone with a table, session splits, dead letters,
# rollover and the open-file limit.
"$gen" --events 200 --machines 4 --seed 11 --invalid-frac 0.05 --bad-build-frac 0.2 \
  -o "$work/events.ndjson"
mkdir -p "$work/indir/sub"
head -n 120 "$work/events.ndjson" > "$work/indir/a.ndjson"
tail -n +121 "$work/events.ndjson" | gzip -c > "$work/indir/sub/b.ndjson.gz"
"$gen" --events 250 --machines 4 --seed 12 -o "$work/indir/c.ndjson"
[ "$(wc -c < "$work/indir/c.ndjson")" -ge 65536 ] || { echo "FAIL: indir/c.ndjson is too small to be mapped"; exit 1; }
zstd -q -c "$work/events.ndjson" > "$work/events.ndjson.zst"
cat > "$work/pipeline.yml" <<'EOF'
schema:
  key: machine_id
  timestamp: timestamp
  event_type: event_type
  required: [event_id]
clean:
  - when: { app_build: "10.2.1.2" }
    scale: { timestamp: 1000 }
  - when: { app_build: ["10.3.0.7", "10.3.0.8"] }
    lowercase: [event_type]
  - when: { os: "Windows *" }
    set: { platform: windows }
    rename: { locale: lang }
    map: { lang: { "en-*": en, "de-*": de } }
  - when: { exists: properties, missing: nothing_here }
    delete: [document_id]
    trim: [user_id]
  - when: { event_type: crash }
    reject: crashes
enrich:
  # A zone with an offset table; Kolkata's is short to build, which
  # matters a thousand runs over (Berlin's takes 50 ms each; "check" loads it).
  timezone: Asia/Kolkata
  weekday: event_weekday
sessions:
  gap: 10m
  start_events: [open, launch]
  max_duration: 2h
  split_at_midnight: true
output:
  max_file_bytes: 4KiB
  max_open_files: 2
EOF
sed 's#Asia/Kolkata#Europe/Berlin#' "$work/pipeline.yml" > "$work/pipeline-dst.yml"
# Rollover, the open-file limit and hourly folders make most of the
# allocations of "dir" (about 11 per file): the other runs write daily
# folders and leave them out, to stay quick.
sed 's#^  max_open_files: 2#  partition: "dt={date}"#' "$work/pipeline.yml" > "$work/pipeline-daily.yml"
# "threads" reads 40 040 lines, five batches, in full size in the valgrind
# pass too (fewer would not keep four batches in flight): the first half
# mapped in place, the rest from gzip, whose lines the reader thread copies
# into the batch. The batch that spans both holds lines of both kinds.
if [[ " $scenarios " == *" threads "* ]]; then
  "$gen" --events 40000 --machines 300 --seed 5 --invalid-frac 0.02 --bad-build-frac 0.2 \
    -o "$work/threads.ndjson"
  mkdir -p "$work/threads-in"
  head -n 20000 "$work/threads.ndjson" > "$work/threads-in/a.ndjson"
  tail -n +20001 "$work/threads.ndjson" | gzip -c > "$work/threads-in/b.ndjson.gz"
  rm "$work/threads.ndjson"
fi

scenario_args() { # scenario_args NAME OUT: the command line of one scenario
  case $1 in
    dir) echo run -q --threads 1 -c "$work/pipeline.yml" -o "$2" "$work/indir" ;;
    zstd) echo run -q --threads 1 -c "$work/pipeline-daily.yml" --compress zstd --gap 15m \
            --start-event open --start-event resume --max-file-bytes 1MiB \
            -o "$2" "$work/events.ndjson.zst" ;;
    stdin) echo run -q --threads 1 -c "$work/pipeline-daily.yml" --compress gzip --overwrite \
             --timezone Asia/Tokyo --max-file-bytes 1MiB -o "$2" - ;;
    check) echo check "$work/pipeline-dst.yml" ;;
    threads) echo run -q --threads 2 -c "$work/pipeline-daily.yml" --max-file-bytes 1MiB \
               -o "$2" "$work/threads-in" ;;
  esac
}

# One run of a scenario; the exit status in $rc, stderr in $work/stderr,
# and in $hung whether "threads" ran past its time limit. Past the limit,
# timeout sends SIGTERM (exit 124), and SIGKILL 10 s later (exit 137) if
# that was not enough; the elapsed time tells the latter from a crash.
run_one() { # run_one NAME OUT [ENV=VALUE...]
  local name=$1 out=$2; shift 2
  local limit=() t0=$SECONDS
  [ "$name" = threads ] && limit=(timeout -k 10 "$hang_secs")
  rm -rf "$out"
  # --overwrite has something to replace: an earlier run's output.
  [ "$name" = stdin ] && { mkdir -p "$out/events" && echo old > "$out/events/x"; }
  set +e
  # shellcheck disable=SC2046 # the scenario's words, split on purpose
  env "$@" "${limit[@]}" "$torture" $(scenario_args "$name" "$out") < "$work/events.ndjson" \
    > "$work/stdout" 2> "$work/stderr"
  rc=$?
  set -e
  hung=0
  if [ ${#limit[@]} -gt 0 ] &&
     { [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ $((SECONDS - t0)) -ge "$hang_secs" ]; }; }; then
    hung=1
  fi
}

# What a run left, comparable between runs.
digest() { # digest NAME OUT
  if [ "$1" = check ]; then sha256sum < "$work/stdout"; else tree_digest "$2"; fi
}

# Why run N of a scenario is not clean, or nothing.
judge() { # judge NAME OUT REF_DIGEST
  local err; err=$(grep -v '^sz-torture:' "$work/stderr" || true)
  if [ "$hung" = 1 ]; then
    echo "hung: still running after ${hang_secs}s, stopped by timeout (exit $rc)"
  elif grep -qE 'Sanitizer|runtime error:' <<< "$err"; then
    echo "sanitizer report (exit $rc): $(grep -m1 -E 'Sanitizer|runtime error:' <<< "$err")"
  elif [ "$rc" -ge 128 ]; then
    echo "crash: killed by signal $((rc - 128))"
  elif [ "$rc" = 0 ]; then
    [ "$(digest "$1" "$2")" = "$3" ] || echo "exit 0 with output that differs from a clean run"
  elif [ "$rc" != 1 ]; then
    echo "exit $rc, expected 1: $(head -c 300 <<< "$err")"
  elif ! grep -q 'out of memory' <<< "$err"; then
    echo "no 'out of memory' message: $(head -c 300 <<< "$err")"
  elif [ "$1" != check ] && [ -e "$2/_manifest.json" ]; then
    echo "a manifest was written"
  elif [ "$1" != check ] && [ -e "$2/_staging" ]; then
    echo "the staging folder was left behind"
  fi
}

# K attempts spread evenly over 1..COUNT, without the ends: the first
# attempts read the pipeline file, the last write the manifest, both on
# one thread and tested by the other scenarios already.
spread_points() { # spread_points COUNT K
  awk -v c="$1" -v k="$2" 'BEGIN {
    for (i = 1; i <= k; i++) {
      n = int(c * i / (k + 1))
      if (n >= 1 && n != last) { print n; last = n }
    }
  }'
}

# The attempts to fail, given the count: every one up to half the budget,
# then a stride over the rest; or, in the valgrind pass, a stride over all
# of them that starts with the first and ends with the last. "threads"
# tests its sample.
attempts_to_fail() { # attempts_to_fail NAME COUNT
  if [ "$1" = threads ]; then spread_points "$2" "$thread_runs"; return; fi
  local c=$2 half=$((max_runs / 2))
  if [ "$c" -le "$max_runs" ]; then seq 1 "$c"; return; fi
  if [ "$spread" = 1 ]; then
    seq 1 $(( (c - 1 + max_runs - 2) / (max_runs - 1) )) $((c - 1))
    echo "$c"
    return
  fi
  seq 1 "$half"
  local stride=$(( (c - half + (max_runs - half) - 1) / (max_runs - half) ))
  seq $((half + stride)) "$stride" "$c"
}

first_failed_attempt() { # the last run's first failed attempt, as sz-torture named it
  grep -m1 '^sz-torture:' "$work/stderr" || echo 'no attempt failed'
}

# A bad outcome: counted in $bad, always written to failures.log, and
# printed while there are at most LIMIT of them (enough to fix them one by
# one without drowning the log). The run's first failed attempt is named.
record_failure() { # record_failure LIMIT TEXT
  bad=$((bad + 1))
  local why; why="$2; $(first_failed_attempt)"
  echo "$why" >> "$work/failures.log"
  [ "$bad" -le "$1" ] && echo "  $why"
  return 0
}

torture_scenario() { # torture_scenario NAME
  local name=$1 out=$scratch/out-$1
  run_one "$name" "$out" SZ_TORTURE_COUNT_FILE="$work/count"
  check "$name: runs cleanly without failures" eq "$rc" 0
  local ref; ref=$(digest "$name" "$out")
  local c; c=$(cat "$work/count")
  # With two threads the count need not repeat (see the top); attempts past
  # a run's own count fail nothing, and that run must then match the
  # clean one.
  if [ "$name" != threads ]; then
    run_one "$name" "$out" SZ_TORTURE_COUNT_FILE="$work/count"
    check "$name: the count of allocation attempts is repeatable" eq "$(cat "$work/count")" "$c"
  fi
  local bad=0 absorbed=0 tried=0 n why
  local t0=$SECONDS
  for n in $(attempts_to_fail "$name" "$c"); do
    run_one "$name" "$out" SZ_TORTURE_FAIL_AT="$n"
    tried=$((tried + 1))
    why=$(judge "$name" "$out" "$ref")
    if [ -n "$why" ]; then
      record_failure 20 "$name, attempt $n: $why"
    elif [ "$rc" = 0 ]; then
      # Legitimate only where the code has a fallback; listed so that a
      # new one gets looked at.
      absorbed=$((absorbed + 1))
      echo "  absorbed: $name, attempt $n: $(first_failed_attempt)"
    fi
  done
  echo "  $name: $c allocation attempts, $tried runs with one failing, $absorbed absorbed (exit 0, same output), $((SECONDS - t0))s"
  check "$name: every failed allocation ends cleanly" eq "$bad" 0
  # Every attempt from N on failing: the error paths and the cleanup must
  # not need memory either. A stride is enough: the single failures above
  # already reach each site.
  bad=0
  local step=$(( c / from_runs + 1 )) from
  from=$(seq 1 "$step" "$c")
  [ "$name" = threads ] && from=$(spread_points "$c" "$thread_from_runs")
  t0=$SECONDS
  for n in $from; do
    run_one "$name" "$out" SZ_TORTURE_FAIL_FROM="$n"
    why=$(judge "$name" "$out" "$ref")
    if [ -n "$why" ]; then record_failure 10 "$name, attempts from $n: $why"; fi
  done
  echo "  $name: $(wc -w <<< "$from") runs failing from some attempt on, $((SECONDS - t0))s"
  check "$name: failing every allocation from some point on ends cleanly" eq "$bad" 0
}

for s in $scenarios; do
  torture_scenario "$s"
done
finish
