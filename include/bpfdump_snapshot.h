/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* libbpfdump: one process's kernel state (task, creds, memory, files, sockets,
 * cgroups, namespaces, limits) read in one pass of one BPF program. */
#ifndef BPFDUMP_SNAPSHOT_H_PUBLIC
#define BPFDUMP_SNAPSHOT_H_PUBLIC

#include "bpfdump.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfdump_snapshot_section {
	BPFDUMP_SNAP_TASK = 1 << 0,	/* task and its threads */
	BPFDUMP_SNAP_CREDS = 1 << 1,
	BPFDUMP_SNAP_MEMORY = 1 << 2,	/* mm totals and every mapping */
	BPFDUMP_SNAP_FILES = 1 << 3,
	BPFDUMP_SNAP_SOCKETS = 1 << 4,
	BPFDUMP_SNAP_CGROUPS = 1 << 5,
	BPFDUMP_SNAP_NAMESPACES = 1 << 6,
	BPFDUMP_SNAP_LIMITS = 1 << 7,
	BPFDUMP_SNAP_ALL = 0xff,
};

/* Whether a snapshot uses a program kept loaded in bpffs (bpfdump__snapshot_keep) */
enum bpfdump_snapshot_keep {
	BPFDUMP_SNAP_KEPT = 0,	/* the kept one when there is one (and free), else load one */
	BPFDUMP_SNAP_KEEP = 1,	/* as KEPT, and keep the one loaded */
	BPFDUMP_SNAP_FRESH = 2,	/* load one, never use or make a kept one */
};

struct bpfdump_snapshot_opts {
	size_t sz;
	unsigned int sections;	/* bit set of enum bpfdump_snapshot_section; 0: all */
	bool json;		/* one JSON document instead of the sectioned report */
	bool all_threads;	/* task and creds of every thread, not just the process's */
	size_t ring_size;	/* ring buffer bytes (a power of 2); 0: sized from the process */
	enum bpfdump_snapshot_keep keep;
	size_t data_max;	/* bytes of queued socket data per socket (0: none) */
	/* with data_max: the queued bytes go to files in this directory, one per
	 * queue (PID.FD.QUEUE, made anew, mode 0600), which the output names;
	 * NULL: in the output (hex dump, base64 in JSON) */
	const char *data_dir;
	size_t :0;
};
#define bpfdump_snapshot_opts__last_field data_dir

/* Snapshot process pid and print it to out. Returns 0 when complete, a positive
 * count of problems when partial (records lost, mappings not readable; each
 * logged as a warning and noted in the output), or -errno (-ESRCH: no such
 * process) with bpfdump__errmsg() set. */
BPFDUMP_API int bpfdump__snapshot(struct bpfdump *d, int pid,
				  const struct bpfdump_snapshot_opts *opts, FILE *out);

/* Snapshot each of cnt processes with one loaded program, printing them in order
 * (text reports separated by a blank line; JSON: one document per line). A pid
 * that fails is logged as a warning (its message) and counted; the rest go on.
 * Returns 0 when all are complete, the count of problems (warnings and failed
 * pids), or -errno when the program could not be loaded or the output failed. */
BPFDUMP_API int bpfdump__snapshot_many(struct bpfdump *d, const int *pids, int cnt,
				       const struct bpfdump_snapshot_opts *opts, FILE *out);

/* Load the snapshot program for opts' sections and threads and keep it loaded
 * (pinned under /sys/fs/bpf/bpfdump/@snapshot/, root only) with its ring buffer,
 * so that later snapshots with the same options skip the load and verification.
 * Nothing is done when one is kept already. 0 or -errno. */
BPFDUMP_API int bpfdump__snapshot_keep(struct bpfdump *d, const struct bpfdump_snapshot_opts *opts);

/* Remove every kept snapshot program: how many, or -errno. A snapshot using one
 * finishes with it. */
BPFDUMP_API int bpfdump__snapshot_drop(struct bpfdump *d);

/* Parse a comma-separated list of section names ("files,sockets") into bits. */
BPFDUMP_API int bpfdump__snapshot_sections(struct bpfdump *d, const char *list,
					   unsigned int *sections);

#ifdef __cplusplus
}
#endif

#endif
