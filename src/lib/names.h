/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Names of values, written once: the user-space formatter (format.c), the
 * kernel-side text writer (codegen_text.c), the snapshot (snapshot_fmt.c) and
 * the constants --where accepts (plan.c) all read these tables. The names
 * shown are the ones users compare with: ss's for sockets, /proc's for tasks
 * and memory maps.
 */
#ifndef BPFDUMP_NAMES_H
#define BPFDUMP_NAMES_H

#include <stdbool.h>

struct bd_name {
	unsigned long long val;
	const char *cname;	/* the kernel's name, a --where constant; NULL: none */
	const char *name;	/* what bpfdump prints; NULL: a constant only */
	const char *desc;	/* a longer form, where there is one (see each table) */
};

struct bd_names {
	const struct bd_name *v;
	int cnt;
};

/* sk_state as ss shows it: ESTAB, LISTEN, UNCONN (TCP_CLOSE), ... */
extern const struct bd_names bd_tcp_states;
/* address families as ss -f names them: unix, inet, inet6, ... (AF_*) */
extern const struct bd_names bd_families;
/* a unix socket's type as ss's Netid column shows it: u_str, u_dgr, u_seq */
extern const struct bd_names bd_unix_types;
/* any socket's type: stream, dgram, raw, ... (SOCK_*) */
extern const struct bd_names bd_sock_types;
/* /proc's task state letters by TASK_REPORT bit (desc: "S (sleeping)"), then the other
 * __state bits as constants */
extern const struct bd_names bd_task_states;
/* /proc/PID/maps' perms letters by vm_flags bit (desc: the letter when clear), then
 * the other VM_* bits as constants */
extern const struct bd_names bd_vm_flags;

/* The name of val in t, or NULL. */
const char *bd_name_of(const struct bd_names *t, unsigned long long val);
/* Unix sockets by ss's Netid, others by SOCK_* name; NULL when unknown. */
const char *bd_sock_type_name(unsigned int family, unsigned int type);
/* /proc's state of a task (its __state, exit_state): the bd_task_states entry. */
const struct bd_name *bd_task_state(unsigned int state, unsigned int exit_state);
/* /proc/PID/maps' perms of vm_flags: "rwxp", "r--s", ... */
void bd_vm_perms(unsigned long long flags, char out[5]);

/* Every --where constant: the tables above, then the ones bpfdump only accepts. */
extern const struct bd_names *const bd_const_sets[];
extern const int bd_const_set_cnt;
/* A --where constant's value by its kernel name. */
bool bd_const_value(const char *cname, long long *val);

#endif
