# Two gzip members in one file, a zstd file, and plain text: all one stream each.
head -20 input.ndjson | gzip -c > a.ndjson.gz
sed -n 21,30p input.ndjson | gzip -c >> a.ndjson.gz
sed -n 31,45p input.ndjson | zstd -q -c > b.zst
sed -n 46,60p input.ndjson > c.txt
rm input.ndjson
