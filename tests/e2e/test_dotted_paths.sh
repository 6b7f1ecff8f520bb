#!/usr/bin/env bash
# schema paths that reach into objects (context.device.id), and the
# timestamp formats: rfc3339, auto (seconds, milliseconds and RFC 3339
# mixed), epoch_s with fractions, epoch_us. Expected milliseconds are worked
# out by hand in the comments.
source "$(dirname "$0")/lib.sh"
cd "$work"

# events OUT: the delivered events; dead OUT: "LINE REASON ..." of its dead letters.
events() { cat_kind "$1" events; }
dead() { cat_kind "$1" dead | jq -r '"\(.line) \(.reason)"' | sort -n | paste -sd' '; }

# ---- a nested key ---------------------------------------------------------------
cat >nested.yml <<'EOF'
schema:
  key: context.device.id
  timestamp: ts
  timestamp_format: rfc3339
  event_type: type
EOF
cat >nested.ndjson <<'EOF'
{"context":{"device":{"id":"D1"}},"ts":"2026-01-01T10:00:00+01:00","type":"open","n":1}
{"context":{"device":{"id":"D2"}},"ts":"2026-01-01T09:00:30Z","type":"open","n":2}
{"context":{"device":{"id":"D1"}},"ts":"2026-01-01T09:01:00Z","type":"view","n":3}
{"context":{"device":{"id":"D2"}},"ts":"2026-01-01T10:02:00.5+01:00","type":"view","n":4}
{"context":{"device":{"id":"D1","os":"x"},"app":"y"},"ts":"2026-01-01T04:02:00-05:00","type":"view","n":5}
{"context":{"device":{}},"ts":"2026-01-01T09:03:00Z","type":"view","n":6}
{"context":{"device":{"id":{"serial":"D1"}}},"ts":"2026-01-01T09:03:00Z","type":"view","n":7}
{"context":{"device":null},"ts":"2026-01-01T09:03:00Z","type":"view","n":8}
{"context":"D1","ts":"2026-01-01T09:03:00Z","type":"view","n":9}
{"ts":"2026-01-01T09:03:00Z","type":"view","n":10}
{"context":{"device":{"id":null}},"ts":"2026-01-01T09:03:00Z","type":"view","n":11}
{"context":{"device":{"id":["D1"]}},"ts":"2026-01-01T09:03:00Z","type":"view","n":12}
{"context.device.id":"D1","ts":"2026-01-01T09:03:00Z","type":"view","n":13}
{"context":{"device":{"id":"D3"}},"ts":1767258000000,"type":"view","n":14}
{"context":{"device":{"id":"D3"}},"ts":"2026-01-01T09:04:00","type":"view","n":15}
EOF
"$bin" run -q -c nested.yml -o nested nested.ndjson
ev() { events nested | jq -r "$1" | paste -sd' '; }
# D1: 09:00:00Z (10:00+01:00), 09:01:00Z, 09:02:00Z (04:02-05:00): one session.
# D2: 09:00:30Z, 09:02:00.500Z (10:02:00.5+01:00): one session, 90 500 ms apart.
check "events of one nested id share a session" eq \
  "$(ev 'select(.context.device.id == "D1") | "\(.n):\(.session_seq):\(.ms_since_prev)"')" "1:1:null 3:2:60000 5:3:60000"
check "another nested id has its own session" eq \
  "$(ev 'select(.context.device.id == "D2") | "\(.n):\(.session_seq):\(.ms_since_prev)"')" "2:1:null 4:2:90500"
check "two ids, two session ids" eq "$(ev '.session_id' | tr ' ' '\n' | sort -u | wc -l)" 2
check "the summaries name the key field context.device.id" eq \
  "$(cat_kind nested sessions | jq -r '."context.device.id"' | sort | paste -sd' ')" "D1 D2"
check "the summaries carry no machine_id" eq \
  "$(cat_kind nested sessions | jq -r 'select(has("machine_id")) | 1' | wc -l)" 0
check "summary times come from the RFC 3339 offsets" eq \
  "$(cat_kind nested sessions | jq -r 'select(."context.device.id" == "D2") | "\(.start_ms) \(.end_ms)"')" \
  "1767258030000 1767258120500"
check "the event date and hour are the UTC ones (offset applied)" eq \
  "$(ev 'select(.n == 1) | "\(.event_date) \(.event_hour)"')" "2026-01-01 9"
# 6, 8, 9, 10: the path leads nowhere; 11: null; 7, 12: an object and an
# array are not keys; 13: a top-level name with dots is not the path;
# 14: a number is not an RFC 3339 string; 15: no offset.
check "missing, null and mistyped nested keys are dead letters" eq "$(dead nested)" \
  "6 missing_field 7 wrong_type 8 missing_field 9 missing_field 10 missing_field 11 missing_field 12 wrong_type 13 missing_field 14 wrong_type 15 wrong_type"
check "the detail names the dotted path" eq \
  "$(cat_kind nested dead | jq -r 'select(.line == 7) | .detail')" \
  "context.device.id must be a string or an integer, not object"
check "the missing_field detail names the dotted path" eq \
  "$(cat_kind nested dead | jq -r 'select(.line == 6) | .detail')" "context.device.id is missing"
check "lines read = events out + dead letters" eq \
  "$(count lines_read nested/_manifest.json)" \
  "$(($(count events_out nested/_manifest.json) + $(count dead_letters nested/_manifest.json)))"

# A nested required field and a nested event type.
cat >nested2.yml <<'EOF'
schema:
  key: who.id
  timestamp: when.ms
  event_type: what.type
  required: [who.user.name]
EOF
cat >nested2.ndjson <<'EOF'
{"who":{"id":7,"user":{"name":"ann"}},"when":{"ms":1767258000000},"what":{"type":"open"}}
{"who":{"id":"7","user":{"name":"ann"}},"when":{"ms":1767258001000},"what":{"type":"view"}}
{"who":{"id":7,"user":{}},"when":{"ms":1767258002000},"what":{"type":"view"}}
{"who":{"id":7,"user":{"name":"ann"}},"when":{"ms":1767258003000},"what":{"kind":"view"}}
{"who":{"id":7,"user":{"name":"ann"}},"when":{"ms":1767258004000},"what":{"type":""}}
EOF
"$bin" run -q -c nested2.yml -o nested2 nested2.ndjson
check "an integer key and its decimal text are one machine" eq \
  "$(events nested2 | jq -r '"\(.session_seq)"' | paste -sd' ')" "1 2"
check "a nested required field and a nested event type are checked" eq "$(dead nested2)" \
  "3 missing_field 4 missing_field 5 out_of_range"
check "the summary names the key who.id and counts nested event types" eq \
  "$(cat_kind nested2 sessions | jq -c '[."who.id", .event_types]')" '[7,{"open":1,"view":1}]'

# ---- timestamp formats ------------------------------------------------------------
# fmt FORMAT: a config reading `timestamp` as FORMAT with a gap long enough
# that every event of machine A is one session; then ms_since_prev shows
# each timestamp as milliseconds.
fmt() { printf 'schema: {timestamp_format: %s}\nsessions: {gap: 1d}\n' "$1" >"$1.yml"; }
# 2026-01-01T00:00:00Z = 1767225600 s.
fmt auto
cat >auto.ndjson <<'EOF'
{"machine_id":"A","n":1,"timestamp":1767225600,"event_type":"view"}
{"machine_id":"A","n":2,"timestamp":1767225601500,"event_type":"view"}
{"machine_id":"A","n":3,"timestamp":"2026-01-01T01:00:02.250+01:00","event_type":"view"}
{"machine_id":"A","n":4,"timestamp":1767225603.999,"event_type":"view"}
{"machine_id":"A","n":5,"timestamp":1.767225604e9,"event_type":"view"}
{"machine_id":"A","n":6,"timestamp":1767225604001.9,"event_type":"view"}
{"machine_id":"A","n":7,"timestamp":"2026-01-01 00:00:04.0029Z","event_type":"view"}
{"machine_id":"A","n":8,"timestamp":99999999999,"event_type":"view"}
{"machine_id":"A","n":9,"timestamp":100000000000,"event_type":"view"}
{"machine_id":"A","n":10,"timestamp":"1767225605","event_type":"view"}
EOF
"$bin" run -q -c auto.yml -o auto auto.ndjson
# 1: s -> ...600 000; 2: ms 601 500 (+1500); 3: RFC 3339 00:00:02.250Z (+750);
# 4: s 603.999 (+1749); 5: s 604 (+1); 6: ms 604 001.9 -> 604 001 (+1);
# 7: 00:00:04.0029 cut to .002 (+1).
check "auto: seconds, milliseconds and RFC 3339 mixed" eq \
  "$(events auto | jq -r '"\(.n):\(.ms_since_prev)"' | paste -sd' ')" \
  "1:null 2:1500 3:750 4:1749 5:1 6:1 7:1"
check "auto: the session spans 4002 ms" eq \
  "$(cat_kind auto sessions | jq -r '"\(.start_ms) \(.duration_ms)"')" "1767225600000 4002"
# 8: below 10^11, so seconds: the year 5138; 9: 10^11 ms is 1973; 10: a
# string that is no RFC 3339 time.
check "auto: out-of-range readings and non-RFC 3339 strings are dead letters" eq "$(dead auto)" \
  "8 out_of_range 9 out_of_range 10 wrong_type"

# The 10^11 threshold itself, with valid_from lowered so that both readings
# could be valid: 10^11 - 1 is seconds (the year 5138: out of range), 10^11
# is milliseconds (1973-03-03T09:46:40Z).
printf 'schema: {timestamp_format: auto, valid_from: 1970-01-01}\n' >threshold.yml
printf '%s\n' '{"machine_id":"A","timestamp":99999999999,"event_type":"view"}' \
  '{"machine_id":"A","timestamp":100000000000,"event_type":"view"}' >threshold.ndjson
"$bin" run -q -c threshold.yml -o threshold threshold.ndjson
check "auto: 10^11 is milliseconds" eq \
  "$(events threshold | jq -r '"\(.timestamp) \(.event_date) \(.event_hour)"')" "100000000000 1973-03-03 9"
check "auto: 10^11 - 1 is seconds" eq "$(dead threshold)" "1 out_of_range"

fmt epoch_s
cat >epoch_s.ndjson <<'EOF'
{"machine_id":"A","n":1,"timestamp":1767225600,"event_type":"view"}
{"machine_id":"A","n":2,"timestamp":1767225600.1239,"event_type":"view"}
{"machine_id":"A","n":3,"timestamp":1767225601.5,"event_type":"view"}
{"machine_id":"A","n":4,"timestamp":1767225601.5009,"event_type":"view"}
{"machine_id":"A","n":5,"timestamp":17672256025e-1,"event_type":"view"}
{"machine_id":"A","n":6,"timestamp":"1767225603","event_type":"view"}
{"machine_id":"A","n":7,"timestamp":1767225603000,"event_type":"view"}
EOF
"$bin" run -q -c epoch_s.yml -o epoch_s epoch_s.ndjson
# 2: .1239 s -> 123 ms (floor); 3: 1500 (+1377); 4: 1500.9 -> 1500 (+0);
# 5: 1767225602.5 s (+1000).
check "epoch_s: fractions kept to the ms, rounded down" eq \
  "$(events epoch_s | jq -r '"\(.n):\(.ms_since_prev)"' | paste -sd' ')" "1:null 2:123 3:1377 4:0 5:1000"
check "epoch_s: a string and a millisecond value are dead letters" eq "$(dead epoch_s)" \
  "6 wrong_type 7 out_of_range"

fmt epoch_us
cat >epoch_us.ndjson <<'EOF'
{"machine_id":"A","n":1,"timestamp":1767225600000000,"event_type":"view"}
{"machine_id":"A","n":2,"timestamp":1767225600123456,"event_type":"view"}
{"machine_id":"A","n":3,"timestamp":1767225600124999,"event_type":"view"}
{"machine_id":"A","n":4,"timestamp":1767225601125000,"event_type":"view"}
{"machine_id":"A","n":5,"timestamp":1767225601125000.5,"event_type":"view"}
{"machine_id":"A","n":6,"timestamp":1767225601126,"event_type":"view"}
EOF
"$bin" run -q -c epoch_us.yml -o epoch_us epoch_us.ndjson
# 2: 123 456 us -> 123 ms; 3: 124 999 us -> 124 ms (+1); 4: 1 125 000 us (+1001).
check "epoch_us: microseconds rounded down to the ms" eq \
  "$(events epoch_us | jq -r '"\(.n):\(.ms_since_prev)"' | paste -sd' ')" "1:null 2:123 3:1 4:1001"
check "epoch_us: a fraction and a millisecond value are dead letters" eq "$(dead epoch_us)" \
  "5 wrong_type 6 out_of_range"

# A schema cannot reach before 1970 (zone tables and valid ranges cover
# [1970, 2200)), so rounding below zero is a unit test (test_decimal.c).
printf 'schema: {timestamp_format: epoch_s, valid_from: 1969-01-01}\n' >neg_s.yml
set +e
"$bin" check neg_s.yml 2>neg_s.err
rc=$?
set -e
check "valid_from before 1970 is a config error" eq "$rc" 2
check "and says the range" eq "$(grep -c 'from 1970-01-01 to 2200-01-01' neg_s.err)" 1
finish
