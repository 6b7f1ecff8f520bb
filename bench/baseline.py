#!/usr/bin/env python3
"""The benchmark job (bench/run) the way the original Lambda functions did it.

    python3 bench/baseline.py INPUT OUTDIR

Reads NDJSON from INPUT, writes OUTDIR/events.ndjson (OUTDIR must exist) and
prints one JSON object of counts to stdout: lines, blank, invalid,
events_out, sessions, and out_of_order (events that arrived after a later
event of their machine). Standard library only.

Per line, in arrival order: json.loads; validate the fields the job needs
(machine_id a non-empty string of at most 256 bytes or an integer,
timestamp an integer of epoch ms in 2000..2100, event_type a non-empty
string, event_id present and not null); clean as examples/pipeline.yml
does (build 10.2.1.2: timestamp * 1000; builds 10.3.0.7 and 10.3.0.8:
lowercase event_type), before validating, as sessionize does; add
event_date, event_hour and event_weekday (UTC); then tag the session from a
dict of per-machine state (last timestamp, session id, seq): a new session,
with a random UUID, when the gap to the machine's previous event is over
30 minutes or the event is an `open`; json.dumps; write.

Deliberately naive, as the original was, and unlike sessionize:
- Events are taken in arrival order, never reordered: an event that
  arrives after a later one of its machine gets a negative ms_since_prev
  and cannot start or end a session where it belongs.
- State is never expired: one entry per machine ever seen.
- Invalid lines are counted and dropped (no dead letters, no reasons), no
  session summaries, no partitioning, no fsync.
- json.loads is not strict JSON: a duplicate key keeps its last value
  (sessionize: a dead letter), and NaN/Infinity are accepted.
- Session ids are random (uuid4), so two runs differ.
"""

import datetime
import json
import sys
import uuid

GAP_MS = 30 * 60 * 1000
START_EVENT = "open"
VALID_FROM = 946684800000  # 2000-01-01T00:00:00Z
VALID_UNTIL = 4102444800000  # 2100-01-01T00:00:00Z
SECONDS_BUILD = "10.2.1.2"
CAPS_BUILDS = ("10.3.0.7", "10.3.0.8")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UTC = datetime.timezone.utc


def clean(ev):
    """Repairs the known-bad builds in place, as examples/pipeline.yml."""
    build = ev.get("app_build")
    if build == SECONDS_BUILD:
        ts = ev.get("timestamp")
        if type(ts) in (int, float):
            ev["timestamp"] = ts * 1000
    elif build in CAPS_BUILDS:
        et = ev.get("event_type")
        if isinstance(et, str):
            ev["event_type"] = et.lower()


def valid(ev):
    """True when the fields the job reads are present and well typed."""
    mid = ev.get("machine_id")
    if type(mid) is str:
        if not mid or len(mid.encode("utf-8")) > 256:
            return False
    elif type(mid) is not int:  # bool is an int subclass: excluded here
        return False
    ts = ev.get("timestamp")
    if type(ts) is not int or not VALID_FROM <= ts < VALID_UNTIL:
        return False
    et = ev.get("event_type")
    if type(et) is not str or not et:
        return False
    return ev.get("event_id") is not None


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: baseline.py INPUT OUTDIR\n")
        return 2
    lines = blank = invalid = events_out = sessions = out_of_order = 0
    state = {}  # machine key -> [last timestamp, session id, seq]
    dumps = json.dumps
    with open(argv[1], "rb") as src, open(argv[2] + "/events.ndjson", "w") as out:
        for line in src:
            lines += 1
            if not line.strip():
                blank += 1
                continue
            try:
                ev = json.loads(line)
            except ValueError:  # JSONDecodeError and UnicodeDecodeError
                invalid += 1
                continue
            if type(ev) is not dict:
                invalid += 1
                continue
            clean(ev)
            if not valid(ev):
                invalid += 1
                continue
            ts = ev["timestamp"]
            d = datetime.datetime.fromtimestamp(ts / 1000, UTC)
            ev["event_date"] = d.strftime("%Y-%m-%d")
            ev["event_hour"] = d.hour
            ev["event_weekday"] = WEEKDAYS[d.weekday()]
            # 42 and "42" are the same machine, as in sessionize.
            key = str(ev["machine_id"])
            st = state.get(key)
            if st is not None and ts < st[0]:
                out_of_order += 1
            if st is None or ts - st[0] > GAP_MS or ev["event_type"] == START_EVENT:
                st = [ts, str(uuid.uuid4()), 1]
                state[key] = st
                since = None
                sessions += 1
            else:
                since = ts - st[0]
                st[0] = ts
                st[2] += 1
            ev["session_id"] = st[1]
            ev["session_seq"] = st[2]
            ev["ms_since_prev"] = since
            out.write(dumps(ev, separators=(",", ":")))
            out.write("\n")
            events_out += 1
    print(json.dumps({"lines": lines, "blank": blank, "invalid": invalid,
                      "events_out": events_out, "sessions": sessions,
                      "out_of_order": out_of_order}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
