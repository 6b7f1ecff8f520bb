/* Tests of sz_buf: the growable byte buffer behind every output record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "sz_buf.h"

/* The buffer holds exactly the bytes of the string literal s. */
#define assert_buf_is(b, s)                                  \
    do {                                                     \
        assert_int_equal((b).len, sizeof(s) - 1);            \
        if (sizeof(s) > 1)                                   \
            assert_memory_equal((b).data, (s), sizeof(s) - 1); \
    } while (0)

static void an_initialised_buffer_is_empty_and_owns_nothing(void **state)
{
    (void)state;
    struct sz_buf b;
    memset(&b, 0xA5, sizeof b);
    sz_buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void freeing_a_zeroed_buffer_does_nothing(void **state)
{
    (void)state;
    struct sz_buf b = { 0 };
    sz_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void freeing_twice_is_safe_and_leaves_a_reusable_buffer(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "abc"), 0);
    sz_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    sz_buf_free(&b);
    assert_int_equal(sz_buf_puts(&b, "xy"), 0);
    assert_buf_is(b, "xy");
    sz_buf_free(&b);
}

static void append_copies_bytes_in_order(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_append(&b, "abc", 3), 0);
    assert_int_equal(sz_buf_append(&b, "", 0), 0);
    assert_int_equal(sz_buf_append(&b, "de\0f", 4), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abcde\0f", 7);
    assert_true(b.cap >= b.len);
    sz_buf_free(&b);
}

static void appending_nothing_to_an_empty_buffer_succeeds(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_append(&b, NULL, 0), 0);
    assert_int_equal(b.len, 0);
    sz_buf_free(&b);
}

static void growth_keeps_earlier_bytes_across_many_reallocations(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct sz_buf b;
    sz_buf_init(&b);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(sz_buf_putc(&b, (char)(i * 31 + 7)), 0);
    assert_int_equal(b.len, N);
    assert_true(b.cap >= N);
    for (size_t i = 0; i < N; i++)
        if (b.data[i] != (char)(i * 31 + 7))
            fail_msg("byte %zu changed during growth", i);
    sz_buf_free(&b);
}

static void one_large_append_grows_the_buffer_to_fit(void **state)
{
    (void)state;
    size_t n = 3u << 20;
    char *src = malloc(n);
    assert_non_null(src);
    for (size_t i = 0; i < n; i++)
        src[i] = (char)(i % 251);
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_putc(&b, '<'), 0);
    assert_int_equal(sz_buf_append(&b, src, n), 0);
    assert_int_equal(b.len, n + 1);
    assert_true(b.cap >= n + 1);
    assert_int_equal(b.data[0], '<');
    assert_memory_equal(b.data + 1, src, n);
    free(src);
    sz_buf_free(&b);
}

static void reserve_makes_room_without_changing_contents(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "head"), 0);
    assert_int_equal(sz_buf_reserve(&b, 10000), 0);
    assert_buf_is(b, "head");
    assert_true(b.cap - b.len >= 10000);
    /* Appends within the reserved room must not move the data. */
    char *before = b.data;
    char chunk[1000];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 10; i++)
        assert_int_equal(sz_buf_append(&b, chunk, sizeof chunk), 0);
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.len, 4 + 10000);
    sz_buf_free(&b);
}

static void an_impossible_growth_fails_and_leaves_the_buffer_unchanged(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "keep"), 0);
    char *data = b.data;
    size_t cap = b.cap;
    /* volatile: an optimising compiler would otherwise see the constant
     * reach the inlined memcpy and refuse to compile the call. */
    volatile size_t huge = SIZE_MAX;
    assert_int_equal(sz_buf_grow(&b, huge), SZ_ENOMEM);
    assert_int_equal(sz_buf_reserve(&b, huge - 2), SZ_ENOMEM);
    assert_int_equal(sz_buf_append(&b, "x", huge), SZ_ENOMEM);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_buf_is(b, "keep");
    sz_buf_free(&b);
}

static void putc_appends_any_byte_including_nul(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_putc(&b, 'a'), 0);
    assert_int_equal(sz_buf_putc(&b, '\0'), 0);
    assert_int_equal(sz_buf_putc(&b, (char)0xff), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0\xff", 3);
    sz_buf_free(&b);
}

static void puts_appends_the_string_without_its_terminator(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "hello"), 0);
    assert_int_equal(sz_buf_puts(&b, ""), 0);
    assert_int_equal(sz_buf_puts(&b, ", world"), 0);
    assert_buf_is(b, "hello, world");
    sz_buf_free(&b);
}

/* The decimal text sz_buf_put_i64 appends for v, as a fresh string. */
static void expect_i64(int64_t v, const char *want)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_put_i64(&b, v), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    sz_buf_free(&b);
}

static void expect_u64(uint64_t v, const char *want)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_put_u64(&b, v), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    sz_buf_free(&b);
}

static void put_i64_writes_zero_and_small_values(void **state)
{
    (void)state;
    expect_i64(0, "0");
    expect_i64(7, "7");
    expect_i64(-7, "-7");
    expect_i64(10, "10");
    expect_i64(-100, "-100");
    expect_i64(1767225600000, "1767225600000");
}

static void put_i64_writes_int64_max(void **state)
{
    (void)state;
    expect_i64(INT64_MAX, "9223372036854775807");
}

static void put_i64_writes_int64_min_without_overflow(void **state)
{
    (void)state;
    expect_i64(INT64_MIN, "-9223372036854775808");
    expect_i64(INT64_MIN + 1, "-9223372036854775807");
}

static void put_u64_writes_zero_and_uint64_max(void **state)
{
    (void)state;
    expect_u64(0, "0");
    expect_u64(1000000, "1000000");
    expect_u64(UINT64_MAX, "18446744073709551615");
    expect_u64((uint64_t)INT64_MAX + 1, "9223372036854775808");
}

/* Every power of ten and its neighbours, against snprintf: the digits are
 * written two at a time, so odd and even lengths both matter. */
static void put_u64_agrees_with_printf_at_every_digit_count(void **state)
{
    (void)state;
    char want[32];
    uint64_t p = 1;
    for (int d = 0; d < 20; d++, p *= 10) {
        const uint64_t vs[] = { p - 1, p, p + 1, p * 5 + 3 };
        for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
            snprintf(want, sizeof want, "%llu", (unsigned long long)vs[i]);
            expect_u64(vs[i], want);
        }
        if (p > UINT64_MAX / 10)
            break;
    }
}

/* Random values of every magnitude, against snprintf: the 8-digit halves
 * and their leading zeros. */
static void put_u64_agrees_with_printf_on_random_values(void **state)
{
    (void)state;
    char want[32];
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t v = x >> (i % 64); /* every bit length, so every digit count */
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        expect_u64(v, want);
    }
}

static void numbers_are_appended_after_existing_bytes(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "n="), 0);
    assert_int_equal(sz_buf_put_i64(&b, -42), 0);
    assert_int_equal(sz_buf_putc(&b, ','), 0);
    assert_int_equal(sz_buf_put_u64(&b, 42), 0);
    assert_buf_is(b, "n=-42,42");
    sz_buf_free(&b);
}

static void clear_empties_the_buffer_but_keeps_its_memory(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "something long enough to allocate"), 0);
    char *data = b.data;
    size_t cap = b.cap;
    sz_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_ptr_equal(b.data, data);
    assert_int_equal(sz_buf_puts(&b, "new"), 0);
    assert_ptr_equal(b.data, data);
    assert_buf_is(b, "new");
    sz_buf_free(&b);
}

static void array_grow_doubles_keeps_contents_and_updates_cap(void **state)
{
    (void)state;
    size_t cap = 0;
    int *a = sz_array_grow(NULL, &cap, 1, sizeof *a);
    assert_non_null(a);
    assert_int_equal(cap, 16);
    for (int i = 0; i < 16; i++)
        a[i] = i;
    int *b = sz_array_grow(a, &cap, 17, sizeof *b);
    assert_non_null(b);
    assert_int_equal(cap, 32);
    for (int i = 0; i < 16; i++)
        assert_int_equal(b[i], i);
    assert_ptr_equal(sz_array_grow(b, &cap, 20, sizeof *b), b); /* fits already */
    assert_int_equal(cap, 32);
    free(b);
}

static void array_grow_refuses_sizes_that_overflow_and_changes_nothing(void **state)
{
    (void)state;
    size_t cap = 0;
    int *a = sz_array_grow(NULL, &cap, 4, sizeof *a);
    assert_non_null(a);
    size_t before = cap;
    volatile size_t huge = SIZE_MAX / 2 + 2; /* volatile: keep the compiler out of it */
    assert_null(sz_array_grow(a, &cap, huge, sizeof *a));
    assert_int_equal(cap, before);
    a[0] = 7; /* still ours */
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(array_grow_doubles_keeps_contents_and_updates_cap),
        cmocka_unit_test(array_grow_refuses_sizes_that_overflow_and_changes_nothing),
        cmocka_unit_test(an_initialised_buffer_is_empty_and_owns_nothing),
        cmocka_unit_test(freeing_a_zeroed_buffer_does_nothing),
        cmocka_unit_test(freeing_twice_is_safe_and_leaves_a_reusable_buffer),
        cmocka_unit_test(append_copies_bytes_in_order),
        cmocka_unit_test(appending_nothing_to_an_empty_buffer_succeeds),
        cmocka_unit_test(growth_keeps_earlier_bytes_across_many_reallocations),
        cmocka_unit_test(one_large_append_grows_the_buffer_to_fit),
        cmocka_unit_test(reserve_makes_room_without_changing_contents),
        cmocka_unit_test(an_impossible_growth_fails_and_leaves_the_buffer_unchanged),
        cmocka_unit_test(putc_appends_any_byte_including_nul),
        cmocka_unit_test(puts_appends_the_string_without_its_terminator),
        cmocka_unit_test(put_i64_writes_zero_and_small_values),
        cmocka_unit_test(put_u64_agrees_with_printf_at_every_digit_count),
        cmocka_unit_test(put_u64_agrees_with_printf_on_random_values),
        cmocka_unit_test(put_i64_writes_int64_max),
        cmocka_unit_test(put_i64_writes_int64_min_without_overflow),
        cmocka_unit_test(put_u64_writes_zero_and_uint64_max),
        cmocka_unit_test(numbers_are_appended_after_existing_bytes),
        cmocka_unit_test(clear_empties_the_buffer_but_keeps_its_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
