# Shared helpers for the end-to-end scripts (sourced, not run).
set -euo pipefail
bin=$(realpath "$1")
gen=$(realpath "$2")
work=$(realpath -m "$3")
rm -rf "$work"
mkdir -p "$work"
failures=0
# scaled N: N divided by $SZ_TEST_SCALE (default 1), at least 1. For the size
# of generated inputs: the valgrind pass (tests/valgrind-check.sh) runs every
# binary 20 to 50 times slower and sets it. A script using it must still
# test what it says with the smaller input.
scaled() { local n=$(($1 / ${SZ_TEST_SCALE:-1})); echo $((n > 0 ? n : 1)); }

check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }
count() { jq -r ".counts.$1" "$2"; }
# Lines of every data file of a kind below an output dir, decompressed, in path order.
cat_kind() { # cat_kind OUT events|dead
  find "$1/$2" -type f -print0 2>/dev/null | sort -z | while IFS= read -r -d '' f; do
    case "$f" in *.gz) gzip -dc "$f" ;; *.zst) zstd -q -dc "$f" ;; *) cat "$f" ;; esac
  done
}
# The output tree minus the manifest's timing lines, as one comparable listing.
tree_digest() { # tree_digest OUT
  (cd "$1" && find . -type f ! -name _manifest.json -print0 | sort -z | xargs -0 sha256sum
   sed -E '/"(started_at|elapsed_s|threads|mb_per_s)":/d; /"output":/d; /"command":/d' _manifest.json | sha256sum)
}
finish() { [ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }; }
