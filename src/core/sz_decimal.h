/* sz_decimal: exact decimal arithmetic on JSON number texts.
 *
 * Cleaning rules multiply numbers (`scale: {timestamp: 1000}`) and the
 * schema reads epoch seconds with fractions. Doing either in binary floating
 * point would change digits nobody asked to change (0.1 * 3 is not 0.3), so
 * a number is held as mantissa * 10^exp with a 64-bit mantissa, and results
 * are exact or refused. Owns nothing.
 */
#ifndef SZ_DECIMAL_H
#define SZ_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_buf.h"
#include "sz_error.h"

struct sz_decimal {
    int64_t mant; /* value = mant * 10^exp */
    int32_t exp;
};

/* Parse the JSON number text p[0..n) (RFC 8259 grammar: -?int frac? exp?).
 * The result is in normal form: every trailing zero digit is moved into the
 * exponent ("1.50" -> 15e-1, "1500" -> 15e2, "0.001" -> 1e-3) and zero, of
 * either sign, is {0, 0}; so equal values give equal structs. 0; SZ_EINVAL
 * for text that is not a JSON number; SZ_ELIMIT when the significant digits
 * (more than 19) do not fit in int64_t or the exponent is beyond
 * +/-100000. */
int sz_decimal_parse(const char *p, size_t n, struct sz_decimal *out) SZ_WUR;

/* a * b, exactly, in normal form (see sz_decimal_parse). 0, or SZ_ELIMIT
 * when the result's significant digits do not fit in int64_t or its
 * exponent is beyond +/-100000. */
int sz_decimal_mul(struct sz_decimal a, struct sz_decimal b, struct sz_decimal *out) SZ_WUR;

/* Append the shortest plain JSON text for d: digits with a '.' where
 * needed, no exponent, no trailing fraction zeros ("1500", "0.25", "-3").
 * SZ_ELIMIT if that would take more than 64 characters (a huge exponent);
 * SZ_ENOMEM. */
int sz_decimal_format(struct sz_decimal d, struct sz_buf *out) SZ_WUR;

/* floor(d * 10^shift) as int64_t (shift may be negative: epoch microseconds
 * to milliseconds is shift -3, seconds to milliseconds +3).
 * 0, or SZ_ELIMIT if the result does not fit. */
int sz_decimal_to_int_scaled(struct sz_decimal d, int shift, int64_t *out) SZ_WUR;

/* d has no fractional part. */
bool sz_decimal_is_integer(struct sz_decimal d);

#endif
