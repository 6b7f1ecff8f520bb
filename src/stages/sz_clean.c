#include "sz_clean.h"

#include <stdlib.h>
#include <string.h>

#include "sz_jsonw.h"
#include "sz_text.h"

#define MAX_FIELDS 64

/* Every top-level name the rules use is resolved to a member index once per
 * event, in one pass over the members, instead of one lookup per condition
 * and action: with ten rules that is the difference between a pass and
 * twenty. Structural edits (add, remove, rename) invalidate the indices. */
struct clean {
    const struct sz_clean_config *cfg;
    struct {
        const char *name;
        size_t len;
    } names[MAX_FIELDS];
    size_t n_names;
    uint64_t len_mask;    /* bit n: some name is n bytes long (n < 64) */
    bool long_names;      /* some name is 64 bytes or longer */
    long idx[MAX_FIELDS]; /* per event: member index of names[i], or -1 */
    bool resolved;
    /* Per rule, where its conditions' and actions' name ids start in the
     * flat arrays below (condition c of rule r is cond_ids[cond_base[r] + c]). */
    size_t *cond_base, *act_base;
    uint8_t *cond_ids, *act_ids, *target_ids;
    struct sz_buf tmp; /* a decoded string */
    struct sz_buf val; /* a new value's JSON text */
};

static const char *const op_names[] = {
    [SZ_OP_SCALE] = "scale",         [SZ_OP_SET] = "set",   [SZ_OP_RENAME] = "rename",
    [SZ_OP_DELETE] = "delete",       [SZ_OP_MAP] = "map",   [SZ_OP_LOWERCASE] = "lowercase",
    [SZ_OP_UPPERCASE] = "uppercase", [SZ_OP_TRIM] = "trim", [SZ_OP_REJECT] = "reject",
};

const char *sz_clean_op_name(enum sz_clean_op op)
{
    return (unsigned)op <= SZ_OP_REJECT ? op_names[op] : "?";
}

static const char *type_name(uint8_t t)
{
    static const char *const names[] = { "null", "false", "true", "number",
                                         "string", "array", "object" };
    return t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static void resolve(struct clean *c, const struct sz_event *ev)
{
    const struct sz_json_doc *d = &ev->doc;
    for (size_t j = 0; j < c->n_names; j++)
        c->idx[j] = -1;
    bool escaped = false;
    for (size_t i = 0; i < d->n_members; i++) {
        const struct sz_json_member *m = &d->members[i];
        escaped |= m->key_escaped;
        if (m->key_len < 64 ? !((c->len_mask >> m->key_len) & 1) : !c->long_names)
            continue;
        const char *k = d->text + m->key_off;
        for (size_t j = 0; j < c->n_names; j++)
            if (c->names[j].len == m->key_len && memcmp(c->names[j].name, k, m->key_len) == 0)
                c->idx[j] = (long)i;
    }
    if (escaped) /* rare: let the exact lookup decode keys */
        for (size_t j = 0; j < c->n_names; j++) {
            const struct sz_json_member *m = sz_json_doc_get(d, c->names[j].name, c->names[j].len);
            c->idx[j] = m ? (long)(m - d->members) : -1;
        }
    c->resolved = true;
}

static long field(struct clean *c, const struct sz_event *ev, uint8_t id)
{
    if (!c->resolved)
        resolve(c, ev);
    return c->idx[id];
}

/* The text a pattern is matched against: a string's decoded bytes, a
 * scalar's JSON text. 0; 1 for objects and arrays (never match); SZ_ENOMEM. */
static int match_text(struct clean *c, const struct sz_event *ev, const struct sz_json_member *m,
                      const char **p, size_t *n)
{
    const char *t = ev->doc.text + m->val_off;
    switch (m->type) {
    case SZ_JSON_OBJECT:
    case SZ_JSON_ARRAY:
        return 1;
    case SZ_JSON_STRING:
        if (!m->str_escaped) {
            *p = t + 1;
            *n = m->val_len - 2;
            return 0;
        }
        sz_buf_clear(&c->tmp);
        if (sz_json_unescape(t + 1, m->val_len - 2, &c->tmp) != 0)
            return SZ_ENOMEM;
        *p = c->tmp.data ? c->tmp.data : "";
        *n = c->tmp.len;
        return 0;
    default:
        *p = t;
        *n = m->val_len;
        return 0;
    }
}

static bool text_matches(const struct sz_clean_text *pat, const char *p, size_t n)
{
    return pat->glob ? sz_glob_match(pat->text, p, n)
                     : pat->len == n && memcmp(pat->text, p, n) == 0;
}

/* 1 if the condition holds, 0 if not, SZ_ENOMEM. */
static int holds(struct clean *c, const struct sz_event *ev, const struct sz_clean_cond *cond,
                 uint8_t id)
{
    long top = field(c, ev, id);
    struct sz_json_member m;
    bool found = top >= 0;
    if (found)
        m = ev->doc.members[top];
    if (found && cond->path.n > 1)
        found = sz_path_get(&ev->doc, &cond->path, top, &m);
    switch (cond->kind) {
    case SZ_COND_EXISTS:
        return found && m.type != SZ_JSON_NULL;
    case SZ_COND_MISSING:
        return !found || m.type == SZ_JSON_NULL;
    case SZ_COND_EQUALS:
        break;
    }
    if (!found)
        return 0;
    const char *p;
    size_t n;
    int r = match_text(c, ev, &m, &p, &n);
    if (r)
        return r > 0 ? 0 : r;
    for (size_t i = 0; i < cond->n_values; i++)
        if (text_matches(&cond->values[i], p, n))
            return 1;
    return 0;
}

static int fail(const struct clean *c, size_t rule, const struct sz_clean_action *a,
                struct sz_reject *rej, const char *why, const char *what)
{
    return sz_reject(rej, SZ_REASON_CLEAN_FAILED, "rule %zu (%s:%u): %s %s: %s%s", rule + 1,
                     c->cfg->file ? c->cfg->file : "config", c->cfg->rules[rule].line,
                     sz_clean_op_name(a->op), a->field, why, what);
}

/* Replace member i's value by val[0..n) unless it is already exactly that. */
static int replace(struct sz_event *ev, long i, const char *val, size_t n)
{
    const struct sz_json_member *m = &ev->doc.members[i];
    if (m->val_len == n && memcmp(ev->doc.text + m->val_off, val, n) == 0)
        return 0;
    return sz_event_set_value(ev, (size_t)i, val, n);
}

static int do_scale(struct clean *c, struct sz_event *ev, long i, const struct sz_clean_action *a,
                    size_t rule, struct sz_reject *rej)
{
    const struct sz_json_member *m = &ev->doc.members[i];
    if (m->type != SZ_JSON_NUMBER)
        return fail(c, rule, a, rej, "is ", m->type == SZ_JSON_STRING ? "a string, not a number"
                                            : m->type == SZ_JSON_OBJECT ? "an object, not a number"
                                            : m->type == SZ_JSON_ARRAY  ? "an array, not a number"
                                                                        : "not a number");
    struct sz_decimal d;
    if (sz_decimal_parse(ev->doc.text + m->val_off, m->val_len, &d) != 0)
        return fail(c, rule, a, rej, "has too many digits to scale exactly", "");
    if (sz_decimal_mul(d, a->factor, &d) != 0)
        return fail(c, rule, a, rej, "the product does not fit in 19 digits", "");
    sz_buf_clear(&c->val);
    int r = sz_decimal_format(d, &c->val);
    if (r == SZ_ELIMIT)
        return fail(c, rule, a, rej, "the product is too long to write", "");
    if (r)
        return r;
    return replace(ev, i, c->val.data, c->val.len);
}

/* lowercase, uppercase, trim: on the decoded text, re-encoded if changed. */
static int do_text(struct clean *c, struct sz_event *ev, long i, const struct sz_clean_action *a,
                   size_t rule, struct sz_reject *rej)
{
    const struct sz_json_member *m = &ev->doc.members[i];
    if (m->type != SZ_JSON_STRING)
        return fail(c, rule, a, rej, "is not a string but ", type_name(m->type));
    const char *p;
    size_t n;
    int r = match_text(c, ev, m, &p, &n);
    if (r)
        return r;
    if (p != c->tmp.data) { /* work on a copy: the event's text must not change */
        sz_buf_clear(&c->tmp);
        if (sz_buf_append(&c->tmp, p, n) != 0)
            return SZ_ENOMEM;
    }
    char *s = c->tmp.data;
    size_t len = c->tmp.len, from = 0;
    bool changed = false;
    if (a->op == SZ_OP_TRIM) {
        while (from < len && strchr(" \t\r\n", s[from]) && s[from])
            from++;
        while (len > from && strchr(" \t\r\n", s[len - 1]) && s[len - 1])
            len--;
        changed = from > 0 || len < c->tmp.len;
    } else {
        bool up = a->op == SZ_OP_UPPERCASE;
        for (size_t k = 0; k < len; k++) {
            char ch = s[k];
            if (up ? (ch >= 'a' && ch <= 'z') : (ch >= 'A' && ch <= 'Z')) {
                s[k] = (char)(ch ^ 0x20);
                changed = true;
            }
        }
    }
    if (!changed)
        return 0;
    sz_buf_clear(&c->val);
    if (sz_jsonw_string(&c->val, s + from, len - from) != 0)
        return SZ_ENOMEM;
    return sz_event_set_value(ev, (size_t)i, c->val.data, c->val.len);
}

static int do_map(struct clean *c, struct sz_event *ev, long i, const struct sz_clean_action *a)
{
    const char *p;
    size_t n;
    int r = match_text(c, ev, &ev->doc.members[i], &p, &n);
    if (r)
        return r > 0 ? 0 : r;
    for (size_t k = 0; k < a->n_map; k++)
        if (text_matches(&a->map[k].from, p, n))
            return replace(ev, i, a->map[k].to.text, a->map[k].to.len);
    return 0;
}

/* SZ_PASS, SZ_REJECT, or a negative error. */
static int apply(struct clean *c, struct sz_event *ev, size_t rule, size_t k,
                 struct sz_reject *rej)
{
    const struct sz_clean_action *a = &c->cfg->rules[rule].actions[k];
    size_t at = c->act_base[rule] + k;
    if (a->op == SZ_OP_REJECT) {
        sz_reject(rej, SZ_REASON_FILTERED, "rule %zu (%s:%u)", rule + 1,
                  c->cfg->file ? c->cfg->file : "config", c->cfg->rules[rule].line);
        rej->filter = a->value.text;
        rej->rule = (int)rule;
        return SZ_REJECT;
    }
    long i = field(c, ev, c->act_ids[at]);
    if (a->op == SZ_OP_SET) {
        if (i >= 0)
            return replace(ev, i, a->value.text, a->value.len);
        c->resolved = false;
        return sz_event_add(ev, a->field, strlen(a->field), a->value.text, a->value.len);
    }
    if (i < 0)
        return SZ_PASS; /* nothing to change */
    switch (a->op) {
    case SZ_OP_DELETE:
        c->resolved = false;
        return sz_event_remove(ev, (size_t)i);
    case SZ_OP_RENAME: {
        long j = field(c, ev, c->target_ids[at]);
        if (j == i)
            return SZ_PASS;
        c->resolved = false;
        if (j >= 0) {
            int r = sz_event_remove(ev, (size_t)j);
            if (r)
                return r;
            if (j < i)
                i--;
        }
        return sz_event_rename(ev, (size_t)i, a->value.text, a->value.len);
    }
    case SZ_OP_MAP:
        return do_map(c, ev, i, a);
    default:
        break;
    }
    if (ev->doc.members[i].type == SZ_JSON_NULL)
        return SZ_PASS; /* null stays null: there is nothing to scale or case */
    if (a->op == SZ_OP_SCALE)
        return do_scale(c, ev, i, a, rule, rej);
    return do_text(c, ev, i, a, rule, rej);
}

static int clean_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    struct clean *c = ctx;
    c->resolved = false;
    const struct sz_clean_config *cfg = c->cfg;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        const struct sz_clean_rule *rule = &cfg->rules[r];
        int ok = 1;
        for (size_t k = 0; k < rule->n_when && ok == 1; k++)
            ok = holds(c, ev, &rule->when[k], c->cond_ids[c->cond_base[r] + k]);
        if (ok < 0)
            return ok;
        if (!ok)
            continue;
        for (size_t k = 0; k < rule->n_actions; k++) {
            int v = apply(c, ev, r, k, rej);
            if (v != SZ_PASS)
                return v;
        }
    }
    return SZ_PASS;
}

static void clean_destroy(void *ctx)
{
    struct clean *c = ctx;
    if (!c)
        return;
    free(c->cond_base);
    free(c->act_base);
    free(c->cond_ids);
    free(c->act_ids);
    free(c->target_ids);
    sz_buf_free(&c->tmp);
    sz_buf_free(&c->val);
    free(c);
}

/* The id of a top-level name, added if new; -1 when there are too many. */
static int name_id(struct clean *c, const char *name, size_t len)
{
    for (size_t j = 0; j < c->n_names; j++)
        if (c->names[j].len == len && memcmp(c->names[j].name, name, len) == 0)
            return (int)j;
    if (c->n_names == MAX_FIELDS)
        return -1;
    c->names[c->n_names].name = name;
    c->names[c->n_names].len = len;
    if (len < 64)
        c->len_mask |= UINT64_C(1) << len;
    else
        c->long_names = true;
    return (int)c->n_names++;
}

int sz_clean_stage_create(const struct sz_clean_config *cfg, struct sz_stage *out)
{
    struct clean *c = calloc(1, sizeof *c);
    if (!c)
        return SZ_ENOMEM;
    c->cfg = cfg;
    sz_buf_init(&c->tmp);
    sz_buf_init(&c->val);
    size_t n_cond = 0, n_act = 0;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        n_cond += cfg->rules[r].n_when;
        n_act += cfg->rules[r].n_actions;
    }
    c->cond_base = calloc(cfg->n_rules + 1, sizeof *c->cond_base);
    c->act_base = calloc(cfg->n_rules + 1, sizeof *c->act_base);
    c->cond_ids = calloc(n_cond + 1, 1);
    c->act_ids = calloc(n_act + 1, 1);
    c->target_ids = calloc(n_act + 1, 1);
    if (!c->cond_base || !c->act_base || !c->cond_ids || !c->act_ids || !c->target_ids) {
        clean_destroy(c);
        return SZ_ENOMEM;
    }
    size_t ci = 0, ai = 0;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        const struct sz_clean_rule *rule = &cfg->rules[r];
        c->cond_base[r] = ci;
        c->act_base[r] = ai;
        for (size_t k = 0; k < rule->n_when; k++) {
            const struct sz_path *p = &rule->when[k].path;
            int id = name_id(c, p->text + p->off[0], p->len[0]);
            if (id < 0)
                goto too_many;
            c->cond_ids[ci++] = (uint8_t)id;
        }
        for (size_t k = 0; k < rule->n_actions; k++, ai++) {
            const struct sz_clean_action *a = &rule->actions[k];
            if (a->op == SZ_OP_REJECT)
                continue;
            int id = name_id(c, a->field, strlen(a->field));
            if (id < 0)
                goto too_many;
            c->act_ids[ai] = (uint8_t)id;
            if (a->op == SZ_OP_RENAME) {
                if ((id = name_id(c, a->value.text, a->value.len)) < 0)
                    goto too_many;
                c->target_ids[ai] = (uint8_t)id;
            }
        }
    }
    *out = (struct sz_stage){ "clean", c, clean_process, clean_destroy };
    return 0;
too_many:
    clean_destroy(c);
    return SZ_EINVAL;
}
