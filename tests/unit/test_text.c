/* Tests of sz_text: '*' globs, edit distance and "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sz_text.h"

/* Match against an exact-size heap copy of s (no NUL after it), so that
 * under ASan a read past n fails the test. */
static bool glob(const char *pat, const char *s, size_t n)
{
    char *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, s, n);
    bool r = sz_glob_match(pat, q, n);
    free(q);
    return r;
}

static void expect_glob_at(int line, const char *pat, const char *s, bool want)
{
    if (glob(pat, s, strlen(s)) != want)
        fail_msg("line %d: \"%s\" %s match \"%s\"", line, pat, want ? "should" : "should not", s);
}

#define expect_match(pat, s) expect_glob_at(__LINE__, (pat), (s), true)
#define expect_no_match(pat, s) expect_glob_at(__LINE__, (pat), (s), false)

/* ---- sz_glob_match ---- */

static void a_pattern_without_stars_matches_only_itself(void **state)
{
    expect_match("page_view", "page_view");
    expect_no_match("page_view", "page_vie");
    expect_no_match("page_view", "page_views");
    expect_no_match("page_view", "Page_view");
    expect_match("", "");
    expect_no_match("", "a");
    expect_no_match("a", "");
}

static void a_star_matches_any_run_including_none(void **state)
{
    expect_match("*", "");
    expect_match("*", "anything at all");
    expect_match("page_*", "page_");
    expect_match("page_*", "page_view");
    expect_match("*_view", "page_view");
    expect_match("*_view", "_view");
    expect_match("a*b", "ab");
    expect_match("a*b", "axxxb");
    expect_no_match("a*b", "axxxbx");
    expect_no_match("a*b", "xab");
}

static void several_stars_match_in_order(void **state)
{
    expect_match("*a*b*", "xaybz");
    expect_match("*a*b*", "ab");
    expect_no_match("*a*b*", "ba");
    expect_match("a**b", "ab");
    expect_match("***", "");
    expect_match("*.*.*", "a.b.c.d");
    expect_no_match("*.*.*", "a.b");
}

static void a_star_retries_after_a_false_start(void **state)
{
    /* The first 'a' after the star begins a match that fails later on:
     * the star must take more and try again. */
    expect_match("*aab", "aaab");
    expect_match("*abc", "ababc");
    expect_match("x*abab", "xabababab");
    expect_no_match("*aab", "aaaba");
    expect_match("*a*aab", "xaxaaab");
}

static void a_star_cannot_stand_for_a_literal_byte_elsewhere(void **state)
{
    expect_no_match("a*", "b");
    expect_no_match("ab*cd", "abc");
    expect_match("ab*cd", "abcd");
    expect_match("a*", "a*");
    expect_no_match("a\\*", "a*"); /* no escapes: the backslash is a literal byte */
}

static void only_n_bytes_of_the_text_are_matched(void **state)
{
    assert_true(glob("ab*", "abcdef", 2));
    assert_false(glob("abc", "abcdef", 2));
    assert_true(glob("*", "xyz", 0));
    /* The text may hold NUL bytes; the pattern ends at its NUL. */
    assert_true(glob("a*c", "a\0c", 3));
    assert_false(glob("a", "a\0", 2));
}

static void bytes_of_utf8_text_match_themselves(void **state)
{
    expect_match("caf\xC3\xA9*", "caf\xC3\xA9 cr\xC3\xA8me");
    expect_no_match("cafe*", "caf\xC3\xA9");
}

static void a_hostile_pattern_takes_polynomial_time(void **state)
{
    /* A backtracking matcher that retries every star takes exponential time
     * on this; the greedy one takes n * |pattern| steps at most. */
    enum { N = 20000 };
    char *s = malloc(N);
    assert_non_null(s);
    memset(s, 'a', N);
    assert_false(sz_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s, N));
    assert_true(sz_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", s, N));
    assert_false(sz_glob_match("*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", s, N));
    free(s);
}

/* ---- sz_edit_distance ---- */

static void equal_strings_are_at_distance_zero(void **state)
{
    assert_int_equal(sz_edit_distance("", "", 3), 0);
    assert_int_equal(sz_edit_distance("user_id", "user_id", 3), 0);
    assert_int_equal(sz_edit_distance("x", "x", 0), 0);
}

static void each_insertion_deletion_or_substitution_costs_one(void **state)
{
    assert_int_equal(sz_edit_distance("user", "users", 5), 1);
    assert_int_equal(sz_edit_distance("users", "user", 5), 1);
    assert_int_equal(sz_edit_distance("user", "usar", 5), 1);
    assert_int_equal(sz_edit_distance("", "abc", 5), 3);
    assert_int_equal(sz_edit_distance("kitten", "sitting", 5), 3);
    assert_int_equal(sz_edit_distance("flaw", "lawn", 5), 2);
}

static void swapping_neighbours_costs_one(void **state)
{
    assert_int_equal(sz_edit_distance("timestmap", "timestamp", 5), 1);
    assert_int_equal(sz_edit_distance("ab", "ba", 5), 1);
    assert_int_equal(sz_edit_distance("abcd", "badc", 5), 2);
}

static void a_substring_is_not_edited_twice(void **state)
{
    /* What makes it optimal string alignment, not full Damerau: "ca" to
     * "abc" would be 2 by transposing and then inserting between the
     * swapped pair, which OSA does not allow. */
    assert_int_equal(sz_edit_distance("ca", "abc", 5), 3);
}

static void distances_above_the_cap_are_reported_as_cap_plus_one(void **state)
{
    assert_int_equal(sz_edit_distance("kitten", "sitting", 2), 3);
    assert_int_equal(sz_edit_distance("kitten", "sitting", 1), 2);
    assert_int_equal(sz_edit_distance("kitten", "sitting", 0), 1);
    assert_int_equal(sz_edit_distance("a", "abcdefgh", 3), 4);
    assert_int_equal(sz_edit_distance("abcdefgh", "hgfedcba", 2), 3);
    assert_int_equal(sz_edit_distance("kitten", "sitting", 3), 3);
}

static void strings_longer_than_64_bytes_are_never_near(void **state)
{
    char a[66], b[66];
    memset(a, 'x', 65);
    a[65] = '\0';
    memcpy(b, a, sizeof b);
    assert_int_equal(sz_edit_distance(a, b, 3), 4);
    a[64] = '\0';
    b[64] = '\0';
    assert_int_equal(sz_edit_distance(a, b, 3), 0); /* 64 bytes still count */
    b[63] = 'y';
    assert_int_equal(sz_edit_distance(a, b, 3), 1);
}

static void the_largest_cap_does_not_wrap_to_zero(void **state)
{
    char a[70];
    memset(a, 'x', 69);
    a[69] = '\0';
    assert_true(sz_edit_distance(a, a, UINT_MAX) > 0);
    assert_int_equal(sz_edit_distance("ab", "ba", UINT_MAX), 1);
}

/* ---- sz_suggest ---- */

static const char *const fields[] = { "user_id", "timestamp", "event", "session_id", "type" };
#define N_FIELDS (sizeof fields / sizeof fields[0])

static void suggest_finds_a_likely_typo(void **state)
{
    assert_string_equal(sz_suggest("timestmap", fields, N_FIELDS), "timestamp");
    assert_string_equal(sz_suggest("userid", fields, N_FIELDS), "user_id");
    assert_string_equal(sz_suggest("evnt", fields, N_FIELDS), "event");
    assert_string_equal(sz_suggest("tpye", fields, N_FIELDS), "type");
}

static void suggest_returns_null_when_nothing_is_close(void **state)
{
    assert_null(sz_suggest("country", fields, N_FIELDS));
    assert_null(sz_suggest("x", fields, N_FIELDS));
    assert_null(sz_suggest("", fields, N_FIELDS));
    assert_null(sz_suggest("type", fields, 0));
}

static void suggest_allows_more_edits_for_longer_words(void **state)
{
    static const char *const names[] = { "abcd", "abcdefgh", "abcdefghijkl" };
    /* Up to 4 bytes: one edit. */
    assert_string_equal(sz_suggest("abxd", names, 3), "abcd");
    assert_null(sz_suggest("axyd", names, 3));
    /* Up to 8 bytes: two. */
    assert_string_equal(sz_suggest("abxyefgh", names, 3), "abcdefgh");
    assert_null(sz_suggest("axyzefgh", names, 3));
    /* Longer: three. */
    assert_string_equal(sz_suggest("abxyzfghijkl", names, 3), "abcdefghijkl");
    assert_null(sz_suggest("awxyzfghijkl", names, 3));
}

static void suggest_needs_the_distance_below_the_word_length(void **state)
{
    /* "ab" -> "xy" is two edits away from a 2-byte word: nothing in
     * common, not a typo. One byte words suggest only themselves. */
    static const char *const names[] = { "xy", "q" };
    assert_null(sz_suggest("ab", names, 2));
    assert_string_equal(sz_suggest("xa", names, 2), "xy");
    assert_null(sz_suggest("z", names, 2));
}

static void suggest_prefers_the_nearest_name(void **state)
{
    static const char *const names[] = { "sessions", "session" };
    assert_string_equal(sz_suggest("sesion", names, 2), "session");
}

static void suggest_breaks_ties_by_order(void **state)
{
    static const char *const names[] = { "cat", "bat", "hat" };
    assert_string_equal(sz_suggest("fat", names, 3), "cat");
    static const char *const reversed[] = { "hat", "bat", "cat" };
    assert_string_equal(sz_suggest("fat", reversed, 3), "hat");
}

static void the_nocase_distance_ignores_only_ascii_case(void **state)
{
    (void)state;
    assert_int_equal(sz_edit_distance_nocase("Europe/Berlin", "europe/berlin", 3), 0);
    assert_int_equal(sz_edit_distance_nocase("Europe/Berln", "europe/berlin", 3), 1);
    assert_int_equal(sz_edit_distance("Europe/Berlin", "europe/berlin", 3), 2);
    assert_int_equal(sz_edit_distance_nocase("\xc3\x89", "\xc3\xa9", 3), 1); /* É vs é */
}

static void the_suggestion_limit_grows_with_the_word_and_stays_below_it(void **state)
{
    (void)state;
    assert_int_equal(sz_suggest_limit(1), 0);
    assert_int_equal(sz_suggest_limit(2), 1);
    assert_int_equal(sz_suggest_limit(4), 1);
    assert_int_equal(sz_suggest_limit(5), 2);
    assert_int_equal(sz_suggest_limit(8), 2);
    assert_int_equal(sz_suggest_limit(9), 3);
    assert_int_equal(sz_suggest_limit(64), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_nocase_distance_ignores_only_ascii_case),
        cmocka_unit_test(the_suggestion_limit_grows_with_the_word_and_stays_below_it),
        cmocka_unit_test(a_pattern_without_stars_matches_only_itself),
        cmocka_unit_test(a_star_matches_any_run_including_none),
        cmocka_unit_test(several_stars_match_in_order),
        cmocka_unit_test(a_star_retries_after_a_false_start),
        cmocka_unit_test(a_star_cannot_stand_for_a_literal_byte_elsewhere),
        cmocka_unit_test(only_n_bytes_of_the_text_are_matched),
        cmocka_unit_test(bytes_of_utf8_text_match_themselves),
        cmocka_unit_test(a_hostile_pattern_takes_polynomial_time),

        cmocka_unit_test(equal_strings_are_at_distance_zero),
        cmocka_unit_test(each_insertion_deletion_or_substitution_costs_one),
        cmocka_unit_test(swapping_neighbours_costs_one),
        cmocka_unit_test(a_substring_is_not_edited_twice),
        cmocka_unit_test(distances_above_the_cap_are_reported_as_cap_plus_one),
        cmocka_unit_test(strings_longer_than_64_bytes_are_never_near),
        cmocka_unit_test(the_largest_cap_does_not_wrap_to_zero),

        cmocka_unit_test(suggest_finds_a_likely_typo),
        cmocka_unit_test(suggest_returns_null_when_nothing_is_close),
        cmocka_unit_test(suggest_allows_more_edits_for_longer_words),
        cmocka_unit_test(suggest_needs_the_distance_below_the_word_length),
        cmocka_unit_test(suggest_prefers_the_nearest_name),
        cmocka_unit_test(suggest_breaks_ties_by_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
