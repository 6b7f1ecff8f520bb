/* sz_clean: the stage that applies declarative cleaning rules, in order,
 * before validation (so that a rule can repair an event that would
 * otherwise be invalid).
 *
 * A rule is an optional `when` (conditions that must all hold) and one or
 * more actions, applied in the order written. Conditions read fields by
 * dotted path; actions change top-level fields only, and only the fields
 * they name: every other member of the event is passed through byte for
 * byte (see "Editing" in sz_event.h). A value that a rule would leave as
 * it is, is not rewritten.
 *
 * Matching a value against a pattern (conditions, `map`): a string matches
 * by its decoded text; a number, true, false or null by its JSON text as
 * written; objects and arrays never match. '*' in a pattern matches any
 * run of bytes. Semantics of each action: docs/config.md.
 *
 * Ownership: the stage borrows the rules (they belong to the loaded
 * config, which must outlive the stage) and owns a small context freed by
 * destroy.
 */
#ifndef SZ_CLEAN_H
#define SZ_CLEAN_H

#include "sz_decimal.h"
#include "sz_path.h"
#include "sz_stage.h"

/* A pattern or a value from the config. */
struct sz_clean_text {
    const char *text; /* NUL-terminated */
    size_t len;
    bool glob;        /* contains '*' */
};

enum sz_clean_cond_kind {
    SZ_COND_EQUALS,  /* the field matches any of `values` */
    SZ_COND_EXISTS,  /* present and not null */
    SZ_COND_MISSING  /* absent or null */
};

struct sz_clean_cond {
    enum sz_clean_cond_kind kind;
    struct sz_path path;
    const struct sz_clean_text *values; /* SZ_COND_EQUALS */
    size_t n_values;
};

enum sz_clean_op {
    SZ_OP_SCALE,     /* multiply a number by `factor`, exactly */
    SZ_OP_SET,       /* set the field to `value` (added at the end if absent) */
    SZ_OP_RENAME,    /* rename the field to `value.text`, replacing any field so named */
    SZ_OP_DELETE,    /* remove the field */
    SZ_OP_MAP,       /* replace a value matching map[i].from by map[i].to (first match) */
    SZ_OP_LOWERCASE, /* ASCII letters of a string */
    SZ_OP_UPPERCASE,
    SZ_OP_TRIM,      /* leading and trailing space, tab, CR and LF of a string */
    SZ_OP_REJECT     /* dead letter "filtered:<value.text>" */
};

struct sz_clean_map_entry {
    struct sz_clean_text from; /* pattern */
    struct sz_clean_text to;   /* JSON value text */
};

struct sz_clean_action {
    enum sz_clean_op op;
    const char *field;          /* top-level name; NULL for SZ_OP_REJECT */
    struct sz_clean_text value; /* SET: JSON value text; RENAME: new name; REJECT: name */
    struct sz_decimal factor;   /* SCALE */
    const struct sz_clean_map_entry *map; /* MAP */
    size_t n_map;
};

struct sz_clean_rule {
    unsigned line;                      /* where the rule starts in the config */
    const struct sz_clean_cond *when;   /* all must hold; none: always */
    size_t n_when;
    const struct sz_clean_action *actions;
    size_t n_actions;
};

struct sz_clean_config {
    const struct sz_clean_rule *rules;
    size_t n_rules;
    const char *file; /* the config file's name, for clean_failed details */
};

const char *sz_clean_op_name(enum sz_clean_op op);

/* The name of the rule's `reject` (a rule has at most one), or NULL. */
const char *sz_clean_rule_filter(const struct sz_clean_rule *rule);

/* 0, SZ_ENOMEM, or SZ_EINVAL (rules name over 64 distinct top-level fields). */
int sz_clean_stage_create(const struct sz_clean_config *cfg, struct sz_stage *out) SZ_WUR;

#endif
