#!/usr/bin/env bash
# The state limits (limits.* in docs/config.md) through the CLI: each one
# acts, is counted in the manifest, and loses nothing (conservation holds).
source "$(dirname "$0")/lib.sh"

# --- limits.max_keys: 2000 machines, at most 100 with state at once -------
"$gen" --events 20000 --machines 2000 --seed 5 -o "$work/keys.ndjson"
"$bin" run -q --max-keys 100 -o "$work/keys" "$work/keys.ndjson"
"$bin" run -q -o "$work/keys-free" "$work/keys.ndjson"
m=$work/keys/_manifest.json
check "the option is recorded" eq "$(jq .options.max_keys "$m")" 100
# Four key shards take a quarter each (rounded up): 4 x 25.
check "keys_peak stays within the limit" test "$(jq .sessionizer.keys_peak "$m")" -le 100
check "without the limit the same input needs more" test "$(jq .sessionizer.keys_peak "$work/keys-free/_manifest.json")" -gt 100
evicted=$(jq .sessionizer.key_limit_evictions "$m")
check "the limit acted" test "$evicted" -gt 0
check "each eviction ended a session with end cause key_limit" eq \
  "$(cat_kind "$work/keys" sessions | jq -c 'select(.end_cause == "key_limit")' | wc -l)" "$evicted"
check "no event is lost: lines = events + dead + blank" eq \
  "$(jq '.counts | .events_out + .dead_letters + .blank_lines' "$m")" "$(jq .counts.lines_read "$m")"
check "as many events as without the limit" eq "$(jq .counts.events_out "$m")" \
  "$(jq .counts.events_out "$work/keys-free/_manifest.json")"
check "every event has a session id" eq \
  "$(cat_kind "$work/keys" events | jq -c 'select(.session_id == null)' | wc -l)" 0
# A machine ended early comes back with a new session (cause gap), so the
# limit can only add sessions; here the keys it ended were about to expire.
check "the limit never merges sessions" test \
  "$(jq .counts.sessions "$m")" -ge "$(jq .counts.sessions "$work/keys-free/_manifest.json")"
"$bin" run -q --max-keys 100 --threads 3 -o "$work/keys-3" "$work/keys.ndjson"
check "the output is the same for any number of threads" eq \
  "$(tree_digest "$work/keys-3" | sed '$d')" "$(tree_digest "$work/keys" | sed '$d')"
set +e
"$bin" run -q --max-keys 3 -o "$work/keys-bad" "$work/keys.ndjson" 2>"$work/err"
rc=$?
set -e
check "a limit below one key per shard is a usage error" eq "$rc" 2
check "which names the option and its range" grep -q "for --max-keys: expected a whole number from 4 to 1000000000" "$work/err"

# --- types: 40 distinct event types in one session ----------------------
ts=1767225600000
for i in $(seq 1 40); do
  printf '{"machine_id":"m1","timestamp":%d,"event_type":"t%02d"}\n' $((ts + i * 1000)) "$i"
done >"$work/types.ndjson"
cat >"$work/types.yml" <<'EOF'
limits:
  max_event_types: 30   # the table also holds the start event, open
  max_session_types: 20
EOF
"$bin" run -q -c "$work/types.yml" -o "$work/types" "$work/types.ndjson"
s=$(cat_kind "$work/types" sessions)
check "one session" eq "$(printf '%s\n' "$s" | wc -l)" 1
check "it names max_session_types types" eq "$(printf '%s' "$s" | jq '.event_types | length')" 20
check "and counts the other events apart" eq "$(printf '%s' "$s" | jq .other_event_types)" 20
check "event_count still counts every event" eq "$(printf '%s' "$s" | jq .event_count)" 40
check "the manifest counts them" eq "$(jq .sessionizer.other_type_events "$work/types/_manifest.json")" 20
check "all 40 events are delivered" eq "$(jq .counts.events_out "$work/types/_manifest.json")" 40
# Past max_event_types the type has no name at all: first/last become null.
cat >"$work/types2.yml" <<'EOF'
limits:
  max_event_types: 2
EOF
"$bin" run -q -c "$work/types2.yml" -o "$work/types2" "$work/types.ndjson"
s=$(cat_kind "$work/types2" sessions)
check "past max_event_types: one type named" eq "$(printf '%s' "$s" | jq -c .event_types)" '{"t01":1}'
check "past max_event_types: last type unnamed" eq "$(printf '%s' "$s" | jq -c .last_event_type)" null
check "summaries within the limits keep their shape" eq \
  "$(cat_kind "$work/keys" sessions | jq -c 'select(has("other_event_types"))' | wc -l)" 0

# --- limits.max_held_events: 5000 events of one machine at one instant ----
for i in $(seq 1 5000); do
  printf '{"machine_id":"busy","timestamp":%d,"event_type":"view","i":%d}\n' "$ts" "$i"
done >"$work/held.ndjson"
printf 'limits:\n  max_held_events: 100\n' >"$work/held.yml"
"$bin" run -q -c "$work/held.yml" -o "$work/held" "$work/held.ndjson"
m=$work/held/_manifest.json
check "held events stay within the limit" test "$(jq .sessionizer.held_events_peak "$m")" -le 101
check "the rest went out early" eq "$(jq .sessionizer.held_limit_releases "$m")" 4900
check "every event is delivered, in input order" eq \
  "$(cat_kind "$work/held" events | jq -r .i | paste -sd, | md5sum)" "$(seq 1 5000 | paste -sd, | md5sum)"
check "as one session" eq "$(jq .counts.sessions "$m")" 1

# --- key and type lengths -----------------------------------------------
long=$(printf 'k%.0s' $(seq 1 300))
{
  printf '{"machine_id":"%s","timestamp":%d,"event_type":"open"}\n' "${long:0:64}" "$ts"
  printf '{"machine_id":"%s","timestamp":%d,"event_type":"open"}\n' "${long:0:65}" "$ts"
  printf '{"machine_id":"m","timestamp":%d,"event_type":"%s"}\n' "$ts" "${long:0:257}"
} >"$work/long.ndjson"
cat >"$work/long.yml" <<'EOF'
limits:
  max_key_bytes: 64
EOF
"$bin" run -q -c "$work/long.yml" -o "$work/long" "$work/long.ndjson"
check "a key at max_key_bytes passes" eq "$(jq .counts.events_out "$work/long/_manifest.json")" 1
check "a longer key and a longer type are out_of_range" eq \
  "$(jq .counts.dead_by_reason.out_of_range "$work/long/_manifest.json")" 2
check "the details name the limits" eq \
  "$(cat_kind "$work/long" dead | jq -r .detail | sed -E 's/ is [0-9]+ bytes, over [0-9]+//')" \
  "$(printf 'machine_id (limits.max_key_bytes)\nevent_type (limits.max_type_bytes)')"
finish
