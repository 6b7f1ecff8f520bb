# A gzip file cut short, then an intact plain file that must still be read.
gzip -c input.ndjson | head -c 2000 > cut.ndjson.gz
head -5 input.ndjson > ok.ndjson
rm input.ndjson
