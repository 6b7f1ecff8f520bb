#!/usr/bin/env bash
# An independent check of the sessionizer with another tool: DuckDB
# recomputes every machine's sessions from the delivered events with window
# functions (LAG plus a running SUM of new-session flags) and they must
# match sessionize's session_id, session_seq and ms_since_prev exactly, on
# generated data with arrival disorder and offline machines' late bursts.
# The state TTL is raised to a day so that bound (b) of docs/sessions.md
# holds for bursts that arrive up to 12 h late.
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/duckdb/node_modules/@duckdb/node-api" ]; then
  echo "FAIL: DuckDB is not installed; run: tools/setup test"
  exit 1
fi

"$gen" --events "$(scaled 30000)" --machines "$(scaled 500)" --seed 21 -o "$work/in.ndjson"
for opts in "--gap 30m --start-event open" "--gap 5m --start-event view"; do
  read -r _ gap _ start <<<"$opts"
  out="$work/out-$gap-$start"
  # shellcheck disable=SC2086
  "$bin" run -q $opts --state-ttl 1d -o "$out" "$work/in.ndjson"
  gap_ms=$(jq -r .options.gap_ms "$out/_manifest.json")
  seen=$(node "$here/duckdb/sessions.mjs" "$out" "$gap_ms" "$start")
  echo "  $opts: $seen"
  for k in split_mismatch merge_mismatch seq_mismatch since_mismatch late; do
    check "$k is 0 ($opts)" eq "$(jq -r ".$k" <<<"$seen")" 0
  done
  check "DuckDB finds as many sessions as the manifest counts ($opts)" eq \
    "$(jq -r .sessions <<<"$seen")" "$(jq -r .counts.sessions "$out/_manifest.json")"
done

# Sparse input, default state TTL: at about 7 events a minute, 256 arrivals
# span more event time than the TTL, so a clock that moved only every 256
# arrivals forgot machines in the middle of their sessions. No machine is
# offline here, so no session may be cut by expiry.
"$gen" --events "$(scaled 20000)" --machines "$(scaled 1000)" --offline-frac 0 --seed 5 -o "$work/sparse.ndjson"
out="$work/out-sparse"
"$bin" run -q -o "$out" "$work/sparse.ndjson"
seen=$(node "$here/duckdb/sessions.mjs" "$out" 1800000 open)
echo "  sparse input, default TTL: $seen"
for k in split_mismatch merge_mismatch seq_mismatch since_mismatch; do
  check "$k is 0 (sparse input, default TTL)" eq "$(jq -r ".$k" <<<"$seen")" 0
done
check "no machine's state expired mid-session (sparse input)" eq \
  "$(jq -r .sessions <<<"$seen")" "$(jq -r .counts.sessions "$out/_manifest.json")"
finish
