#!/usr/bin/env bash
# Runs one end-to-end test under the valgrind pass (SZ_VALGRIND=ON):
#
#   valgrind-check.sh LOG_DIR SCALE COMMAND...
#
# COMMAND runs the binaries through the wrappers made from
# valgrind-wrapper.sh.in, which write each process's reports to a file in
# LOG_DIR. The test fails if any of those files is not empty, whatever
# COMMAND's own verdict: scripts expect exit statuses 1 and 2, ignore some
# (`|| true`), and compare stderr, so neither the status valgrind changes
# nor its messages would reliably fail them.
#
# SCALE becomes SZ_TEST_SCALE: the scripts divide the size of the inputs they
# generate by it (tests/e2e/lib.sh), as everything runs 20 to 50 times slower.
set -uo pipefail
logs=$1
export SZ_TEST_SCALE=$2
shift 2
rm -rf "$logs"
mkdir -p "$logs"
export SZ_VALGRIND_LOGS=$logs
"$@"
rc=$?
# valgrind -q creates every log file and leaves a clean run's empty.
find "$logs" -type f -empty -delete
mapfile -t reports < <(find "$logs" -type f | sort)
if [ ${#reports[@]} -gt 0 ]; then
  for f in "${reports[@]}"; do
    echo "--- valgrind report: $f"
    cat "$f"
  done
  echo "FAIL: valgrind reported errors in ${#reports[@]} process(es)"
  exit 1
fi
exit "$rc"
