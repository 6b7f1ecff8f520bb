#include "ref_json_doc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ref_json.h"
#include "sz_buf.h"

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool all_ws(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws((unsigned char)p[i]))
            return false;
    return true;
}

/* p[0..n) is whitespace around exactly one `sep`. */
static bool ws_around(const char *p, size_t n, char sep)
{
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == sep)
            seen++;
        else if (!is_ws((unsigned char)p[i]))
            return false;
    }
    return seen == 1;
}

static bool has_byte(const char *p, size_t n, char c)
{
    return n > 0 && memchr(p, c, n) != NULL;
}

/* Compare sz_json_unescape and sz_json_unescaped_len on the string body
 * body[0..n) with the reference. NULL if they agree. */
static const char *check_unescape(const char *body, size_t n)
{
    size_t want_len;
    unsigned char *want = ref_json_unescape(body, n, &want_len);
    if (!want)
        return "reference rejects a string body the scanner accepted";
    const char *why = NULL;
    struct sz_buf out;
    sz_buf_init(&out);
    /* A prefix checks that sz_json_unescape appends rather than overwrites. */
    if (sz_buf_append(&out, "<", 1) != 0 || sz_json_unescape(body, n, &out) != 0)
        why = "sz_json_unescape failed";
    else if (out.len != want_len + 1 || out.data[0] != '<' ||
             (want_len && memcmp(out.data + 1, want, want_len) != 0))
        why = "sz_json_unescape differs from the reference";
    else if (sz_json_unescaped_len(body, n) != want_len)
        why = "sz_json_unescaped_len differs from the reference";
    sz_buf_free(&out);
    free(want);
    return why;
}

static const char *check_value(const char *text, const struct sz_json_member *m)
{
    const char *v = text + m->val_off;
    size_t n = m->val_len;
    bool escaped = false;
    switch (m->type) {
    case SZ_JSON_NULL:
        return n == 4 && memcmp(v, "null", 4) == 0 ? NULL : "null member is not `null`";
    case SZ_JSON_FALSE:
        return n == 5 && memcmp(v, "false", 5) == 0 ? NULL : "false member is not `false`";
    case SZ_JSON_TRUE:
        return n == 4 && memcmp(v, "true", 4) == 0 ? NULL : "true member is not `true`";
    case SZ_JSON_NUMBER: {
        if (v[0] != '-' && !isdigit((unsigned char)v[0]))
            return "number member does not start with '-' or a digit";
        bool is_int = !has_byte(v, n, '.') && !has_byte(v, n, 'e') && !has_byte(v, n, 'E');
        if (m->num_int != is_int)
            return "num_int flag wrong";
        int64_t x;
        int r = sz_json_parse_int64(v, n, &x);
        if (is_int ? r == 1 : r != 1)
            return "sz_json_parse_int64 disagrees with num_int";
        return NULL;
    }
    case SZ_JSON_STRING:
        if (n < 2 || v[0] != '"' || v[n - 1] != '"')
            return "string member value not within quotes";
        escaped = has_byte(v + 1, n - 2, '\\');
        if (m->str_escaped != escaped)
            return "str_escaped flag wrong";
        return check_unescape(v + 1, n - 2);
    case SZ_JSON_ARRAY:
        return n >= 2 && v[0] == '[' && v[n - 1] == ']' ? NULL : "array member not within []";
    case SZ_JSON_OBJECT:
        return n >= 2 && v[0] == '{' && v[n - 1] == '}' ? NULL : "object member not within {}";
    default:
        return "member type out of range";
    }
}

static const char *check_member(const struct sz_json_doc *doc, const char *text, size_t idx,
                                size_t prev_end)
{
    const struct sz_json_member *m = &doc->members[idx];
    /* Between the previous member (or '{') and this key's opening quote. */
    if (m->key_off < prev_end + 1 || m->key_off >= doc->close_off ||
        text[m->key_off - 1] != '"')
        return "key_off is not just after a quote past the previous member";
    size_t gap = m->key_off - 1 - prev_end;
    if (idx == 0 ? !all_ws(text + prev_end, gap) : !ws_around(text + prev_end, gap, ','))
        return "bytes between members are not whitespace and one ','";
    size_t key_end = (size_t)m->key_off + m->key_len; /* the closing quote */
    if (key_end >= doc->close_off || text[key_end] != '"')
        return "key_len does not end at a quote";
    if (m->val_len == 0 || (size_t)m->val_off + m->val_len > doc->close_off)
        return "value runs past the closing '}'";
    if (m->val_off <= key_end || !ws_around(text + key_end + 1, m->val_off - key_end - 1, ':'))
        return "bytes between key and value are not whitespace and one ':'";
    /* The value alone is one valid JSON value, and it ends where a value
     * must end: this pins val_len down exactly, numbers included. */
    const struct ref_json_rules value_rules = {.utf8 = true, .dup_keys = true};
    if (ref_json_check(text + m->val_off, m->val_len, &value_rules, NULL) != SZ_JSON_OK)
        return "value bytes are not exactly one valid JSON value";
    char after = text[m->val_off + m->val_len];
    if (!is_ws((unsigned char)after) && after != ',' && after != '}')
        return "value is followed by a byte that would continue it";
    if (m->key_escaped != has_byte(text + m->key_off, m->key_len, '\\'))
        return "key_escaped flag wrong";
    const char *why = check_unescape(text + m->key_off, m->key_len);
    if (why)
        return why;
    why = check_value(text, m);
    if (why)
        return why;

    size_t key_len;
    unsigned char *key = ref_json_unescape(text + m->key_off, m->key_len, &key_len);
    if (!key)
        return "reference rejects a key the scanner accepted";
    const struct sz_json_member *found = sz_json_doc_get(doc, (const char *)key, key_len);
    free(key);
    /* sz_json_doc_get's contract: an escaped key is matched only for names
     * of at most 256 bytes (pipeline field names are no longer). */
    bool reachable = !m->key_escaped || key_len <= 256;
    if (reachable && found != m)
        return "sz_json_doc_get does not find the member by its unescaped key";
    if (!reachable && found == m)
        return "sz_json_doc_get matched an escaped key longer than its 256-byte limit";
    return NULL;
}

const char *ref_json_scans_differ(int ra, const struct sz_json_doc *a,
                                  const struct sz_json_error *ea, int rb,
                                  const struct sz_json_doc *b, const struct sz_json_error *eb)
{
    if (ra != rb)
        return "the statuses differ";
    if (ra > 0 && (ea->offset != eb->offset || strcmp(ea->what, eb->what) != 0))
        return "the errors differ";
    if (ra != SZ_JSON_OK)
        return NULL;
    if (a->n_members != b->n_members || a->open_off != b->open_off ||
        a->close_off != b->close_off || a->keys_escaped != b->keys_escaped || a->len != b->len)
        return "the docs differ";
    if (a->n_members && memcmp(a->members, b->members, a->n_members * sizeof *a->members) != 0)
        return "the members differ";
    return NULL;
}

const char *ref_json_doc_violation(const struct sz_json_doc *doc, const char *text,
                                   size_t len, size_t n_members)
{
    if (doc->text != text || doc->len != len)
        return "doc->text or doc->len is not the scanned text";
    if (doc->open_off >= len || text[doc->open_off] != '{')
        return "open_off is not a '{'";
    if (doc->close_off >= len || doc->close_off <= doc->open_off || text[doc->close_off] != '}')
        return "close_off is not a '}' after open_off";
    if (!all_ws(text, doc->open_off) ||
        !all_ws(text + doc->close_off + 1, len - doc->close_off - 1))
        return "non-whitespace outside the top-level object";
    if (doc->n_members != n_members)
        return "n_members differs from the reference's count";
    if (n_members && !doc->members)
        return "members is NULL";
    size_t end = (size_t)doc->open_off + 1; /* first byte not yet accounted for */
    for (size_t i = 0; i < doc->n_members; i++) {
        const char *why = check_member(doc, text, i, end);
        if (why)
            return why;
        end = (size_t)doc->members[i].val_off + doc->members[i].val_len;
    }
    size_t tail = doc->close_off - end;
    if (!all_ws(text + end, tail))
        return "bytes between the last member and '}' are not whitespace";
    return NULL;
}

void ref_print_escaped(FILE *f, const void *p, size_t n)
{
    const unsigned char *s = p;
    bool after_hex = false; /* a hex digit here would extend a \xNN escape */
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (after_hex && isxdigit(c))
            fputs("\"\"", f);
        after_hex = false;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c >= 0x20 && c < 0x7F) {
            fputc(c, f);
        } else {
            fprintf(f, "\\x%02X", c);
            after_hex = true;
        }
    }
    fputs("\"\n", f);
}
