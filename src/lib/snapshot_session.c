// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The snapshot program made ready for passes: found kept in bpffs (no load, no
 * verification, its ring buffer's pages already touched) or loaded here; the
 * ring buffer in its slot; one pass = an iter/task link for one pid, the
 * iterator read to its end (that runs the program), the ring drained.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "snapshot_session.h"
#include "snapshot.skel.h"
#include "snapshot_classic.skel.h"


double snap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A ring record is a batch of snapshot records, each 8-byte aligned. Keep them
 * where they are: the ring is not written again until the next pass, which
 * starts by dropping what this one kept. Never < 0: that would stop the drain
 * and leave records behind. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct snap_session *s = ctx;
	const struct snap_hdr *h;
	size_t off = 0;

	if (!s->sd)
		return 0;
	while (off + sizeof(*h) <= size) {
		h = (const struct snap_hdr *)((const char *)data + off);
		if (h->len < sizeof(*h) || h->len > size - off) {
			s->sd->bad_records++;	/* the rest of the batch cannot be found */
			break;
		}
		snap_data_add(s->sd, h, h->len);
		off += (h->len + 7) & ~7u;
	}
	return 0;
}

/* A ring made to be kept: written through once by the program in its fill mode
 * (a pass over this process that writes empty batches until the ring is full),
 * so that no snapshot pays for its pages' first touch. */
static void fill_ring(struct snap_session *s)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	union bpf_iter_link_info li = {};
	int link_fd, iter_fd, err = 0;
	__u32 zero = 0;
	char buf[64];
	double t = snap_now_ms();

	if (bpf_map_update_elem(s->rings_fd, &zero, &s->ring_fd, BPF_ANY))
		return;
	li.task.pid = getpid();
	lo.iter_info = &li;
	lo.iter_info_len = sizeof(li);
	s->bss->fill = 1;
	link_fd = bpf_link_create(s->prog_fd, 0, BPF_TRACE_ITER, &lo);
	iter_fd = link_fd >= 0 ? bpf_iter_create(link_fd) : -1;
	while (iter_fd >= 0 && (err = read(iter_fd, buf, sizeof(buf))) > 0)
		;
	s->bss->fill = 0;
	if (iter_fd >= 0)
		close(iter_fd);
	if (link_fd >= 0)
		close(link_fd);
	bd_log(s->d, BPFDUMP_DEBUG, "snapshot: kept ring buffer of %zu bytes written through in "
	       "%.1f ms%s", s->ring_size, snap_now_ms() - t, iter_fd < 0 || err < 0 ? " (failed)" : "");
}

static void drop_ring(struct snap_session *s)
{
	ring_buffer__free(s->ring);
	s->ring = NULL;
	if (s->ring_fd >= 0)
		close(s->ring_fd);
	s->ring_fd = -1;
	s->ring_size = 0;
}

void snap_session_close(struct snap_session *s)
{
	drop_ring(s);
	if (s->bss_len)
		munmap(s->bss, s->bss_len);
	s->bss = NULL;
	s->bss_len = 0;
	snap_kept_close(&s->kept);	/* unlocks */
	snap_program_close(&s->sp);
}

/* The kept program's key: its ELF, the kernel (build id), what the .rodata
 * says (the verifier pruned the code for the rest). */
static void program_key(struct snap_session *s, const struct bpfdump_snapshot_opts *o, int cpus,
			char *key, size_t len)
{
	__u64 w[6] = { 0, o->sections, o->all_threads, cpus, 0, o->data_max };
	char build_id[128];
	size_t i;

	snap_program_choose(&s->sp, &w[0], build_id, sizeof(build_id));
	w[4] = s->sp.host;
	for (i = 0; build_id[i]; i++)
		w[4] = (w[4] ^ (unsigned char)build_id[i]) * 0x100000001b3ull;
	snap_kept_key(w, 6, key, len);
}

/* Use the kept program of k: its fds and .bss mapping become the session's. */
static int adopt_kept(struct snap_session *s)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (sizeof(*s->bss) + page - 1) / page * page;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s->kept.bss_fd, 0);
	if (p == MAP_FAILED)
		return bd_err(s->d, -errno, "snapshot: %s/bss: mmap: %s", s->kept.dir,
			      strerror(errno));
	s->bss = p;
	s->bss_len = len;
	s->cnt = &s->bss->cnt;
	s->done = &s->bss->done;
	s->bss_tgid = &s->bss->first_tgid;
	s->prog_fd = s->kept.prog_fd;
	s->rings_fd = s->kept.rings_fd;
	s->from_kept = true;
	return 0;
}

/* The classic iterators' programs (snapshot_classic.bpf.c), loaded. */
static int load_classic(struct snap_session *s, const struct bpfdump_snapshot_opts *o, int cpus)
{
	struct snapshot_classic_bpf *c = s->sp.cskel;
	int err;

	if (o->data_max)
		return bd_err(s->d, -EOPNOTSUPP, "snapshot --data: queued data needs the "
			      "open-coded iterators' program (%s): %s", s->sp.direct ?
			      "which reads with bpf_probe_read_kernel" :
			      "Linux 6.7", s->sp.why);
	c->rodata->sections = o->sections;
	c->rodata->all_threads = o->all_threads;
	c->rodata->nr_cpus = cpus;
	bd_log(s->d, BPFDUMP_INFO, "snapshot: classic iterators (iter/task, iter/task_vma, "
	       "iter/task_file with the pid): %s", s->sp.why);
	err = snap_program_load(s->d, &s->sp);
	if (err)
		return err;
	c = s->sp.cskel;	/* the direct-read ones when probe reads were refused */
	s->task_fd = bpf_program__fd(c->progs.snap_task);
	s->vma_fd = bpf_program__fd(c->progs.snap_vma);
	s->file_fd = bpf_program__fd(c->progs.snap_file);
	s->prog_fd = s->task_fd;
	s->rings_fd = bpf_map__fd(c->maps.rings);
	s->cnt = &c->bss->cnt;
	s->done = &c->bss->done;
	s->bss_tgid = &c->bss->first_tgid;
	return 0;
}

static int load_here(struct snap_session *s, const struct bpfdump_snapshot_opts *o, int cpus)
{
	int err;

	err = snap_program_open(s->d, &s->sp);
	if (err)
		return err;
	if (s->sp.classic)
		return load_classic(s, o, cpus);
	s->sp.skel->rodata->sections = o->sections;
	s->sp.skel->rodata->all_threads = o->all_threads;
	s->sp.skel->rodata->data_max = o->data_max;
	s->sp.skel->rodata->nr_cpus = cpus;
	err = snap_program_load(s->d, &s->sp);
	if (err == -EAGAIN && s->sp.classic)	/* probe reads forbidden: the direct-read ones */
		return load_classic(s, o, cpus);
	if (err)
		return err;
	s->prog_fd = bpf_program__fd(s->sp.skel->progs.snapshot);
	s->rings_fd = bpf_map__fd(s->sp.skel->maps.rings);
	s->bss = s->sp.skel->bss;
	s->cnt = &s->bss->cnt;
	s->done = &s->bss->done;
	s->bss_tgid = &s->bss->first_tgid;
	bd_log(s->d, BPFDUMP_INFO, "snapshot: open-coded iterators (one iter/task program)");
	return 0;
}

int snap_session_open(struct bpfdump *d, const struct bpfdump_snapshot_opts *o,
		      struct snap_session *s)
{
	int err, cpus = libbpf_num_possible_cpus();
	char key[32];

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->ring_fd = s->prog_fd = s->rings_fd = -1;
	s->task_fd = s->vma_fd = s->file_fd = -1;
	s->kept.dir_fd = s->kept.prog_fd = s->kept.bss_fd = s->kept.rings_fd = -1;
	s->t_load = snap_now_ms();
	if (cpus <= 0)
		cpus = 1;
	program_key(s, o, cpus, key, sizeof(key));
	err = snap_program_probe(d, &s->sp);
	if (err)
		goto fail;
	if (s->sp.classic && o->keep == BPFDUMP_SNAP_KEEP)
		bd_log(d, BPFDUMP_WARN, SNAP_KEEP_CLASSIC_MSG, s->sp.why);
	if (o->keep != BPFDUMP_SNAP_FRESH && !s->sp.classic) {
		err = snap_kept_open(d, key, &s->kept);
		if (!err && !adopt_kept(s)) {
			bd_log(d, BPFDUMP_INFO, "snapshot: open-coded iterators, the program kept at %s",
			       s->kept.dir);
			s->t_load = snap_now_ms() - s->t_load;
			return 0;
		}
		if (!err) {	/* found but not usable: said; load one */
			bd_log(d, BPFDUMP_WARN, "%s: loading one", bpfdump__errmsg(d));
			snap_kept_close(&s->kept);
		}
		if (err == -EBUSY)
			bd_log(d, BPFDUMP_INFO, "snapshot: the kept program is in use by another "
			       "snapshot: loading one");
	}
	err = load_here(s, o, cpus);
	if (err)
		goto fail;
	if (o->keep == BPFDUMP_SNAP_KEEP && !s->sp.classic) {
		err = snap_kept_pin(d, key, s->prog_fd, bpf_map__fd(s->sp.skel->maps.bss),
				    s->rings_fd, &s->kept);
		if (err == -EEXIST) {
			bd_log(d, BPFDUMP_INFO, "%s: running with a program of its own",
			       bpfdump__errmsg(d));
		} else if (err) {
			goto fail;
		} else {
			bd_log(d, BPFDUMP_INFO, "snapshot: program kept at %s", s->kept.dir);
		}
	}
	s->t_load = snap_now_ms() - s->t_load;
	return 0;
fail:
	snap_session_close(s);
	return err;
}

/* Put ring_fd in the program's slot and map it here. A ring found kept may hold
 * records of a snapshot that stopped before draining: dropped first. */
static int attach_ring(struct snap_session *s, bool fresh)
{
	__u32 zero = 0;
	int err;

	if (bpf_map_update_elem(s->rings_fd, &zero, &s->ring_fd, BPF_ANY)) {
		err = -errno;
		return bd_err(s->d, err, "ring buffer: into the program's slot: %s", strerror(-err));
	}
	s->ring = ring_buffer__new(s->ring_fd, on_record, s, NULL);
	if (!s->ring)
		return bd_err(s->d, -errno, "ring buffer: %s", strerror(errno));
	if (!fresh) {
		s->sd = NULL;
		err = ring_buffer__consume(s->ring);
		if (err > 0)
			bd_log(s->d, BPFDUMP_DEBUG, "snapshot: the kept ring buffer held %d batches "
			       "of records an earlier snapshot left: dropped", err);
	}
	return 0;
}

int snap_session_ring(struct snap_session *s, size_t size, bool exact)
{
	bool fits = s->ring_fd >= 0 && (exact ? s->ring_size == size : s->ring_size >= size);
	int fd;

	if (fits)
		return s->ring ? 0 : attach_ring(s, false);
	drop_ring(s);
	/* a kept program's ring of this size, its pages touched by earlier passes */
	if (s->kept.dir_fd >= 0 && (fd = snap_kept_ring(&s->kept, size)) >= 0) {
		s->ring_fd = fd;
		s->ring_size = size;
		return attach_ring(s, false);
	}
	fd = s->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "snap_ring", 0, 0, size, NULL);
	if (fd < 0)
		return bd_err(s->d, -errno, "ring buffer of %zu bytes: %s", size, strerror(errno));
	s->ring_size = size;
	if (s->kept.dir_fd < 0 || size > SNAP_KEEP_RING_MAX)
		return attach_ring(s, true);
	if (snap_kept_pin_ring(s->d, &s->kept, fd, size))
		bd_log(s->d, BPFDUMP_WARN, "%s", bpfdump__errmsg(s->d));
	else
		fill_ring(s);
	return attach_ring(s, false);	/* drops what the fill wrote */
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

/* Attach prog_fd for li and read the iterator to its end: 0 or -errno. */
static int run_iter(struct snap_session *s, int prog_fd, const char *target,
		    union bpf_iter_link_info *li, int pid)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .iter_info = li, .iter_info_len = sizeof(*li));
	int link_fd, iter_fd, err;

	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &lo);
	if (link_fd < 0) {
		err = -errno;
		if (err == -ESRCH || err == -ENOENT)
			return bd_err(s->d, -ESRCH, "process %d: no such process", pid);
		return bd_err(s->d, err, "process %d: attach iter/%s: %s", pid, target,
			      strerror(-err));
	}
	iter_fd = bpf_iter_create(link_fd);
	if (iter_fd < 0) {
		err = bd_err(s->d, -errno, "process %d: iterator: %s", pid, strerror(errno));
		goto out;
	}
	err = iter_read_all(iter_fd);
	close(iter_fd);
	if (err)
		err = bd_err(s->d, err, "process %d: reading the iter/%s iterator: %s", pid, target,
			     strerror(-err));
out:
	close(link_fd);
	return err;
}

int snap_session_pass(struct snap_session *s, union bpf_iter_link_info *li, int pid,
		      struct snap_data *sd, double t[2])
{
	unsigned int sec = s->sp.classic ? s->sp.cskel->rodata->sections : 0;
	int err;

	int xfd = -1;
	bool data = sd->data;

	snap_data_reset(sd);
	memset(s->cnt, 0, sizeof(*s->cnt));
	*s->done = 0;
	*s->bss_tgid = 0;
	s->sd = sd;
	/* --data: a socket of our own, whose slab the program finds its page
	 * translation with and checks it against (xlate_setup in snapshot.bpf.c) */
	if (data && !s->sp.classic && s->bss) {
		xfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		s->bss->xlate_fd = xfd >= 0 ? xfd + 1 : 0;
	}
	t[0] = snap_now_ms();
	err = run_iter(s, s->prog_fd, "task", li, pid);
	if (xfd >= 0) {
		s->bss->xlate_fd = 0;
		close(xfd);
	}
	/* classic: the mappings and files of the process the task run found */
	if (!err && s->sp.classic && s->cnt->calls && (sec & SNAP_SEC_MEMORY))
		err = run_iter(s, s->vma_fd, "task_vma", li, pid);
	if (!err && s->sp.classic && s->cnt->calls && (sec & (SNAP_SEC_FILES | SNAP_SEC_SOCKETS)))
		err = run_iter(s, s->file_fd, "task_file", li, pid);
	t[0] = snap_now_ms() - t[0];
	if (err)
		return err;
	t[1] = snap_now_ms();
	err = ring_buffer__consume(s->ring);
	t[1] = snap_now_ms() - t[1];
	if (err < 0)
		err = bd_err(s->d, err, "ring buffer: consume: %s", strerror(-err));
	else
		err = 0;
	sd->cnt = *s->cnt;
	sd->ring_size = s->ring_size;
	s->first_tgid = *s->bss_tgid;
	return err;
}
