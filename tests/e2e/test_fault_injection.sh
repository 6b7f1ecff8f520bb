#!/usr/bin/env bash
# Every output write, fsync, rename, file or directory creation and close of
# a run is made to fail in turn (tests/faults/sz_faultinject.c, loaded with
# LD_PRELOAD), and each time the run must:
#   - exit 1 with one message naming a path under the output directory and
#     the system's reason ("No space left on device");
#   - leave no _manifest.json and no _staging/;
#   - leave only files that are byte for byte files of a clean run, under
#     the same names: nothing partial, nothing temporary, nothing extra;
#   - after a rerun with --overwrite and no fault, give the clean run's
#     output exactly (data files byte for byte, manifest minus timings).
# ENOSPC is injected "sticky" (the failing call and every later one of its
# class fail, and a failing write first writes half: a disk that fills up),
# EIO "once" (a transient error: every other call succeeds). Which points
# get which is the PLAN of each variant below; the rest is sampled, to keep
# the whole under a minute and a half. The numbering of calls is the one of
# --threads 1, where it is deterministic; a few points run with --threads 2.
source "$(dirname "$0")/lib.sh"

if [ -z "${SZ_FAULT_LIB:-}" ] || [ ! -f "$SZ_FAULT_LIB" ]; then
  echo "SZ_FAULT_LIB must name the fault-injection library (set by tests/CMakeLists.txt)"
  exit 1
fi
slow=1
if [ "${SZ_SANITIZE:-OFF}" = ON ]; then
  # Error paths are where leaks hide, so the sanitized build runs too, on
  # fewer points: its runs are ten times slower. ASan insists on coming
  # first among the loaded libraries; the shim forwards to whatever comes
  # next (ASan's own interceptors included), so the order does not matter.
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
  slow=8
fi
if [ "${SZ_TEST_SCALE:-1}" -gt 1 ]; then
  # The valgrind pass (tests/valgrind-check.sh sets SZ_TEST_SCALE): $bin is
  # the wrapper that runs sessionize under memcheck, and each run takes one
  # to two seconds, so a point takes about three. One in 20 points, and the
  # first and last of each class: 39 points, 2 minutes 20. LD_PRELOAD
  # reaches sessionize through the wrapper and valgrind, which adds its own
  # libraries to the variable; the check below that every class in a plan
  # was counted would fail if the shim were not loaded.
  slow=20
fi

# Hundreds of runs create and remove thousands of files, which a tmpfs does
# four times faster than a disk; what is tested does not depend on the
# filesystem.
scratch=$work
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  scratch=$(mktemp -d /dev/shm/sz-faults.XXXXXX)
  trap 'rm -rf "$scratch"' EXIT
fi
cd "$scratch"
# Lines cut from the start of a day's stream: three hours, so several
# partitions, and with --max-open-files 2 and 128 KiB files, both rollover
# and least-recently-used eviction commit files mid-run.
"$gen" --events 40000 --machines 300 --days 1 --seed 7 -o day.ndjson
head -4000 day.ndjson >plain.ndjson
# Fewer, larger files for the codecs: several buffer drains per file, so
# the compressor's flushes and the stream's end are separate writes.
"$gen" --events 8000 --machines 60 --days 1 --seed 7 -o big.ndjson
printf 'output:\n  partition: "dt={date}"\n' >daily.yml

# sz FAULT THREADS OUT [ARGS...]: run with the shim, into OUT; the exit
# status goes to $rc, stderr to err, call counts to counts.
sz() {
  local fault=$1 threads=$2 out=$3; shift 3
  set +e
  env LD_PRELOAD="$SZ_FAULT_LIB" SZ_FAULT="$fault" SZ_FAULT_NOSYNC=1 \
    SZ_FAULT_COUNT_FILE="$scratch/counts" \
    "$bin" run -q --threads "$threads" -o "$out" "$@" 2>err
  rc=$?
  set -e
}

# Checksums of the data files below DIR, one "sum  ./path" a line.
sums() { (cd "$1" && find . -type f ! -name _manifest.json -print0 | sort -z | xargs -0r sha256sum); }
# The manifest without what legitimately differs between runs.
manifest() { sed -E '/"(started_at|elapsed_s|mb_per_s|threads)":|"overwrite":|"command":/d' "$1/_manifest.json"; }

points=0
bad() { echo "FAIL [$variant $fault threads=$threads]: $*"; sed 's/^/  stderr: /' err; failures=$((failures + 1)); }

# point FAULT ERRTEXT THREADS: one failed run and its clean rerun.
point() {
  fault=$1 threads=$3
  local errtext=$2
  points=$((points + 1))
  rm -rf out
  sz "$fault" "$threads" out "${args[@]}"
  [ "$rc" = 1 ] || bad "exit status $rc, expected 1"
  if [ "$(wc -l <err)" != 1 ] ||
     ! grep -qE "^sessionize: cannot [a-z ]+ 'out(/[^']*)?': $errtext\$" err; then
    bad "stderr is not one message naming a path under out/ and '$errtext'"
  fi
  [ ! -e out/_manifest.json ] || bad "a manifest was left"
  [ ! -e out/_staging ] || bad "_staging was left"
  if [ -d out ]; then
    local extra
    extra=$(sums out | grep -vxFf ref.sums || true)
    [ -z "$extra" ] || bad "files not identical to the clean run's: $extra"
  fi
  sz "" "$threads" out --overwrite "${args[@]}"
  [ "$rc" = 0 ] || bad "the rerun exited $rc"
  [ "$(sums out)" = "$(cat ref.sums)" ] || bad "the rerun's data files differ from the clean run's"
  [ "$(manifest out 2>/dev/null)" = "$(cat ref.manifest)" ] || bad "the rerun's manifest differs"
}

# every I N STEP: is the I-th of N points one to run, taking every STEP-th
# (so the first) and the last? STEP 0 means none; the sanitized build takes
# 8 times fewer, the valgrind pass 20 times fewer.
every() {
  local step=$3
  [ "$step" != 0 ] || return 1
  step=$((step * slow))
  [ $((($1 - 1) % step)) = 0 ] || [ "$1" = "$2" ]
}

# variant NAME PLAN ARGS...: a clean run for reference and counts, then the
# points of PLAN, "CLASS=E/O ...": ENOSPC at every E-th call of CLASS, EIO
# at every O-th (0: none).
variant() {
  variant=$1 plan=$2; shift 2
  args=("$@")
  rm -rf out ref
  sz "" 1 out "${args[@]}"
  [ "$rc" = 0 ] || { echo "FAIL [$variant]: the clean run exited $rc"; cat err; exit 1; }
  mv out ref
  sums ref >ref.sums
  manifest ref >ref.manifest
  cp counts ref.counts
  local before=$points item cls n i
  declare -A count
  while read -r cls n; do count[$cls]=$n; done <ref.counts
  for item in $plan; do
    cls=${item%%=*} n=${count[${item%%=*}]}
    item=${item#*=}
    [ "$n" -gt 0 ] || { echo "FAIL [$variant]: no $cls calls counted"; failures=$((failures + 1)); }
    for ((i = 1; i <= n; i++)); do
      if every "$i" "$n" "${item%/*}"; then point "$cls:$i+:ENOSPC" "No space left on device" 1; fi
      if every "$i" "$n" "${item#*/}"; then point "$cls:$i:EIO" "Input/output error" 1; fi
    done
  done
  # Several threads write at once; the numbering is then the interleaving
  # that happened, but every point must still fail cleanly.
  for cls in write rename; do
    for i in 1 $((count[$cls] / 2)) "${count[$cls]}"; do
      [ "$slow" = 1 ] || [ "$i" = 1 ] || continue
      point "$cls:$i+:ENOSPC" "No space left on device" 2
    done
  done
  echo "ok: $variant: $((points - before)) injection points; calls of a clean run: $(tr '\n' ' ' <ref.counts)"
}

# Open, mkdir, fsync, rename and close do not depend on the codec: the
# codecs' variants fail their writes only.
variant plain "write=1/3 fsync=1/3 rename=1/3 close=1/3 create=3/0" \
  plain.ndjson --max-open-files 2 --max-file-bytes 128KiB
variant gzip "write=1/1" -c daily.yml --compress gzip big.ndjson
variant zstd "write=1/1" -c daily.yml --compress zstd big.ndjson

# Where RENAME_NOREPLACE is unsupported (EINVAL), files are committed by
# link() and unlink() instead: the run must succeed with the same output,
# and a failing link must fail the run like a failing rename.
variant=fallback args=(plain.ndjson --max-open-files 2 --max-file-bytes 128KiB)
rm -rf out ref
sz "" 1 out "${args[@]}"
mv out ref
sums ref >ref.sums
manifest ref >ref.manifest
fault="rename:1+:EINVAL" threads=1
sz "$fault" 1 out "${args[@]}"
check "with rename refusing RENAME_NOREPLACE, the link fallback gives the same output" \
  test "$rc" = 0 -a "$(sums out)" = "$(cat ref.sums)"
n=$(awk '$1 == "link" {print $2}' counts)
check "every file was committed by link" test "$n" -gt 0
before=$points
for ((i = 1; i <= n; i++)); do
  if every "$i" "$n" 3; then point "rename:1+:EINVAL,link:$i+:ENOSPC" "No space left on device" 1; fi
done
echo "ok: fallback: link failed at $((points - before)) of its $n calls"

# A write interrupted by a signal is retried, not a failure.
for i in 1 7; do
  rm -rf out
  sz "write:$i:EINTR" 1 out "${args[@]}"
  check "an interrupted write (call $i) is retried" test "$rc" = 0 -a "$(sums out)" = "$(cat ref.sums)"
done

# Tidying up comes last: when _staging cannot be removed, the output is
# whole and committed, so the run succeeds, warns once even with -q, and
# leaves the folder for the next run's --overwrite.
rm -rf out
fault="remove:1+:EACCES" threads=1
sz "$fault" 1 out "${args[@]}"
check "a _staging that cannot be removed does not fail the run" test "$rc" = 0
check "... the data files are the clean run's" test "$(sums out)" = "$(cat ref.sums)"
check "... and so is the manifest" test "$(manifest out)" = "$(cat ref.manifest)"
check "... one warning names the folder and the reason" \
  test "$(cat err)" = "sessionize: warning: cannot remove 'out/_staging': Permission denied"
check "... and the folder is left" test -d out/_staging
sz "" 1 out --overwrite "${args[@]}"
check "... which the next run's --overwrite removes" test "$rc" = 0 -a ! -e out/_staging

echo "$points injection points in all"
finish
