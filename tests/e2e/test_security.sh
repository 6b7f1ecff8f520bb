#!/usr/bin/env bash
# The file-system promises of docs/security.md: input content never shapes
# an output path; files are created 0644 (under the usual umask 022) and
# never through a symbolic link; nothing is replaced without --overwrite.
source "$(dirname "$0")/lib.sh"
umask 022

# --- hostile values in every field that could look like a path -----------
ts=1767225600000
{
  printf '{"machine_id":"../../../../tmp/evil","timestamp":%d,"event_type":"../../x"}\n' "$ts"
  printf '{"machine_id":"/etc/passwd","timestamp":%d,"event_type":"a/b"}\n' $((ts + 1))
  printf '{"machine_id":"m\\u0000x","timestamp":%d,"event_type":"\\u002e\\u002e/\\u002e\\u002e"}\n' $((ts + 2))
  printf '{"machine_id":"dt=1970-01-01","timestamp":%d,"event_type":"open","dt":"../..","hour":"/"}\n' $((ts + 3))
  printf '{"machine_id":"m","timestamp":"../../etc","event_type":"open"}\n'
  printf 'not json at all /../../\n'
} >"$work/hostile.ndjson"
cat >"$work/hostile.yml" <<'EOF'
output:
  partition: "year={year}/month={month}/day={day}/{hour}"
EOF
"$bin" run -q -o "$work/out" "$work/hostile.ndjson"
"$bin" run -q -c "$work/hostile.yml" -o "$work/out2" "$work/hostile.ndjson"
check "every event and dead letter is written" eq "$(jq '.counts | .events_out + .dead_letters' "$work/out/_manifest.json")" 6
bad=$( (cd "$work/out" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' |
  grep -Ev '^(events/dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{2}/part-[0-9]+-[0-9]+\.ndjson|sessions/dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/part-[0-9]+-[0-9]+\.ndjson|dead/part-[0-9]+\.ndjson|_manifest\.json)$') || true)
check "output paths come from event times and counters only" eq "$bad" ""
bad=$( (cd "$work/out2" && find . -mindepth 1 -type f | sed 's|^\./||' |
  grep -Ev '^(events/year=[0-9]{4}/month=[0-9]{2}/day=[0-9]{2}/[0-9]{2}/part-[0-9]+-[0-9]+\.ndjson|sessions/dt=[0-9-]{10}/part-[0-9]+-[0-9]+\.ndjson|dead/part-[0-9]+\.ndjson|_manifest\.json)$') || true)
check "also with a custom partition template" eq "$bad" ""
check "nothing was written outside DIR" test ! -e "$work/tmp/evil"
check "no symbolic link in the output" eq "$(find "$work/out" -type l | wc -l)" 0

# --- modes -----------------------------------------------------------------
check "files are 0644" eq "$(find "$work/out" -type f ! -perm 0644 | wc -l)" 0
check "folders are 0755" eq "$(find "$work/out" -mindepth 1 -type d ! -perm 0755 | wc -l)" 0

# --- never over an existing file, never through a link ------------------
mkdir -p "$work/victim" "$work/out3"
echo keep >"$work/victim/keep.txt"
ln -s "$work/victim" "$work/out3/events"
set +e
"$bin" run -q -o "$work/out3" "$work/hostile.ndjson" 2>"$work/err3"
rc=$?
set -e
check "a non-empty DIR is refused without --overwrite" eq "$rc" 2
check "the link is left alone" test -L "$work/out3/events"
"$bin" run -q --overwrite -o "$work/out3" "$work/hostile.ndjson"
check "with --overwrite the link itself is replaced, not followed" test ! -L "$work/out3/events"
check "and the folder it pointed to is untouched" eq "$(ls "$work/victim")" keep.txt
check "events went into a real folder" test -d "$work/out3/events"
# A file of the run's own kind in DIR, with --overwrite, is replaced; a
# file the run does not own is kept (docs/output.md).
echo mine >"$work/out3/notes.txt"
"$bin" run -q --overwrite -o "$work/out3" "$work/hostile.ndjson"
check "files the run does not own survive --overwrite" eq "$(cat "$work/out3/notes.txt")" mine

# --- never read its own output, never remove an input ---------------------
# DIR inside an input folder: a first run is fine (the inputs are listed
# before DIR holds anything); a second would read the first one's output as
# input, and --overwrite would remove files it had listed, so it is refused
# before anything is written or removed, naming the input and DIR.
mkdir -p "$work/data"
cp "$work/hostile.ndjson" "$work/data/a.ndjson"
"$bin" run -q -o "$work/data/out" "$work/data"
check "DIR inside an input folder: the first run reads only the input" eq \
  "$(jq '.counts.lines_read' "$work/data/out/_manifest.json")" "$(wc -l <"$work/hostile.ndjson")"
before=$(tree_digest "$work/data/out")
for o in "" --overwrite; do
  set +e
  # shellcheck disable=SC2086 # $o: no option, or one
  "$bin" run -q $o -o "$work/data/out" "$work/data" 2>"$work/err4"
  rc=$?
  set -e
  check "a run ${o:-without --overwrite} that would read DIR's files is refused (exit 2)" eq "$rc" 2
  check "its message names an input inside DIR" \
    grep -q "input '$work/data/out/.*' is inside the output directory '$work/data/out'" "$work/err4"
  check "and DIR is left as it was" eq "$(tree_digest "$work/data/out")" "$before"
done
set +e
"$bin" run -q --overwrite -o "$work/data/out" "$work/data/out/_manifest.json" 2>"$work/err4"
rc=$?
set -e
check "an input file inside DIR is refused with --overwrite (exit 2)" eq "$rc" 2
check "and is not removed" test -s "$work/data/out/_manifest.json"
"$bin" run -q --overwrite -o "$work/data/out" "$work/data/a.ndjson"
check "an input beside DIR, not in it, is read as usual" eq \
  "$(jq '.counts.lines_read' "$work/data/out/_manifest.json")" "$(wc -l <"$work/hostile.ndjson")"
finish
