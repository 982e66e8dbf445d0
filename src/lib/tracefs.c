// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where tracefs is. Tracepoints without a BTF type are typed from tracefs's
 * events/GROUP/NAME/format and attached by the id there; which functions ftrace can
 * hook is in available_filter_functions. Machines without systemd have no tracefs
 * mounted: bpfdump mounts it where the kernel documents it, as it does bpffs.
 */
#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "trace_func.h"

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

static bool is_tracefs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == TRACEFS_MAGIC;
}

const char *bd_tracefs(struct bpfdump *d)
{
	size_t i;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++)
		if (is_tracefs(tracefs_dirs[i]))
			return tracefs_dirs[i];
	if (mount("tracefs", tracefs_dirs[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return NULL;
	if (d)
		bd_log(d, BPFDUMP_INFO, "mounted tracefs at %s", tracefs_dirs[0]);
	return tracefs_dirs[0];
}
