/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscall:NAME(ITEMS): a system call as one event. The SPEC becomes a probe on
 * tracepoint syscalls:sys_enter_NAME whose stash is emitted at sys_exit_NAME
 * with 'return' (the exit's ret); its values print as strace prints them.
 */
#ifndef BPFDUMP_TRACE_SYSCALL_H
#define BPFDUMP_TRACE_SYSCALL_H

#include <string.h>

#include "internal.h"
#include "trace_func.h"
#include "util.h"

#define BD_SC_PREFIX "syscall:"

/* a name for a value (or for bits of a flags value) */
struct bd_sc_name {
	const char *name;
	long long val;
};

enum bd_sc_fmt {
	BD_SC_NUM,		/* a number */
	BD_SC_FD,		/* a number, or a name of names (AT_FDCWD) */
	BD_SC_OPEN_FLAGS,	/* O_RDONLY.. in the low 2 bits, then O_* bits */
	BD_SC_FLAGS,		/* bits named by names; 0 by a name of value 0 or "0" */
	BD_SC_MAP_FLAGS,	/* MAP_SHARED.. in the low 4 bits, then MAP_* bits */
	BD_SC_OCTAL,
	BD_SC_HEX,
	BD_SC_ENUM,		/* a kernel enum named in BTF (enum_name), then names bits */
};

/* how argument ARG of syscall SYS (NULL: any) prints */
struct bd_sc_arg {
	const char *sys, *arg;
	enum bd_sc_fmt fmt;
	const struct bd_sc_name *names;	/* NULL-terminated */
	const char *enum_name;
};

/* trace_syscall_names.c: the tables (macros the kernel has no BTF for) */
extern const struct bd_sc_arg bd_sc_args[], bd_sc_rets[];
extern const struct bd_sc_name *const bd_sc_spec_names[];
extern const struct bd_sc_name *bd_sc_map_types, *bd_sc_open_modes;
const char *bd_sc_errno_name(long e);
extern const struct bd_sc_name bd_sc_nrs[];
/* the number of syscall NAME (its tracepoints' name), or -1 (none known here) */
int bd_sc_nr(const char *name);

/* one syscall:NAME SPEC, made into a tracepoint SPEC */
struct bd_syscall {
	char name[64];		/* "" when the SPEC is not a syscall's */
	char display[80];	/* "syscall:NAME" */
	char *text;		/* tp:syscalls:sys_enter_NAME(ITEMS..., return) */
	struct bd_func *enter;	/* sys_enter_NAME, resolved (taken by the probe) */
};

static inline bool bd_sc_is_spec(const char *spec)
{
	return !strncmp(spec, BD_SC_PREFIX, strlen(BD_SC_PREFIX));
}

/*
 * SPECs with syscall:A,B(ITEMS) and syscall:GLOB made one per syscall
 * (syscall:A(ITEMS), ...), others as they are, into *out (bd_strv_free it).
 * out->v NULL when no SPEC is a syscall's. An unknown name: one error naming
 * the nearest.
 */
int bd_sc_expand(struct bpfdump *d, const char *const *specs, int cnt, struct bd_strv *out);
/* syscall:NAME[(ITEMS)] -> sc (names of constants in ITEMS made numbers, char *
 * arguments read as ustr(), 'return' added unless agg) */
int bd_sc_rewrite(struct bpfdump *d, const char *spec, bool agg, struct bd_syscall *sc);
void bd_sc_free(struct bd_syscall *sc);
/* ARG's value V of syscall SYS in symbols (O_RDONLY|O_CLOEXEC, AT_FDCWD, -ENOENT),
 * appended to sb; false when it prints as a plain number. ARG "return": the result. */
/* ARG is not used by this call, as strace leaves it out: open's mode without
 * O_CREAT or O_TMPFILE in FLAGS */
bool bd_sc_unused(const char *sys, const char *arg, long long flags);
bool bd_sc_format(const struct btf *btf, const char *sys, const char *arg, long long v,
		  struct bd_strbuf *sb);

#endif
