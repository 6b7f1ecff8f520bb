/* fuzz_stages: libFuzzer target for one line's whole trip through the
 * stages: parse -> clean -> validate -> enrich, with cleaning rules that
 * use every action and condition (loaded from pipeline.yml text, as a run
 * would), then either the rendered event (also
 * left open and completed with session members, as the shards write it) or
 * the dead-letter record. Whatever the line, what sessionize writes must be
 * one strict JSON object (no duplicate keys, valid UTF-8) ending in '\n';
 * an event must keep its validated key and time, a dead letter must name a
 * reason. An input of several lines sends them in turn through the same
 * stages, as a lane does, so that what the stages remember from one line
 * to the next (the scanner's shapes, where fields were) is fuzzed too.
 *
 *   build-fuzz/tests/fuzz/fuzz_stages -max_total_time=60 /tmp/fs tests/fuzz/corpus/stages
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "sz_clean.h"
#include "sz_config.h"
#include "sz_deadletter.h"
#include "sz_enrich.h"
#include "sz_json.h"
#include "sz_parse.h"
#include "sz_session.h"
#include "sz_session_record.h"
#include "sz_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Short field names, so that the fuzzer meets them often. */
static const char rules_yaml[] =
    "clean:\n"
    "  - when: { v: \"1*\" }\n"
    "    scale: { timestamp: 1000 }\n"
    "  - when: { exists: a }\n"
    "    lowercase: [event_type]\n"
    "    uppercase: [b]\n"
    "    trim: [c]\n"
    "  - map: { os: { \"W*\": Windows, null: none, \"1\": 2 } }\n"
    "  - rename: { x: y }\n"
    "    delete: [z]\n"
    "  - when: { missing: ch }\n"
    "    set: { ch: desktop, n: 12 }\n"
    "  - when: { p.q: [1, \"t*\"] }\n"
    "    set: { a: null }\n"
    "  - when: { machine_id: \"T-*\" }\n"
    "    reject: test\n";

/* The rules, through the config loader: they live as long as the process. */
static const struct sz_clean_config *load_rules(void)
{
    char path[] = "/tmp/fuzz_stages_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, rules_yaml, sizeof rules_yaml - 1) != (ssize_t)(sizeof rules_yaml - 1))
        abort();
    close(fd);
    struct sz_config *c;
    struct sz_config_error err;
    if (sz_config_create(&c) != 0 || sz_config_load(c, path, &err) != 0 ||
        sz_config_finish(c, &err) != 0) {
        fprintf(stderr, "fuzz_stages: %s: %s\n", err.where, err.message);
        abort();
    }
    unlink(path);
    return &sz_config_run(c)->clean; /* never destroyed: a fuzzer's lifetime */
}

static void fail(const char *why, const struct sz_buf *out)
{
    fprintf(stderr, "fuzz_stages: %s\n  output: %.*s\n", why, (int)out->len, out->data);
    __builtin_trap();
}

/* The record (without its '\n') must scan as one object. */
static void check_record(struct sz_json_scanner *sc, const struct sz_buf *out)
{
    if (out->len == 0 || out->data[out->len - 1] != '\n')
        fail("record does not end in a newline", out);
    struct sz_json_doc doc;
    struct sz_json_error err;
    int r = sz_json_scan(sc, out->data, out->len - 1, &doc, &err);
    if (r == SZ_ENOMEM)
        return;
    if (r != SZ_JSON_OK)
        fail(err.what ? err.what : "record is not a JSON object", out);
}

/* One line through the stages and the checks of the records it gives. */
static void one_line(struct sz_stage *st, int n_st, struct sz_event_edits *edits,
                     struct sz_json_scanner *check, const struct sz_session_record_keys *keys,
                     const uint8_t *data, size_t size)
{
    struct sz_buf extra, out;
    sz_buf_init(&extra);
    sz_buf_init(&out);
    struct sz_event ev = { .source = "fuzz", .extra = &extra, .edits = edits, .lineno = 1 };
    sz_event_reset(&ev, (const char *)data, size);
    /* Pretend some lines were too long, to reach that record as well. */
    if (size > 0 && data[0] == 0x01) {
        ev.too_long = true;
        ev.full_len = size + 100000;
    }
    struct sz_reject rej;
    int v = SZ_PASS;
    for (int k = 0; k < n_st && v == SZ_PASS; k++)
        v = st[k].process(st[k].ctx, &ev, &rej);
    if (v == SZ_REJECT) {
        if (sz_deadletter_format(&out, &ev, &rej) == 0) {
            check_record(check, &out);
            if (!memmem(out.data, out.len, sz_reason_name(rej.reason),
                        strlen(sz_reason_name(rej.reason))))
                fail("dead letter lacks its reason", &out);
        }
    } else if (v == SZ_PASS) {
        if (sz_event_render(&ev, &out) == 0)
            check_record(check, &out);
        sz_buf_clear(&out);
        uint8_t id[16] = { 0 };
        struct sz_session_out so = { .session_id = id, .seq = 1, .since_prev_ms = -1,
                                     .late = size & 1 };
        if (sz_event_render_open(&ev, &out) == 0 && sz_session_record_event(&out, keys, &so) == 0)
            check_record(check, &out);
        if (ev.ts_ms < 946684800000 || ev.ts_ms >= 4102444800000)
            fail("an event passed with a time out of range", &out);
    }
    sz_buf_free(&extra);
    sz_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { N_STAGES = 4 };
    static const struct sz_clean_config *rules;
    static bool ready;
    static struct sz_schema schema;
    static struct sz_enrich_config enrich;
    static struct sz_session_record_keys keys;
    if (!ready) {
        sz_schema_defaults(&schema);
        sz_enrich_config_defaults(&enrich);
        rules = load_rules();
        struct sz_session_fields fields;
        sz_session_fields_defaults(&fields);
        if (sz_session_record_keys_init(&keys, &fields, "machine_id") != 0)
            abort();
        ready = true;
    }
    /* Fresh stages for every input: they remember where fields were and
     * which keys were clear in the lines before (the scanner's shapes), so
     * stages that lived across inputs would make a finding depend on the
     * inputs before it, which a crash file cannot replay. Within an input,
     * its lines (split at newlines, as the reader does) go through the
     * same stages in turn, as a lane's lines do. */
    /* Two lanes: with the rules, and without a clean stage (as a run
     * without rules has), where the rules' edits do not hide what enrich
     * remembers of unedited lines. */
    struct sz_stage st[N_STAGES] = { 0 }, plain[N_STAGES - 1] = { 0 };
    struct sz_event_edits edits = { 0 };
    struct sz_json_scanner *check = sz_json_scanner_create(0);
    if (!check || sz_parse_stage_create(8, &st[0]) != 0 ||
        sz_clean_stage_create(rules, &st[1]) != 0 ||
        sz_validate_stage_create(&schema, &st[2]) != 0 ||
        sz_enrich_stage_create(&enrich, &st[3]) != 0 || sz_parse_stage_create(8, &plain[0]) != 0 ||
        sz_validate_stage_create(&schema, &plain[1]) != 0 ||
        sz_enrich_stage_create(&enrich, &plain[2]) != 0)
        abort();
    const uint8_t *p = data, *end = data + size;
    for (;;) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        one_line(st, N_STAGES, &edits, check, &keys, p, n);
        one_line(plain, N_STAGES - 1, &edits, check, &keys, p, n);
        if (!nl)
            break;
        p = nl + 1;
    }
    for (int k = 0; k < N_STAGES; k++)
        sz_stage_destroy(&st[k]);
    for (int k = 0; k < N_STAGES - 1; k++)
        sz_stage_destroy(&plain[k]);
    sz_event_edits_free(&edits);
    sz_json_scanner_destroy(check);
    return 0;
}
