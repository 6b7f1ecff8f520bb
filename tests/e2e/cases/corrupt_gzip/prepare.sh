# Two damaged gzip files, kept as bytes (made with gzip -n from input.ndjson),
# then an intact plain file that must still be read:
# - damaged.ndjson.gz: lines 1-20 as one member, lines 21-60 as a second
#   member whose first deflate block has the reserved block type: inflate
#   stops right there, after the first member's 20 lines.
# - flipped.ndjson.gz: lines 21-60 with 4 bytes in the middle of the
#   deflate data inverted. Deflate has no check before the member's CRC, so
#   the damage decodes into garbage (dead letters here) and is reported at
#   the trailer, where the CRC does not match.
head -5 input.ndjson > ok.ndjson
rm input.ndjson
