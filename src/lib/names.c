// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names of values: one table per set (see names.h). */
#include <string.h>

#include "internal.h"
#include "names.h"

#define NAMES(arr) { arr, sizeof(arr) / sizeof(arr[0]) }

/* ss's sstate_name; 7 (TCP_CLOSE) is UNCONN there */
static const struct bd_name tcp_states[] = {
	{ 0, NULL, "UNKNOWN" },
	{ 1, "TCP_ESTABLISHED", "ESTAB" },
	{ 2, "TCP_SYN_SENT", "SYN-SENT" },
	{ 3, "TCP_SYN_RECV", "SYN-RECV" },
	{ 4, "TCP_FIN_WAIT1", "FIN-WAIT-1" },
	{ 5, "TCP_FIN_WAIT2", "FIN-WAIT-2" },
	{ 6, "TCP_TIME_WAIT", "TIME-WAIT" },
	{ 7, "TCP_CLOSE", "UNCONN" },
	{ 8, "TCP_CLOSE_WAIT", "CLOSE-WAIT" },
	{ 9, "TCP_LAST_ACK", "LAST-ACK" },
	{ 10, "TCP_LISTEN", "LISTEN" },
	{ 11, "TCP_CLOSING", "CLOSING" },
	{ 12, "TCP_NEW_SYN_RECV", "NEW-SYN-RECV" },
	{ 13, "TCP_BOUND_INACTIVE", "BOUND-INACTIVE" },
};
const struct bd_names bd_tcp_states = NAMES(tcp_states);

static const struct bd_name families[] = {
	{ 0, "AF_UNSPEC", "unspec" },
	{ 1, "AF_UNIX", "unix" },
	{ 2, "AF_INET", "inet" },
	{ 10, "AF_INET6", "inet6" },
	{ 16, "AF_NETLINK", "netlink" },
	{ 17, "AF_PACKET", "packet" },
	{ 40, "AF_VSOCK", "vsock" },
};
const struct bd_names bd_families = NAMES(families);

/* ss's unix_netid_name */
static const struct bd_name unix_types[] = {
	{ 1, NULL, "u_str" },
	{ 2, NULL, "u_dgr" },
	{ 5, NULL, "u_seq" },
};
const struct bd_names bd_unix_types = NAMES(unix_types);

static const struct bd_name sock_types[] = {
	{ 1, "SOCK_STREAM", "stream" },
	{ 2, "SOCK_DGRAM", "dgram" },
	{ 3, "SOCK_RAW", "raw" },
	{ 4, "SOCK_RDM", "rdm" },
	{ 5, "SOCK_SEQPACKET", "seqpacket" },
	{ 6, "SOCK_DCCP", "dccp" },
	{ 10, "SOCK_PACKET", "packet" },
};
const struct bd_names bd_sock_types = NAMES(sock_types);

/*
 * The kernel's task_state_array: one letter per TASK_REPORT bit, highest bit
 * first wins; TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD) reports as I. desc is
 * /proc/PID/status' form.
 * The rows without a name are further __state bits, constants only.
 */
static const struct bd_name task_states[] = {
	{ 0x0, "TASK_RUNNING", "R", "R (running)" },
	{ 0x1, "TASK_INTERRUPTIBLE", "S", "S (sleeping)" },
	{ 0x2, "TASK_UNINTERRUPTIBLE", "D", "D (disk sleep)" },
	{ 0x4, "__TASK_STOPPED", "T", "T (stopped)" },
	{ 0x8, "__TASK_TRACED", "t", "t (tracing stop)" },
	{ 0x10, "EXIT_DEAD", "X", "X (dead)" },
	{ 0x20, "EXIT_ZOMBIE", "Z", "Z (zombie)" },
	{ 0x40, "TASK_PARKED", "P", "P (parked)" },
	{ 0x402, "TASK_IDLE", "I", "I (idle)" },
	{ 0x80, "TASK_DEAD" },
	{ 0x100, "TASK_WAKEKILL" },
	{ 0x200, "TASK_WAKING" },
	{ 0x400, "TASK_NOLOAD" },
	{ 0x800, "TASK_NEW" },
	{ 0x104, "TASK_STOPPED" },
	{ 0x1000, "TASK_RTLOCK_WAIT" },
};
const struct bd_names bd_task_states = NAMES(task_states);

#define TASK_REPORT 0x7f
#define TASK_IDLE 0x402
#define TASK_RTLOCK_WAIT 0x1000

/* /proc/PID/maps: r, w, x, then s (VM_MAYSHARE) or p; the first four rows are
 * the letters, in order (bd_vm_perms, codegen_text.c) */
static const struct bd_name vm_flags[] = {
	{ 0x1, "VM_READ", "r", "-" },
	{ 0x2, "VM_WRITE", "w", "-" },
	{ 0x4, "VM_EXEC", "x", "-" },
	{ 0x80, "VM_MAYSHARE", "s", "p" },
	{ 0x8, "VM_SHARED" },
	{ 0x100, "VM_GROWSDOWN" },
	{ 0x2000, "VM_LOCKED" },
	{ 0x400000, "VM_HUGETLB" },
};
const struct bd_names bd_vm_flags = NAMES(vm_flags);

/* Macros --where accepts that no table above prints. */
static const struct bd_name other_consts[] = {
	{ 0, "NULL" },
	{ 0x4, "PF_EXITING" }, { 0x00200000, "PF_KTHREAD" }, { 0x2, "PF_IDLE" },
	{ 0, "O_RDONLY" }, { 01, "O_WRONLY" }, { 02, "O_RDWR" }, { 02000, "O_APPEND" },
	{ 04000, "O_NONBLOCK" }, { 02000000, "O_CLOEXEC" },
	{ 0x1, "FMODE_READ" }, { 0x2, "FMODE_WRITE" },
};
static const struct bd_names bd_other_consts = NAMES(other_consts);

const struct bd_names *const bd_const_sets[] = {
	&bd_other_consts, &bd_task_states, &bd_families, &bd_sock_types, &bd_vm_flags,
	&bd_tcp_states,
};
const int bd_const_set_cnt = sizeof(bd_const_sets) / sizeof(bd_const_sets[0]);

const char *bd_name_of(const struct bd_names *t, unsigned long long val)
{
	int i;

	for (i = 0; i < t->cnt; i++)
		if (t->v[i].name && t->v[i].val == val)
			return t->v[i].name;
	return NULL;
}

const char *bd_family_name(unsigned int family)
{
	return bd_name_of(&bd_families, family);
}

const char *bd_sock_type_name(unsigned int family, unsigned int type)
{
	return bd_name_of(family == 1 ? &bd_unix_types : &bd_sock_types, type);
}

/* The kernel's __task_state_index() */
const struct bd_name *bd_task_state(unsigned int state, unsigned int exit_state)
{
	unsigned int st = (state | exit_state) & TASK_REPORT, top = 0;
	int i;

	if ((state & TASK_IDLE) == TASK_IDLE)
		return &task_states[8];
	if (state == TASK_RTLOCK_WAIT)
		st = 0x2;	/* TASK_UNINTERRUPTIBLE */
	while (st >> 1) {
		st >>= 1;
		top++;
	}
	st = st ? 1u << top : 0;
	for (i = 0; i < bd_task_states.cnt; i++)
		if (task_states[i].name && task_states[i].val == st)
			return &task_states[i];
	return &task_states[0];
}

void bd_vm_perms(unsigned long long flags, char out[5])
{
	int i;

	for (i = 0; i < 4; i++)
		out[i] = flags & vm_flags[i].val ? vm_flags[i].name[0] : vm_flags[i].desc[0];
	out[4] = '\0';
}

bool bd_const_value(const char *cname, long long *val)
{
	int i, j;

	for (i = 0; i < bd_const_set_cnt; i++)
		for (j = 0; j < bd_const_sets[i]->cnt; j++) {
			const struct bd_name *n = &bd_const_sets[i]->v[j];

			if (n->cname && !strcmp(n->cname, cname)) {
				*val = n->val;
				return true;
			}
		}
	return false;
}
