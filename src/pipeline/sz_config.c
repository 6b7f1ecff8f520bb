#include "sz_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "sz_jsonw.h"
#include "sz_text.h"
#include "sz_time.h"
#include "sz_units.h"

/* Ten years is past any session setting and keeps sums of durations far
 * from overflow. */
#define MAX_DURATION_MS (3650LL * 86400000)
#define MAX_LIST 64      /* start events, required fields */
#define MAX_RULES 10000  /* rule indices travel in 16 bits */
#define MAX_NAME 256     /* field names, like keys */

/* ---- the key table ------------------------------------------------------ */

enum key_id {
    K_KEY, K_TIMESTAMP, K_TS_FORMAT, K_EVENT_TYPE, K_REQUIRED, K_VALID_FROM, K_VALID_UNTIL,
    K_DATE, K_HOUR, K_WEEKDAY, K_TIMEZONE,
    K_GAP, K_START_EVENTS, K_MAX_DURATION, K_MIDNIGHT, K_LATENESS, K_STATE_TTL, K_FIELDS,
    K_F_ID, K_F_SEQ, K_F_SINCE_PREV, K_F_LATE,
    K_DIR, K_COMPRESS, K_COMPRESS_LEVEL, K_PARTITION, K_MAX_FILE_BYTES, K_MAX_OPEN_FILES,
    K_MAX_EVENT_BYTES, K_MAX_DEPTH, K_MAX_KEYS, K_MAX_KEY_BYTES, K_MAX_TYPE_BYTES,
    K_MAX_EVENT_TYPES, K_MAX_SESSION_TYPES, K_MAX_HELD_EVENTS, K_COUNT
};

/* Everything a config points to lives in blocks freed together. */
struct block {
    struct block *next;
    _Alignas(max_align_t) char data[];
};

struct sz_config {
    struct sz_run_config run;
    struct block *blocks;
    struct sz_tz *tz;
    const char *file;         /* for messages: the path as given */
    bool loaded;
    /* Where each key was set in the file ("" if it was not), so that
     * sz_config_finish can point at what contradicts. */
    char where[K_COUNT][sizeof ((struct sz_config_error *)0)->where];
};

enum key_shape { SCALAR, LIST, MAPPING };

struct key {
    const char *section, *name;
    enum key_id id;
    enum key_shape shape;
    const char *type, *def, *doc;
};

static const struct key keys[] = {
    { "schema", "key", K_KEY, SCALAR, "path", "machine_id",
      "field whose value identifies a machine; sessions are per key. A dotted path "
      "(context.device.id) reaches into objects. Missing, null or empty: a dead letter" },
    { "schema", "timestamp", K_TIMESTAMP, SCALAR, "path", "timestamp", "field holding the event time" },
    { "schema", "timestamp_format", K_TS_FORMAT, SCALAR, "epoch_ms|epoch_s|epoch_us|rfc3339|auto",
      "epoch_ms", "how to read it; auto: numbers below 10^11 are seconds, other numbers "
      "milliseconds, strings RFC 3339" },
    { "schema", "event_type", K_EVENT_TYPE, SCALAR, "path", "event_type",
      "field holding the event type, a non-empty string" },
    { "schema", "required", K_REQUIRED, LIST, "list of paths", "[]",
      "further fields that must be present and not null" },
    { "schema", "valid_from", K_VALID_FROM, SCALAR, "date or RFC 3339 time", "2000-01-01",
      "earliest valid event time (inclusive)" },
    { "schema", "valid_until", K_VALID_UNTIL, SCALAR, "date or RFC 3339 time", "2100-01-01",
      "latest valid event time (exclusive)" },
    { "enrich", "date", K_DATE, SCALAR, "field|off", "event_date", "adds the local date, YYYY-MM-DD" },
    { "enrich", "hour", K_HOUR, SCALAR, "field|off", "event_hour", "adds the local hour, 0-23" },
    { "enrich", "weekday", K_WEEKDAY, SCALAR, "field|off", "off", "adds the local weekday, mon..sun" },
    { "enrich", "timezone", K_TIMEZONE, SCALAR, "IANA zone name", "UTC",
      "zone of every calendar field: enrichment, split_at_midnight and partitions" },
    { "sessions", "gap", K_GAP, SCALAR, "duration", "30m",
      "a longer pause between two events of a key starts a new session" },
    { "sessions", "start_events", K_START_EVENTS, LIST, "list of event types", "[open]",
      "an event of one of these types starts a new session" },
    { "sessions", "max_duration", K_MAX_DURATION, SCALAR, "duration|off", "off",
      "split a session that would run longer than this" },
    { "sessions", "split_at_midnight", K_MIDNIGHT, SCALAR, "bool", "false",
      "start a new session at local midnight" },
    { "sessions", "lateness", K_LATENESS, SCALAR, "duration", "2m",
      "how far out of time order a key's events may arrive and still be ordered" },
    { "sessions", "state_ttl", K_STATE_TTL, SCALAR, "duration|auto", "auto",
      "forget a key silent this long on the arrival clock; auto: gap + lateness" },
    { "sessions", "fields", K_FIELDS, MAPPING, "mapping", "", "names of the fields added to events" },
    { "sessions.fields", "id", K_F_ID, SCALAR, "field", "session_id", "the session's UUID" },
    { "sessions.fields", "seq", K_F_SEQ, SCALAR, "field", "session_seq", "1-based position in the session" },
    { "sessions.fields", "since_prev", K_F_SINCE_PREV, SCALAR, "field", "ms_since_prev",
      "milliseconds since the session's previous event, null for the first" },
    { "sessions.fields", "late", K_F_LATE, SCALAR, "field", "late", "true on events that arrived too late" },
    { "output", "dir", K_DIR, SCALAR, "directory", "sessionize-out", "where the run writes" },
    { "output", "compress", K_COMPRESS, SCALAR, "none|gzip|zstd", "none", "compression of output files" },
    { "output", "compress_level", K_COMPRESS_LEVEL, SCALAR, "-7..19|default", "default",
      "compression level (gzip 1-9; zstd 1-19, or -1 to -7 for its fast levels; default: gzip 6, "
      "zstd 1)" },
    { "output", "partition", K_PARTITION, SCALAR, "template", "dt={date}/hour={hour}",
      "folders under events/, from the event's local time only: {date} {year} {month} {day} {hour}" },
    { "output", "max_file_bytes", K_MAX_FILE_BYTES, SCALAR, "size", "128MiB",
      "roll output files over at this size (at least 4KiB)" },
    { "output", "max_open_files", K_MAX_OPEN_FILES, SCALAR, "1-1024", "16",
      "output files open at once per sink; more partitions roll over" },
    { "limits", "max_event_bytes", K_MAX_EVENT_BYTES, SCALAR, "size", "1MiB",
      "longest accepted line (64 bytes to 1GiB); longer ones are dead letters" },
    { "limits", "max_depth", K_MAX_DEPTH, SCALAR, "1-100000", "64", "deepest accepted JSON nesting" },
    { "limits", "max_keys", K_MAX_KEYS, SCALAR, "4-1000000000", "1000000",
      "machines with session state at once; a new one past it ends the session of the machine "
      "silent longest (end cause key_limit)" },
    { "limits", "max_key_bytes", K_MAX_KEY_BYTES, SCALAR, "1-4096", "256",
      "longest key; longer ones are dead letters (out_of_range)" },
    { "limits", "max_type_bytes", K_MAX_TYPE_BYTES, SCALAR, "1-4096", "256",
      "longest event type; longer ones are dead letters (out_of_range)" },
    { "limits", "max_event_types", K_MAX_EVENT_TYPES, SCALAR, "1-1000000", "10000",
      "distinct event types named in session summaries, per key shard; events of further types "
      "count in other_event_types" },
    { "limits", "max_session_types", K_MAX_SESSION_TYPES, SCALAR, "1-65535", "256",
      "distinct event types one session summary names; further ones count in other_event_types" },
    { "limits", "max_held_events", K_MAX_HELD_EVENTS, SCALAR, "1-10000000", "10000",
      "events one machine may hold back for ordering; past it the oldest go out early (a later "
      "arrival behind them is late)" },
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const sections[] = { "schema", "clean", "enrich", "sessions", "output",
                                        "limits" };
#define N_SECTIONS (sizeof sections / sizeof sections[0])

static const char *const rule_keys[] = { "when", "scale", "set", "rename", "delete", "map",
                                         "lowercase", "uppercase", "trim", "reject" };
#define N_RULE_KEYS (sizeof rule_keys / sizeof rule_keys[0])

static const struct key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* ---- memory ------------------------------------------------------------- */

static void *cfg_alloc(struct sz_config *c, size_t n)
{
    struct block *b = calloc(1, sizeof *b + n + 1);
    if (!b)
        return NULL;
    b->next = c->blocks;
    c->blocks = b;
    return b->data;
}

static char *cfg_strndup(struct sz_config *c, const char *s, size_t n)
{
    char *d = cfg_alloc(c, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *cfg_strdup(struct sz_config *c, const char *s)
{
    return cfg_strndup(c, s, strlen(s));
}

/* ---- values ------------------------------------------------------------- */

static int why(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why(char *msg, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return SZ_EINVAL;
}

#define WHY(...) why(err->message, sizeof err->message, __VA_ARGS__)

static int duration(const char *v, int64_t min, const char *words, int64_t *out,
                    struct sz_config_error *err)
{
    int64_t ms;
    if (sz_parse_duration(v, &ms) != 0 || ms < min || ms > MAX_DURATION_MS)
        return WHY("expected %s, got '%s'", words, v);
    *out = ms;
    return 0;
}

static int number(const char *v, uint64_t min, uint64_t max, uint64_t *out,
                  struct sz_config_error *err)
{
    if (sz_parse_uint(v, min, max, out) != 0)
        return WHY("expected a whole number from %llu to %llu, got '%s'",
                   (unsigned long long)min, (unsigned long long)max, v);
    return 0;
}

/* A name for a field the pipeline writes: any UTF-8 text of 1..256 bytes
 * without control characters (it is JSON-escaped on output). */
static int field_name(struct sz_config *c, const char *v, bool allow_off, const char **out,
                      struct sz_config_error *err)
{
    if (allow_off && (v[0] == '\0' || strcmp(v, "off") == 0)) {
        *out = NULL;
        return 0;
    }
    size_t n = strlen(v);
    if (n == 0 || n > MAX_NAME)
        return WHY("expected a field name of 1 to %d bytes%s", MAX_NAME, allow_off ? ", or off" : "");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return WHY("a field name may not contain control characters");
    if (!(*out = cfg_strdup(c, v)))
        return SZ_ENOMEM;
    return 0;
}

static int path(struct sz_config *c, const char *v, struct sz_path *out,
                struct sz_config_error *err)
{
    const char *copy = cfg_strdup(c, v);
    if (!copy)
        return SZ_ENOMEM;
    struct sz_path p; /* the setting changes only if the value is good */
    if (sz_path_compile(copy, &p) != 0)
        return WHY("expected a field name or a dotted path such as context.device.id "
                   "(at most %d parts, none empty), got '%s'", SZ_PATH_MAX_PARTS, v);
    *out = p;
    return 0;
}

static int time_bound(const char *v, int64_t *out, struct sz_config_error *err)
{
    int64_t ms;
    if (sz_time_parse_date_or_time(v, strlen(v), &ms) != 0)
        return WHY("expected a date (2000-01-01) or an RFC 3339 time, got '%s'", v);
    if (ms < SZ_TS_LIMIT_MIN_MS || ms > SZ_TS_LIMIT_MAX_MS)
        return WHY("expected a time from 1970-01-01 to 2200-01-01, got '%s'", v);
    *out = ms;
    return 0;
}

static int set_scalar(struct sz_config *c, const struct key *k, const char *v,
                      struct sz_config_error *err)
{
    struct sz_run_config *r = &c->run;
    uint64_t u;
    int rc, f;
    switch (k->id) {
    case K_KEY: return path(c, v, &r->schema.key, err);
    case K_TIMESTAMP: return path(c, v, &r->schema.timestamp, err);
    case K_EVENT_TYPE: return path(c, v, &r->schema.event_type, err);
    case K_TS_FORMAT:
        if ((f = sz_ts_format_parse(v)) < 0)
            return WHY("expected epoch_ms, epoch_s, epoch_us, rfc3339 or auto, got '%s'", v);
        r->schema.ts_format = (enum sz_ts_format)f;
        return 0;
    case K_VALID_FROM: return time_bound(v, &r->schema.valid_from_ms, err);
    case K_VALID_UNTIL: return time_bound(v, &r->schema.valid_until_ms, err);
    case K_DATE: return field_name(c, v, true, &r->enrich.date_field, err);
    case K_HOUR: return field_name(c, v, true, &r->enrich.hour_field, err);
    case K_WEEKDAY: return field_name(c, v, true, &r->enrich.weekday_field, err);
    case K_TIMEZONE: {
        /* UTC needs no table, and its absence keeps the hot paths free of
         * zone lookups. */
        static const char *const utc[] = { "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu",
                                           "Etc/Zulu", "Universal", "Etc/Universal",
                                           "GMT", "Etc/GMT", "Etc/GMT0", "GMT0" };
        for (size_t i = 0; i < sizeof utc / sizeof utc[0]; i++)
            if (strcmp(v, utc[i]) == 0) {
                sz_tz_free(c->tz);
                c->tz = NULL;
                sz_run_config_set_tz(r, NULL);
                return 0;
            }
        struct sz_tz *tz;
        if ((rc = sz_tz_load(v, &tz)) == SZ_ENOMEM)
            return rc;
        if (rc) {
            char near[64];
            sz_tz_suggest(v, near, sizeof near);
            return near[0] ? WHY("unknown time zone '%s' (did you mean '%s'?)", v, near)
                           : WHY("unknown time zone '%s': expected an IANA name such as "
                                 "UTC or Europe/Berlin", v);
        }
        sz_tz_free(c->tz);
        c->tz = tz;
        sz_run_config_set_tz(r, tz);
        return 0;
    }
    case K_GAP:
        return duration(v, 1, "a positive duration up to 3650d such as 30m", &r->session.gap_ms, err);
    case K_MAX_DURATION:
        if (strcmp(v, "off") == 0) {
            r->session.max_duration_ms = 0;
            return 0;
        }
        return duration(v, 1, "a duration up to 3650d such as 4h, or off",
                        &r->session.max_duration_ms, err);
    case K_MIDNIGHT:
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
            r->session.split_at_midnight = v[0] == 't';
            return 0;
        }
        return WHY("expected true or false, got '%s'", v);
    case K_LATENESS:
        return duration(v, 0, "a duration up to 3650d such as 2m (0s allowed)",
                        &r->session.lateness_ms, err);
    case K_STATE_TTL:
        if (strcmp(v, "auto") == 0) {
            r->session.state_ttl_ms = 0;
            return 0;
        }
        return duration(v, 1, "a duration up to 3650d such as 1h, or auto",
                        &r->session.state_ttl_ms, err);
    case K_F_ID: return field_name(c, v, false, &r->fields.id, err);
    case K_F_SEQ: return field_name(c, v, false, &r->fields.seq, err);
    case K_F_SINCE_PREV: return field_name(c, v, false, &r->fields.since_prev, err);
    case K_F_LATE: return field_name(c, v, false, &r->fields.late, err);
    case K_DIR:
        if (v[0] == '\0')
            return WHY("expected a directory name");
        return (r->out_dir = cfg_strdup(c, v)) ? 0 : SZ_ENOMEM;
    case K_COMPRESS:
        if (strcmp(v, "none") == 0)
            r->compress = SZ_COMPRESS_NONE;
        else if (strcmp(v, "gzip") == 0)
            r->compress = SZ_COMPRESS_GZIP;
        else if (strcmp(v, "zstd") == 0)
            r->compress = SZ_COMPRESS_ZSTD;
        else
            return WHY("expected none, gzip or zstd, got '%s'", v);
        return 0;
    case K_COMPRESS_LEVEL:
        if (strcmp(v, "default") == 0) {
            r->compress_level = 0;
            return 0;
        }
        /* zstd's fast levels are negative (-1 to -7 here: past that the
         * ratio falls off for little gain); checked against the codec in
         * sz_config_finish. */
        if (v[0] == '-' && v[1] >= '1' && v[1] <= '7' && v[2] == '\0') {
            r->compress_level = -(v[1] - '0');
            return 0;
        }
        if (sz_parse_uint(v, 1, 19, &u) != 0)
            return WHY("expected a level from 1 to 19, -1 to -7 (zstd's fast levels), or "
                       "default, got '%s'", v);
        r->compress_level = (int)u;
        return 0;
    case K_PARTITION: {
        struct sz_partition p;
        if (sz_partition_compile(v, &p, err->message, sizeof err->message) != 0)
            return SZ_EINVAL;
        r->partition = p;
        return 0;
    }
    case K_MAX_FILE_BYTES:
        if (sz_parse_size(v, &u) != 0 || u < 4096)
            return WHY("expected a size of at least 4096 bytes such as 64MiB, got '%s'", v);
        r->max_file_bytes = u;
        return 0;
    case K_MAX_OPEN_FILES:
        if ((rc = number(v, 1, 1024, &u, err)) == 0)
            r->max_open_files = (size_t)u;
        return rc;
    case K_MAX_EVENT_BYTES:
        /* The scanner addresses lines with 32-bit offsets; 1 GiB is far past
         * any real event and far below that. */
        if (sz_parse_size(v, &u) != 0 || u < 64 || u > (1u << 30))
            return WHY("expected a size from 64 bytes to 1GiB, got '%s'", v);
        r->max_event_bytes = (size_t)u;
        return 0;
    case K_MAX_DEPTH:
        if ((rc = number(v, 1, 100000, &u, err)) == 0)
            r->max_depth = (unsigned)u;
        return rc;
    case K_MAX_KEYS:
        /* At least one key per shard. */
        if ((rc = number(v, 4, 1000000000, &u, err)) == 0)
            r->session.max_keys = (size_t)u;
        return rc;
    case K_MAX_KEY_BYTES:
        if ((rc = number(v, 1, SZ_SESSION_MAX_KEY, &u, err)) == 0)
            r->schema.max_key_bytes = (uint32_t)u;
        return rc;
    case K_MAX_TYPE_BYTES:
        if ((rc = number(v, 1, 4096, &u, err)) == 0)
            r->schema.max_type_bytes = (uint32_t)u;
        return rc;
    case K_MAX_EVENT_TYPES:
        if ((rc = number(v, 1, 1000000, &u, err)) == 0)
            r->session.max_types = (uint32_t)u;
        return rc;
    case K_MAX_SESSION_TYPES:
        if ((rc = number(v, 1, 65535, &u, err)) == 0)
            r->session.max_session_types = (uint32_t)u;
        return rc;
    case K_MAX_HELD_EVENTS:
        if ((rc = number(v, 1, 10000000, &u, err)) == 0)
            r->session.max_held = (uint32_t)u;
        return rc;
    default:
        return WHY("is not a single value");
    }
}

static int set_list(struct sz_config *c, const struct key *k, const char *const *v, size_t n,
                    struct sz_config_error *err)
{
    if (n > MAX_LIST)
        return WHY("at most %d entries", MAX_LIST);
    if (k->id == K_START_EVENTS) {
        const char **list = cfg_alloc(c, (n + 1) * sizeof *list);
        if (!list)
            return SZ_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            if (v[i][0] == '\0')
                return WHY("an event type may not be empty");
            if (!(list[i] = cfg_strdup(c, v[i])))
                return SZ_ENOMEM;
        }
        c->run.session.start_events = list;
        c->run.session.n_start_events = n;
        return 0;
    }
    if (k->id == K_REQUIRED) {
        struct sz_path *list = cfg_alloc(c, (n + 1) * sizeof *list);
        if (!list)
            return SZ_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            int rc = path(c, v[i], &list[i], err);
            if (rc)
                return rc;
        }
        c->run.schema.required = list;
        c->run.schema.n_required = n;
        return 0;
    }
    return WHY("is not a list");
}

static const struct key *key_by_dotted(const char *dotted)
{
    const char *dot = strrchr(dotted, '.');
    if (!dot)
        return NULL;
    char section[32];
    size_t n = (size_t)(dot - dotted);
    if (n >= sizeof section)
        return NULL;
    memcpy(section, dotted, n);
    section[n] = '\0';
    return find_key(section, dot + 1);
}

int sz_config_set(struct sz_config *c, const char *key, const char *value,
                  struct sz_config_error *err)
{
    err->where[0] = err->message[0] = '\0';
    const struct key *k = key_by_dotted(key);
    if (!k || k->shape != SCALAR)
        return WHY("no setting '%s'", key);
    c->where[k->id][0] = '\0';
    return set_scalar(c, k, value, err);
}

int sz_config_set_list(struct sz_config *c, const char *key, const char *const *values,
                       size_t n, struct sz_config_error *err)
{
    err->where[0] = err->message[0] = '\0';
    const struct key *k = key_by_dotted(key);
    if (!k || k->shape != LIST)
        return WHY("no list setting '%s'", key);
    return set_list(c, k, values, n, err);
}

/* ---- life cycle ---------------------------------------------------------- */

int sz_config_create(struct sz_config **out)
{
    struct sz_config *c = calloc(1, sizeof *c);
    if (!c)
        return SZ_ENOMEM;
    sz_run_config_defaults(&c->run);
    *out = c;
    return 0;
}

void sz_config_destroy(struct sz_config *c)
{
    if (!c)
        return;
    for (struct block *b = c->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    sz_tz_free(c->tz);
    free(c);
}

struct sz_run_config *sz_config_run(struct sz_config *c)
{
    return &c->run;
}

/* A contradiction, located at the first of two keys that the file set. */
static int blame(struct sz_config *c, struct sz_config_error *err, enum key_id a,
                 enum key_id b, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int blame(struct sz_config *c, struct sz_config_error *err, enum key_id a,
                 enum key_id b, const char *fmt, ...)
{
    snprintf(err->where, sizeof err->where, "%s", c->where[a][0] ? c->where[a] : c->where[b]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return SZ_EINVAL;
}

int sz_config_finish(struct sz_config *c, struct sz_config_error *err)
{
    struct sz_run_config *r = &c->run;
    err->where[0] = err->message[0] = '\0';
    if (r->compress == SZ_COMPRESS_GZIP && (r->compress_level > 9 || r->compress_level < 0))
        return blame(c, err, K_COMPRESS_LEVEL, K_COMPRESS,
                     "output.compress_level for gzip is 1 to 9, not %d", r->compress_level);
    if (r->schema.valid_from_ms >= r->schema.valid_until_ms)
        return blame(c, err, K_VALID_UNTIL, K_VALID_FROM,
                     "schema.valid_from must come before schema.valid_until");
    struct sz_session_config *s = &r->session;
    if (s->state_ttl_ms && s->state_ttl_ms < s->gap_ms + s->lateness_ms)
        return blame(c, err, K_STATE_TTL, K_GAP,
                     "sessions.state_ttl must be at least gap + lateness, or sessions would "
                     "be cut while still open");
    /* Every field the pipeline adds must have a name of its own, or an
     * output record would repeat a key. */
    const char *added[] = { r->enrich.date_field, r->enrich.hour_field, r->enrich.weekday_field,
                            r->fields.id, r->fields.seq, r->fields.since_prev, r->fields.late };
    static const enum key_id added_keys[] = { K_DATE, K_HOUR, K_WEEKDAY, K_F_ID, K_F_SEQ,
                                              K_F_SINCE_PREV, K_F_LATE };
    size_t n_added = sizeof added / sizeof added[0];
    for (size_t i = 0; i < n_added; i++)
        for (size_t j = i + 1; j < n_added; j++)
            if (added[i] && added[j] && strcmp(added[i], added[j]) == 0)
                return blame(c, err, added_keys[j], added_keys[i],
                             "two added fields are both named '%s' (enrich and "
                             "sessions.fields names must differ)", added[i]);
    r->enrich.reserved[0] = r->fields.id;
    r->enrich.reserved[1] = r->fields.seq;
    r->enrich.reserved[2] = r->fields.since_prev;
    r->enrich.reserved[3] = r->fields.late;
    r->enrich.n_reserved = 4;
    r->clean.file = c->file;
    return 0;
}

/* ---- pipeline.yml ---------------------------------------------------------
 *
 * libyaml's document API gives a tree of nodes, each with its position;
 * the walk below checks every key against the table (or the rule keys)
 * and reports the first problem at the node that has it. */

struct loader {
    struct sz_config *c;
    yaml_document_t doc;
    struct sz_config_error *err;
};

static int at(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void locate(const struct loader *ld, const yaml_node_t *n, char *out, size_t len);
static int at(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    locate(ld, n, ld->err->where, sizeof ld->err->where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err->message, sizeof ld->err->message, fmt, ap);
    va_end(ap);
    return SZ_EINVAL;
}

static void locate(const struct loader *ld, const yaml_node_t *n, char *out, size_t len)
{
    snprintf(out, len, "%s:%zu:%zu", ld->c->file, n->start_mark.line + 1,
             n->start_mark.column + 1);
}

/* A setter's message, prefixed with the key and located at the value. */
static int value_error(struct loader *ld, const yaml_node_t *v, const char *what)
{
    char msg[sizeof ld->err->message + 80];
    snprintf(msg, sizeof msg, "%s: %s", what, ld->err->message);
    snprintf(ld->err->message, sizeof ld->err->message, "%.*s",
             (int)sizeof ld->err->message - 1, msg);
    locate(ld, v, ld->err->where, sizeof ld->err->where);
    return SZ_EINVAL;
}

static yaml_node_t *node(struct loader *ld, int i)
{
    return yaml_document_get_node(&ld->doc, i);
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static const char *shape_name(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a single value";
}

/* A plain ~, null or empty scalar is YAML's null. */
static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = text(n);
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0;
}

/* A scalar's text, with NUL bytes refused (C strings cannot hold them). */
static int scalar(struct loader *ld, const yaml_node_t *n, const char *what, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return at(ld, n, "%s: expected a single value, not %s", what, shape_name(n));
    if (strlen(text(n)) != n->data.scalar.length)
        return at(ld, n, "%s: a value may not contain a NUL character", what);
    *out = is_null(n) ? "" : text(n);
    return 0;
}

static int unknown(struct loader *ld, const yaml_node_t *k, const char *where,
                   const char *const *names, size_t n)
{
    const char *near = sz_suggest(text(k), names, n);
    if (near)
        return at(ld, k, "unknown key '%s' in %s (did you mean '%s'?)", text(k), where, near);
    char list[400] = "";
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
    return at(ld, k, "unknown key '%s' in %s; valid keys: %s", text(k), where, list);
}

struct key_ref {
    const yaml_node_t *n;
    size_t i; /* position in the mapping */
};

static int cmp_key_ref(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    int c = strcmp(text(x->n), text(y->n));
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Checks every pair of a mapping: keys are scalars, none repeated. */
static int check_mapping(struct loader *ld, const yaml_node_t *m, const char *what)
{
    if (m->type != YAML_MAPPING_NODE)
        return at(ld, m, "%s: expected a mapping (key: value lines), not %s", what, shape_name(m));
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *k = node(ld, m->data.mapping.pairs.start[i].key);
        if (k->type != YAML_SCALAR_NODE)
            return at(ld, k, "%s: keys must be names, not %s", what, shape_name(k));
    }
    /* Repeated keys: sorted, so that a map of thousands of entries is not
     * quadratic; ties keep file order, so the report names the first. */
    struct key_ref *refs = malloc((n + 1) * sizeof *refs);
    if (!refs)
        return SZ_ENOMEM;
    for (size_t i = 0; i < n; i++)
        refs[i] = (struct key_ref){ node(ld, m->data.mapping.pairs.start[i].key), i };
    qsort(refs, n, sizeof *refs, cmp_key_ref);
    int r = 0;
    for (size_t i = 1; i < n && r == 0; i++)
        if (strcmp(text(refs[i - 1].n), text(refs[i].n)) == 0) /* the first two copies */
            r = at(ld, refs[i].n, "%s: key '%s' is repeated (first on line %zu)", what,
                   text(refs[i].n), refs[i - 1].n->start_mark.line + 1);
    free(refs);
    return r;
}

#define FOR_PAIRS(p, m) \
    for (yaml_node_pair_t *p = (m)->data.mapping.pairs.start; p < (m)->data.mapping.pairs.top; p++)
#define FOR_ITEMS(it, s) \
    for (yaml_node_item_t *it = (s)->data.sequence.items.start; it < (s)->data.sequence.items.top; it++)

/* A list of single values (a single value is a list of one). */
static int strings(struct loader *ld, const yaml_node_t *v, const char *what, const char ***out,
                   size_t *n)
{
    if (v->type == YAML_MAPPING_NODE)
        return at(ld, v, "%s: expected a list (or a single value), not a mapping", what);
    size_t cap = v->type == YAML_SEQUENCE_NODE
                     ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start)
                     : 1;
    const char **list = cfg_alloc(ld->c, (cap + 1) * sizeof *list);
    if (!list)
        return SZ_ENOMEM;
    *n = 0;
    if (v->type == YAML_SEQUENCE_NODE) {
        FOR_ITEMS(it, v) {
            int r = scalar(ld, node(ld, *it), what, &list[*n]);
            if (r)
                return r;
            ++*n;
        }
    } else if (!is_null(v)) {
        int r = scalar(ld, v, what, &list[0]);
        if (r)
            return r;
        *n = 1;
    }
    *out = list;
    return 0;
}

static int load_section(struct loader *ld, const char *section, const yaml_node_t *m)
{
    if (is_null(m))
        return 0;
    int r = check_mapping(ld, m, section);
    if (r)
        return r;
    FOR_PAIRS(p, m) {
        const yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        const struct key *key = find_key(section, text(k));
        if (!key) {
            const char *names[N_KEYS];
            size_t n = 0;
            for (size_t i = 0; i < N_KEYS; i++)
                if (strcmp(keys[i].section, section) == 0)
                    names[n++] = keys[i].name;
            return unknown(ld, k, section, names, n);
        }
        char what[64];
        snprintf(what, sizeof what, "%s.%s", section, key->name);
        if (key->shape == MAPPING) {
            if ((r = load_section(ld, what, v)) != 0)
                return r;
            continue;
        }
        if (key->shape == LIST) {
            const char **list;
            size_t n;
            if ((r = strings(ld, v, what, &list, &n)) != 0)
                return r;
            if ((r = set_list(ld->c, key, list, n, ld->err)) == SZ_EINVAL)
                return value_error(ld, v, what);
            if (r)
                return r;
            locate(ld, v, ld->c->where[key->id], sizeof ld->c->where[key->id]);
            continue;
        }
        const char *s;
        if ((r = scalar(ld, v, what, &s)) != 0)
            return r;
        if ((r = set_scalar(ld->c, key, s, ld->err)) == SZ_EINVAL)
            return value_error(ld, v, what);
        if (r)
            return r;
        locate(ld, v, ld->c->where[key->id], sizeof ld->c->where[key->id]);
    }
    return 0;
}

/* ---- clean: rules ---------------------------------------------------------- */

/* A pattern or value as the config gives it. */
static int clean_text(struct loader *ld, const char *s, struct sz_clean_text *out)
{
    if (!(out->text = cfg_strdup(ld->c, s)))
        return SZ_ENOMEM;
    out->len = strlen(s);
    out->glob = strchr(s, '*') != NULL;
    return 0;
}

/* A pattern to match values against: YAML's null stands for JSON null. */
static int pattern(struct loader *ld, const yaml_node_t *n, const char *what,
                   struct sz_clean_text *out)
{
    const char *s;
    int r = scalar(ld, n, what, &s);
    return r ? r : clean_text(ld, is_null(n) ? "null" : s, out);
}

/* The JSON text a YAML value becomes: a plain scalar that is a JSON number,
 * true, false or null stays that literal; anything else is a string. */
static int json_value(struct loader *ld, const yaml_node_t *n, const char *what,
                      struct sz_clean_text *out)
{
    const char *s;
    int r = scalar(ld, n, what, &s);
    if (r)
        return r;
    struct sz_decimal d;
    bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (plain && (is_null(n) || strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ||
                  sz_decimal_parse(s, strlen(s), &d) != SZ_EINVAL))
        return clean_text(ld, is_null(n) ? "null" : s, out);
    struct sz_buf b;
    sz_buf_init(&b);
    if (sz_jsonw_string(&b, s, strlen(s)) != 0) {
        sz_buf_free(&b);
        return SZ_ENOMEM;
    }
    out->text = cfg_strndup(ld->c, b.data, b.len);
    out->len = b.len;
    out->glob = false;
    sz_buf_free(&b);
    return out->text ? 0 : SZ_ENOMEM;
}

/* A field an action changes: a top-level name. */
static int action_field(struct loader *ld, const yaml_node_t *n, const char *op,
                        const char **out)
{
    const char *s;
    int r = scalar(ld, n, op, &s);
    if (r)
        return r;
    if (s[0] == '\0' || strlen(s) > MAX_NAME)
        return at(ld, n, "%s: expected a field name of 1 to %d bytes", op, MAX_NAME);
    if (strchr(s, '.'))
        return at(ld, n, "%s: actions change top-level fields only; '%s' is a dotted path "
                         "(conditions in `when` may use paths)", op, s);
    return (*out = cfg_strdup(ld->c, s)) ? 0 : SZ_ENOMEM;
}

static size_t count(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (n->type == YAML_SEQUENCE_NODE)
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return 1;
}

static int load_when(struct loader *ld, const yaml_node_t *m, struct sz_clean_rule *rule)
{
    int r = check_mapping(ld, m, "when");
    if (r)
        return r;
    if (count(m) == 0)
        return at(ld, m, "when: expected at least one condition");
    /* exists/missing take one path or a list: one condition each */
    size_t n = 0;
    FOR_PAIRS(p, m) {
        const char *k = text(node(ld, p->key));
        n += strcmp(k, "exists") == 0 || strcmp(k, "missing") == 0 ? count(node(ld, p->value)) : 1;
    }
    struct sz_clean_cond *conds = cfg_alloc(ld->c, (n + 1) * sizeof *conds);
    if (!conds)
        return SZ_ENOMEM;
    size_t i = 0;
    FOR_PAIRS(p, m) {
        const yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        bool ex = strcmp(text(k), "exists") == 0, mi = strcmp(text(k), "missing") == 0;
        if (ex || mi) {
            const char **paths;
            size_t np;
            if ((r = strings(ld, v, text(k), &paths, &np)) != 0)
                return r;
            if (np == 0)
                return at(ld, v, "%s: expected a field name or a list of them", text(k));
            for (size_t j = 0; j < np; j++, i++) {
                conds[i].kind = ex ? SZ_COND_EXISTS : SZ_COND_MISSING;
                if ((r = path(ld->c, paths[j], &conds[i].path, ld->err)) != 0)
                    return r == SZ_EINVAL ? value_error(ld, v, text(k)) : r;
            }
            continue;
        }
        conds[i].kind = SZ_COND_EQUALS;
        if ((r = path(ld->c, text(k), &conds[i].path, ld->err)) != 0)
            return r == SZ_EINVAL ? value_error(ld, k, "when") : r;
        if (v->type == YAML_MAPPING_NODE)
            return at(ld, v, "when: %s: expected a value or a list of values (any of), not a "
                             "mapping", text(k));
        size_t nv = count(v);
        if (nv == 0)
            return at(ld, v, "when: %s: expected a value or a non-empty list of values", text(k));
        struct sz_clean_text *pats = cfg_alloc(ld->c, nv * sizeof *pats);
        if (!pats)
            return SZ_ENOMEM;
        for (size_t j = 0; j < nv; j++) {
            const yaml_node_t *item =
                v->type == YAML_SEQUENCE_NODE ? node(ld, v->data.sequence.items.start[j]) : v;
            if ((r = pattern(ld, item, text(k), &pats[j])) != 0)
                return r;
        }
        conds[i].values = pats;
        conds[i].n_values = nv;
        i++;
    }
    rule->when = conds;
    rule->n_when = i;
    return 0;
}

static bool reject_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* One action key of a rule, which may name several fields: one action each. */
static int load_action(struct loader *ld, const char *op_name, const yaml_node_t *v,
                       struct sz_clean_action *acts, size_t *n)
{
    int op = -1;
    for (int i = 0; i <= SZ_OP_REJECT; i++)
        if (strcmp(op_name, sz_clean_op_name((enum sz_clean_op)i)) == 0)
            op = i;
    int r;
    if (op == SZ_OP_REJECT) {
        const char *s;
        if ((r = scalar(ld, v, "reject", &s)) != 0)
            return r;
        if (!reject_name_ok(s))
            return at(ld, v, "reject: expected a name of 1 to 64 characters a-z, 0-9 or _ "
                             "(the dead letters' reason becomes filtered:NAME), got '%s'", s);
        acts[*n].op = SZ_OP_REJECT;
        if ((r = clean_text(ld, s, &acts[(*n)++].value)) != 0)
            return r;
        return 0;
    }
    if (op == SZ_OP_DELETE || op == SZ_OP_LOWERCASE || op == SZ_OP_UPPERCASE || op == SZ_OP_TRIM) {
        if (v->type == YAML_MAPPING_NODE)
            return at(ld, v, "%s: expected a field name or a list of them, not a mapping", op_name);
        const yaml_node_t *one[1] = { v };
        size_t nf = v->type == YAML_SEQUENCE_NODE ? count(v) : 1;
        if (nf == 0)
            return at(ld, v, "%s: expected at least one field", op_name);
        for (size_t i = 0; i < nf; i++) {
            const yaml_node_t *f =
                v->type == YAML_SEQUENCE_NODE ? node(ld, v->data.sequence.items.start[i]) : one[0];
            struct sz_clean_action *a = &acts[(*n)++];
            a->op = (enum sz_clean_op)op;
            if ((r = action_field(ld, f, op_name, &a->field)) != 0)
                return r;
        }
        return 0;
    }
    /* scale, set, rename, map: a mapping of field -> argument */
    char what[32];
    snprintf(what, sizeof what, "%s", op_name);
    if ((r = check_mapping(ld, v, what)) != 0)
        return r;
    if (count(v) == 0)
        return at(ld, v, "%s: expected at least one field", op_name);
    FOR_PAIRS(p, v) {
        const yaml_node_t *k = node(ld, p->key), *arg = node(ld, p->value);
        struct sz_clean_action *a = &acts[(*n)++];
        a->op = (enum sz_clean_op)op;
        if ((r = action_field(ld, k, op_name, &a->field)) != 0)
            return r;
        if (op == SZ_OP_SCALE) {
            const char *s;
            if ((r = scalar(ld, arg, "scale", &s)) != 0)
                return r;
            if (sz_decimal_parse(s, strlen(s), &a->factor) != 0)
                return at(ld, arg, "scale: %s: expected a number such as 1000 or 0.001, got '%s'",
                          a->field, s);
        } else if (op == SZ_OP_SET) {
            if ((r = json_value(ld, arg, "set", &a->value)) != 0)
                return r;
        } else if (op == SZ_OP_RENAME) {
            const char *to;
            if ((r = action_field(ld, arg, "rename", &to)) != 0 ||
                (r = clean_text(ld, to, &a->value)) != 0)
                return r;
        } else { /* map */
            if ((r = check_mapping(ld, arg, "map")) != 0)
                return r;
            size_t ne = count(arg);
            if (ne == 0)
                return at(ld, arg, "map: %s: expected at least one 'from: to' pair", a->field);
            struct sz_clean_map_entry *e = cfg_alloc(ld->c, ne * sizeof *e);
            if (!e)
                return SZ_ENOMEM;
            size_t j = 0;
            FOR_PAIRS(q, arg) {
                if ((r = pattern(ld, node(ld, q->key), "map", &e[j].from)) != 0 ||
                    (r = json_value(ld, node(ld, q->value), "map", &e[j].to)) != 0)
                    return r;
                j++;
            }
            a->map = e;
            a->n_map = ne;
        }
    }
    return 0;
}

static int load_clean(struct loader *ld, const yaml_node_t *seq)
{
    if (is_null(seq))
        return 0;
    if (seq->type != YAML_SEQUENCE_NODE)
        return at(ld, seq, "clean: expected a list of rules (lines starting with '- '), not %s",
                  shape_name(seq));
    size_t n = count(seq);
    if (n > MAX_RULES)
        return at(ld, seq, "clean: at most %d rules", MAX_RULES);
    struct sz_clean_rule *rules = cfg_alloc(ld->c, (n + 1) * sizeof *rules);
    if (!rules)
        return SZ_ENOMEM;
    size_t i = 0;
    FOR_ITEMS(it, seq) {
        const yaml_node_t *m = node(ld, *it);
        int r = check_mapping(ld, m, "clean rule");
        if (r)
            return r;
        struct sz_clean_rule *rule = &rules[i++];
        rule->line = (unsigned)m->start_mark.line + 1;
        size_t n_act = 0;
        FOR_PAIRS(p, m) {
            const yaml_node_t *k = node(ld, p->key);
            bool known = false;
            for (size_t j = 0; j < N_RULE_KEYS; j++)
                known |= strcmp(text(k), rule_keys[j]) == 0;
            if (!known)
                return unknown(ld, k, "a clean rule", rule_keys, N_RULE_KEYS);
            if (strcmp(text(k), "when") != 0)
                n_act += count(node(ld, p->value));
        }
        if (n_act == 0)
            return at(ld, m, "clean rule: expected an action (scale, set, rename, delete, map, "
                             "lowercase, uppercase, trim or reject)");
        struct sz_clean_action *acts = cfg_alloc(ld->c, n_act * sizeof *acts);
        if (!acts)
            return SZ_ENOMEM;
        size_t na = 0;
        FOR_PAIRS(p, m) {
            const yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
            if (strcmp(text(k), "when") == 0)
                r = load_when(ld, v, rule);
            else
                r = load_action(ld, text(k), v, acts, &na);
            if (r)
                return r;
        }
        rule->actions = acts;
        rule->n_actions = na;
    }
    ld->c->run.clean.rules = rules;
    ld->c->run.clean.n_rules = n;
    return 0;
}

/* ---- the file ---------------------------------------------------------------- */

static int load_root(struct loader *ld)
{
    const yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
    if (!root || is_null(root))
        return 0; /* an empty file: every default */
    int r = check_mapping(ld, root, "the top level");
    if (r)
        return r;
    FOR_PAIRS(p, root) {
        const yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        size_t s = 0;
        while (s < N_SECTIONS && strcmp(sections[s], text(k)) != 0)
            s++;
        if (s == N_SECTIONS)
            return unknown(ld, k, "the top level", sections, N_SECTIONS);
        r = strcmp(text(k), "clean") == 0 ? load_clean(ld, v) : load_section(ld, text(k), v);
        if (r)
            return r;
    }
    return 0;
}

/* libyaml's own error, located: the reader (bad UTF-8, control
 * characters) gives a byte offset, the scanner and parser give marks, and
 * a context ("while scanning a quoted scalar") has a mark of its own where
 * the construct began. */
static int parse_error(yaml_parser_t *parser, FILE *f, const char *file,
                       struct sz_config_error *err)
{
    size_t line = parser->problem_mark.line, col = parser->problem_mark.column;
    if (parser->error == YAML_READER_ERROR) {
        line = col = 0;
        rewind(f);
        for (size_t i = 0; i < parser->problem_offset; i++) {
            int ch = getc(f);
            if (ch == EOF)
                break;
            if (ch == '\n') {
                line++;
                col = 0;
            } else if ((ch & 0xC0) != 0x80) {
                col++; /* columns count characters, as libyaml's marks do */
            }
        }
    }
    snprintf(err->where, sizeof err->where, "%s:%zu:%zu", file, line + 1, col + 1);
    if (parser->context)
        WHY("%s %s (which began at line %zu, column %zu)",
            parser->problem ? parser->problem : "cannot parse YAML", parser->context,
            parser->context_mark.line + 1, parser->context_mark.column + 1);
    else
        WHY("%s", parser->problem ? parser->problem : "cannot parse YAML");
    return parser->error == YAML_MEMORY_ERROR ? SZ_ENOMEM : SZ_EINVAL;
}

int sz_config_load(struct sz_config *c, const char *file, struct sz_config_error *err)
{
    err->where[0] = err->message[0] = '\0';
    if (!(c->file = cfg_strdup(c, file)))
        return SZ_ENOMEM;
    c->run.config_path = c->file;
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        snprintf(err->where, sizeof err->where, "%s", file);
        WHY("cannot read: %s", f ? "is a directory" : strerror(errno));
        if (f)
            fclose(f);
        return SZ_ENOENT;
    }
    struct loader ld = { .c = c, .err = err };
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return SZ_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    int r = 0;
    if (!yaml_parser_load(&parser, &ld.doc)) {
        r = parse_error(&parser, f, file, err);
        yaml_parser_delete(&parser);
        fclose(f);
        return r;
    }
    r = load_root(&ld);
    /* One document per file: a second is a mistake worth reporting. */
    yaml_document_t next;
    if (r == 0) {
        if (!yaml_parser_load(&parser, &next)) {
            r = parse_error(&parser, f, file, err);
        } else {
            const yaml_node_t *root2 = yaml_document_get_root_node(&next);
            if (root2) {
                snprintf(err->where, sizeof err->where, "%s:%zu:%zu", file,
                         root2->start_mark.line + 1, root2->start_mark.column + 1);
                r = WHY("a pipeline file holds one YAML document; this is a second one");
            }
            yaml_document_delete(&next);
        }
    }
    yaml_document_delete(&ld.doc);
    yaml_parser_delete(&parser);
    fclose(f);
    c->loaded = true;
    return r;
}

/* ---- the reference ----------------------------------------------------------- */

/* Words of text after column `col`, wrapped at 80 columns, continued
 * under a '#' at the same column. */
static void wrap(FILE *out, const char *text, int col)
{
    int at_col = col + 1;
    for (const char *p = text; *p;) {
        int w = (int)strcspn(p, " ");
        if (at_col > col + 1 && at_col + 1 + w > 80) {
            fprintf(out, "\n%*s#", col, "");
            at_col = col + 1;
        }
        fprintf(out, " %.*s", w, p);
        at_col += 1 + w;
        p += w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

void sz_config_print_reference(FILE *out)
{
    fputs("pipeline.yml reference: every key, its default and its meaning.\n"
          "Use: sessionize run -c pipeline.yml [INPUT...]; check one with\n"
          "sessionize check pipeline.yml. Command-line options override the file.\n"
          "Durations: a whole number with ms, s, m, h or d (30m). Sizes: bytes, or a\n"
          "whole number with KiB, MiB or GiB (128MiB). A path names a field; dots\n"
          "reach into objects (context.device.id).\n",
          out);
    const char *cur = "";
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        if (strcmp(k->section, cur) != 0) {
            if (strcmp(k->section, "enrich") == 0)
                fputs("\nclean:             # a list of rules, applied in order (see below)\n", out);
            if (!strchr(k->section, '.'))
                fprintf(out, "\n%s:\n", k->section);
            cur = k->section;
        }
        bool nested = strchr(k->section, '.') != NULL;
        char left[80];
        if (k->shape == MAPPING)
            snprintf(left, sizeof left, "  %s:", k->name);
        else
            snprintf(left, sizeof left, "%s%s: %s", nested ? "    " : "  ", k->name, k->def);
        fprintf(out, "%-36s#", left);
        char doc[600];
        snprintf(doc, sizeof doc, "%s: %s", k->type, k->doc);
        wrap(out, doc, 36);
    }
    fputs("\nclean rules. Each rule is a list item with an optional `when` and one or\n"
          "more actions, applied in the order written; rules apply in order, before\n"
          "validation, so a rule can repair an event that would otherwise be invalid.\n"
          "  - when: { app_build: \"10.2.1.2\" }   # conditions, all must hold:\n"
          "                                     #   field: value     equal ('*' globs)\n"
          "                                     #   field: [a, b]    any of\n"
          "                                     #   exists: field    present, not null\n"
          "                                     #   missing: field   absent or null\n"
          "    scale: { timestamp: 1000 }       # multiply a number, exactly\n"
          "    set: { channel: desktop }        # set a value (added if absent)\n"
          "    rename: { legacy_os: os }        # rename (replaces a field so named)\n"
          "    delete: [debug_blob]             # remove fields\n"
          "    map: { os: { Win10: Windows 10 } }  # replace values found in the map\n"
          "    lowercase: [event_type]          # also uppercase, trim\n"
          "    reject: test_machine             # dead letter: filtered:test_machine\n"
          "A string matches by its text; a number, true, false or null by its JSON\n"
          "text. Actions change top-level fields only, and only those they name. An\n"
          "action that cannot apply (scale on a string, lowercase on a number) makes\n"
          "the event a dead letter with reason clean_failed, naming the rule.\n",
          out);
}
