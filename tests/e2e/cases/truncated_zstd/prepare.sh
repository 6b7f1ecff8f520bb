# cut.ndjson.zst: the first 2500 bytes of input.ndjson compressed by
# `zstd --target-compressed-block-size=1024` (zstd 1.5.4): four blocks of
# about 1 KiB, cut in the third. Kept as bytes rather than made here, since
# another zstd version may place its blocks elsewhere. Then an intact plain
# file that must still be read.
head -5 input.ndjson > ok.ndjson
rm input.ndjson
