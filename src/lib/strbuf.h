/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A growing NUL-terminated string buffer: cells, JSON lines, format strings. */
#ifndef BPFDUMP_STRBUF_H
#define BPFDUMP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

struct bd_strbuf {
	char *s;
	size_t len, cap;
};

void sb_reset(struct bd_strbuf *b);
void sb_free(struct bd_strbuf *b);
/* Room for extra more bytes and a NUL: false when out of memory (nothing is added). */
bool sb_grow(struct bd_strbuf *b, size_t extra);

/* Append (inline: the row printers call these per cell and per byte). */
static inline void sb_puts(struct bd_strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap && !sb_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void sb_putc(struct bd_strbuf *b, char c)
{
	if (b->len + 2 > b->cap && !sb_grow(b, 1))
		return;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}
void sb_printf(struct bd_strbuf *b, const char *fmt, ...) __printf(2, 3);
/* The same with a va_list; ctx is the buffer, so it serves as a btf_dump printf. */
void sb_vprintf(void *ctx, const char *fmt, va_list args) __printf(2, 0);

#endif
