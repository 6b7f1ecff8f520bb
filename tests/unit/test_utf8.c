/* Tests of sz_utf8: strict UTF-8 validation per RFC 3629.
 *
 * Inputs are copied into heap buffers of exactly their length before each
 * call, so that under ASan a read one byte past the end fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sz_utf8.h"

/* Bytes of a string literal, without its terminating NUL. */
#define LIT(s) (s), (sizeof(s) - 1)

static void *exact_copy(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    assert_non_null(q);
    if (n)
        memcpy(q, p, n);
    return q;
}

static bool valid(const void *p, size_t n)
{
    void *q = exact_copy(p, n);
    bool ok = sz_utf8_valid(q, n);
    free(q);
    return ok;
}

static size_t prefix(const void *p, size_t n)
{
    void *q = exact_copy(p, n);
    size_t len = sz_utf8_valid_prefix(q, n);
    free(q);
    return len;
}

static size_t seq(const void *p, size_t n)
{
    void *q = exact_copy(p, n);
    size_t len = sz_utf8_seq(q, n);
    free(q);
    return len;
}

/* Encode cp in the shortest form the UTF-8 bit patterns allow, whether or not
 * it is a valid scalar value (so surrogates and values above U+10FFFF can be
 * encoded too). Returns the length. */
static size_t encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* True if p[0..len) is the canonical encoding of a Unicode scalar value:
 * decode it by its bit pattern, and check that re-encoding gives the same
 * bytes (so not overlong) and that the value is neither a surrogate nor
 * above U+10FFFF. Independent of the code under test. */
static bool canonical(const uint8_t *p, size_t len)
{
    static const uint8_t lead_mask[5] = {0, 0, 0x1F, 0x0F, 0x07};
    static const uint8_t lead_bits[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    if (len < 2 || len > 4 || (p[0] & ~lead_mask[len] & 0xFF) != lead_bits[len])
        return false;
    uint32_t cp = p[0] & lead_mask[len];
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return false;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    uint8_t again[4];
    if (encode(cp, again) != len || memcmp(again, p, len) != 0)
        return false;
    return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

static void accepts_ascii_including_nul_and_del(void **state)
{
    static const char text[] = "hello, world \x00\x01\x1F\x7F {}";
    assert_true(valid(LIT(text)));
    assert_int_equal(prefix(LIT(text)), sizeof text - 1);
}

static void accepts_the_empty_text(void **state)
{
    assert_true(valid("", 0));
    assert_int_equal(prefix("", 0), 0);
}

static void accepts_two_three_and_four_byte_sequences(void **state)
{
    assert_int_equal(seq(LIT("\xC3\xA9")), 2);         /* U+00E9 e acute */
    assert_int_equal(seq(LIT("\xE2\x82\xAC")), 3);     /* U+20AC euro sign */
    assert_int_equal(seq(LIT("\xF0\x9F\x98\x80")), 4); /* U+1F600 */
    assert_true(valid(LIT("caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x80!")));
}

static void accepts_the_boundaries_of_each_sequence_length(void **state)
{
    assert_true(valid(LIT("\x7F")));                   /* U+007F, last 1-byte */
    assert_int_equal(seq(LIT("\xC2\x80")), 2);         /* U+0080, first 2-byte */
    assert_int_equal(seq(LIT("\xDF\xBF")), 2);         /* U+07FF, last 2-byte */
    assert_int_equal(seq(LIT("\xE0\xA0\x80")), 3);     /* U+0800, first 3-byte */
    assert_int_equal(seq(LIT("\xED\x9F\xBF")), 3);     /* U+D7FF, just below surrogates */
    assert_int_equal(seq(LIT("\xEE\x80\x80")), 3);     /* U+E000, just above surrogates */
    assert_int_equal(seq(LIT("\xEF\xBF\xBF")), 3);     /* U+FFFF, last 3-byte */
    assert_int_equal(seq(LIT("\xF0\x90\x80\x80")), 4); /* U+10000, first 4-byte */
    assert_int_equal(seq(LIT("\xF4\x8F\xBF\xBF")), 4); /* U+10FFFF, last code point */
    assert_true(valid(LIT("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF"
                          "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF")));
}

static void accepts_noncharacters_which_are_valid_scalar_values(void **state)
{
    assert_true(valid(LIT("\xEF\xBF\xBE")));     /* U+FFFE */
    assert_true(valid(LIT("\xEF\xB7\x90")));     /* U+FDD0 */
    assert_true(valid(LIT("\xF4\x8F\xBF\xBE"))); /* U+10FFFE */
    assert_true(valid(LIT("\xEF\xBB\xBF")));     /* U+FEFF, the BOM, is a character */
}

static void rejects_overlong_two_byte_nul(void **state)
{
    assert_int_equal(seq(LIT("\xC0\x80")), 0);
    assert_false(valid(LIT("a\xC0\x80")));
}

static void rejects_overlong_two_byte_forms(void **state)
{
    assert_int_equal(seq(LIT("\xC0\xAF")), 0); /* '/' */
    assert_int_equal(seq(LIT("\xC1\xBF")), 0); /* U+007F */
    assert_false(valid(LIT("\xC1\x81")));
}

static void rejects_overlong_three_byte_forms(void **state)
{
    assert_int_equal(seq(LIT("\xE0\x80\x80")), 0); /* U+0000 */
    assert_int_equal(seq(LIT("\xE0\x81\xBF")), 0); /* U+007F */
    assert_int_equal(seq(LIT("\xE0\x9F\xBF")), 0); /* U+07FF */
    assert_false(valid(LIT("\xE0\x80\xAF")));
}

static void rejects_overlong_four_byte_forms(void **state)
{
    assert_int_equal(seq(LIT("\xF0\x80\x80\x80")), 0); /* U+0000 */
    assert_int_equal(seq(LIT("\xF0\x80\x80\xAF")), 0); /* '/' */
    assert_int_equal(seq(LIT("\xF0\x8F\xBF\xBF")), 0); /* U+FFFF */
    assert_false(valid(LIT("\xF0\x8F\xBF\xBF")));
}

static void rejects_utf16_surrogates_encoded_in_utf8(void **state)
{
    assert_int_equal(seq(LIT("\xED\xA0\x80")), 0); /* U+D800, first high */
    assert_int_equal(seq(LIT("\xED\xAF\xBF")), 0); /* U+DBFF, last high */
    assert_int_equal(seq(LIT("\xED\xB0\x80")), 0); /* U+DC00, first low */
    assert_int_equal(seq(LIT("\xED\xBF\xBF")), 0); /* U+DFFF, last low */
    /* A pair encoded as two 3-byte sequences (CESU-8) is still invalid. */
    assert_false(valid(LIT("\xED\xA0\xBD\xED\xB8\x80")));
}

static void rejects_code_points_above_u10ffff(void **state)
{
    assert_int_equal(seq(LIT("\xF4\x90\x80\x80")), 0); /* U+110000 */
    assert_int_equal(seq(LIT("\xF4\xBF\xBF\xBF")), 0); /* U+13FFFF */
    assert_int_equal(seq(LIT("\xF7\xBF\xBF\xBF")), 0); /* U+1FFFFF */
    assert_false(valid(LIT("x\xF4\x90\x80\x80")));
}

static void rejects_lead_bytes_f5_to_ff(void **state)
{
    for (unsigned lead = 0xF5; lead <= 0xFF; lead++) {
        uint8_t b[4] = {(uint8_t)lead, 0x80, 0x80, 0x80};
        assert_int_equal(seq(b, sizeof b), 0);
        assert_false(valid(b, sizeof b));
        assert_false(valid(b, 1));
    }
}

static void rejects_stray_continuation_bytes(void **state)
{
    for (unsigned c = 0x80; c <= 0xBF; c++) {
        uint8_t b[1] = {(uint8_t)c};
        assert_int_equal(seq(b, 1), 0);
        assert_false(valid(b, 1));
    }
    assert_false(valid(LIT("a\x80z")));
    assert_false(valid(LIT("\xC3\xA9\xA9")));         /* one too many after a 2-byte */
    assert_false(valid(LIT("\xE2\x82\xAC\x80")));     /* one too many after a 3-byte */
    assert_false(valid(LIT("\xF0\x9F\x98\x80\x80"))); /* one too many after a 4-byte */
}

static void rejects_a_lead_byte_followed_by_a_non_continuation_byte(void **state)
{
    assert_int_equal(seq(LIT("\xC3\x41")), 0);
    assert_int_equal(seq(LIT("\xC3\xC3\xA9")), 0);
    assert_int_equal(seq(LIT("\xE2\x28\xA1")), 0);
    assert_int_equal(seq(LIT("\xE2\x82\x41")), 0);
    assert_int_equal(seq(LIT("\xF0\x9F\x98\x41")), 0);
    assert_int_equal(seq(LIT("\xF0\x9F\x41\x80")), 0);
    assert_false(valid(LIT("\xE2\x82 ok")));
}

static void rejects_sequences_truncated_at_the_end(void **state)
{
    assert_false(valid(LIT("\xC3")));
    assert_false(valid(LIT("ab\xE2")));
    assert_false(valid(LIT("ab\xE2\x82")));
    assert_false(valid(LIT("ab\xF0")));
    assert_false(valid(LIT("ab\xF0\x9F")));
    assert_false(valid(LIT("ab\xF0\x9F\x98")));
}

static void seq_reads_no_more_than_avail_bytes(void **state)
{
    static const uint8_t smile[4] = {0xF0, 0x9F, 0x98, 0x80};
    assert_int_equal(seq(smile, 1), 0);
    assert_int_equal(seq(smile, 2), 0);
    assert_int_equal(seq(smile, 3), 0);
    assert_int_equal(seq(smile, 4), 4);
    assert_int_equal(seq(LIT("\xE2\x82")), 0);
    assert_int_equal(seq(LIT("\xC3")), 0);
}

static void seq_measures_one_sequence_when_more_bytes_follow(void **state)
{
    assert_int_equal(seq(LIT("\xC3\xA9\xC3\xA9")), 2);
    assert_int_equal(seq(LIT("\xE2\x82\xAC" "abc")), 3);
    assert_int_equal(seq(LIT("\xF0\x9F\x98\x80\xF0\x9F\x98\x80")), 4);
}

static void valid_prefix_is_the_whole_text_when_it_is_valid(void **state)
{
    static const char text[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
    assert_int_equal(prefix(LIT(text)), sizeof text - 1);
}

static void valid_prefix_cuts_before_an_incomplete_sequence_at_the_end(void **state)
{
    assert_int_equal(prefix(LIT("ab\xC3")), 2);
    assert_int_equal(prefix(LIT("ab\xE2\x82")), 2);
    assert_int_equal(prefix(LIT("ab\xF0\x9F\x98")), 2);
    assert_int_equal(prefix(LIT("\xC3\xA9\xF0\x9F")), 2);
    assert_int_equal(prefix(LIT("\xF0\x9F\x98\x80\xF0\x9F\x98")), 4);
}

static void valid_prefix_cuts_before_an_invalid_sequence(void **state)
{
    assert_int_equal(prefix(LIT("abc\x80xyz")), 3);
    assert_int_equal(prefix(LIT("ab\xC0\x80")), 2);
    assert_int_equal(prefix(LIT("ab\xED\xA0\x80")), 2);
    assert_int_equal(prefix(LIT("\xC3\xA9\xF4\x90\x80\x80")), 2);
    assert_int_equal(prefix(LIT("\xE2\x82\xAC\xFF")), 3);
    assert_int_equal(prefix(LIT("ok\xE2\x82 later")), 2);
}

static void valid_prefix_is_empty_when_the_first_byte_is_invalid(void **state)
{
    assert_int_equal(prefix(LIT("\x80")), 0);
    assert_int_equal(prefix(LIT("\xFF" "abc")), 0);
    assert_int_equal(prefix(LIT("\xC0\x80" "abc")), 0);
}

static void accepts_every_scalar_value_and_no_surrogate(void **state)
{
    uint8_t b[4];
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t len = encode(cp, b);
        bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (sz_utf8_valid(b, len) == surrogate) {
            print_error("code point U+%04X: valid = %d\n", (unsigned)cp, !surrogate);
            fail();
        }
        if (len > 1 && sz_utf8_seq(b, len) != (surrogate ? 0 : len)) {
            print_error("sz_utf8_seq on U+%04X\n", (unsigned)cp);
            fail();
        }
    }
}

/* Every lead byte 0x80..0xFF with every two following bytes: sz_utf8_seq may
 * only accept canonical encodings of scalar values, and since it must accept
 * all of them (checked above), the counts pin the accepted set down exactly:
 * 1920 two-byte (U+0080..U+07FF) and 61440 three-byte (U+0800..U+FFFF less
 * 2048 surrogates) sequences. */
static void accepts_exactly_the_canonical_two_and_three_byte_sequences(void **state)
{
    size_t two = 0, three = 0;
    uint8_t b[3];
    for (unsigned b0 = 0x80; b0 <= 0xFF; b0++) {
        for (unsigned b1 = 0; b1 <= 0xFF; b1++) {
            for (unsigned b2 = 0; b2 <= 0xFF; b2++) {
                b[0] = (uint8_t)b0;
                b[1] = (uint8_t)b1;
                b[2] = (uint8_t)b2;
                size_t len = sz_utf8_seq(b, 3);
                if (len != 0 && (len > 3 || !canonical(b, len))) {
                    print_error("accepted %02X %02X %02X as length %zu\n", b0, b1, b2, len);
                    fail();
                }
                if (len == 2 && b2 == 0)
                    two++; /* count each two-byte prefix once */
                if (len == 3)
                    three++;
            }
        }
    }
    assert_int_equal(two, 1920);
    assert_int_equal(three, 61440);
}

/* Four-byte sequences: every lead and second byte, with the third and fourth
 * drawn from the edges of the continuation range and a few outsiders. */
static void accepts_four_byte_sequences_only_for_u10000_to_u10ffff(void **state)
{
    static const uint8_t tail[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
    size_t accepted = 0;
    uint8_t b[4];
    for (unsigned b0 = 0x80; b0 <= 0xFF; b0++) {
        for (unsigned b1 = 0; b1 <= 0xFF; b1++) {
            for (size_t i = 0; i < sizeof tail; i++) {
                for (size_t j = 0; j < sizeof tail; j++) {
                    b[0] = (uint8_t)b0;
                    b[1] = (uint8_t)b1;
                    b[2] = tail[i];
                    b[3] = tail[j];
                    size_t len = sz_utf8_seq(b, 4);
                    if (len != 0 && !canonical(b, len)) {
                        print_error("accepted %02X %02X %02X %02X as length %zu\n", b[0], b[1],
                                    b[2], b[3], len);
                        fail();
                    }
                    if (len == 4)
                        accepted++;
                }
            }
        }
    }
    /* Valid lead and second bytes: F0 90..BF (48), F1..F3 80..BF (3 * 64),
     * F4 80..8F (16). Each then takes any continuation byte twice, and the
     * tail set holds 5 of them (80 81 9F A0 BF). */
    assert_int_equal(accepted, (48 + 3 * 64 + 16) * 5 * 5);
}

/* An invalid byte at each position of a long ASCII text, so that any
 * word-at-a-time fast path is exercised at every alignment. */
static void finds_an_invalid_byte_at_every_position_of_a_long_text(void **state)
{
    enum { N = 131 };
    char text[N];
    for (size_t bad = 0; bad < N; bad++) {
        memset(text, 'a', sizeof text);
        text[bad] = (char)0xFF;
        assert_false(valid(text, N));
        assert_int_equal(prefix(text, N), bad);
        text[bad] = (char)0x80;
        assert_false(valid(text, N));
        assert_int_equal(prefix(text, N), bad);
    }
}

static void accepts_multibyte_characters_at_every_alignment(void **state)
{
    static const char *const chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    enum { N = 80 };
    char text[N];
    for (size_t c = 0; c < 3; c++) {
        size_t clen = strlen(chars[c]);
        for (size_t at = 0; at + clen <= N; at++) {
            memset(text, 'x', sizeof text);
            memcpy(text + at, chars[c], clen);
            assert_true(valid(text, N));
            assert_int_equal(prefix(text, N), N);
            /* End the text inside the character (clen >= 2). */
            assert_false(valid(text, at + clen - 1));
            assert_int_equal(prefix(text, at + clen - 1), at);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_ascii_including_nul_and_del),
        cmocka_unit_test(accepts_the_empty_text),
        cmocka_unit_test(accepts_two_three_and_four_byte_sequences),
        cmocka_unit_test(accepts_the_boundaries_of_each_sequence_length),
        cmocka_unit_test(accepts_noncharacters_which_are_valid_scalar_values),
        cmocka_unit_test(rejects_overlong_two_byte_nul),
        cmocka_unit_test(rejects_overlong_two_byte_forms),
        cmocka_unit_test(rejects_overlong_three_byte_forms),
        cmocka_unit_test(rejects_overlong_four_byte_forms),
        cmocka_unit_test(rejects_utf16_surrogates_encoded_in_utf8),
        cmocka_unit_test(rejects_code_points_above_u10ffff),
        cmocka_unit_test(rejects_lead_bytes_f5_to_ff),
        cmocka_unit_test(rejects_stray_continuation_bytes),
        cmocka_unit_test(rejects_a_lead_byte_followed_by_a_non_continuation_byte),
        cmocka_unit_test(rejects_sequences_truncated_at_the_end),
        cmocka_unit_test(seq_reads_no_more_than_avail_bytes),
        cmocka_unit_test(seq_measures_one_sequence_when_more_bytes_follow),
        cmocka_unit_test(valid_prefix_is_the_whole_text_when_it_is_valid),
        cmocka_unit_test(valid_prefix_cuts_before_an_incomplete_sequence_at_the_end),
        cmocka_unit_test(valid_prefix_cuts_before_an_invalid_sequence),
        cmocka_unit_test(valid_prefix_is_empty_when_the_first_byte_is_invalid),
        cmocka_unit_test(accepts_every_scalar_value_and_no_surrogate),
        cmocka_unit_test(accepts_exactly_the_canonical_two_and_three_byte_sequences),
        cmocka_unit_test(accepts_four_byte_sequences_only_for_u10000_to_u10ffff),
        cmocka_unit_test(finds_an_invalid_byte_at_every_position_of_a_long_text),
        cmocka_unit_test(accepts_multibyte_characters_at_every_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
