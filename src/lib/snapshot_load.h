/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The snapshot program, opened and loaded (snapshot_load.c). */
#ifndef BPFDUMP_SNAPSHOT_LOAD_H
#define BPFDUMP_SNAPSHOT_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

struct bpfdump;
struct snapshot_bpf;
struct snapshot_classic_bpf;

struct snap_program {
	struct snapshot_bpf *skel;	/* the open-coded iterators' program, or */
	struct snapshot_classic_bpf *cskel; /* the classic iterators' three (classic) */
	bool chosen;			/* host is set */
	bool host;			/* the variant for the kernel the library was built on */
	bool probed;			/* classic is set */
	bool classic;			/* no open-coded iterators: snapshot_classic.bpf.c */
	bool direct;			/* classic, built with SNAP_DIRECT_READS: loads through
					 * bpf_rdonly_cast (lockdown=confidentiality) */
	char why[192];			/* classic: why ("this kernel has no bpf_iter_...()") */
	__u32 ids[SNAP_NR_KFUNCS + 1];	/* BTF ids: the kfuncs, then the attach target */
};

/* Choose the variant for the running kernel (no BTF read): a hash of its ELF
 * object (from the build), and the kernel's build id in hex ("" if none). */
void snap_program_choose(struct snap_program *sp, __u64 *elf_hash, char *build_id, size_t len);
/* Which programs the kernel can run (chosen first): sp->classic when its BTF lacks
 * one of the open-coded iterators' kfuncs (or BPFDUMP_SNAPSHOT_CLASSIC=1 says so);
 * sp->classic and sp->direct under lockdown=confidentiality (the lockdown file, or
 * BPFDUMP_LOCKDOWN=confidentiality). 0 or -errno (message in d). */
int snap_program_probe(struct bpfdump *d, struct snap_program *sp);
/* Open the program (chosen here if it was not) (its .rodata can then be set): 0 or -errno, with the message in d. */
int snap_program_open(struct bpfdump *d, struct snap_program *sp);
/* Load it into the kernel: 0 or -errno. Refused because the kernel forbids probe
 * reads (lockdown the lockdown file did not show): the classic programs are
 * loaded with direct reads instead, or, where the open-coded one was refused,
 * opened in its place (sp->classic and sp->direct set) and -EAGAIN returned:
 * set their .rodata and load again. */
int snap_program_load(struct bpfdump *d, struct snap_program *sp);
void snap_program_close(struct snap_program *sp);

#endif
