/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The options dump, pin and the views share: target, fields, where, params. */
#ifndef BPFDUMP_DUMP_OPTS_H
#define BPFDUMP_DUMP_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "bpfdump.h"

struct dump_args {
	struct bpfdump_query_opts q;
	struct bpfdump_print_opts print;
	const char *positional[2];	/* TARGET [PATH] */
	int positional_cnt;
	unsigned int mode;		/* pin --mode */
	const char *owner, *group;	/* pin --owner/--group */
	bool force;
	int target_pid;			/* --target-pid / --container */
	bool container;			/* --container: its cgroup too */
	char ns_buf[3][64];		/* /proc/PID/ns/{net,pid,mnt} */
	char cgroup_buf[4096];		/* its cgroup2 directory */
	double interval;		/* dump --interval SECS: 0 runs once */
	long rounds;			/* --rounds N: 0 is no end */
};

/* --interval SECS [--rounds N]: run again every SECS (dump and sql). */
#define INTERVAL_HELP \
	"      --interval SECS  run again every SECS seconds (program kept loaded),\n"	\
	"                       one block per round with its time\n"			\
	"      --rounds N       with --interval: stop after N rounds\n"

/* Parse --interval and --rounds values; 0 or the exit code. */
int parse_interval(const char *cmd, const char *s, double *secs);
int parse_rounds(const char *cmd, const char *s, long *rounds);

/* One round: its rows written to out; the row count, or a negative value once the
 * error is said. */
typedef long (*round_fn)(void *ctx, FILE *out);

/* Call fn every secs seconds (on a fixed schedule) until rounds rounds ran (0: until
 * SIGINT or SIGTERM). Each round is a block: a "# time T round N" line before a
 * table, or "time" and "round" fields first in every JSON object. Returns the exit
 * code. */
int interval_run(const char *cmd, double secs, long rounds, bool json, round_fn fn, void *ctx);

/* Options help shared by dump and pin: namespaces and containers. */
#define DUMP_SCOPE_HELP \
	"      --netns FILE     socket targets: that network namespace only\n"		\
	"                       (/proc/PID/ns/net, /run/netns/NAME)\n"			\
	"      --pidns FILE     task targets: its tasks, pids in its numbering\n"	\
	"      --mntns FILE     task targets: paths as seen from its root\n"		\
	"      --cgroup PATH    task targets: only tasks in that cgroup2 subtree\n"	\
	"      --target-pid N   the namespaces of process N that scope this target\n"	\
	"      --container N    --target-pid N, and N's cgroup for task targets\n"

/* Turn --target-pid/--container into namespace files and a cgroup for a.q's
 * target. Returns -1 to go on, else the exit code. */
int dump_args_scope(const char *cmd, struct bpfdump *d, struct dump_args *a);

/* Open the context and a's query on it, scoped as dump_args_scope() says. Returns -1
 * with *d and *q to free, else the exit code once the error is said (nothing open). */
int dump_args_open(const char *cmd, struct dump_args *a, struct bpfdump **d,
		   struct bpfdump_query **q);

/* Returns -1 when parsing went well and the command should go on, else the exit code. */
int dump_args_parse(const char *cmd, int argc, char **argv, struct dump_args *a,
		    void (*help)(void));

#endif
