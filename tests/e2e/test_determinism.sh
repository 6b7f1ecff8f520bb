#!/usr/bin/env bash
# The same input and options give byte-identical output; output files and
# compression change the packaging, never the events.
source "$(dirname "$0")/lib.sh"

"$gen" --events "$(scaled 50000)" --machines "$(scaled 2000)" --seed 5 -o "$work/in.ndjson"
"$bin" run -q --threads 1 -o "$work/a" "$work/in.ndjson"
"$bin" run -q --threads 1 -o "$work/b" "$work/in.ndjson"
check "two runs give identical trees" eq "$(tree_digest "$work/a")" "$(tree_digest "$work/b")"
for t in 2 3 8; do
  "$bin" run -q --threads "$t" -o "$work/t$t" "$work/in.ndjson"
  check "--threads $t gives the same tree as --threads 1" eq "$(tree_digest "$work/t$t")" "$(tree_digest "$work/a")"
done

"$bin" run -q --max-open-files 1 --max-file-bytes 64KiB -o "$work/c" "$work/in.ndjson"
check "fewer open files and smaller files: same events, same order per partition" eq \
  "$(cat_kind "$work/c" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"

"$bin" run -q --compress zstd -o "$work/z" "$work/in.ndjson"
"$bin" run -q --compress gzip -o "$work/g" "$work/in.ndjson"
check "zstd output decodes to the same events" eq \
  "$(cat_kind "$work/z" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"
check "gzip output decodes to the same events" eq \
  "$(cat_kind "$work/g" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"
check "zstd files are named .ndjson.zst" eq "$(find "$work/z/events" -type f ! -name '*.ndjson.zst' | wc -l)" 0

gzip -c "$work/in.ndjson" >"$work/in.ndjson.gz"
zstd -q -c "$work/in.ndjson" >"$work/in.zst"
"$bin" run -q -o "$work/from-gz" "$work/in.ndjson.gz"
"$bin" run -q -o "$work/from-zst" - <"$work/in.zst"
check "gzip input gives the same events" eq \
  "$(cat_kind "$work/from-gz" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"
check "zstd on stdin gives the same events" eq \
  "$(cat_kind "$work/from-zst" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"
# Standard input that is a regular file is mapped (from its offset); a pipe
# is read. Both give the events and sessions of the file named.
"$bin" run -q -o "$work/from-redirect" <"$work/in.ndjson"
cat "$work/in.ndjson" | "$bin" run -q -o "$work/from-pipe"
for how in redirect pipe; do
  for kind in events sessions; do
    check "a file on stdin ($how) gives the same $kind" eq \
      "$(cat_kind "$work/from-$how" $kind | sha256sum)" "$(cat_kind "$work/a" $kind | sha256sum)"
  done
done
# Something read the first 10 bytes of standard input before sessionize:
# it reads the rest (read, not mapped, as the offset is not on a page).
{ head -c 10 >/dev/null; "$bin" run -q -o "$work/from-offset"; } <"$work/in.ndjson"
check "stdin past its start: as many lines are read" eq \
  "$(jq -r '.counts.lines_read' "$work/from-offset/_manifest.json")" "$(jq -r '.counts.lines_read' "$work/a/_manifest.json")"
check "stdin past its start: the first line is cut, and a dead letter" eq \
  "$(jq -r '.counts.dead_letters' "$work/from-offset/_manifest.json")" "$(( $(jq -r '.counts.dead_letters' "$work/a/_manifest.json") + 1 ))"
# The input cut into many files: the small ones are read, those of 64 KiB
# and more are mapped (docs/design.md, "Reading"), one is gzip, and batches
# span files of each kind. The events and sessions are those of one file,
# and every line is counted.
mkdir "$work/parts"
lines=$(wc -l <"$work/in.ndjson")
head -n "$((lines / 8))" "$work/in.ndjson" | split -l 150 -a 3 - "$work/parts/a-"
tail -n "+$((lines / 8 + 1))" "$work/in.ndjson" | split -l 1000 -a 3 - "$work/parts/b-"
[ ! -f "$work/parts/b-aab" ] || gzip "$work/parts/b-aab"
for t in 1 2; do
  "$bin" run -q --threads "$t" -o "$work/parts$t" "$work/parts"/*
  check "many small, large and gzip files ($t threads): the same events" eq \
    "$(cat_kind "$work/parts$t" events | sha256sum)" "$(cat_kind "$work/a" events | sha256sum)"
  check "many small, large and gzip files ($t threads): the same sessions" eq \
    "$(cat_kind "$work/parts$t" sessions | sha256sum)" "$(cat_kind "$work/a" sessions | sha256sum)"
  check "many small, large and gzip files ($t threads): every line read" eq \
    "$(count lines_read "$work/parts$t/_manifest.json")" "$lines"
done
finish
