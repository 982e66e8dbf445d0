// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfdump__snapshot(): load the precompiled snapshot program, attach it as an
 * iter/task link for one pid, read the iterator once (that runs the whole
 * pass), drain the ring buffer and hand the records to the printers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfdump_snapshot.h"
#include "internal.h"
#include "snapshot_data.h"
#include "host_kernel.h"
#include "snapshot.skel.h"
#include "snapshot_host.skel.h"

_Static_assert(BPFDUMP_SNAP_TASK == SNAP_SEC_TASK && BPFDUMP_SNAP_LIMITS == SNAP_SEC_LIMITS &&
	       BPFDUMP_SNAP_ALL == SNAP_SEC_ALL, "section bits");

int bpfdump__snapshot_sections(struct bpfdump *d, const char *list, unsigned int *sections)
{
	const char *p = list, *e;
	unsigned int bits = 0;
	size_t n, i;

	if (!d || !list || !sections)
		return -EINVAL;
	while (*p) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < 8; i++)
			if (strlen(snap_section_names[i]) == n && !strncmp(p, snap_section_names[i], n))
				break;
		if (i == 8)
			return bd_err(d, -EINVAL, "section '%.*s': unknown (sections: task, creds, "
				      "memory, files, sockets, cgroups, namespaces, limits)", (int)n, p);
		bits |= 1u << i;
		p += n;
		if (*p == ',' && !*++p)
			return bd_err(d, -EINVAL, "sections '%s': empty name at the end", list);
	}
	if (!bits)
		return bd_err(d, -EINVAL, "sections: empty list");
	*sections = bits;
	return 0;
}

/* Never < 0: that would abort the poll and leave records behind. */
static int on_record(void *ctx, void *data, size_t size)
{
	snap_data_add(ctx, data, size);
	return 0;
}

/* Entries in /proc/PID/<what> (lines of maps, names in fd and task), or -errno. */
static long proc_count(int pid, const char *what, bool lines, size_t *bytes)
{
	char path[64], buf[65536];
	long n = 0;
	ssize_t r;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	if (!lines) {
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir)
			return -errno;
		while ((de = readdir(dir)))
			n += de->d_name[0] != '.';
		closedir(dir);
		return n;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < r; i++)
			n += buf[i] == '\n';
		*bytes += r;
	}
	close(fd);
	return n;
}

/* FDSize (the fd table's size: at least the open fds) and Threads of
 * /proc/PID/status: two upper bounds without listing the directories. */
static void status_counts(int pid, long *fd_size, long *threads)
{
	char path[64], line[256];
	FILE *f;

	*fd_size = *threads = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "FDSize:", 7))
			*fd_size = atol(line + 7);
		else if (!strncmp(line, "Threads:", 8))
			*threads = atol(line + 8);
	}
	fclose(f);
}

/* The running kernel's GNU build id, in hex, from /sys/kernel/notes ("" if none). */
static void kernel_build_id(char *hex, size_t len)
{
	__u8 notes[4096];
	size_t off = 0;
	ssize_t n = -1;
	int fd;

	hex[0] = '\0';
	fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, notes, sizeof(notes));
		close(fd);
	}
	while (n > 0 && off + 12 <= (size_t)n) {
		__u32 namesz, descsz, type, i;
		size_t desc;

		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		desc = off + 12 + (((size_t)namesz + 3) & ~3ul);
		if (desc + descsz > (size_t)n)
			return;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    !memcmp(notes + off + 12, "GNU", 4) && descsz * 2 < len) {
			for (i = 0; i < descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", notes[desc + i]);
			return;
		}
		off = desc + (((size_t)descsz + 3) & ~3ul);
	}
}

/*
 * The program, opened. On the very kernel build the library was built on, the
 * variant without CO-RE relocations (vmlinux.h's offsets are this kernel's): libbpf
 * then has no candidates to search in the kernel's BTF, most of a small snapshot's
 * time. Anywhere else, or with BPFDUMP_SNAPSHOT_CORE=1, the CO-RE program.
 */
static struct snapshot_bpf *open_program(struct bpfdump *d)
{
	const char *force = getenv("BPFDUMP_SNAPSHOT_CORE");
	struct snapshot_bpf *skel;
	char id[128];
	int err;

	kernel_build_id(id, sizeof(id));
	if ((force && !strcmp(force, "1")) || !BD_HOST_KERNEL_BUILD_ID[0] ||
	    strcmp(id, BD_HOST_KERNEL_BUILD_ID))
		return snapshot_bpf__open();
	skel = calloc(1, sizeof(*skel));
	if (!skel)
		return NULL;
	err = snapshot_bpf__create_skeleton(skel);
	if (!err) {
		skel->skeleton->data = (void *)snapshot_host_bpf__elf_bytes(&skel->skeleton->data_sz);
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	}
	if (err) {
		snapshot_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	bd_log(d, BPFDUMP_DEBUG, "snapshot program: built for this kernel (%s): no CO-RE", id);
	return skel;
}

/* Where the running kernel keeps a vma's anon_name (CONFIG_ANON_VMA_NAME), from BTF. */
static void anon_name_offsets(const struct btf *btf, __u32 *vma_off, __u32 *name_off)
{
	__u32 boff, tid, bsz;
	int vma = btf__find_by_name_kind(btf, "vm_area_struct", BTF_KIND_STRUCT);
	int avn = btf__find_by_name_kind(btf, "anon_vma_name", BTF_KIND_STRUCT);

	*vma_off = *name_off = 0;
	if (vma <= 0 || avn <= 0 || bd_find_member(btf, vma, "anon_name", &boff, &tid, &bsz))
		return;
	*vma_off = boff / 8;
	if (bd_find_member(btf, avn, "name", &boff, &tid, &bsz))
		*vma_off = 0;
	else
		*name_off = boff / 8;
}

/*
 * A ring buffer that holds the whole pass: every record's upper bound from the
 * sizes /proc gives now, doubled for growth while we load, as a power of 2.
 * Counting is not reading data: the records come from the program.
 */
static size_t ring_size_for(int pid, bool all_threads, long *threads)
{
	size_t maps_bytes = 0, need, sz;
	long vmas, fds, tasks;

	vmas = proc_count(pid, "maps", true, &maps_bytes);
	status_counts(pid, &fds, &tasks);
	/* a table grown once for many fds may now be mostly empty: count those */
	if (fds < 0 || fds > 65536)
		fds = proc_count(pid, "fd", false, NULL);
	if (tasks < 0)
		tasks = proc_count(pid, "task", false, NULL);
	*threads = tasks;
	if (vmas < 0)
		vmas = 64;
	if (fds < 0)
		fds = 1024;
	if (tasks < 0)
		tasks = 64;
	/* 8: the ring's record header; a file's path is not in maps: 256 each */
	need = 64 * 1024 + vmas * (8 + sizeof(struct snap_vma)) + maps_bytes +
	       fds * (8 + sizeof(struct snap_file) + 256 + 8 + sizeof(struct snap_sock)) +
	       tasks * (8 + sizeof(struct snap_thread)) +
	       (all_threads ? tasks * (16 + sizeof(struct snap_task) + sizeof(struct snap_creds)) : 0);
	need *= 2;
	for (sz = 256 * 1024; sz < need && sz < ((size_t)1 << 31); sz <<= 1)
		;
	return sz;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int iter_read_all(int iter_fd)
{
	char buf[4096];
	ssize_t r;

	for (;;) {
		r = read(iter_fd, buf, sizeof(buf));
		if (r == 0)
			return 0;
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			return -errno;
	}
}

static int check_opts(struct bpfdump *d, const struct bpfdump_snapshot_opts *o)
{
	const char *p, *end;

	if (!o)
		return 0;
	if (o->sz < sizeof(size_t))
		return bd_err(d, -EINVAL, "snapshot options: sz %zu too small", o->sz);
	/* a newer caller's fields past ours must be zero */
	end = (const char *)o + o->sz;
	for (p = (const char *)o + sizeof(*o); p < end; p++)
		if (*p)
			return bd_err(d, -EINVAL, "snapshot options: unknown fields set");
	if (o->sz >= offsetof(struct bpfdump_snapshot_opts, ring_size) + sizeof(size_t) &&
	    o->ring_size && (o->ring_size & (o->ring_size - 1) || o->ring_size < 4096))
		return bd_err(d, -EINVAL, "ring size %zu: not a power of 2 of at least 4096",
			      o->ring_size);
	return 0;
}

int bpfdump__snapshot(struct bpfdump *d, int pid, const struct bpfdump_snapshot_opts *opts,
		      FILE *out)
{
	struct bpfdump_snapshot_opts o = { .sz = sizeof(o) };
	LIBBPF_OPTS(bpf_iter_attach_opts, ao);
	union bpf_iter_link_info linfo;
	struct snapshot_bpf *skel = NULL;
	struct ring_buffer *ring = NULL;
	struct bpf_link *link = NULL;
	struct snap_data sd = {};
	int err, iter_fd = -1, cpus, attempt, iter_pid;
	double t_load, t_pass = 0, t_drain;
	long threads = 0;

	if (!d)
		return -EINVAL;
	if (!out || pid <= 0)
		return bd_err(d, -EINVAL, "snapshot: needs a pid > 0 and an output stream");
	err = check_opts(d, opts);
	if (err)
		return err;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	sd.pid = pid;
	sd.sections = o.sections ? o.sections & SNAP_SEC_ALL : SNAP_SEC_ALL;
	sd.all_threads = o.all_threads;
	sd.page_size = sysconf(_SC_PAGESIZE);
	sd.ring_size = o.ring_size ? o.ring_size : ring_size_for(pid, o.all_threads, &threads);
	if (threads == -ENOENT)
		return bd_err(d, -ESRCH, "process %d: no such process", pid);

	t_load = now_ms();
	skel = open_program(d);
	if (!skel)
		return bd_err(d, -errno, "snapshot program: open: %s", strerror(errno));
	cpus = libbpf_num_possible_cpus();
	skel->rodata->sections = sd.sections;
	skel->rodata->all_threads = o.all_threads;
	skel->rodata->nr_cpus = cpus > 0 ? cpus : 1;
	anon_name_offsets(d->btf, &skel->rodata->anon_name_off,
			  &skel->rodata->anon_vma_name_name_off);
	err = bpf_map__set_max_entries(skel->maps.rb, sd.ring_size);
	if (err) {
		err = bd_err(d, err, "ring buffer: %zu bytes: %s", sd.ring_size, strerror(-err));
		goto destroy_skel;
	}
	err = snapshot_bpf__load(skel);
	if (err) {
		err = bd_err(d, err, "snapshot program: load: %s%s", strerror(-err),
			     err == -EPERM ? " (needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: "
					     "run it as root)" : " (-vv shows the verifier log)");
		goto destroy_skel;
	}
	t_load = now_ms() - t_load;
	ring = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_record, &sd, NULL);
	if (!ring) {
		err = bd_err(d, -errno, "ring buffer: %s", strerror(errno));
		goto destroy_skel;
	}
	/*
	 * A process id finds the process's tasks. A thread id (not a tgid) finds
	 * none: then one pass over that thread alone tells its process, whose
	 * snapshot is taken instead (a walk from a thread would miss the threads
	 * before it). Passes that are not the answer are drained and dropped.
	 */
	for (attempt = 0, iter_pid = pid; attempt < 3; attempt++) {
		memset(&linfo, 0, sizeof(linfo));
		if (attempt == 1)
			linfo.task.tid = pid;
		else
			linfo.task.pid = iter_pid;
		ao.link_info = &linfo;
		ao.link_info_len = sizeof(linfo);
		link = bpf_program__attach_iter(skel->progs.snapshot, &ao);
		if (!link) {
			err = -errno;
			if (err == -ESRCH || err == -ENOENT)
				err = bd_err(d, -ESRCH, "process %d: no such process", pid);
			else
				err = bd_err(d, err, "process %d: attach iter/task: %s", pid,
					     strerror(-err));
			goto free_ring;
		}
		iter_fd = bpf_iter_create(bpf_link__fd(link));
		if (iter_fd < 0) {
			err = bd_err(d, -errno, "process %d: iterator: %s", pid, strerror(errno));
			goto destroy_link;
		}
		t_pass = now_ms();
		err = iter_read_all(iter_fd);
		t_pass = now_ms() - t_pass;
		if (err) {
			err = bd_err(d, err, "process %d: reading the iterator: %s", pid,
				     strerror(-err));
			goto close_iter;
		}
		if (skel->bss->cnt.calls && attempt != 1)
			break;
		close(iter_fd);
		iter_fd = -1;
		bpf_link__destroy(link);
		link = NULL;
		if (attempt == 1) {
			if (!skel->bss->cnt.calls)
				break;
			iter_pid = skel->bss->first_tgid;
			bd_log(d, BPFDUMP_INFO, "%d is a thread of process %d: snapshot of %d", pid,
			       iter_pid, iter_pid);
			ring_buffer__consume(ring);
			snap_data_free(&sd);
			memset(sd.recs, 0, sizeof(sd.recs));
			sd.bad_records = 0;
			sd.oom = false;
			memset(&skel->bss->cnt, 0, sizeof(skel->bss->cnt));
			skel->bss->done = 0;
			sd.pid = iter_pid;
		}
	}
	if (!link) {
		err = bd_err(d, -ESRCH, "process %d: no such process (or it exited before the pass)",
			     pid);
		goto free_ring;
	}
	t_drain = now_ms();
	err = ring_buffer__consume(ring);
	t_drain = now_ms() - t_drain;
	if (err < 0) {
		err = bd_err(d, err, "ring buffer: consume: %s", strerror(-err));
		goto close_iter;
	}
	sd.cnt = skel->bss->cnt;
	if (!sd.cnt.calls || !sd.recs[SNAP_REC_TASK].n) {
		err = bd_err(d, -ESRCH, "process %d: no such process (or it exited before the pass)",
			     pid);
		goto close_iter;
	}
	if (sd.oom) {
		err = bd_err(d, -ENOMEM, "process %d: out of memory keeping records", pid);
		goto close_iter;
	}
	err = 0;
	if (sd.cnt.lost) {
		bd_log(d, BPFDUMP_WARN, "process %d: %llu records lost (%llu bytes): the ring buffer "
		       "of %zu bytes was full; the snapshot is incomplete", pid,
		       (unsigned long long)sd.cnt.lost, (unsigned long long)sd.cnt.lost_bytes,
		       sd.ring_size);
		err++;
	}
	if (sd.cnt.vma_err && (sd.sections & SNAP_SEC_MEMORY)) {
		bd_log(d, BPFDUMP_WARN, "process %d: mappings not read: %s", pid,
		       strerror(-sd.cnt.vma_err));
		err++;
	}
	if (sd.cnt.fd_cut) {
		bd_log(d, BPFDUMP_WARN, "process %d: fd table of %u slots: only the first %u read",
		       pid, sd.cnt.fd_max, SNAP_MAX_FDS);
		err++;
	}
	if (sd.bad_records) {
		bd_log(d, BPFDUMP_WARN, "process %d: %zu malformed records skipped", pid,
		       sd.bad_records);
		err++;
	}
	bd_log(d, BPFDUMP_INFO, "snapshot of %d: %llu records, %llu bytes, ring buffer %zu bytes, "
	       "%u threads seen; open+load %.1f ms, pass %.1f ms, drain %.1f ms", sd.pid,
	       (unsigned long long)sd.cnt.records, (unsigned long long)sd.cnt.bytes, sd.ring_size,
	       sd.cnt.calls, t_load, t_pass, t_drain);
	if ((o.json ? snap_print_json(&sd, out) : snap_print_text(&sd, out)) < 0) {
		err = bd_err(d, -EIO, "writing the snapshot: %s", strerror(errno));
		goto close_iter;
	}
close_iter:
	if (iter_fd >= 0)
		close(iter_fd);
destroy_link:
	bpf_link__destroy(link);
free_ring:
	ring_buffer__free(ring);
destroy_skel:
	snapshot_bpf__destroy(skel);
	snap_data_free(&sd);
	return err;
}
