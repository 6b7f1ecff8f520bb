/* sz_clock: examples, and a property test against the plain reference
 * (tests/reference/ref_clock.c): on random arrival sequences of many
 * kinds, the engine's clock must equal the reference's after every
 * arrival.
 *
 * Sequences (gen): a time line in arrival order made of stretches, each
 * of a random kind: dense events with delivery jitter; sparse events
 * minutes apart (the lead rule); runs of one repeated time; outliers far
 * in the future or the past; late bursts from hours before; arbitrary
 * 64-bit times, the extremes included. Lengths run up to several windows,
 * so the window is full and wraps.
 *
 * Each iteration draws from its own generator seeded by (seed, iteration):
 *   SZ_PROPERTY_SEED=<seed> SZ_PROPERTY_ONLY=<iteration> ./test_clock
 * SZ_PROPERTY_ITERATIONS sets the count.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ref_clock.h"
#include "sz_clock.h"
#include "sz_testrng.h"

#define DEFAULT_SEED 0x5eed0c10c4ull
#define DEFAULT_ITERATIONS 400

/* Fill t[0..n) with one sequence; returns n. */
static size_t gen(uint64_t *r, int64_t *t, size_t cap)
{
    size_t n = 0, len = 1 + (size_t)sz_test_below(r, cap);
    int64_t base = 1767225600000 + (int64_t)sz_test_below(r, 1000000000);
    while (n < len) {
        size_t run = 1 + (size_t)sz_test_below(r, 600);
        unsigned kind = (unsigned)sz_test_below(r, 7);
        for (size_t k = 0; k < run && n < len; k++) {
            int64_t v;
            switch (kind) {
            case 0: /* dense, jittered */
                base += (int64_t)sz_test_below(r, 200);
                v = base - (int64_t)sz_test_below(r, 5000);
                break;
            case 1: /* sparse: minutes apart */
                base += 30000 + (int64_t)sz_test_below(r, 180000);
                v = base;
                break;
            case 2: /* one time, repeated */
                v = base;
                break;
            case 3: /* an outlier now and then */
                base += (int64_t)sz_test_below(r, 100);
                v = sz_test_below(r, 8) == 0 ? (sz_test_below(r, 2) ? base + 2000000000000 : base - 2000000000000)
                                     : base;
                break;
            case 4: /* a late burst from hours before */
                v = base - 6 * 3600000 + (int64_t)(k * 1000);
                break;
            case 5: /* arbitrary 64-bit times, the extremes included */
                v = sz_test_below(r, 4) == 0 ? (sz_test_below(r, 2) ? INT64_MAX : INT64_MIN) : (int64_t)sz_test_next(r);
                break;
            default: /* few distinct times: many equal values */
                v = base + (int64_t)sz_test_below(r, 3) * 1000;
                break;
            }
            t[n++] = v;
        }
    }
    return n;
}

static void the_clock_agrees_with_the_reference(void **state)
{
    (void)state;
    uint64_t seed = sz_test_env_u64("SZ_PROPERTY_SEED", DEFAULT_SEED);
    uint64_t iterations = sz_test_env_u64("SZ_PROPERTY_ITERATIONS", DEFAULT_ITERATIONS);
    uint64_t only = sz_test_env_u64("SZ_PROPERTY_ONLY", UINT64_MAX);
    enum { CAP = 6 * SZ_CLOCK_WINDOW };
    int64_t *t = malloc(CAP * sizeof *t);
    struct sz_clock *c = malloc(sizeof *c);
    struct ref_clock *ref = malloc(sizeof *ref);
    assert_non_null(t);
    assert_non_null(c);
    assert_non_null(ref);
    uint64_t moved = 0, sparse_moves = 0;
    for (uint64_t it = 0; it < iterations; it++) {
        if (only != UINT64_MAX && it != only)
            continue;
        uint64_t r = sz_test_mix(seed ^ sz_test_mix(it + 1));
        size_t n = gen(&r, t, CAP);
        sz_clock_init(c);
        ref_clock_init(ref);
        int64_t last = SZ_CLOCK_UNKNOWN;
        for (size_t i = 0; i < n; i++) {
            int64_t got = sz_clock_arrive(c, t[i]);
            int64_t want = ref_clock_arrive(ref, t[i]);
            if (got != want)
                fail_msg("MISMATCH seed 0x%" PRIx64 " iteration %" PRIu64 " arrival %zu "
                         "(time %" PRId64 "): clock %" PRId64 ", reference %" PRId64,
                         seed, it, i + 1, t[i], got, want);
            if (got != last) {
                moved++;
                if ((i + 1) % SZ_CLOCK_EVERY != 0 && i + 1 != SZ_CLOCK_MIN)
                    sparse_moves++;
            }
            last = got;
        }
    }
    /* The sequences exercise what they are for: the clock moves, and some
     * of those moves come from the lead rule. */
    if (only == UINT64_MAX && iterations >= 100) {
        assert_true(moved > iterations);
        assert_true(sparse_moves > 0);
    }
    free(t);
    free(c);
    free(ref);
}

/* The median of an odd and an even window, and the clock never going
 * back when the median does. */
static void the_clock_is_the_window_median_and_never_goes_back(void **state)
{
    (void)state;
    struct sz_clock *c = malloc(sizeof *c);
    assert_non_null(c);
    sz_clock_init(c);
    int64_t now = 0;
    /* 16 arrivals: 100, 99, ..., 85; sorted, index 8 is 93. */
    for (int i = 0; i < SZ_CLOCK_MIN; i++) {
        now = sz_clock_arrive(c, 100 - i);
        if (i + 1 < SZ_CLOCK_MIN)
            assert_int_equal(now, SZ_CLOCK_UNKNOWN);
    }
    assert_int_equal(now, 93);
    /* Up to arrival 256 with tiny times: the median falls, the clock stays. */
    for (int i = SZ_CLOCK_MIN; i < SZ_CLOCK_EVERY; i++)
        now = sz_clock_arrive(c, 1);
    assert_int_equal(now, 93);
    /* Three more windows of 5000: the window is all 5000 by then. */
    for (int i = 0; i < 3 * SZ_CLOCK_WINDOW; i++)
        now = sz_clock_arrive(c, 5000);
    assert_int_equal(now, 5000);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_clock_is_the_window_median_and_never_goes_back),
        cmocka_unit_test(the_clock_agrees_with_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
