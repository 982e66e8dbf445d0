/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A traced function or tracepoint, resolved against BTF. */
#ifndef BPFDUMP_TRACE_FUNC_H
#define BPFDUMP_TRACE_FUNC_H

#include "bpfdump_trace.h"
#include "internal.h"

#define BD_MAX_ARGS 12

struct bd_func {
	char name[128];		/* as given: "vfs_read" or "tp:sched:sched_switch" */
	bool is_tp;
	char tp_name[128];	/* tracepoint name without the group */
	char module[64];	/* "" for vmlinux */
	const struct btf *btf;	/* vmlinux, or the module's split BTF */
	struct btf *mod_btf;	/* owned */
	int mod_btf_fd;		/* for attach_btf_obj_fd, -1 for vmlinux */
	__u32 func_id;		/* FUNC (functions) */
	__u32 proto_id;		/* FUNC_PROTO */
	__u32 attach_id;	/* tracepoints: the btf_trace_<name> typedef */
	bool classic;		/* a tracepoint without BTF: fields from tracefs */
	__u32 tp_id;		/* classic: the event's id, for perf_event_open */
	int nargs;
	char arg_names[BD_MAX_ARGS][64];
	__u32 arg_types[BD_MAX_ARGS];
	__u32 arg_offs[BD_MAX_ARGS];	/* classic: the field's offset in the record */
	__u32 ret_type;
};

int bd_func_resolve(struct bpfdump *d, const char *spec, struct bd_func *f);
void bd_func_free(struct bd_func *f);
/* 1: ftrace can attach (available_filter_functions), 0: cannot, -ENOENT: unknown */
int bd_func_traceable(struct bpfdump *d, const char *name);
/* tracefs.c: where tracefs is mounted, after mounting it when it is nowhere; NULL when
 * it cannot be (d, when given, logs the mount) */
const char *bd_tracefs(struct bpfdump *d);
/* A tracepoint's fields from tracefs's events/GROUP/NAME/format, typed from
 * BTF; -ENOENT (nothing said) when tracefs has no such event. */
int bd_tp_format_resolve(struct bpfdump *d, struct bd_func *f, const char *group,
			 const char *name);

#endif
