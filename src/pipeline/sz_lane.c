#include "sz_lane.h"

#include <string.h>

#include "sz_deadletter.h"
#include "sz_enrich.h"
#include "sz_parse.h"
#include "sz_run.h"
#include "sz_session.h"
#include "sz_validate.h"

int sz_lane_init(struct sz_lane *l, const struct sz_run_config *cfg)
{
    l->n_stages = 0;
    sz_buf_init(&l->arena);
    sz_buf_init(&l->extra);
    memset(&l->edits, 0, sizeof l->edits);
    l->error_slot = -1;
    /* Cleaning comes before validation, so that a rule can repair an event
     * that would otherwise be invalid. */
    int r = sz_parse_stage_create(cfg->max_depth, &l->stages[l->n_stages]);
    if (r)
        return r;
    l->n_stages++;
    if (cfg->clean.n_rules) {
        if ((r = sz_clean_stage_create(&cfg->clean, &l->stages[l->n_stages])) != 0)
            return r;
        l->n_stages++;
    }
    if ((r = sz_validate_stage_create(&cfg->schema, &l->stages[l->n_stages])) != 0)
        return r;
    l->n_stages++;
    if ((r = sz_enrich_stage_create(&cfg->enrich, &l->stages[l->n_stages])) != 0)
        return r;
    l->n_stages++;
    return 0;
}

void sz_lane_free(struct sz_lane *l)
{
    for (size_t i = 0; i < l->n_stages; i++)
        sz_stage_destroy(&l->stages[i]);
    l->n_stages = 0;
    sz_buf_free(&l->arena);
    sz_buf_free(&l->extra);
    sz_event_edits_free(&l->edits);
}

void sz_lane_reset(struct sz_lane *l)
{
    sz_buf_clear(&l->arena);
    l->error_slot = -1;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* Append the text of a validated string or integer member: a string's
 * bytes inside its quotes (unescaped only when they hold an escape), an
 * integer's digits as written. */
static int append_text(struct sz_buf *b, const char *t, const struct sz_json_member *m)
{
    if (m->type == SZ_JSON_NUMBER)
        return sz_buf_append(b, t + m->val_off, m->val_len);
    if (!m->str_escaped)
        return sz_buf_append(b, t + m->val_off + 1, m->val_len - 2);
    return sz_json_unescape(t + m->val_off + 1, m->val_len - 2, b);
}

static int decide(struct sz_lane *l, struct sz_slot *s, struct sz_event *ev)
{
    if (!s->too_long && is_blank(s->data, s->len)) {
        s->kind = SZ_SLOT_BLANK;
        return 0;
    }
    sz_event_reset(ev, s->data, s->len);
    ev->lineno = s->lineno;
    ev->too_long = s->too_long;
    ev->full_len = s->full_len;
    struct sz_reject rej;
    int v = SZ_PASS;
    for (size_t i = 0; i < l->n_stages && v == SZ_PASS; i++)
        v = l->stages[i].process(l->stages[i].ctx, ev, &rej);
    if (v < 0)
        return v;
    struct sz_buf *a = &l->arena;
    s->out_off = a->len;
    int r;
    if (v == SZ_REJECT) {
        s->kind = SZ_SLOT_DEAD;
        s->reason = (uint8_t)rej.reason;
        s->rule = rej.rule >= 0 ? (uint16_t)rej.rule : 0;
        if ((r = sz_deadletter_format(a, ev, &rej)) != 0)
            return r;
        s->out_len = a->len - s->out_off;
        return 0;
    }
    s->kind = SZ_SLOT_EVENT;
    s->ts_ms = ev->ts_ms;
    s->key_is_int = ev->key->type == SZ_JSON_NUMBER;
    if ((r = sz_event_render_open(ev, a)) != 0)
        return r;
    s->out_len = a->len - s->out_off;
    s->key_off = a->len;
    if ((r = append_text(a, ev->doc.text, ev->key)) != 0)
        return r;
    s->key_len = a->len - s->key_off;
    /* Hashed here, on the lane's thread, for the router and the engine. */
    s->key_hash = sz_session_key_hash(a->data + s->key_off, s->key_len);
    s->type_off = a->len;
    if ((r = append_text(a, ev->doc.text, ev->type)) != 0)
        return r;
    s->type_len = a->len - s->type_off;
    return 0;
}

int sz_lane_run(struct sz_lane *l, uint16_t id, struct sz_slot *slots, size_t n,
                const char *const *names)
{
    struct sz_event ev = { .extra = &l->extra, .edits = &l->edits };
    for (size_t i = 0; i < n; i++) {
        struct sz_slot *s = &slots[i];
        s->lane = id;
        ev.source = names[s->input];
        int r = decide(l, s, &ev);
        if (r) {
            l->error_slot = (int)i;
            return r;
        }
    }
    return 0;
}
