#include "sz_clean.h"

#include <stdlib.h>
#include <string.h>

#include "sz_jsonw.h"
#include "sz_text.h"

#define MAX_FIELDS 64

/* A pattern, sorted by how it can be matched: most are exact values or a
 * prefix ("10.5.*"), which need one comparison, not a glob walk. */
enum pat_kind { PAT_EXACT, PAT_PREFIX, PAT_SUFFIX, PAT_ANY, PAT_GLOB };

struct pat {
    const char *text; /* the whole pattern (for PAT_GLOB) */
    const char *lit;  /* the literal part */
    uint32_t len;     /* its length */
    uint8_t kind;
};

/* Every top-level name the rules use is resolved to a member index once per
 * event, in one pass over the members, instead of one lookup per condition
 * and action: with ten rules that is the difference between a pass and
 * twenty. A member's key is first looked up by a tag (length, first and
 * last byte) in a small table, so that only a likely name is compared.
 * Edits keep the indices up to date rather than starting over. */

struct step {
    const struct sz_clean_cond *cond;  /* a condition, or */
    const struct sz_clean_action *act; /* an action */
    const struct pat *pats;            /* values (condition) or map keys (map) */
    uint32_t rule;                     /* index of its rule */
    uint32_t next_rule;                /* index of the next rule's first step */
    uint32_t add_off, add_len;         /* SET: its member in `adds` */
    struct sz_json_member add_shape;   /* SET: and its offsets and type */
    uint8_t id;                        /* the field's name id */
    uint8_t target;                    /* RENAME: the new name's id */
};

struct clean {
    const struct sz_clean_config *cfg;
    struct {
        const char *name;
        size_t len;
    } names[MAX_FIELDS];
    size_t n_names;
    uint8_t by_tag[256]; /* sz_name_tag -> first name id + 1 (0: none) */
    uint8_t next_same_tag[MAX_FIELDS]; /* name id -> next id + 1 with its tag */
    int32_t idx[MAX_FIELDS]; /* per event: member index of names[i], -1 if
                              * absent, below -1 if not looked up yet */
    uint32_t last[MAX_FIELDS]; /* where a lookup last found names[i], the
                                * hint of sz_json_doc_get_hinted */

    /* The rules, flattened into one program of steps run in order: a
     * condition that fails jumps to the next rule's first step. */
    struct step *steps;
    size_t n_steps;
    struct pat *pats;      /* every step's patterns, end to end */
    struct sz_buf adds;    /* SET: each added member as JSON, formatted once */
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

/* Up to this many names, each is looked up in the event the first time a
 * step needs it (most events meet only the rules' first conditions); with
 * more, one pass over the event's members finds them all at once. On
 * examples/pipeline.yml (two names) the lookups on demand save 3 % of the
 * run's instructions; on bench/pipeline-10-rules.yml the single pass is
 * 6 % cheaper than they would be. */
#define NAMES_ON_DEMAND 3

/* Index the event's members by name, or mark every name for lookup on
 * demand (any value below -1). A lookup sees the event as edited so far,
 * which is what indexing first and following each edit gives: a name an
 * edit touches is resolved by that edit. */
static void resolve(struct clean *c, const struct sz_event *ev)
{
    const struct sz_json_doc *d = &ev->doc;
    if (c->n_names <= NAMES_ON_DEMAND) {
        memset(c->idx, 0x80, sizeof c->idx); /* 0x80808080: below -1 */
        return;
    }
    memset(c->idx, 0xff, sizeof c->idx); /* all -1; a fixed size needs no call */
    if (d->keys_escaped) { /* rare: let the exact lookup decode keys */
        for (size_t j = 0; j < c->n_names; j++) {
            const struct sz_json_member *m = sz_json_doc_get(d, c->names[j].name, c->names[j].len);
            c->idx[j] = m ? (int32_t)(m - d->members) : -1;
        }
        return;
    }
    for (size_t i = 0; i < d->n_members; i++) {
        const struct sz_json_member *m = &d->members[i];
        const char *k = d->text + m->key_off;
        for (unsigned id1 = c->by_tag[sz_name_tag(k, m->key_len)]; id1; id1 = c->next_same_tag[id1 - 1]) {
            unsigned j = id1 - 1;
            if (c->names[j].len == m->key_len && sz_bytes_equal(c->names[j].name, k, m->key_len)) {
                c->idx[j] = (int32_t)i;
                break;
            }
        }
    }
}

/* Member i left the event: later members moved down by one. */
static void removed(struct clean *c, long i)
{
    for (size_t j = 0; j < c->n_names; j++)
        if (c->idx[j] == i)
            c->idx[j] = -1;
        else if (c->idx[j] > i)
            c->idx[j]--;
}

/* The member index of name id in the current event (resolved on entry to
 * the stage or on first use, and kept current by every edit), or -1. */
static inline long field(struct clean *c, const struct sz_event *ev, uint8_t id)
{
    if (c->idx[id] < -1) {
        const struct sz_json_member *m = sz_json_doc_get_hinted(
            &ev->doc, c->names[id].name, c->names[id].len, &c->last[id]);
        c->idx[id] = m ? (int32_t)(m - ev->doc.members) : -1;
    }
    return c->idx[id];
}

/* The text a pattern is matched against: a string's decoded bytes, a
 * scalar's JSON text. 0; 1 for objects and arrays (never match); SZ_ENOMEM. */
static inline int match_text(struct clean *c, const struct sz_event *ev,
                             const struct sz_json_member *m, const char **p, size_t *n)
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

const char *sz_clean_rule_filter(const struct sz_clean_rule *rule)
{
    for (size_t k = 0; k < rule->n_actions; k++)
        if (rule->actions[k].op == SZ_OP_REJECT)
            return rule->actions[k].value.text;
    return NULL;
}

static inline bool matches(const struct pat *p, const char *s, size_t n)
{
    switch (p->kind) {
    case PAT_EXACT: return n == p->len && sz_bytes_equal(s, p->lit, n);
    case PAT_PREFIX: return n >= p->len && sz_bytes_equal(s, p->lit, p->len);
    case PAT_SUFFIX: return n >= p->len && sz_bytes_equal(s + n - p->len, p->lit, p->len);
    case PAT_ANY: return true;
    default: return sz_glob_match(p->text, s, n);
    }
}

static struct pat compile_pat(const struct sz_clean_text *t)
{
    struct pat p = { t->text, t->text, (uint32_t)t->len, PAT_EXACT };
    const char *star = memchr(t->text, '*', t->len);
    if (!star)
        return p;
    size_t stars = 0;
    for (size_t i = 0; i < t->len; i++)
        stars += t->text[i] == '*';
    if (t->len == 1) {
        p.kind = PAT_ANY;
    } else if (stars == 1 && star == t->text + t->len - 1) {
        p.kind = PAT_PREFIX;
        p.len = (uint32_t)t->len - 1;
    } else if (stars == 1 && star == t->text) {
        p.kind = PAT_SUFFIX;
        p.lit = t->text + 1;
        p.len = (uint32_t)t->len - 1;
    } else {
        p.kind = PAT_GLOB;
    }
    return p;
}

/* 1 if the condition holds, 0 if not, SZ_ENOMEM. */
static int holds(struct clean *c, const struct sz_event *ev, const struct step *st)
{
    const struct sz_clean_cond *cond = st->cond;
    const struct pat *pats = st->pats;
    long top = field(c, ev, st->id);
    const struct sz_json_member *m = top >= 0 ? &ev->doc.members[top] : NULL;
    struct sz_json_member nested;
    if (m && cond->path.n > 1)
        m = sz_path_get(&ev->doc, &cond->path, top, &nested) ? &nested : NULL;
    switch (cond->kind) {
    case SZ_COND_EXISTS:
        return m && m->type != SZ_JSON_NULL;
    case SZ_COND_MISSING:
        return !m || m->type == SZ_JSON_NULL;
    case SZ_COND_EQUALS:
        break;
    }
    if (!m)
        return 0;
    const char *p;
    size_t n;
    int r = match_text(c, ev, m, &p, &n);
    if (r)
        return r > 0 ? 0 : r;
    for (size_t i = 0; i < cond->n_values; i++)
        if (matches(&pats[i], p, n))
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
    if (m->val_len == n && sz_bytes_equal(ev->doc.text + m->val_off, val, n))
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

static bool is_trimmed(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Would the text operation change s[0..n)? */
static bool needs_change(enum sz_clean_op op, const char *s, size_t n)
{
    if (op == SZ_OP_TRIM)
        return n && (is_trimmed(s[0]) || is_trimmed(s[n - 1]));
    char lo = op == SZ_OP_UPPERCASE ? 'a' : 'A';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(s[i] - lo) < 26)
            return true;
    return false;
}

/* lowercase, uppercase, trim: on the decoded text, re-encoded if changed. */
static int do_text(struct clean *c, struct sz_event *ev, long i, const struct sz_clean_action *a,
                   size_t rule, struct sz_reject *rej)
{
    const struct sz_json_member *m = &ev->doc.members[i];
    if (m->type != SZ_JSON_STRING)
        return fail(c, rule, a, rej, "is not a string but ", sz_json_type_name(m->type));
    if (!m->str_escaped && !needs_change(a->op, ev->doc.text + m->val_off + 1, m->val_len - 2))
        return 0; /* the common case: nothing to do, decided on the raw bytes */
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
        while (from < len && is_trimmed(s[from]))
            from++;
        while (len > from && is_trimmed(s[len - 1]))
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

static int do_map(struct clean *c, struct sz_event *ev, long i, const struct sz_clean_action *a,
                  const struct pat *pats)
{
    const char *p;
    size_t n;
    int r = match_text(c, ev, &ev->doc.members[i], &p, &n);
    if (r)
        return r > 0 ? 0 : r;
    for (size_t k = 0; k < a->n_map; k++)
        if (matches(&pats[k], p, n))
            return replace(ev, i, a->map[k].to.text, a->map[k].to.len);
    return 0;
}

/* SZ_PASS, SZ_REJECT, or a negative error. */
static int apply(struct clean *c, struct sz_event *ev, const struct step *st,
                 struct sz_reject *rej)
{
    const struct sz_clean_action *a = st->act;
    size_t rule = st->rule;
    if (a->op == SZ_OP_REJECT) {
        sz_reject(rej, SZ_REASON_FILTERED, "rule %zu (%s:%u)", rule + 1,
                  c->cfg->file ? c->cfg->file : "config", c->cfg->rules[rule].line);
        rej->filter = a->value.text;
        rej->rule = (int)rule;
        return SZ_REJECT;
    }
    long i = field(c, ev, st->id);
    if (a->op == SZ_OP_SET) {
        if (i >= 0)
            return replace(ev, i, a->value.text, a->value.len);
        int r = sz_event_add_json(ev, c->adds.data + st->add_off, st->add_len, &st->add_shape);
        if (r == 0)
            c->idx[st->id] = (int32_t)ev->doc.n_members - 1;
        return r;
    }
    if (i < 0)
        return SZ_PASS; /* nothing to change */
    switch (a->op) {
    case SZ_OP_DELETE:
        removed(c, i);
        return sz_event_remove(ev, (size_t)i);
    case SZ_OP_RENAME: {
        long j = field(c, ev, st->target);
        if (j == i)
            return SZ_PASS;
        if (j >= 0) {
            int r = sz_event_remove(ev, (size_t)j);
            if (r)
                return r;
            removed(c, j);
            if (j < i)
                i--;
        }
        c->idx[st->id] = -1;
        c->idx[st->target] = (int32_t)i;
        return sz_event_rename(ev, (size_t)i, a->value.text, a->value.len);
    }
    case SZ_OP_MAP:
        return do_map(c, ev, i, a, st->pats);
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
    resolve(c, ev);
    const struct step *steps = c->steps;
    for (size_t k = 0; k < c->n_steps;) {
        const struct step *st = &steps[k];
        if (st->cond) {
            int ok = holds(c, ev, st);
            if (ok < 0)
                return ok;
            k = ok ? k + 1 : st->next_rule;
            continue;
        }
        int v = apply(c, ev, st, rej);
        if (v != SZ_PASS)
            return v;
        k++;
    }
    return SZ_PASS;
}

static void clean_destroy(void *ctx)
{
    struct clean *c = ctx;
    if (!c)
        return;
    free(c->steps);
    free(c->pats);
    sz_buf_free(&c->adds);
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
    unsigned t = sz_name_tag(name, len);
    c->next_same_tag[c->n_names] = c->by_tag[t];
    c->by_tag[t] = (uint8_t)(c->n_names + 1);
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
    sz_buf_init(&c->adds);
    size_t n_steps = 0, n_pats = 0;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        n_steps += cfg->rules[r].n_when + cfg->rules[r].n_actions;
        for (size_t k = 0; k < cfg->rules[r].n_when; k++)
            n_pats += cfg->rules[r].when[k].n_values;
        for (size_t k = 0; k < cfg->rules[r].n_actions; k++)
            n_pats += cfg->rules[r].actions[k].n_map;
    }
    c->steps = calloc(n_steps + 1, sizeof *c->steps);
    c->pats = calloc(n_pats + 1, sizeof *c->pats);
    if (!c->steps || !c->pats) {
        clean_destroy(c);
        return SZ_ENOMEM;
    }
    size_t si = 0, pi = 0;
    int id;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        const struct sz_clean_rule *rule = &cfg->rules[r];
        size_t first = si;
        for (size_t k = 0; k < rule->n_when; k++, si++) {
            const struct sz_clean_cond *cond = &rule->when[k];
            const struct sz_path *p = &cond->path;
            if ((id = name_id(c, p->text + p->off[0], p->len[0])) < 0)
                goto too_many;
            c->steps[si] = (struct step){ .cond = cond, .pats = &c->pats[pi], .rule = (uint32_t)r,
                                          .id = (uint8_t)id };
            for (size_t v = 0; v < cond->n_values; v++)
                c->pats[pi++] = compile_pat(&cond->values[v]);
        }
        for (size_t k = 0; k < rule->n_actions; k++, si++) {
            const struct sz_clean_action *a = &rule->actions[k];
            struct step *st = &c->steps[si];
            *st = (struct step){ .act = a, .pats = &c->pats[pi], .rule = (uint32_t)r };
            if (a->op == SZ_OP_REJECT)
                continue;
            if ((id = name_id(c, a->field, strlen(a->field))) < 0)
                goto too_many;
            st->id = (uint8_t)id;
            for (size_t v = 0; v < a->n_map; v++)
                c->pats[pi++] = compile_pat(&a->map[v].from);
            if (a->op == SZ_OP_RENAME) {
                if ((id = name_id(c, a->value.text, a->value.len)) < 0)
                    goto too_many;
                st->target = (uint8_t)id;
            }
            if (a->op == SZ_OP_SET) {
                /* "name":value, formatted once for every event it is added to */
                size_t at = c->adds.len;
                if (sz_jsonw_cstr(&c->adds, a->field) != 0) {
                    clean_destroy(c);
                    return SZ_ENOMEM;
                }
                size_t key_len = c->adds.len - at - 2;
                if (sz_buf_putc(&c->adds, ':') != 0 ||
                    sz_buf_append(&c->adds, a->value.text, a->value.len) != 0) {
                    clean_destroy(c);
                    return SZ_ENOMEM;
                }
                st->add_off = (uint32_t)at;
                st->add_len = (uint32_t)(c->adds.len - at);
                sz_event_shape_json(c->adds.data + at, st->add_len, key_len, &st->add_shape);
            }
        }
        for (size_t k = first; k < si; k++)
            c->steps[k].next_rule = (uint32_t)si;
    }
    c->n_steps = si;
    *out = (struct sz_stage){ "clean", c, clean_process, clean_destroy };
    return 0;
too_many:
    clean_destroy(c);
    return SZ_EINVAL;
}
