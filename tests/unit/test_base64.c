/* Tests of sz_base64: RFC 4648 base64, standard alphabet, padded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sz_base64.h"

/* Encode p[0..n) into a fresh buffer and compare with the expected text. */
static void expect_b64(const void *p, size_t n, const char *want)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_base64_append(&b, p, n), 0);
    if (b.len != strlen(want) || (b.len && memcmp(b.data, want, b.len) != 0))
        fail_msg("base64 of %zu bytes: expected \"%s\", got \"%.*s\"", n, want, (int)b.len,
                 b.data ? b.data : "");
    sz_buf_free(&b);
}

#define EXPECT_B64(lit, want) expect_b64((lit), sizeof(lit) - 1, (want))

static void empty_input_encodes_to_nothing(void **state)
{
    (void)state;
    EXPECT_B64("", "");
}

static void one_trailing_byte_gets_two_padding_characters(void **state)
{
    (void)state;
    EXPECT_B64("f", "Zg==");
    EXPECT_B64("foob", "Zm9vYg==");
}

static void two_trailing_bytes_get_one_padding_character(void **state)
{
    (void)state;
    EXPECT_B64("fo", "Zm8=");
    EXPECT_B64("fooba", "Zm9vYmE=");
}

static void whole_groups_of_three_bytes_need_no_padding(void **state)
{
    (void)state;
    EXPECT_B64("foo", "Zm9v");
    EXPECT_B64("foobar", "Zm9vYmFy");
}

static void every_alphabet_character_including_plus_and_slash_is_used(void **state)
{
    (void)state;
    /* Each 6-bit group of these bytes is 0, 1, 2, ... 63 in turn. */
    static const unsigned char seq[] = {
        0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
        0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
        0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf,
        0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf,
    };
    expect_b64(seq, sizeof seq,
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

static void binary_bytes_including_nul_and_high_bytes_are_encoded(void **state)
{
    (void)state;
    EXPECT_B64("\x00", "AA==");
    EXPECT_B64("\x00\x00\x00\x00", "AAAAAA==");
    EXPECT_B64("\xff", "/w==");
    EXPECT_B64("\xff\xfe", "//4=");
    EXPECT_B64("\xff\xff\xff", "////");
    EXPECT_B64("\xfb\xff", "+/8=");
    EXPECT_B64("a\xff" "b", "Yf9i");
}

static void output_is_appended_after_existing_bytes(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "raw="), 0);
    assert_int_equal(sz_base64_append(&b, "fo", 2), 0);
    assert_int_equal(sz_base64_append(&b, "", 0), 0);
    assert_int_equal(sz_base64_append(&b, "foobar", 6), 0);
    assert_int_equal(b.len, 16);
    assert_memory_equal(b.data, "raw=Zm8=Zm9vYmFy", 16);
    sz_buf_free(&b);
}

/* A strict decoder written for the test: -1 on any deviation from padded
 * RFC 4648 text. */
static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static long decode(const char *s, size_t n, unsigned char *out)
{
    if (n % 4)
        return -1;
    long o = 0;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        int pad = (s[i + 3] == '=') + (s[i + 2] == '=');
        if (pad && !last)
            return -1;
        if (s[i + 2] == '=' && s[i + 3] != '=')
            return -1;
        int v[4];
        for (int k = 0; k < 4 - pad; k++)
            if ((v[k] = sextet(s[i + k])) < 0)
                return -1;
        for (int k = 4 - pad; k < 4; k++)
            v[k] = 0;
        unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
                     (unsigned)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)w;
        /* Bits beyond the data must be zero (canonical encoding). */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
            return -1;
    }
    return o;
}

static void encoding_round_trips_for_every_length_and_byte(void **state)
{
    (void)state;
    unsigned char src[600], back[600];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof src; i++) {
        x = x * 1103515245u + 12345u;
        src[i] = i < 256 ? (unsigned char)i : (unsigned char)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof src; n++) {
        struct sz_buf b;
        sz_buf_init(&b);
        assert_int_equal(sz_base64_append(&b, src, n), 0);
        assert_int_equal(b.len, (n + 2) / 3 * 4);
        long m = decode(b.data, b.len, back);
        if (m != (long)n || (n && memcmp(back, src, n) != 0))
            fail_msg("round trip failed for length %zu", n);
        sz_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_input_encodes_to_nothing),
        cmocka_unit_test(one_trailing_byte_gets_two_padding_characters),
        cmocka_unit_test(two_trailing_bytes_get_one_padding_character),
        cmocka_unit_test(whole_groups_of_three_bytes_need_no_padding),
        cmocka_unit_test(every_alphabet_character_including_plus_and_slash_is_used),
        cmocka_unit_test(binary_bytes_including_nul_and_high_bytes_are_encoded),
        cmocka_unit_test(output_is_appended_after_existing_bytes),
        cmocka_unit_test(encoding_round_trips_for_every_length_and_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
