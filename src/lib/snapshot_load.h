/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The snapshot program, opened and loaded (snapshot_load.c). */
#ifndef BPFDUMP_SNAPSHOT_LOAD_H
#define BPFDUMP_SNAPSHOT_LOAD_H

#include <stdbool.h>

#include "snapshot.h"

struct bpfdump;
struct snapshot_bpf;

struct snap_program {
	struct snapshot_bpf *skel;
	bool host;			/* the variant for the kernel the library was built on */
	__u32 ids[SNAP_NR_KFUNCS + 1];	/* BTF ids: the kfuncs, then the attach target */
};

/* Open the program (its .rodata can then be set): 0 or -errno, with the message in d. */
int snap_program_open(struct bpfdump *d, struct snap_program *sp);
/* Load it into the kernel: 0 or -errno. */
int snap_program_load(struct bpfdump *d, struct snap_program *sp);
void snap_program_close(struct snap_program *sp);

#endif
