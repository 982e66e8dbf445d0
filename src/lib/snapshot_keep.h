/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A snapshot program kept loaded in bpffs (snapshot_keep.c), so that a later
 * snapshot skips the load and verification:
 *   SNAP_KEEP_ROOT/KEY/prog    the program
 *   SNAP_KEEP_ROOT/KEY/bss     its .bss (counters), mmapable
 *   SNAP_KEEP_ROOT/KEY/rings   its array-of-maps slot for the ring buffer
 *   SNAP_KEEP_ROOT/KEY/ringN   ring buffers of 2^N bytes, made by earlier
 *                              snapshots (their pages warm), at most one a size
 * KEY names what the program was built from: its ELF, its configuration, the
 * kernel (build id and boot). A user holds the directory's flock while it uses
 * the program: one snapshot at a time uses a kept program; another one finding
 * it busy loads its own.
 */
#ifndef BPFDUMP_SNAPSHOT_KEEP_H
#define BPFDUMP_SNAPSHOT_KEEP_H

#include <limits.h>
#include <stddef.h>
#include <linux/types.h>

struct bpfdump;

#define SNAP_KEEP_ROOT "/sys/fs/bpf/bpfdump/@snapshot"
#define SNAP_KEEP_RING_MAX ((size_t)16 << 20)	/* bigger rings are made per use, not kept */
/* (so what is kept is at most 32 MiB of rings: 256 KiB + 512 KiB + ... + 16 MiB) */

struct snap_kept {
	int dir_fd;		/* the directory, flock()ed; -1: nothing kept in use */
	int prog_fd, bss_fd, rings_fd;	/* -1 when absent */
	char dir[PATH_MAX];
};

/* KEY for a program: hex of a hash over the words naming it (its ELF's hash,
 * its configuration, the kernel's). */
void snap_kept_key(const __u64 *words, int cnt, char *key, size_t len);
/* Open and lock the program kept under key: 0; -ENOENT none kept; -EBUSY in use by
 * another snapshot; other -errno (message in d). k is closed unless 0. */
int snap_kept_open(struct bpfdump *d, const char *key, struct snap_kept *k);
/* Keep a loaded program: pin it and its maps under key, locked for this user. */
int snap_kept_pin(struct bpfdump *d, const char *key, int prog_fd, int bss_fd, int rings_fd,
		  struct snap_kept *k);
/* The kept ring buffer of size bytes (a power of 2): an fd, or -ENOENT. */
int snap_kept_ring(const struct snap_kept *k, size_t size);
/* Keep ring_fd (size bytes, a power of 2) for later snapshots. */
int snap_kept_pin_ring(struct bpfdump *d, struct snap_kept *k, int ring_fd, size_t size);
/* Close the fds and unlock (the pins stay). */
void snap_kept_close(struct snap_kept *k);
/* Remove every kept program: how many, or -errno. */
int snap_kept_drop(struct bpfdump *d);

#endif
