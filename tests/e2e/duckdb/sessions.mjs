// Independent check of the sessionizer: recomputes sessions from the
// delivered events with SQL window functions (LAG, then a running SUM of
// new-session flags) and compares them with the session_id, session_seq and
// ms_since_prev that sessionize wrote. Prints one JSON object of counts;
// every *_mismatch must be 0.
//   node sessions.mjs DIR GAP_MS START_EVENT
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, gapMs, startEvent] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const glob = `${dir}/events/**/*`.replaceAll("'", "''");
await con.run(`
  create table ev as
  select machine_id::VARCHAR as m, "timestamp"::BIGINT as ts, event_type as t,
         session_id as sid, session_seq::BIGINT as seq, ms_since_prev::BIGINT as since,
         coalesce(late, false) as late
  from read_ndjson('${glob}', columns = {machine_id: 'JSON', "timestamp": 'BIGINT',
       event_type: 'VARCHAR', session_id: 'VARCHAR', session_seq: 'BIGINT',
       ms_since_prev: 'BIGINT', late: 'BOOLEAN'})`);
// JSON strings keep their quotes: "42" and 42 must be the same machine.
await con.run(`update ev set m = trim(m, '"')`);
await con.run(`
  create table truth as
  with flagged as (
    select *, case when lag(ts) over w is null then 1
                   when ts - lag(ts) over w > ${Number(gapMs)} then 1
                   when t = '${startEvent.replaceAll("'", "''")}' then 1
                   else 0 end as new_session,
              ts - lag(ts) over w as gap
    from ev window w as (partition by m order by ts, seq))
  select *, sum(new_session) over (partition by m order by ts, seq
                                   rows unbounded preceding) as n
  from flagged`);
const q = `
  with s as (select m, n, min(sid) as a, max(sid) as b, count(*) as c,
                    count(*) filter (where seq <> rn) as bad_seq
             from (select *, row_number() over (partition by m, n order by ts, seq) as rn from truth)
             group by m, n)
  select (select count(*) from ev)::BIGINT as events,
         (select count(*) from s)::BIGINT as sessions,
         (select count(*) from s where a <> b)::BIGINT as split_mismatch,
         (select count(*) from (select sid from s join truth using (m, n)
                                group by sid having count(distinct (m, n)) > 1))::BIGINT as merge_mismatch,
         (select sum(bad_seq) from s)::BIGINT as seq_mismatch,
         (select count(*) from truth where new_session = 0 and since is distinct from gap)::BIGINT as since_mismatch,
         (select count(*) from ev where late)::BIGINT as late`;
console.log(JSON.stringify((await con.runAndReadAll(q)).getRowObjectsJson()[0]));
