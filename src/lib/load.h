/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A query: planned, loaded and attached (load.c), read (read.c). */
#ifndef BPFDUMP_LOAD_H
#define BPFDUMP_LOAD_H

#include "plan.h"
#include "scope.h"

struct bpfdump_query {
	struct bpfdump *d;
	struct bd_scope scope;
	int host_pid;		/* --pid/--tid of a --pidns query, in our numbering */
	struct bd_plan plan;
	int prog_fd;
	int buf_map_fd;
	int cgroup_fd;
	union bpf_iter_link_info linfo;
	bool has_linfo;
	bool map_syscalls;	/* no program: the map syscalls read the map (map_syscall.c) */
	char *log;
	struct bpfdump_query_opts opts;	/* as given, strings owned by spec_* */
	char *spec_target, *spec_columns, *spec_where, *spec_cgroup, *spec_map;
};

/* read.c: read an iterator fd of this query's records and print them */
long bd_query_read(struct bpfdump_query *q, int iter_fd, FILE *out,
		   const struct bpfdump_print_opts *opts);
/* load.c */
int bd_load_prog(struct bpfdump_query *q, bool text, int *prog_fd);
/* load=false: plan only (to decode records of a pinned dumper) */
struct bpfdump_query *bd_query_new(struct bpfdump *d, const struct bpfdump_query_opts *o,
				   bool load);
/* The same, for a pinned dumper's plan: scope_where and the pid namespace level
 * as they were at pin time (o carries no pidns/cgroup then). */
struct bpfdump_query *bd_query_new_pinned(struct bpfdump *d, const struct bpfdump_query_opts *o,
					  const char *scope_where, int pidns_level);
/* Loaded, with scope_where (a predicate the library wrote, parsed on its own) ANDed to
 * o->where and to o's own scope as parsed trees: a view's cgroup. */
struct bpfdump_query *bd_query_new_scoped(struct bpfdump *d, const struct bpfdump_query_opts *o,
					  const char *scope_where);

int bd_open_map(struct bpfdump *d, const char *spec, struct bd_map_info *mi);
/* A task-storage map whose values are size bytes: per-thread record buffers. */
int bd_create_buf_map(struct bpfdump *d, __u32 size);
/* An LRU hash for the paths a read resolved (BD_PATH_CACHED records). */
int bd_create_path_cache_map(struct bpfdump *d);

#endif
