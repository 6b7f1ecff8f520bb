#include "sz_path.h"

#include <string.h>

int sz_path_compile(const char *text, struct sz_path *out)
{
    size_t n = strlen(text);
    if (n == 0 || n > 1024)
        return SZ_EINVAL;
    out->text = text;
    out->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && text[i] != '.')
            continue;
        if (i == start || out->n == SZ_PATH_MAX_PARTS)
            return SZ_EINVAL;
        out->off[out->n] = (uint16_t)start;
        out->len[out->n] = (uint16_t)(i - start);
        out->n++;
        start = i + 1;
    }
    return 0;
}

bool sz_path_get(const struct sz_json_doc *doc, const struct sz_path *p, long top,
                 struct sz_json_member *out)
{
    const struct sz_json_member *m =
        top >= 0 ? &doc->members[top] : sz_json_doc_get(doc, p->text + p->off[0], p->len[0]);
    if (!m)
        return false;
    struct sz_json_member cur = *m;
    for (unsigned i = 1; i < p->n; i++) {
        if (cur.type != SZ_JSON_OBJECT)
            return false;
        struct sz_json_member next;
        if (!sz_json_object_find(doc->text, cur.val_off, cur.val_len, p->text + p->off[i],
                                 p->len[i], &next))
            return false;
        cur = next;
    }
    *out = cur;
    return true;
}
