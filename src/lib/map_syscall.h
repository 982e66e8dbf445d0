/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A map target's elements read with the map syscalls (batch lookups, or
 * bpf_map_get_next_key + bpf_map_lookup_elem), as bpftool map dump reads them, where
 * the kernel refuses the map-element iterator. Each element becomes a record of the
 * query's plan, so the one decoder and printer show it as the iterator's would.
 */
#ifndef BPFDUMP_MAP_SYSCALL_H
#define BPFDUMP_MAP_SYSCALL_H

#include "internal.h"

/* Takes one record; <0 ends the read with that error. */
typedef int (*bd_record_fn)(void *ctx, const __u8 *rec, __u32 len);

/*
 * After a map target's program was loaded (err 0) or not (err < 0): q reads with the
 * map syscalls when the load failed and its columns are the map's key and value, or
 * when BPFDUMP_MAP_SYSCALLS is set (testing: 1 = batch where the map has it, nextkey
 * = one element at a time). Returns 0 when q reads that way, else err, its message
 * saying why the syscalls cannot stand in.
 */
int bd_map_syscall_hook(struct bpfdump_query *q, int err);
/* Every element of q's map as a record of q's plan, handed to fn: 0 or -errno. */
long bd_map_syscall_read(struct bpfdump_query *q, bd_record_fn fn, void *ctx);
/* The error for pinning q, which has no program: a syscall reader cannot be pinned. */
int bd_map_syscall_refuse_pin(struct bpfdump_query *q, const char *path);

#endif
