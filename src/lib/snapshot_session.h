/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A snapshot program ready to run passes (snapshot_session.c): loaded here, or
 * kept loaded in bpffs by an earlier `--keep` and locked for this session. */
#ifndef BPFDUMP_SNAPSHOT_SESSION_H
#define BPFDUMP_SNAPSHOT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

#include "bpfdump_snapshot.h"
#include "snapshot_data.h"
#include "snapshot_keep.h"
#include "snapshot_load.h"

/* why --keep keeps nothing where the classic iterators run (%s: sp.why) */
#define SNAP_KEEP_CLASSIC_MSG "snapshot --keep: nothing kept: the classic iterators' programs " \
	"run here (%s) and are loaded for each snapshot; keeping needs the open-coded " \
	"iterators' program (Linux 6.7; it reads with bpf_probe_read_kernel)"

struct ring_buffer;
struct snapshot_bpf__bss;

struct snap_session {
	struct bpfdump *d;
	struct snap_program sp;		/* a program loaded here (sp.skel), or none */
	struct snap_kept kept;		/* the kept directory in use (kept.dir_fd >= 0) */
	bool from_kept;			/* the program is a kept one, not loaded here */
	int prog_fd, rings_fd;		/* not owned: sp.skel's or kept's */
	struct snapshot_bpf__bss *bss;	/* the program's counters (not classic) */
	size_t bss_len;			/* mmap()ed here (a kept program's .bss), else 0 */
	/* the .bss variables a pass resets and reads, in bss or the classic one's */
	struct snap_counters *cnt;
	__u32 *done, *bss_tgid;
	int task_fd, vma_fd, file_fd;	/* classic: the three programs (not owned) */
	int ring_fd;			/* owned */
	size_t ring_size;
	struct ring_buffer *ring;	/* ring_fd, set in the program's slot */
	struct snap_data *sd;		/* where the ring's records go (NULL: dropped) */
	__u32 first_tgid;		/* the last pass's first task's process */
	double t_load;			/* ms to open and load (or find) the program */
};

/* A program for the sections and threads of o: the kept one unless o->keep is
 * BPFDUMP_SNAP_FRESH or it is in use; else loaded here, and kept when o->keep
 * is BPFDUMP_SNAP_KEEP. 0 or -errno (message in d); s is closed unless 0. */
int snap_session_open(struct bpfdump *d, const struct bpfdump_snapshot_opts *o,
		      struct snap_session *s);
/* A ring buffer of at least size bytes (exactly size when exact) in the slot:
 * the current one when it does. 0 or -errno. */
int snap_session_ring(struct snap_session *s, size_t size, bool exact);
/* One pass of the program attached for li, its records into sd (which is
 * reset first); t[0] the read's ms, t[1] the drain's. 0 or -errno. */
int snap_session_pass(struct snap_session *s, union bpf_iter_link_info *li, int pid,
		      struct snap_data *sd, double t[2]);
void snap_session_close(struct snap_session *s);

double snap_now_ms(void);

#endif
