/* sz_decimal: exact decimal numbers. See sz_decimal.h for the contract.
 *
 * Normal form. Parse and mul return decimals whose mantissa has no trailing
 * zero digit (all such zeros live in the exponent) and whose zero is {0, 0}.
 * A value therefore has exactly one normal form, and the mantissa holds only
 * the significant digits: "1500" is {15, 2}, "1767225612000" is
 * {1767225612, 3}. Every function also accepts decimals not in normal form
 * (a caller may build {1500, 0} by hand).
 *
 * Bounds. Normal-form exponents stay within +/-EXP_LIMIT, so adding two of
 * them, or one and an int shift, can never overflow the int64_t arithmetic
 * used here. Mantissas use the whole int64_t range, INT64_MIN included,
 * which is why magnitudes are handled as uint64_t.
 *
 * No floating point anywhere: every step is integer arithmetic whose
 * overflow is checked.
 */
#include "sz_decimal.h"

#include <string.h>

#define EXP_LIMIT 100000

/* Literal exponents saturate here while being read, far beyond EXP_LIMIT
 * but far from overflowing int64_t once the digit counts are added. */
#define EXP_SATURATE INT64_C(1000000000000)

/* 10^0 .. 10^18: every power of ten that fits in int64_t. */
static const int64_t pow10_i64[19] = {
    INT64_C(1),
    INT64_C(10),
    INT64_C(100),
    INT64_C(1000),
    INT64_C(10000),
    INT64_C(100000),
    INT64_C(1000000),
    INT64_C(10000000),
    INT64_C(100000000),
    INT64_C(1000000000),
    INT64_C(10000000000),
    INT64_C(100000000000),
    INT64_C(1000000000000),
    INT64_C(10000000000000),
    INT64_C(100000000000000),
    INT64_C(1000000000000000),
    INT64_C(10000000000000000),
    INT64_C(100000000000000000),
    INT64_C(1000000000000000000),
};

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* The int64_t with magnitude m and the given sign, or false if it does not
 * fit (the negative side reaches one further: 2^63). */
static bool signed_from(uint64_t m, bool neg, int64_t *out)
{
    if (m > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return false;
    /* -(m - 1) - 1 rather than -m: 2^63 has no positive int64_t. */
    *out = neg && m ? -(int64_t)(m - 1) - 1 : (int64_t)m;
    return true;
}

/* Magnitude and exponent of d with trailing zeros moved to the exponent. */
static uint64_t strip_zeros(struct sz_decimal d, int64_t *exp)
{
    uint64_t m = magnitude(d.mant);
    *exp = d.exp;
    if (m == 0) {
        *exp = 0;
        return 0;
    }
    while (m % 10 == 0) {
        m /= 10;
        (*exp)++;
    }
    return m;
}

/* The i-th digit (0-based) of the digit sequence formed by the integer part
 * p[int_at..int_at+n_int) followed by the fraction starting at frac_at. */
static inline unsigned digit_at(const char *p, size_t int_at, size_t n_int, size_t frac_at,
                                size_t i)
{
    return (unsigned)(p[i < n_int ? int_at + i : frac_at + (i - n_int)] - '0');
}

int sz_decimal_parse(const char *p, size_t n, struct sz_decimal *out)
{
    /* First the grammar, recording where the digits are; nothing is
     * computed until the whole text is known to be a JSON number. */
    size_t i = 0;
    bool neg = false;
    if (i < n && p[i] == '-') {
        neg = true;
        i++;
    }
    size_t int_at = i;
    if (i < n && p[i] == '0') {
        i++; /* a leading zero stands alone: "01" fails at the end check */
    } else {
        while (i < n && is_digit(p[i]))
            i++;
    }
    size_t n_int = i - int_at;
    if (n_int == 0)
        return SZ_EINVAL;
    size_t frac_at = i, n_frac = 0;
    if (i < n && p[i] == '.') {
        frac_at = ++i;
        while (i < n && is_digit(p[i]))
            i++;
        n_frac = i - frac_at;
        if (n_frac == 0)
            return SZ_EINVAL;
    }
    int64_t lit_exp = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool exp_neg = false;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            exp_neg = p[i++] == '-';
        size_t exp_at = i;
        for (; i < n && is_digit(p[i]); i++)
            if (lit_exp < EXP_SATURATE)
                lit_exp = lit_exp * 10 + (p[i] - '0');
        if (i == exp_at)
            return SZ_EINVAL;
        if (exp_neg)
            lit_exp = -lit_exp;
    }
    if (i != n)
        return SZ_EINVAL;

    /* The significant digits: from the first nonzero digit to the last. */
    size_t nd = n_int + n_frac;
    size_t first = 0;
    while (first < nd && digit_at(p, int_at, n_int, frac_at, first) == 0)
        first++;
    if (first == nd) {
        /* Zero, whatever its sign or exponent. */
        out->mant = 0;
        out->exp = 0;
        return 0;
    }
    size_t last = nd - 1;
    while (digit_at(p, int_at, n_int, frac_at, last) == 0)
        last--;
    if (last - first + 1 > 19)
        return SZ_ELIMIT;
    uint64_t m = 0;
    for (size_t k = first; k <= last; k++)
        m = m * 10 + digit_at(p, int_at, n_int, frac_at, k); /* < 10^19 < 2^64 */
    /* value = digits * 10^(lit_exp - n_frac); dropping the nd - 1 - last
     * trailing zeros of the digits raises the exponent by as many. Digit
     * counts are sizes of an object in memory, so they fit in int64_t. */
    int64_t exp = lit_exp - (int64_t)n_frac + (int64_t)(nd - 1 - last);
    int64_t mant;
    if (exp < -EXP_LIMIT || exp > EXP_LIMIT || !signed_from(m, neg, &mant))
        return SZ_ELIMIT;
    out->mant = mant;
    out->exp = (int32_t)exp;
    return 0;
}

int sz_decimal_mul(struct sz_decimal a, struct sz_decimal b, struct sz_decimal *out)
{
    int64_t ea, eb;
    uint64_t ma = strip_zeros(a, &ea), mb = strip_zeros(b, &eb);
    if (ma == 0 || mb == 0) {
        out->mant = 0;
        out->exp = 0;
        return 0;
    }
    bool neg = (a.mant < 0) != (b.mant < 0);
    int64_t exp = ea + eb;
    /* A factor 2 of one mantissa and a factor 5 of the other make a factor
     * 10 of the product: move it to the exponent before multiplying. The
     * product then has no trailing zero (neither stripped mantissa has both
     * factors), so it is the normal form's mantissa, and overflow below
     * means the exact result truly does not fit: 5^27 * 2^27 is {1, 27},
     * not a refusal. Each round divides, so at most 64 rounds in all. */
    while (ma % 2 == 0 && mb % 5 == 0) {
        ma /= 2;
        mb /= 5;
        exp++;
    }
    while (ma % 5 == 0 && mb % 2 == 0) {
        ma /= 5;
        mb /= 2;
        exp++;
    }
    uint64_t m;
    int64_t mant;
    if (__builtin_mul_overflow(ma, mb, &m) || !signed_from(m, neg, &mant))
        return SZ_ELIMIT;
    if (exp < -EXP_LIMIT || exp > EXP_LIMIT)
        return SZ_ELIMIT;
    out->mant = mant;
    out->exp = (int32_t)exp;
    return 0;
}

#define FORMAT_MAX 64

int sz_decimal_format(struct sz_decimal d, struct sz_buf *out)
{
    int64_t exp;
    uint64_t m = strip_zeros(d, &exp);
    char digits[20]; /* UINT64_MAX has 20 digits */
    size_t nd = 0;
    do {
        digits[sizeof digits - 1 - nd++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    const char *dg = digits + sizeof digits - nd;

    /* Build the whole text first, so that a refusal appends nothing. The
     * exponent is bounded (within int32_t) but may be huge, so the length
     * is checked before any zero is written. */
    char text[FORMAT_MAX];
    size_t len = 0;
    size_t sign = d.mant < 0 ? 1 : 0;
    if (exp >= 0) {
        /* digits, then exp zeros */
        if ((int64_t)(sign + nd) + exp > FORMAT_MAX)
            return SZ_ELIMIT;
        if (sign)
            text[len++] = '-';
        memcpy(text + len, dg, nd);
        len += nd;
        memset(text + len, '0', (size_t)exp);
        len += (size_t)exp;
    } else if ((uint64_t)-exp < nd) {
        /* int.frac: the point falls inside the digits */
        size_t n_frac = (size_t)-exp;
        if (sign + nd + 1 > FORMAT_MAX)
            return SZ_ELIMIT;
        if (sign)
            text[len++] = '-';
        memcpy(text + len, dg, nd - n_frac);
        len += nd - n_frac;
        text[len++] = '.';
        memcpy(text + len, dg + nd - n_frac, n_frac);
        len += n_frac;
    } else {
        /* 0.000digits: -exp places after the point */
        uint64_t n_frac = (uint64_t)-exp;
        if (sign + 2 + n_frac > FORMAT_MAX)
            return SZ_ELIMIT;
        if (sign)
            text[len++] = '-';
        text[len++] = '0';
        text[len++] = '.';
        memset(text + len, '0', (size_t)n_frac - nd);
        len += (size_t)n_frac - nd;
        memcpy(text + len, dg, nd);
        len += nd;
    }
    return sz_buf_append(out, text, len);
}

int sz_decimal_to_int_scaled(struct sz_decimal d, int shift, int64_t *out)
{
    int64_t m = d.mant;
    int64_t e = (int64_t)d.exp + shift; /* int32 + int: cannot overflow int64 */
    if (m == 0) {
        *out = 0;
        return 0;
    }
    if (e >= 0) {
        /* m is nonzero, so at most 19 rounds before a fit fails. */
        for (; e > 0; e--)
            if (__builtin_mul_overflow(m, 10, &m))
                return SZ_ELIMIT;
        *out = m;
        return 0;
    }
    if (e < -18) {
        /* |m| <= 2^63 < 10^19 <= 10^-e: the quotient's floor is 0 or -1. */
        *out = m < 0 ? -1 : 0;
        return 0;
    }
    int64_t p = pow10_i64[-e];
    int64_t q = m / p;
    if (m % p < 0)
        q--; /* C truncates toward zero; floor goes one lower */
    *out = q;
    return 0;
}

bool sz_decimal_is_integer(struct sz_decimal d)
{
    /* A nonzero multiple of 10 stays nonzero when divided by 10, so this
     * ends within 19 rounds however negative the exponent. */
    int64_t m = d.mant;
    for (int64_t e = d.exp; e < 0 && m != 0; e++) {
        if (m % 10 != 0)
            return false;
        m /= 10;
    }
    return true;
}
