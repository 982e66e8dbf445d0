// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Logging and the last-error message, both kept in the context. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void bd_log(const struct bpfdump *d, enum bpfdump_log_level lvl, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (d && lvl > d->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d && d->log)
		d->log(lvl, msg, d->log_ctx);
	else
		fprintf(stderr, "bpfdump: %s\n", msg);
}

int bd_err(struct bpfdump *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
	return err;
}
