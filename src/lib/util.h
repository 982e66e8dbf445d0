/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Small helpers every layer uses: growing arrays, sign extension, options checks. */
#ifndef BPFDUMP_UTIL_H
#define BPFDUMP_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Room for need elements of elem bytes in *arr, whose capacity is *cap elements: the
 * capacity doubles (from 16) until need fits. 0, or -ENOMEM with *arr and *cap as
 * they were. */
int bd_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* A growing array of strings it owns. */
struct bd_strv {
	char **v;
	size_t n, cap;
};

/* Append s, which sv owns from now on (freed if it cannot be kept; NULL, an
 * allocation that failed, is -ENOMEM too). 0 or -ENOMEM. */
int bd_strv_push(struct bd_strv *sv, char *s);
void bd_strv_free(struct bd_strv *sv);

/* The low size bytes (1, 2, 4; 0 or 8 and more: all) of v as a signed number. */
static inline long long bd_sign_extend(unsigned long long v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return !size || size >= 8 ? (long long)v : (long long)(v << shift) >> shift;
}

/* A caller's options struct is acceptable: NULL, or sz covers sz itself and every byte
 * past our struct type is zero (fields of a newer caller that this library lacks). */
#define OPTS_OK(opts, type)                                                          \
	(!(opts) || ((opts)->sz >= sizeof(size_t) &&                                   \
		     bd_opts_tail_zero((opts), (opts)->sz, sizeof(struct type))))
bool bd_opts_tail_zero(const void *opts, size_t user_sz, size_t our_sz);
/* The caller's struct reaches past field (a caller built against an older header
 * has a shorter one), and the field's value, or fallback where it does not. */
#define OPTS_HAS(opts, field)                                                         \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

#endif
