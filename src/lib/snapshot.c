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
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfdump_snapshot.h"
#include "internal.h"
#include "snapshot_data.h"
#include "snapshot_session.h"
#include "util.h"

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

/* 0 if /proc/PID exists, else -errno */
static int access_proc(int pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) ? -errno : 0;
}

/* Open fds of process pid as /proc/PID/fd's size says (Linux 6.2 and later),
 * or 0 where it does not. */
static long fd_count_cheap(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	return !stat(path, &st) && st.st_size > 0 ? st.st_size : 0;
}

/* Entries of /proc/PID/fd, or -errno. */
static long fd_count(int pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* The smallest power of 2 of at least 256 KiB holding need bytes (at most 1 GiB). */
static size_t pow2_at_least(size_t need)
{
	size_t sz;

	for (sz = 256 * 1024; sz < need && sz < ((size_t)1 << 30); sz <<= 1)
		;
	return sz;
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

/*
 * A first ring buffer size for process pid, without listing what the /proc
 * reader lists: its open fds (/proc/PID/fd's size; FDSize, the fd table's
 * size, on kernels before 6.2, or where the directory cannot be read) as file
 * records with 64-byte paths, a thread record per thread (Threads of
 * /proc/PID/status), 512 KiB for the mappings. If the pass finds more, it is
 * run again with a ring of the size it measured.
 */
static size_t ring_size_for(int pid, bool all_threads)
{
	size_t need;
	long fds, tasks, open_fds;

	status_counts(pid, &fds, &tasks);
	open_fds = fd_count_cheap(pid);
	if (open_fds > 0)
		fds = open_fds;
	else if (fds > 65536)	/* a table grown once for many fds may now be mostly empty */
		fds = fd_count(pid);
	if (fds < 0)
		fds = 1024;
	if (tasks < 0)
		tasks = 64;
	need = 512 * 1024 + fds * (8 + sizeof(struct snap_file) + 64) +
	       tasks * (8 + sizeof(struct snap_thread)) +
	       (all_threads ? tasks * (16 + sizeof(struct snap_task) + sizeof(struct snap_creds)) : 0);
	return pow2_at_least(need);
}

static int check_opts(struct bpfdump *d, const struct bpfdump_snapshot_opts *o)
{
	size_t ring_size = OPTS_GET(o, ring_size, 0);

	if (!OPTS_OK(o, bpfdump_snapshot_opts))
		return bd_err(d, -EINVAL, "snapshot options: sz too small, or fields this "
			      "library lacks set");
	if (ring_size && (ring_size & (ring_size - 1) || ring_size < 4096))
		return bd_err(d, -EINVAL, "ring size %zu: not a power of 2 of at least 4096",
			      ring_size);
	if ((unsigned int)OPTS_GET(o, keep, 0) > BPFDUMP_SNAP_FRESH)
		return bd_err(d, -EINVAL, "snapshot options: keep %d: unknown", (int)o->keep);
	if (OPTS_GET(o, data_max, 0) > SNAP_DATA_MAX_LIMIT)
		return bd_err(d, -EINVAL, "snapshot --data-max %zu: more than %u bytes per socket",
			      o->data_max, SNAP_DATA_MAX_LIMIT);
	if (OPTS_GET(o, data_dir, NULL) && !OPTS_GET(o, data_max, 0))
		return bd_err(d, -EINVAL, "snapshot options: data_dir without data_max (--data)");
	return 0;
}

/* Warnings for what the pass could not read: how many (0: complete). */
static int partial_warnings(struct bpfdump *d, const struct snap_data *sd)
{
	int n = 0;

	if (sd->cnt.lost) {
		bd_log(d, BPFDUMP_WARN, "process %d: %llu records lost (%llu bytes): the ring buffer "
		       "of %zu bytes was full; the snapshot is incomplete", sd->pid,
		       (unsigned long long)sd->cnt.lost, (unsigned long long)sd->cnt.lost_bytes,
		       sd->ring_size);
		n++;
	}
	if (sd->cnt.vma_err && (sd->sections & SNAP_SEC_MEMORY)) {
		bd_log(d, BPFDUMP_WARN, "process %d: mappings not read: %s", sd->pid,
		       strerror(-sd->cnt.vma_err));
		n++;
	}
	if (sd->cnt.fd_cut) {
		bd_log(d, BPFDUMP_WARN, "process %d: fd table of %u slots: only the first %u read",
		       sd->pid, sd->cnt.fd_max, SNAP_MAX_FDS);
		n++;
	}
	if (sd->bad_records) {
		bd_log(d, BPFDUMP_WARN, "process %d: %zu malformed records skipped", sd->pid,
		       sd->bad_records);
		n++;
	}
	return n;
}

/*
 * The snapshot of process pid into sd (printing is the caller's). A process id
 * finds the process's tasks. A thread id (not a tgid) finds none: then one pass
 * over that thread alone tells its process, whose snapshot is taken instead (a
 * walk from a thread would miss the threads before it). When the ring was sized
 * here and records were lost, the pass runs again with a ring of the size the
 * first one measured. Returns the count of warnings, or -errno.
 */
static int session_take(struct snap_session *s, int pid, const struct bpfdump_snapshot_opts *o,
			struct snap_data *sd)
{
	union bpf_iter_link_info li = {};
	double t[2] = { 0, 0 };
	int err;

	sd->pid = pid;
	sd->sections = o->sections;
	sd->all_threads = o->all_threads;
	sd->data = o->data_max != 0;
	sd->page_size = sysconf(_SC_PAGESIZE);
	sd->borrowed = true;
	if (o->ring_size)
		err = snap_session_ring(s, o->ring_size, true);
	else
		err = snap_session_ring(s, ring_size_for(pid, o->all_threads), false);
	if (err)
		return err;
	li.task.pid = pid;
	err = snap_session_pass(s, &li, pid, sd, t);
	if (!err && !sd->cnt.calls) {
		memset(&li, 0, sizeof(li));
		li.task.tid = pid;
		err = snap_session_pass(s, &li, pid, sd, t);
		if (!err && sd->cnt.calls) {
			sd->pid = s->first_tgid;
			bd_log(s->d, BPFDUMP_INFO, "%d is a thread of process %d: snapshot of %d", pid,
			       sd->pid, sd->pid);
			memset(&li, 0, sizeof(li));
			li.task.pid = sd->pid;
			err = snap_session_pass(s, &li, pid, sd, t);
		}
	}
	if (!err && sd->cnt.lost && !o->ring_size) {
		size_t size = pow2_at_least((sd->cnt.bytes + sd->cnt.lost_bytes +
				      8 * (sd->cnt.records + sd->cnt.lost)) * 5 / 4);
		bd_log(s->d, BPFDUMP_INFO, "process %d: %llu records did not fit %zu bytes: again "
		       "with %zu", sd->pid, (unsigned long long)sd->cnt.lost, s->ring_size, size);
		err = snap_session_ring(s, size, false);
		if (!err)
			err = snap_session_pass(s, &li, pid, sd, t);
	}
	if (err)
		return err;
	if (sd->cnt.calls && !sd->recs[SNAP_REC_TASK].n && sd->cnt.lost)
		return bd_err(s->d, -ENOSPC, "process %d: the ring buffer of %zu bytes had no room "
			      "even for the task record (%llu records lost)", pid, s->ring_size,
			      (unsigned long long)sd->cnt.lost);
	if (!sd->cnt.calls || !sd->recs[SNAP_REC_TASK].n)
		return bd_err(s->d, -ESRCH, "process %d: no such process (or it exited before the "
			      "pass)", pid);
	if (sd->oom)
		return bd_err(s->d, -ENOMEM, "process %d: out of memory keeping records", pid);
	bd_log(s->d, BPFDUMP_INFO, "snapshot of %d: %llu records, %llu bytes, ring buffer %zu "
	       "bytes, %u threads seen; %s %.1f ms, pass %.1f ms, drain %.1f ms", sd->pid,
	       (unsigned long long)sd->cnt.records, (unsigned long long)sd->cnt.bytes,
	       s->ring_size, sd->cnt.calls, s->from_kept ? "kept program found" : "open+load",
	       s->t_load, t[0], t[1]);
	return partial_warnings(s->d, sd);
}

static int take_opts(struct bpfdump *d, const struct bpfdump_snapshot_opts *opts,
		     struct bpfdump_snapshot_opts *o)
{
	int err = check_opts(d, opts);

	if (err)
		return err;
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	if (opts)
		memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	o->sections = o->sections ? o->sections & SNAP_SEC_ALL : SNAP_SEC_ALL;
	return 0;
}

/* Take and print one snapshot: 0 complete, > 0 warnings, < 0 -errno. */
static int take_and_print(struct snap_session *s, int pid, const struct bpfdump_snapshot_opts *o,
			  int dir_fd, bool titled, struct snap_data *sd, FILE *out)
{
	char why[128];
	int err, warn;
	double t;

	if (access_proc(pid) == -ENOENT)
		return bd_err(s->d, -ESRCH, "process %d: no such process", pid);
	warn = err = session_take(s, pid, o, sd);
	if (err < 0)
		return err;
	if (dir_fd >= 0 && (sd->sections & SNAP_SEC_SOCKETS)) {
		sd->data_files = true;
		err = snap_qdata_write(sd, dir_fd, why, sizeof(why));
		if (err)
			return bd_err(s->d, err, "snapshot --data-dir %s: %s", o->data_dir, why);
	}
	t = snap_now_ms();
	if ((titled && !o->json && snap_print_title(sd, out) < 0) ||
	    (o->json ? snap_print_json(sd, out) : snap_print_text(sd, out)) < 0)
		return bd_err(s->d, -EIO, "writing the snapshot: %s", strerror(errno));
	bd_log(s->d, BPFDUMP_DEBUG, "snapshot of %d: printed in %.1f ms", sd->pid, snap_now_ms() - t);
	return warn;
}

/*
 * Snapshot each pid with one loaded program, printing them in order. single: a
 * pid's failure is the result; else it is logged and counted, and the others go
 * on (all but a failed output). Returns the warnings and failures counted, or -errno.
 */
static int snapshot_pids(struct bpfdump *d, const int *pids, int cnt,
			 const struct bpfdump_snapshot_opts *opts, FILE *out, bool single)
{
	struct bpfdump_snapshot_opts o;
	struct snap_session s;
	struct snap_data sd = {};
	int i, err, problems = 0, dir_fd = -1;

	err = take_opts(d, opts, &o);
	if (err)
		return err;
	/* before the program is loaded: one pid that is gone costs no load */
	if (single && access_proc(pids[0]) == -ENOENT)
		return bd_err(d, -ESRCH, "process %d: no such process", pids[0]);
	if (o.data_dir) {
		dir_fd = open(o.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			return bd_err(d, -errno, "snapshot --data-dir %s: %s", o.data_dir,
				      strerror(errno));
	}
	err = snap_session_open(d, &o, &s);
	if (err) {
		if (dir_fd >= 0)
			close(dir_fd);
		return err;
	}
	for (i = 0; i < cnt; i++) {
		if (i && !o.json)
			fputc('\n', out);
		err = take_and_print(&s, pids[i], &o, dir_fd, !single, &sd, out);
		if (err >= 0) {
			problems += err;
		} else if (single || err == -EIO) {
			break;	/* the output is gone, or the one pid failed */
		} else {
			bd_log(d, BPFDUMP_WARN, "%s", bpfdump__errmsg(d));
			problems++;
		}
	}
	snap_session_close(&s);
	snap_data_free(&sd);
	if (dir_fd >= 0)
		close(dir_fd);
	return err < 0 && (single || err == -EIO) ? err : problems;
}

int bpfdump__snapshot(struct bpfdump *d, int pid, const struct bpfdump_snapshot_opts *opts,
		      FILE *out)
{
	if (!d)
		return -EINVAL;
	if (!out || pid <= 0)
		return bd_err(d, -EINVAL, "snapshot: needs a pid > 0 and an output stream");
	return snapshot_pids(d, &pid, 1, opts, out, true);
}

int bpfdump__snapshot_many(struct bpfdump *d, const int *pids, int cnt,
			   const struct bpfdump_snapshot_opts *opts, FILE *out)
{
	int i;

	if (!d)
		return -EINVAL;
	if (!out || !pids || cnt <= 0)
		return bd_err(d, -EINVAL, "snapshot: needs pids and an output stream");
	for (i = 0; i < cnt; i++)
		if (pids[i] <= 0)
			return bd_err(d, -EINVAL, "snapshot: pid %d: needs a pid > 0", pids[i]);
	return snapshot_pids(d, pids, cnt, opts, out, false);
}

int bpfdump__snapshot_keep(struct bpfdump *d, const struct bpfdump_snapshot_opts *opts)
{
	struct bpfdump_snapshot_opts o;
	struct snap_session s;
	int err;

	if (!d)
		return -EINVAL;
	err = take_opts(d, opts, &o);
	if (err)
		return err;
	o.keep = BPFDUMP_SNAP_KEEP;
	memset(&s, 0, sizeof(s));
	err = snap_program_probe(d, &s.sp);
	if (err)
		return err;
	if (s.sp.classic)
		return bd_err(d, -EOPNOTSUPP, SNAP_KEEP_CLASSIC_MSG, s.sp.why);
	err = snap_session_open(d, &o, &s);
	if (err)
		return err;
	if (s.from_kept)
		bd_log(d, BPFDUMP_INFO, "snapshot: a program is kept already at %s", s.kept.dir);
	snap_session_close(&s);
	return 0;
}

int bpfdump__snapshot_drop(struct bpfdump *d)
{
	if (!d)
		return -EINVAL;
	return snap_kept_drop(d);
}
