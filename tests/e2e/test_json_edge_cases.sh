#!/usr/bin/env bash
# The JSON questions RFC 8259 leaves to implementations, answered end to end
# (docs/json-scanner.md, "Conformance"; docs/reason-codes.md): a byte-order
# mark at the start of an input is dropped and counted nowhere, anywhere
# else it makes its line invalid_json; a number too big for the timestamp
# is a dead letter with its reason, and passes through untouched in any
# other field; nesting at --max-depth (or limits.max_depth, default 64)
# passes and one level more is too_deep; a lone surrogate escape is
# invalid_json. Every run also keeps lines_read = events_out + dead_letters
# + blank_lines.
source "$(dirname "$0")/lib.sh"
cd "$work"

events() { cat_kind "$1" events; }
# "LINE REASON" of every dead letter, in line order, on one line.
dead() { cat_kind "$1" dead | jq -r '"\(.line) \(.reason)"' | sort -n | paste -sd' '; }
detail() { cat_kind "$1" dead | jq -r "select(.line == $2) | .detail"; }
counts() { jq -r '.counts | "\(.lines_read) \(.events_out) \(.dead_letters) \(.blank_lines)"' "$1/_manifest.json"; }
conserved() {
  local m=$1/_manifest.json
  eq "$(count lines_read "$m")" \
    "$(($(count events_out "$m") + $(count dead_letters "$m") + $(count blank_lines "$m")))"
}
has_bom() { LC_ALL=C grep -c $'\xEF\xBB\xBF' || true; }

# An event of machine A at 2026-01-01T00:00:0Ns with extra members $2.
event() { printf '{"machine_id":"A","timestamp":176722560%s000,"event_type":"view"%s}' "$1" "${2:-}"; }
BOM=$'\xEF\xBB\xBF'

# ---- byte-order mark ------------------------------------------------------------
{ printf '%s' "$BOM"; event 0; echo; printf '%s' "$BOM"; event 1; echo; event 2; echo; } >bom.ndjson
"$bin" run -q -o bom bom.ndjson
check "a BOM at the start of a file is dropped, one on line 2 is invalid_json" eq \
  "$(dead bom)" "2 invalid_json"
check "the BOM is counted nowhere: 3 lines read, 2 events, 1 dead letter, 0 blank" eq \
  "$(counts bom)" "3 2 1 0"
check "lines read = events out + dead letters + blank lines (BOM file)" conserved bom
# Events come out as they came in, up to their closing brace (after which
# sessionize appends its fields).
check "the first event comes out without the BOM, byte for byte" eq \
  "$(events bom | head -n 1 | head -c "$(($(event 0 | wc -c) - 1))")" "$(event 0 | head -c -1)"
check "no event carries a BOM" eq "$(events bom | has_bom)" 0
check "the dead letter keeps line 2 as it came, BOM and all" eq \
  "$(cat_kind bom dead | jq -r .raw | has_bom)" 1

{ printf '%s' "$BOM"; event 0; echo; } | "$bin" run -q -o bom-stdin -
check "a BOM at the start of standard input is dropped" eq "$(counts bom-stdin)" "1 1 0 0"

gzip -c bom.ndjson >bom.ndjson.gz
cp bom.ndjson second.ndjson
"$bin" run -q -o bom-many bom.ndjson.gz second.ndjson
check "a BOM is dropped at the start of every input, also after decompression" eq \
  "$(dead bom-many | tr ' ' '\n' | paste -sd' ')" "2 invalid_json 2 invalid_json"
check "two BOM files: 6 lines read, 4 events, 2 dead letters" eq "$(counts bom-many)" "6 4 2 0"

printf '%s' "$BOM" >only-bom.ndjson
printf '%s\n' "$BOM" >bom-blank.ndjson
"$bin" run -q -o only-bom only-bom.ndjson bom-blank.ndjson
check "a file of only a BOM has no lines; BOM then newline is one blank line" eq \
  "$(counts only-bom)" "1 0 0 1"
check "lines read = events out + dead letters + blank lines (BOM-only files)" conserved only-bom

# ---- huge numbers ---------------------------------------------------------------
digits=$(printf '1%.0s' $(seq 400))
{
  printf '{"machine_id":"A","timestamp":%s,"event_type":"view"}\n' "$digits"
  printf '{"machine_id":"A","timestamp":-%s,"event_type":"view"}\n' "$digits"
  printf '{"machine_id":"A","timestamp":1e400,"event_type":"view"}\n'
  event 3 ",\"big\":$digits.5e-99999,\"n\":-$digits"; echo
} >huge.ndjson
"$bin" run -q -o huge huge.ndjson
check "a 400-digit timestamp is out_of_range, also negative; an exponent is wrong_type" eq \
  "$(dead huge)" "1 out_of_range 2 out_of_range 3 wrong_type"
check "the detail says the timestamp does not fit" eq "$(detail huge 1)" \
  "timestamp does not fit in 64 bits"
check "the detail names the exponent" eq "$(detail huge 3)" \
  "timestamp must be an integer of epoch milliseconds, not a number with an exponent"
check "huge numbers in other fields pass through byte for byte" eq \
  "$(events huge | grep -cF "\"big\":$digits.5e-99999,\"n\":-$digits,")" 1
check "lines read = events out + dead letters + blank lines (huge numbers)" conserved huge
# Timestamps read as decimal seconds take another path (sz_decimal).
printf 'schema: {timestamp_format: epoch_s}\n' >seconds.yml
"$bin" run -q -c seconds.yml -o huge-s huge.ndjson
check "as epoch seconds too: 400 digits and 1e400 are out_of_range" eq \
  "$(dead huge-s | cut -d' ' -f1-6)" "1 out_of_range 2 out_of_range 3 out_of_range"

# ---- nesting depth --------------------------------------------------------------
# nest N: an event whose deepest container is at level N (the event is level 1).
nest() {
  local k=$(($1 - 1))
  event "${2:-0}" ",\"p\":$(printf '[%.0s' $(seq $k))0$(printf ']%.0s' $(seq $k))"
  echo
}
{ nest 3 0; nest 4 1; } >depth3.ndjson
"$bin" run -q --max-depth 3 -o depth3 depth3.ndjson
check "--max-depth 3: depth 3 passes, depth 4 is too_deep" eq "$(dead depth3)" "2 too_deep"
check "the too_deep detail names the option" eq "$(detail depth3 2)" \
  "nesting too deep at column 71 (--max-depth)" # the third '[', at level 4
printf 'limits: {max_depth: 3}\n' >depth3.yml
"$bin" run -q -c depth3.yml -o depth3-yml depth3.ndjson
check "limits.max_depth 3 does the same" eq "$(dead depth3-yml)" "2 too_deep"
{ nest 64 0; nest 65 1; } >depth64.ndjson
"$bin" run -q -o depth64 depth64.ndjson
check "by default depth 64 passes and depth 65 is too_deep" eq "$(dead depth64)" "2 too_deep"
"$bin" run -q --max-depth 65 -o depth65 depth64.ndjson
check "--max-depth 65 lets depth 65 pass" eq "$(counts depth65)" "2 2 0 0"
check "lines read = events out + dead letters + blank lines (nesting)" conserved depth64

# ---- surrogate escapes ----------------------------------------------------------
{
  event 0 ',"s":"\ud83d\ude00"'; echo
  event 1 ',"s":"\ud800"'; echo
  event 2 ',"s":"\udc00"'; echo
  event 3 ',"s":"\ude00\ud83d"'; echo
  event 4 ',"s":"\ud83d\u0041"'; echo
} >surrogates.ndjson
"$bin" run -q -o surrogates surrogates.ndjson
check "lone, reversed and unpaired surrogate escapes are invalid_json" eq \
  "$(dead surrogates)" "2 invalid_json 3 invalid_json 4 invalid_json 5 invalid_json"
check "the detail says which surrogate is alone" eq "$(detail surrogates 2)" \
  'lone high surrogate in \u escape at column 70' # its backslash
check "a valid pair passes with its escapes untouched" eq \
  "$(events surrogates | grep -cF '"s":"\ud83d\ude00"')" 1
check "lines read = events out + dead letters + blank lines (surrogates)" conserved surrogates

finish
