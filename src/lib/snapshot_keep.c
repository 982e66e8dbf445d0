// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The snapshot program kept loaded in bpffs (see snapshot_keep.h): pinned by
 * `bpfdump snapshot --keep`, found and locked by later snapshots, removed by
 * `bpfdump snapshot --drop` (or a reboot: bpffs lives in memory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "internal.h"
#include "pin.h"
#include "snapshot_keep.h"

void snap_kept_key(const __u64 *words, int cnt, char *key, size_t len)
{
	__u64 h = 0xcbf29ce484222325ull;	/* FNV-1a over 8-byte words */
	int i;

	for (i = 0; i < cnt; i++)
		h = (h ^ words[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	snprintf(key, len, "%016llx", (unsigned long long)h);
}

static void kept_init(struct snap_kept *k)
{
	memset(k, 0, sizeof(*k));
	k->dir_fd = k->prog_fd = k->bss_fd = k->rings_fd = -1;
}

void snap_kept_close(struct snap_kept *k)
{
	int *fds[] = { &k->prog_fd, &k->bss_fd, &k->rings_fd, &k->dir_fd };
	size_t i;

	/* the directory last: closing it drops the lock */
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int obj_get(const struct snap_kept *k, const char *name)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/%s", k->dir, name);
	return bpf_obj_get(path);
}

/* The kept objects are what we pinned: a tracing program named "snapshot", an
 * mmapable array, an array of maps. */
static bool kept_objects_ok(struct snap_kept *k)
{
	struct bpf_prog_info pi = {};
	struct bpf_map_info mi = {};
	__u32 len = sizeof(pi);

	if (bpf_obj_get_info_by_fd(k->prog_fd, &pi, &len) || pi.type != BPF_PROG_TYPE_TRACING ||
	    strcmp(pi.name, "snapshot"))
		return false;
	len = sizeof(mi);
	if (bpf_obj_get_info_by_fd(k->bss_fd, &mi, &len) || mi.type != BPF_MAP_TYPE_ARRAY ||
	    !(mi.map_flags & BPF_F_MMAPABLE))
		return false;
	memset(&mi, 0, sizeof(mi));
	len = sizeof(mi);
	return !bpf_obj_get_info_by_fd(k->rings_fd, &mi, &len) &&
	       mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS;
}

/* "ringN": the kept ring buffer of 2^N bytes */
static void ring_name(size_t size, char *buf, size_t len)
{
	int n = 0;

	while (((size_t)1 << n) < size)
		n++;
	snprintf(buf, len, "ring%d", n);
}

int snap_kept_ring(const struct snap_kept *k, size_t size)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	char name[16];
	int fd;

	ring_name(size, name, sizeof(name));
	fd = obj_get(k, name);
	if (fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.type != BPF_MAP_TYPE_RINGBUF ||
	    mi.max_entries != size) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Unpin what the directory holds (ours: prog, bss, rings, ringN), remove it. */
static void unpin_all(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	DIR *dp = opendir(dir);

	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

int snap_kept_open(struct bpfdump *d, const char *key, struct snap_kept *k)
{
	kept_init(k);
	if (snprintf(k->dir, sizeof(k->dir), "%s/%s", SNAP_KEEP_ROOT, key) >= (int)sizeof(k->dir))
		return -ENOENT;
	k->dir_fd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->dir_fd < 0)
		return -ENOENT;
	if (flock(k->dir_fd, LOCK_EX | LOCK_NB)) {
		snap_kept_close(k);
		return -EBUSY;
	}
	k->prog_fd = obj_get(k, "prog");
	k->bss_fd = obj_get(k, "bss");
	k->rings_fd = obj_get(k, "rings");
	if (k->prog_fd < 0 || k->bss_fd < 0 || k->rings_fd < 0 || !kept_objects_ok(k)) {
		/* a --keep that failed half-way, or pins removed by hand: ours to remove
		 * (we hold the lock), so that a --keep can make it again */
		bd_log(d, BPFDUMP_INFO, "snapshot: %s: incomplete: removed", k->dir);
		unpin_all(k->dir);
		snap_kept_close(k);
		return -ENOENT;
	}
	return 0;
}

static int pin_at(struct bpfdump *d, const struct snap_kept *k, int fd, const char *name)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/%s", k->dir, name);
	if (bpf_obj_pin(fd, path))
		return bd_err(d, -errno, "snapshot --keep: pin %s: %s", path, strerror(errno));
	return 0;
}

static int mkdir_mode(struct bpfdump *d, const char *path, mode_t mode)
{
	if (!mkdir(path, mode) || errno == EEXIST)
		return 0;
	return bd_err(d, -errno, "snapshot --keep: mkdir %s: %s", path, strerror(errno));
}

int snap_kept_pin(struct bpfdump *d, const char *key, int prog_fd, int bss_fd, int rings_fd,
		  struct snap_kept *k)
{
	int err;

	kept_init(k);
	snprintf(k->dir, sizeof(k->dir), "%s/%s", SNAP_KEEP_ROOT, key);
	err = bd_mount_bpffs_if_needed(d, SNAP_KEEP_ROOT);
	if (!err)
		err = mkdir_mode(d, "/sys/fs/bpf/bpfdump", 0755);
	if (!err)
		err = mkdir_mode(d, SNAP_KEEP_ROOT, 0700);
	if (err)
		return err;
	if (mkdir(k->dir, 0700)) {
		if (errno == EEXIST)	/* another --keep made it meanwhile */
			return bd_err(d, -EEXIST, "snapshot --keep: %s exists", k->dir);
		return bd_err(d, -errno, "snapshot --keep: mkdir %s: %s", k->dir, strerror(errno));
	}
	k->dir_fd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->dir_fd < 0 || flock(k->dir_fd, LOCK_EX | LOCK_NB)) {
		err = bd_err(d, -errno, "snapshot --keep: lock %s: %s", k->dir, strerror(errno));
		goto fail;
	}
	/* the program last: a directory without it is incomplete, never used */
	err = pin_at(d, k, bss_fd, "bss");
	if (!err)
		err = pin_at(d, k, rings_fd, "rings");
	if (!err)
		err = pin_at(d, k, prog_fd, "prog");
	if (!err)
		return 0;
fail:
	unpin_all(k->dir);
	snap_kept_close(k);
	return err;
}

int snap_kept_pin_ring(struct bpfdump *d, struct snap_kept *k, int ring_fd, size_t size)
{
	char path[PATH_MAX + 24], name[16];

	if (k->dir_fd < 0)
		return -EINVAL;
	ring_name(size, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", k->dir, name);
	if (unlink(path) && errno != ENOENT)
		return bd_err(d, -errno, "snapshot: unpin %s: %s", path, strerror(errno));
	if (bpf_obj_pin(ring_fd, path))
		return bd_err(d, -errno, "snapshot: pin %s: %s", path, strerror(errno));
	return 0;
}

int snap_kept_drop(struct bpfdump *d)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *dp;

	dp = opendir(SNAP_KEEP_ROOT);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		return bd_err(d, -errno, "snapshot --drop: %s: %s", SNAP_KEEP_ROOT, strerror(errno));
	}
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", SNAP_KEEP_ROOT, e->d_name) >=
		    (int)sizeof(path))
			continue;
		/* a snapshot using it keeps its fds: the objects go when it closes them */
		unpin_all(path);
		if (access(path, F_OK)) {
			n++;
			bd_log(d, BPFDUMP_INFO, "snapshot: removed %s", path);
		} else {
			bd_log(d, BPFDUMP_WARN, "snapshot --drop: %s: not removed", path);
		}
	}
	closedir(dp);
	rmdir(SNAP_KEEP_ROOT);
	return n;
}
