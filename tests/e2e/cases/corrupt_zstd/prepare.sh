# damaged.ndjson.zst: input.ndjson compressed by
# `zstd --target-compressed-block-size=1024` (zstd 1.5.4), four blocks of
# about 1 KiB, with bytes 2100-2103 (inside the third block) inverted: the
# decoder rejects that block, so the first two blocks' lines are delivered
# and the damage is reported where the third block's data starts. Kept as
# bytes rather than made here, since another zstd version may place its
# blocks elsewhere. Then an intact plain file that must still be read.
head -5 input.ndjson > ok.ndjson
rm input.ndjson
