#!/usr/bin/env bash
# Golden end-to-end case runner.
#
#   run_case.sh SESSIONIZE CASE_DIR WORK_DIR
#
# A case is a folder:
#   args           the arguments after "sessionize run", on one line; OUT
#                  stands for the output directory
#   expected/      the expected output tree (compressed files are compared
#                  decompressed, as NAME.decoded)
#   expected_exit  optional: the expected exit status (default 0)
#   expected_stderr optional: fixed strings, one a line, stderr must contain
#   stdin          optional: fed to standard input
#   prepare.sh     optional: run in the input folder before the run
#   anything else  input files, copied to the input folder
#
# The run happens inside WORK_DIR/in with OUT = ../out, so every path the
# output records is relative and the same on every machine. The manifest's
# "run" timings are the only bytes that differ between runs; they are
# removed before comparing.
#
# UPDATE_GOLDEN=1 rewrites expected/ from the actual output (review the diff!).
set -euo pipefail
bin=$(realpath "$1") case=$(realpath "$2") work=$(realpath -m "$3")

rm -rf "$work"
mkdir -p "$work/in"
for f in "$case"/* "$case"/.[!.]*; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in
    expected|args|expected_exit|expected_stderr|stdin) ;;
    *) cp -a "$f" "$work/in/" ;;
  esac
done
cd "$work/in"
if [ -f prepare.sh ]; then bash prepare.sh; rm -f prepare.sh; fi

read -r -a args < <(sed 's#OUT#../out#g' "$case/args")
stdin=/dev/null
[ -f "$case/stdin" ] && stdin="$case/stdin"
set +e
"$bin" run "${args[@]}" <"$stdin" 2>"$work/stderr"
rc=$?
set -e

want_rc=0
[ -f "$case/expected_exit" ] && want_rc=$(cat "$case/expected_exit")
fail=0
if [ "$rc" != "$want_rc" ]; then
  echo "exit status $rc, expected $want_rc"; fail=1
fi
if [ -f "$case/expected_stderr" ]; then
  while IFS= read -r want; do
    [ -n "$want" ] || continue
    grep -qF -- "$want" "$work/stderr" || { echo "stderr lacks: $want"; fail=1; }
  done <"$case/expected_stderr"
fi

# Normalise the actual tree into $work/actual.
mkdir -p "$work/actual"
if [ -d "$work/out" ]; then
  cp -a "$work/out/." "$work/actual/"
  while IFS= read -r -d '' f; do
    case "$f" in
      *.gz) gzip -dc "$f" >"$f.decoded" && rm "$f" ;;
      *.zst) zstd -q -dc "$f" >"$f.decoded" && rm "$f" ;;
    esac
  done < <(find "$work/actual" -type f -print0)
  if [ -f "$work/actual/_manifest.json" ]; then
    # Timings vary; compressed sizes depend on the codec's version.
    sed -i -E '/"(started_at|elapsed_s|threads|mb_per_s)":/d' "$work/actual/_manifest.json"
    if grep -q '"compress": "\(gzip\|zstd\)"' "$work/actual/_manifest.json"; then
      sed -i -E 's/"bytes": [0-9]+\}/"bytes": N}/' "$work/actual/_manifest.json"
    fi
  fi
fi

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
  rm -rf "$case/expected"
  mkdir -p "$case/expected"
  cp -a "$work/actual/." "$case/expected/"
  echo "updated $case/expected"
  exit 0
fi

mkdir -p "$case/expected"
if ! diff -r "$case/expected" "$work/actual" >"$work/diff" 2>&1; then
  echo "output differs from $case/expected:"; head -50 "$work/diff"; fail=1
fi
if [ "$fail" != 0 ]; then
  echo "--- stderr:"; cat "$work/stderr"
  exit 1
fi
echo "ok: $(basename "$case")"
