// Reads a sessionize output tree with DuckDB exactly as the docs tell users
// to, and prints what it saw as one JSON object:
//   node read_output.mjs DIR
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const glob = `${dir}/events/**/*`.replaceAll("'", "''");
const q = `
  select count(*)::BIGINT as events,
         count(*) filter (where dt::VARCHAR <> event_date::VARCHAR)::BIGINT as wrong_dt,
         count(*) filter (where hour::INTEGER <> event_hour)::BIGINT as wrong_hour,
         count(distinct machine_id)::BIGINT as machines,
         min(timestamp)::BIGINT as first_ms
  from read_ndjson('${glob}', hive_partitioning = true)`;
const rows = (await con.runAndReadAll(q)).getRowObjectsJson();
console.log(JSON.stringify(rows[0]));
