// Counts what a job of bench/run delivered, read back with DuckDB.
//
//   node count.mjs FILE
//     FILE (a path or glob of NDJSON events): prints
//     {"events": N, "sessions": N}, the lines and the distinct session ids.
//   node count.mjs --splits DIR
//     DIR, a sessionize output: prints {"expiry_splits": N}, the sessions
//     that start with cause `gap` although their machine's previous
//     session ended at most 30 minutes before. Those are splits the batch
//     truth would not make: the machine was silent on the arrival clock
//     for longer than --state-ttl (typically an offline machine between
//     two bursts), its state expired, and its next event started a new
//     session (docs/sessions.md, bound (b)).
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const splits = args[0] === '--splits';
const path = splits ? args[1] : args[0];
if (!path) {
  console.error('usage: node count.mjs FILE | node count.mjs --splits DIR');
  process.exit(2);
}
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const q = splits
  ? `with s as (
       select machine_id::VARCHAR as m, start_ms, end_ms, start_cause
       from read_ndjson(${lit(path + '/sessions/**/*.ndjson')}, columns = {
         machine_id: 'JSON', start_ms: 'BIGINT', end_ms: 'BIGINT', start_cause: 'VARCHAR'})),
     o as (select *, start_ms - lag(end_ms) over (partition by m order by start_ms) as gap from s)
     select count(*)::BIGINT as expiry_splits from o
     where start_cause = 'gap' and gap <= ${30 * 60 * 1000}`
  : `select count(*)::BIGINT as events, count(distinct session_id)::BIGINT as sessions
     from read_ndjson(${lit(path)}, columns = {session_id: 'VARCHAR'})`;
console.log(JSON.stringify((await con.runAndReadAll(q)).getRowObjectsJson()[0]));
