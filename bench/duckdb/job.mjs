// The benchmark job (bench/run) done the way an analyst with DuckDB would:
// one SQL statement that reads the NDJSON, drops invalid rows, cleans the
// known-bad builds as examples/pipeline.yml does, adds the calendar fields,
// tags sessions with LAG and a running SUM, and writes NDJSON with COPY.
//
//   node job.mjs INPUT OUTDIR [THREADS]
//
// OUTDIR must exist; the events go to OUTDIR/events.ndjson, one file:
// DuckDB 1.5.6 has no PARTITION_BY for COPY ... (FORMAT json), so unlike
// sessionize's output it is not partitioned by date and hour. Prints one
// JSON object: {"events_out": N} (rows COPY wrote).
//
// What this does not do that sessionize does, so the comparison flatters
// DuckDB rather than sessionize:
// - Sessions are the batch truth of each machine's events sorted by time
//   (new session when the gap to the previous event exceeds 30 min or the
//   event is an `open`). There is no lateness bound, no late events, no
//   state expiry: the whole input is sorted at once, which needs it all
//   at hand (sessionize streams). Ties in time are ordered arbitrarily
//   (sessionize: by arrival). Session ids are KEY-N, not UUIDs.
// - There are no dead letters: invalid rows are dropped, not kept with a
//   reason; no session summaries; no manifest; no fsync.
// - The columns are declared up front (the sz-gen schema below): a field
//   not named here would be lost, where sessionize passes every member of
//   an event through byte for byte.
// - DuckDB's JSON reader accepts lines that are not strict JSON: trailing
//   commas, and objects with a duplicate key (it keeps one value). Such
//   lines become events here and dead letters in sessionize; bench/run
//   prints the difference next to sz-gen's counts of those lines.
// - Lines that do not parse (or are not objects) come back as all-NULL
//   rows under ignore_errors and are dropped by the type checks. But a
//   line cut off where a value is expected (`..."timestamp":`) is not
//   ended by its newline, which is JSON whitespace: the parser reads on
//   into the next line and the valid event there is lost with it.
import { DuckDBInstance } from '@duckdb/node-api';

const [input, outDir, threads = '2'] = process.argv.slice(2);
if (!input || !outDir || !/^[1-9][0-9]*$/.test(threads)) {
  console.error('usage: node job.mjs INPUT OUTDIR [THREADS]');
  process.exit(2);
}
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

const inst = await DuckDBInstance.create(':memory:', {
  threads,
  // Output order is not part of the job; keeping it costs memory.
  preserve_insertion_order: 'false',
});
const con = await inst.connect();

// 2000-01-01 and 2100-01-01 in epoch ms: sessionize's default valid range.
const VALID_FROM = 946684800000n;
const VALID_UNTIL = 4102444800000n;
const GAP_MS = 30 * 60 * 1000;

// machine_id, timestamp, event_type and event_id are read as JSON so that
// their JSON type can be checked: a string timestamp or a float key must be
// dropped, not cast. The JSON type names are DuckDB's (json_type).
const sql = `
copy (
  with raw as (
    select *
    from read_ndjson(${lit(input)}, ignore_errors = true, columns = {
      machine_id: 'JSON', event_id: 'JSON', "timestamp": 'JSON', event_type: 'JSON',
      app_build: 'VARCHAR', os: 'VARCHAR', locale: 'VARCHAR', user_id: 'VARCHAR',
      document_id: 'VARCHAR', properties: 'JSON'})
  ),
  typed as (
    select *,
           json_extract_string(machine_id, '$') as key,
           -- clean: build 10.2.1.2 sends epoch seconds
           try_cast("timestamp" as BIGINT)::HUGEINT
             * (case when app_build = '10.2.1.2' then 1000 else 1 end) as ts,
           -- clean: builds 10.3.0.7 and 10.3.0.8 capitalise event types
           case when app_build in ('10.3.0.7', '10.3.0.8')
                then lower(json_extract_string(event_type, '$'))
                else json_extract_string(event_type, '$') end as etype
    from raw
    where json_type(machine_id) in ('VARCHAR', 'UBIGINT', 'BIGINT')
      and json_type("timestamp") in ('UBIGINT', 'BIGINT')
      and json_type(event_type) = 'VARCHAR'
      and event_id is not null and json_type(event_id) <> 'NULL'
  ),
  valid as (
    select * replace (ts::BIGINT as ts), epoch_ms(ts::BIGINT) as t
    from typed
    where key <> '' and strlen(key) <= 256 and etype <> ''
      and ts >= ${VALID_FROM} and ts < ${VALID_UNTIL}
  ),
  flagged as (
    select *,
           row_number() over w as rn,
           ts - lag(ts) over w as since,
           case when lag(ts) over w is null
                  or ts - lag(ts) over w > ${GAP_MS}
                  or etype = 'open' then 1 else 0 end as new_session
    from valid
    window w as (partition by key order by ts)
  ),
  numbered as (
    -- One more sort by the same window; the session's position is the
    -- row's rank minus that of the session's first row (a running max,
    -- since ranks increase), which saves a third sort by (key, n).
    select *, sum(new_session) over w as n,
           rn - max(case when new_session = 1 then rn end) over w + 1 as seq
    from flagged
    window w as (partition by key order by ts, rn rows unbounded preceding)
  )
  select machine_id, event_id, ts as "timestamp", etype as event_type,
         app_build, os, locale, user_id, document_id, properties,
         strftime(t, '%Y-%m-%d') as event_date,
         hour(t) as event_hour,
         lower(strftime(t, '%a')) as event_weekday,
         key || '-' || n as session_id,
         seq as session_seq,
         case when new_session = 1 then null else since end as ms_since_prev
  from numbered
) to ${lit(outDir + '/events.ndjson')} (format json)`;

const reader = await con.runAndReadAll(sql);
const rows = reader.getRows();
console.log(JSON.stringify({ events_out: Number(rows[0]?.[0] ?? -1) }));
