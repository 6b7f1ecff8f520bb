/* sz_testrng: what the property tests draw their random cases with:
 * splitmix64 (small, and good enough for test cases) and numbers from the
 * environment (SZ_PROPERTY_SEED, SZ_PROPERTY_ITERATIONS, ...).
 *
 * Static inline, like sz_testfs.h, so that a test using some of it does
 * not trip -Wunused-function.
 */
#ifndef SZ_TESTRNG_H
#define SZ_TESTRNG_H

#include <stdint.h>
#include <stdlib.h>

/* splitmix64's output function: a seed or a counter in, 64 well-mixed
 * bits out. */
static inline uint64_t sz_test_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The next number of the splitmix64 stream whose state is *state. */
static inline uint64_t sz_test_next(uint64_t *state)
{
    *state += UINT64_C(0x9E3779B97F4A7C15);
    return sz_test_mix(*state);
}

/* A number below n from the stream *state (0 when n is 0). */
static inline uint64_t sz_test_below(uint64_t *state, uint64_t n)
{
    return n ? sz_test_next(state) % n : 0;
}

/* The environment variable `name` as a number (decimal, or 0x hex), or
 * fallback when it is unset or empty. */
static inline uint64_t sz_test_env_u64(const char *name, uint64_t fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : fallback;
}

#endif
