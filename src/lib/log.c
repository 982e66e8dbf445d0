// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Logging through the context, and each thread's last error message. */
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

static __thread char errmsg[BD_ERRMSG_MAX];

char *bd_errmsg(void)
{
	return errmsg;
}

int bd_err(struct bpfdump *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bd_errmsg(), BD_ERRMSG_MAX, fmt, ap);
	va_end(ap);
	return err;
}

/* What explains a verifier rejection: the last two lines of its log, without
 * the statistics the verifier prints at the end. Lines joined with "; ". */
void bd_log_tail(const char *log, char *buf, size_t len)
{
	const char *lines[2] = {}, *p = log, *nl;
	size_t lens[2] = {}, used = 0;
	int i;

	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (!n || !strncmp(p, "processed ", 10) || !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11) || !strncmp(p, "-- END PROG LOAD LOG --", 23))
			continue;
		lines[0] = lines[1];
		lens[0] = lens[1];
		lines[1] = p;
		lens[1] = n;
		if (!nl)
			break;
	}
	buf[0] = '\0';
	for (i = 0; i < 2; i++) {
		if (!lines[i])
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%.*s",
				 used ? "; " : "", (int)lens[i], lines[i]);
	}
}
