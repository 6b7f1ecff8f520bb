#!/usr/bin/env bash
# A write that fails part-way (here: the file size limit, which makes
# write(2) fail as a full disk would) ends the run with exit 1 and a message
# naming the file; no temporary file and no partial final file remain, and
# no manifest claims the run finished.
source "$(dirname "$0")/lib.sh"

"$gen" --events 20000 --machines 300 --seed 3 -o "$work/in.ndjson"
set +e
(ulimit -f 50; trap '' XFSZ; "$bin" run -q -o "$work/out" "$work/in.ndjson") 2>"$work/stderr"
rc=$?
set -e
check "exit status is 1" eq "$rc" 1
# Which file hits the limit first depends on how long the dead letters'
# source names are, so any of the run's data files may be the one named.
check "the message names the file that failed" grep -qE "cannot write '$work/out/(events|sessions|dead)/.*part-[0-9-]+\.ndjson': File too large" "$work/stderr"
check "no manifest is written" test ! -e "$work/out/_manifest.json"
check "no staging folder survives" test ! -e "$work/out/_staging"
# Files that were committed before the failure are whole: every line of
# every file is a complete event.
check "every final file is complete" eq "$(cat_kind "$work/out" events | jq -c 'select(.event_hour != null) | 1' | wc -l)" \
  "$(cat_kind "$work/out" events | wc -l)"
check "a rerun without --overwrite is refused" bash -c "! '$bin' run -q -o '$work/out' '$work/in.ndjson' 2>/dev/null"
"$bin" run -q --overwrite -o "$work/out" "$work/in.ndjson"
"$bin" run -q -o "$work/ref" "$work/in.ndjson"
check "a rerun with --overwrite gives the full output" eq \
  "$(cat_kind "$work/out" events | sha256sum)" "$(cat_kind "$work/ref" events | sha256sum)"
finish
