// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The string buffer the decoders, printers and code generators write into. */
#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

void sb_reset(struct bd_strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_free(struct bd_strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

bool sb_grow(struct bd_strbuf *b, size_t extra)
{
	size_t ncap;
	char *ns;

	if (b->len + extra + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
	ns = realloc(b->s, ncap);
	if (!ns)
		return false;
	b->s = ns;
	b->cap = ncap;
	return true;
}

void sb_vprintf(void *ctx, const char *fmt, va_list args)
{
	struct bd_strbuf *b = ctx;
	va_list cp;
	int n;

	va_copy(cp, args);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || !sb_grow(b, n))
		return;
	vsnprintf(b->s + b->len, n + 1, fmt, args);
	b->len += n;
}

void sb_printf(struct bd_strbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}
