#!/usr/bin/env bash
# DuckDB reads the output tree as it is, hive partitions included, plain and
# compressed: the delivery contract with the tools analysts use.
# Needs tests/e2e/duckdb/node_modules (installed by tools/setup).
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/duckdb/node_modules/@duckdb/node-api" ]; then
  echo "FAIL: DuckDB is not installed; run: tools/setup test (or npm install --prefix $here/duckdb)"
  exit 1
fi

"$gen" --events "$(scaled 20000)" --machines "$(scaled 500)" --seed 9 -o "$work/in.ndjson"
for c in none gzip zstd; do
  "$bin" run -q --compress "$c" -o "$work/$c" "$work/in.ndjson"
  seen=$(node "$here/duckdb/read_output.mjs" "$work/$c")
  ev=$(count events_out "$work/$c/_manifest.json")
  check "DuckDB counts every event ($c)" eq "$(jq -r .events <<<"$seen")" "$ev"
  check "hive dt matches event_date ($c)" eq "$(jq -r .wrong_dt <<<"$seen")" 0
  check "hive hour matches event_hour ($c)" eq "$(jq -r .wrong_hour <<<"$seen")" 0
done
finish
