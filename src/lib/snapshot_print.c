// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The snapshot's two printers behind one emitter: each section is described
 * once (key/value pairs, lists of strings, tables) and comes out either as a
 * sectioned report (measured tables from output.c) or as one JSON document.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "internal.h"
#include "output.h"
#include "snapshot_data.h"
#include "util.h"

#define EM_MAX_COLS 24

struct em {
	FILE *f;
	bool json;
	int depth;
	bool first[16];		/* JSON: nothing written yet at this depth */
	/* the table being written */
	struct bd_printer *pr;
	int ncols;
	const char **names;
	const bool *num;
	size_t rows;
	bool started;		/* report: something printed (blank line before the next) */
	struct bd_strbuf line;	/* JSON: a table's row, written whole */
	struct bd_strbuf keys;	/* JSON: the table's "name": of each column, escaped once */
	size_t key_off[EM_MAX_COLS + 1];	/* where column i's starts in keys */
};

static void j_sep(struct em *e)
{
	if (!e->first[e->depth])
		putc_unlocked(',', e->f);
	e->first[e->depth] = false;
}

static void j_key(struct em *e, const char *key)
{
	j_sep(e);
	bd_json_str(e->f, key, strlen(key));
	putc_unlocked(':', e->f);
}

static void j_open(struct em *e, char c)
{
	putc_unlocked(c, e->f);
	e->first[++e->depth] = true;
}

static void j_close(struct em *e, char c)
{
	putc_unlocked(c, e->f);
	e->depth--;
}

static void section_begin(struct em *e, const char *name)
{
	if (e->json) {
		j_key(e, name);
		j_open(e, '{');
	} else {
		fprintf(e->f, "%s== %s ==\n", e->started ? "\n" : "", name);
		e->started = true;
	}
}

static void section_end(struct em *e)
{
	if (e->json)
		j_close(e, '}');
}

static void __printf(4, 5) kv(struct em *e, const char *key, bool num, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (e->json) {
		j_key(e, key);
		if (num)
			fputs(buf, e->f);
		else
			bd_json_str(e->f, buf, strlen(buf));
	} else {
		struct bd_strbuf b = {};	/* control bytes (a comm, a path) as \xNN */

		fprintf(e->f, "%-18s %s\n", key, bd_text_escape(&b, buf, strlen(buf)));
		sb_free(&b);
	}
}

static void kv_strs(struct em *e, const char *key, const char *const *v, size_t n, const char *none)
{
	size_t i;

	if (e->json) {
		j_key(e, key);
		j_open(e, '[');
		for (i = 0; i < n; i++) {
			j_sep(e);
			bd_json_str(e->f, v[i], strlen(v[i]));
		}
		j_close(e, ']');
		return;
	}
	fprintf(e->f, "%-18s", key);
	for (i = 0; i < n; i++)
		fprintf(e->f, "%s%s", i ? "," : " ", v[i]);
	fprintf(e->f, "%s\n", n ? "" : none);
}

static void kv_nums(struct em *e, const char *key, const __u32 *v, size_t n)
{
	size_t i;

	if (e->json) {
		j_key(e, key);
		j_open(e, '[');
		for (i = 0; i < n; i++) {
			j_sep(e);
			fprintf(e->f, "%u", v[i]);
		}
		j_close(e, ']');
		return;
	}
	fprintf(e->f, "%-18s", key);
	for (i = 0; i < n; i++)
		fprintf(e->f, " %u", v[i]);
	fprintf(e->f, "%s\n", n ? "" : " -");
}

static void obj_begin(struct em *e, const char *key)
{
	if (e->json) {
		j_key(e, key);
		j_open(e, '{');
	}
}

static void obj_end(struct em *e)
{
	if (e->json)
		j_close(e, '}');
}

static int table_begin(struct em *e, const char *key, size_t count, int ncols, const char **names,
		       const char **headers, const bool *right)
{
	struct bpfdump_print_opts po = { .sz = sizeof(po) };

	e->ncols = ncols;
	e->names = names;
	e->num = right;
	e->rows = 0;
	if (e->json) {
		int i;

		sb_reset(&e->keys);
		for (i = 0; i < ncols && i < EM_MAX_COLS; i++) {
			e->key_off[i] = e->keys.len;
			bd_json_sb(&e->keys, names[i], strlen(names[i]));
			sb_putc(&e->keys, ':');
		}
		e->key_off[i] = e->keys.len;
		j_key(e, key);
		j_open(e, '[');
		return e->keys.s ? 0 : -ENOMEM;
	}
	fprintf(e->f, "%s-- %s (%zu) --\n", e->started ? "\n" : "", key, count);
	e->started = true;
	e->pr = bd_printer__new(e->f, ncols, names, headers, right, &po);
	return e->pr ? 0 : -ENOMEM;
}

/* cells[i] == NULL: no value (JSON null, "-" in the report) */
static int table_row(struct em *e, const char **cells)
{
	size_t lens[EM_MAX_COLS];
	bool num[EM_MAX_COLS];
	const char *c[EM_MAX_COLS];
	int i;

	e->rows++;
	if (e->json) {
		struct bd_strbuf *b = &e->line;

		sb_reset(b);
		if (!e->first[e->depth])
			sb_putc(b, ',');
		e->first[e->depth] = false;
		sb_putc(b, '{');
		for (i = 0; i < e->ncols; i++) {
			if (i)
				sb_putc(b, ',');
			sb_puts(b, e->keys.s + e->key_off[i], e->key_off[i + 1] - e->key_off[i]);
			if (!cells[i])
				sb_puts(b, "null", 4);
			else if (e->num[i])
				sb_puts(b, cells[i], strlen(cells[i]));
			else
				bd_json_sb(b, cells[i], strlen(cells[i]));
		}
		sb_putc(b, '}');
		fwrite_unlocked(b->s, 1, b->len, e->f);
		return 0;
	}
	for (i = 0; i < e->ncols; i++) {
		c[i] = cells[i] ? cells[i] : "-";
		lens[i] = strlen(c[i]);
		num[i] = false;
	}
	return bd_printer__row(e->pr, (char *const *)c, lens, num);
}

/* Every table_begin() ends here; err, table_begin's or its rows', passes through, and
 * the printer is freed either way. */
static int table_end(struct em *e, int err)
{
	if (e->json) {
		if (!err)
			j_close(e, ']');
		return err;
	}
	if (!err)
		err = bd_printer__finish(e->pr);
	bd_printer__free(e->pr);
	e->pr = NULL;
	return err;
}

/* A section that is one list: its own header in the report, the bare array in JSON. */
static void list_section_begin(struct em *e, const char *name)
{
	if (!e->json)
		section_begin(e, name);
}

static const void *first_rec(const struct snap_data *sd, int type)
{
	return sd->recs[type].n ? sd->recs[type].v[0] : NULL;
}

/* The process's own task record (leader), not a thread's. */
static const struct snap_task *leader_task(const struct snap_data *sd)
{
	size_t i;

	for (i = 0; i < sd->recs[SNAP_REC_TASK].n; i++)
		if (((const struct snap_task *)sd->recs[SNAP_REC_TASK].v[i])->leader)
			return sd->recs[SNAP_REC_TASK].v[i];
	return first_rec(sd, SNAP_REC_TASK);
}

static void time_str(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec rt, bt;
	time_t t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	t = rt.tv_sec - (bt.tv_sec - (time_t)(boot_ns / 1000000000ull));
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void task_kvs(struct em *e, const struct snap_task *t)
{
	char when[64];

	kv(e, "pid", true, "%u", t->pid);
	kv(e, "tgid", true, "%u", t->tgid);
	kv(e, "ppid", true, "%u", t->ppid);
	kv(e, "comm", false, "%.*s", SNAP_COMM_LEN, t->comm);
	kv(e, "state", false, "%s", snap_state(t->state, t->exit_state));
	kv(e, "flags", false, "0x%08x", t->flags);
	kv(e, "kernel_thread", true, "%s", t->flags & 0x00200000 ? "true" : "false");
	kv(e, "cpu", true, "%u", t->cpu);
	kv(e, "prio", true, "%d", t->prio - 100);
	kv(e, "nice", true, "%d", t->nice);
	kv(e, "start_time_ns", true, "%llu", (unsigned long long)t->start_boottime);
	time_str(t->start_boottime, when, sizeof(when));
	kv(e, "start_time", false, "%s", when);
	kv(e, "utime_ns", true, "%llu", (unsigned long long)t->utime);
	kv(e, "stime_ns", true, "%llu", (unsigned long long)t->stime);
	kv(e, "nr_threads", true, "%u", t->nr_threads);
}

static int print_task(struct em *e, const struct snap_data *sd, const struct snap_task *t)
{
	static const char *names[] = { "tid", "comm", "state", "cpu" };
	static const char *hdrs[] = { "TID", "COMM", "STATE", "CPU" };
	static const bool right[] = { true, false, false, true };
	const struct snap_list *l = &sd->recs[SNAP_REC_THREAD];
	char tid[16], comm[SNAP_COMM_LEN + 1], cpu[16];
	const char *cells[4];
	size_t i;
	int err;

	section_begin(e, "task");
	task_kvs(e, t);
	err = table_begin(e, "threads", l->n, 4, names, hdrs, right);
	for (i = 0; !err && i < l->n; i++) {
		const struct snap_thread *th = l->v[i];

		snprintf(tid, sizeof(tid), "%u", th->tid);
		snprintf(comm, sizeof(comm), "%.*s", SNAP_COMM_LEN, th->comm);
		snprintf(cpu, sizeof(cpu), "%u", th->cpu);
		cells[0] = tid;
		cells[1] = comm;
		cells[2] = snap_state(th->state, th->exit_state);
		cells[3] = cpu;
		err = table_row(e, cells);
	}
	err = table_end(e, err);
	section_end(e);
	return err;
}

static void caps(struct em *e, const char *key, __u64 mask)
{
	const char *names[64];
	char unk[64][16];
	size_t n = 0;
	int b;

	for (b = 0; b < 64; b++)
		if (mask >> b & 1) {
			names[n] = snap_cap_name(b, unk[n], sizeof(unk[n]));
			n++;
		}
	obj_begin(e, key);
	if (e->json) {
		kv(e, "mask", false, "%016llx", (unsigned long long)mask);
		kv_strs(e, "names", names, n, "");
	} else {
		fprintf(e->f, "%-18s %016llx", key, (unsigned long long)mask);
		for (b = 0; b < (int)n; b++)
			fprintf(e->f, "%s%s", b ? "," : " ", names[b]);
		fputc('\n', e->f);
	}
	obj_end(e);
}

static void creds_kvs(struct em *e, const struct snap_creds *c)
{
	size_t ng = c->ngroups < SNAP_MAX_GROUPS ? c->ngroups : SNAP_MAX_GROUPS;
	static const char *const seccomp[] = { "disabled", "strict", "filter" };

	kv(e, "uid", true, "%u", c->uid);
	kv(e, "euid", true, "%u", c->euid);
	kv(e, "suid", true, "%u", c->suid);
	kv(e, "fsuid", true, "%u", c->fsuid);
	kv(e, "gid", true, "%u", c->gid);
	kv(e, "egid", true, "%u", c->egid);
	kv(e, "sgid", true, "%u", c->sgid);
	kv(e, "fsgid", true, "%u", c->fsgid);
	kv_nums(e, "groups", c->groups, ng);
	kv(e, "ngroups", true, "%u", c->ngroups);
	caps(e, "cap_effective", c->cap_effective);
	caps(e, "cap_permitted", c->cap_permitted);
	caps(e, "cap_inheritable", c->cap_inheritable);
	caps(e, "cap_bounding", c->cap_bset);
	caps(e, "cap_ambient", c->cap_ambient);
	kv(e, "no_new_privs", true, "%u", c->no_new_privs);
	kv(e, "seccomp", true, "%u", c->seccomp_mode);
	kv(e, "seccomp_mode", false, "%s", c->seccomp_mode < 3 ? seccomp[c->seccomp_mode] : "?");
	kv(e, "seccomp_filters", true, "%u", c->seccomp_filters);
}

static int print_creds(struct em *e, const struct snap_data *sd)
{
	const struct snap_task *lt = leader_task(sd);
	const struct snap_creds *c = NULL;
	size_t i;

	for (i = 0; i < sd->recs[SNAP_REC_CREDS].n; i++) {
		c = sd->recs[SNAP_REC_CREDS].v[i];
		if (c->tid == lt->pid)
			break;
	}
	section_begin(e, "creds");
	if (c)
		creds_kvs(e, c);
	section_end(e);
	return 0;
}

/* --all-threads: each thread's own task and creds */
static int print_threads_detail(struct em *e, const struct snap_data *sd)
{
	const struct snap_list *tl = &sd->recs[SNAP_REC_TASK], *cl = &sd->recs[SNAP_REC_CREDS];
	char name[32];
	size_t i, j;

	if (e->json) {
		j_key(e, "thread_details");
		j_open(e, '[');
	}
	for (i = 0; i < tl->n; i++) {
		const struct snap_task *t = tl->v[i];

		if (t->leader)
			continue;
		if (e->json) {
			j_sep(e);
			j_open(e, '{');
		} else {
			snprintf(name, sizeof(name), "thread %u", t->pid);
			section_begin(e, name);
		}
		task_kvs(e, t);
		for (j = 0; j < cl->n; j++) {
			const struct snap_creds *c = cl->v[j];

			if (c->tid != t->pid)
				continue;
			obj_begin(e, "creds");
			creds_kvs(e, c);
			obj_end(e);
			break;
		}
		if (e->json)
			j_close(e, '}');
	}
	if (e->json)
		j_close(e, ']');
	return 0;
}

/* "0" and v in octal, as printf's "0%o": in buf[1..] */
static const char *octal(unsigned int v, char buf[25])
{
	char *p = snap_utoa(v, 8, buf + 1);

	*--p = '0';
	return p;
}

/* "major:minor" of a kernel dev_t (MINORBITS 20), in buf */
static const char *dev_str(__u32 dev, char buf[48])
{
	char tmp[24];
	const char *mi = snap_utoa(dev & 0xfffff, 10, tmp);
	char *ma = snap_utoa(dev >> 20, 10, buf + 24);
	size_t n = strlen(ma);

	memmove(buf, ma, n);
	buf[n] = ':';
	strcpy(buf + n + 1, mi);
	return buf;
}

static int print_memory(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "start", "end", "perms", "pgoff", "dev", "inode", "kind",
				       "path" };
	static const char *hdrs[] = { "START", "END", "PERMS", "PGOFF", "DEV", "INODE", "KIND",
				      "PATH" };
	static const bool right[] = { false, false, false, false, false, true, false, false };
	const struct snap_mm *m = first_rec(sd, SNAP_REC_MM);
	const struct snap_list *l = &sd->recs[SNAP_REC_VMA];
	char start[24], end[24], perms[5], pgoff[24], dev[48], ino[24];
	struct bd_path_out *path;
	long kb = sd->page_size / 1024;
	const char *cells[8];
	size_t i;
	int err;

	section_begin(e, "memory");
	if (m) {
		obj_begin(e, "mm");
		kv(e, "total_vm", true, "%llu", (unsigned long long)m->total_vm);
		kv(e, "locked_vm", true, "%llu", (unsigned long long)m->locked_vm);
		kv(e, "pinned_vm", true, "%llu", (unsigned long long)m->pinned_vm);
		kv(e, "data_vm", true, "%llu", (unsigned long long)m->data_vm);
		kv(e, "exec_vm", true, "%llu", (unsigned long long)m->exec_vm);
		kv(e, "stack_vm", true, "%llu", (unsigned long long)m->stack_vm);
		kv(e, "rss_file", true, "%lld", (long long)m->rss[0]);
		kv(e, "rss_anon", true, "%lld", (long long)m->rss[1]);
		kv(e, "rss_swapents", true, "%lld", (long long)m->rss[2]);
		kv(e, "rss_shmem", true, "%lld", (long long)m->rss[3]);
		kv(e, "rss_exact", true, "%s", m->rss_exact ? "true" : "false");
		kv(e, "hiwater_rss", true, "%llu", (unsigned long long)m->hiwater_rss);
		kv(e, "hiwater_vm", true, "%llu", (unsigned long long)m->hiwater_vm);
		kv(e, "map_count", true, "%u", m->map_count);
		kv(e, "page_kb", true, "%ld", kb);
		kv(e, "start_code", false, "0x%llx", (unsigned long long)m->start_code);
		kv(e, "end_code", false, "0x%llx", (unsigned long long)m->end_code);
		kv(e, "start_data", false, "0x%llx", (unsigned long long)m->start_data);
		kv(e, "end_data", false, "0x%llx", (unsigned long long)m->end_data);
		kv(e, "start_brk", false, "0x%llx", (unsigned long long)m->start_brk);
		kv(e, "brk", false, "0x%llx", (unsigned long long)m->brk);
		kv(e, "start_stack", false, "0x%llx", (unsigned long long)m->start_stack);
		kv(e, "arg_start", false, "0x%llx", (unsigned long long)m->arg_start);
		kv(e, "env_start", false, "0x%llx", (unsigned long long)m->env_start);
		obj_end(e);
	}
	path = malloc(sizeof(*path));
	if (!path)
		return -ENOMEM;
	err = table_begin(e, "vmas", l->n, 8, names, hdrs, right);
	for (i = 0; !err && i < l->n; i++) {
		const struct snap_vma *v = l->v[i];

		snap_perms(v->flags, perms);
		snap_vma_path(v, path);
		cells[0] = snap_utoa(v->start, 16, start);
		cells[1] = snap_utoa(v->end, 16, end);
		cells[2] = perms;
		cells[3] = snap_utoa(v->pgoff, 16, pgoff);
		cells[4] = dev_str(v->dev, dev);
		cells[5] = snap_utoa(v->ino, 10, ino);
		cells[6] = snap_vma_kind(v->kind);
		cells[7] = path->s;
		err = table_row(e, cells);
	}
	err = table_end(e, err);
	free(path);
	section_end(e);
	return err;
}

static int print_files(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "fd", "type", "kind", "flags", "pos", "mode", "dev",
				       "inode", "mnt_id", "path" };
	static const char *hdrs[] = { "FD", "TYPE", "KIND", "FLAGS", "POS", "MODE", "DEV",
				      "INODE", "MNT_ID", "PATH" };
	static const bool right[] = { true, false, false, false, true, false, false, true, true,
				      false };
	const struct snap_list *l = &sd->recs[SNAP_REC_FILE];
	char fd[24], flags[25], pos[24], mode[25], dev[48], ino[24], mnt[24], kbuf[64];
	struct bd_path_out *path = malloc(sizeof(*path));
	const char *cells[10];
	size_t i;
	int err;

	if (!path)
		return -ENOMEM;
	list_section_begin(e, "files");
	err = table_begin(e, "files", l->n, 10, names, hdrs, right);
	for (i = 0; !err && i < l->n; i++) {
		const struct snap_file *f = l->v[i];

		snap_file_path(f, path);
		cells[0] = snap_utoa(f->fd, 10, fd);
		cells[1] = snap_file_type(f->i_mode);
		cells[2] = snap_file_kind(f, kbuf, sizeof(kbuf));
		/* as /proc/PID/fdinfo: f_flags with O_CLOEXEC from the fd table, octal */
		cells[3] = octal(f->f_flags | (f->cloexec ? 02000000 : 0), flags);
		cells[4] = snap_utoa(f->pos, 10, pos);
		cells[5] = octal(f->i_mode, mode);
		cells[6] = dev_str(f->dev, dev);
		cells[7] = snap_utoa(f->ino, 10, ino);
		cells[8] = snap_utoa(f->mnt_id, 10, mnt);
		cells[9] = path->s;
		err = table_row(e, cells);
	}
	err = table_end(e, err);
	free(path);
	return err;
}

static int print_sockets(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "fd", "family", "type", "protocol", "state", "local",
				       "remote", "recv_q", "send_q", "inode", "peer_inode" };
	static const char *hdrs[] = { "FD", "FAMILY", "TYPE", "PROTO", "STATE", "LOCAL", "REMOTE",
				      "RECV-Q", "SEND-Q", "INODE", "PEER" };
	static const bool right[] = { true, false, false, false, false, false, false, true, true,
				      true, true };
	const struct snap_list *l = &sd->recs[SNAP_REC_SOCK];
	char fd[16], pbuf[16], la[160], ra[160], rq[24], wq[24], ino[16], peer[16];
	const char *cells[11];
	long long r, w;
	size_t i;
	int err;

	list_section_begin(e, "sockets");
	err = table_begin(e, "sockets", l->n, 11, names, hdrs, right);
	for (i = 0; !err && i < l->n; i++) {
		const struct snap_sock *s = l->v[i];
		bool unix_ = s->family == 1;

		snprintf(fd, sizeof(fd), "%u", s->fd);
		snap_sock_addr(s, true, la, sizeof(la));
		snap_sock_addr(s, false, ra, sizeof(ra));
		snap_sock_queues(s, &r, &w);
		snprintf(rq, sizeof(rq), "%lld", r);
		snprintf(wq, sizeof(wq), "%lld", w);
		snprintf(ino, sizeof(ino), "%u", s->ino);
		snprintf(peer, sizeof(peer), "%u", s->peer_ino);
		cells[0] = fd;
		cells[1] = snap_family(s->family);
		cells[2] = snap_sock_type(s->family, s->type);
		cells[3] = unix_ ? NULL : snap_proto(s, pbuf, sizeof(pbuf));
		cells[4] = snap_sock_state(s->state);
		cells[5] = e->json && !unix_ && s->family != 2 && s->family != 10 ? NULL : la;
		cells[6] = unix_ || (s->family != 2 && s->family != 10) ? NULL : ra;
		cells[7] = r < 0 ? NULL : rq;
		cells[8] = w < 0 ? NULL : wq;
		cells[9] = ino;
		cells[10] = unix_ && s->peer_ino ? peer : NULL;
		err = table_row(e, cells);
	}
	return table_end(e, err);
}

/*
 * TCP sockets' state for a checkpoint: sequence numbers, windows, options and
 * retransmit state of connected ones, the accept queue of listeners.
 */
static int print_tcp(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "fd", "state", "snd_una", "snd_nxt", "write_seq",
				       "rcv_nxt", "copied_seq", "snd_wnd", "rcv_wnd",
				       "window_clamp", "mss", "snd_wscale", "rcv_wscale",
				       "timestamps", "sack", "retransmits", "ca_state",
				       "total_retrans", "backlog", "max_backlog" };
	static const char *hdrs[] = { "FD", "STATE", "SND-UNA", "SND-NXT", "WRITE-SEQ", "RCV-NXT",
				      "COPIED-SEQ", "SND-WND", "RCV-WND", "CLAMP", "MSS", "SWS",
				      "RWS", "TS", "SACK", "RETR", "CA", "TOT-RETR", "BACKLOG",
				      "MAX-BACKLOG" };
	static const bool right[] = { true, false, true, true, true, true, true, true, true, true,
				      true, true, true, true, true, true, false, true, true, true };
	enum { NCOLS = sizeof(names) / sizeof(names[0]) };
	const struct snap_list *l = &sd->recs[SNAP_REC_SOCK];
	char v[NCOLS][24];
	const char *cells[NCOLS];
	size_t i, n = 0;
	int c, err;

	for (i = 0; i < l->n; i++) {
		const struct snap_sock *s = l->v[i];

		n += (s->family == 2 || s->family == 10) && s->protocol == 6;
	}
	err = table_begin(e, "tcp", n, NCOLS, names, hdrs, right);
	for (i = 0; !err && i < l->n; i++) {
		const struct snap_sock *s = l->v[i];
		bool conn = s->tcp_state && s->state != 10 && s->state != 7;
		const __u32 seq[] = { s->snd_una, s->snd_nxt, s->write_seq, s->rcv_nxt,
				      s->copied_seq, s->snd_wnd, s->rcv_wnd, s->window_clamp,
				      s->mss_cache, s->snd_wscale, s->rcv_wscale };

		if ((s->family != 2 && s->family != 10) || s->protocol != 6)
			continue;
		for (c = 0; c < NCOLS; c++)
			cells[c] = NULL;
		snprintf(v[0], sizeof(v[0]), "%u", s->fd);
		cells[0] = v[0];
		cells[1] = snap_sock_state(s->state);
		if (conn) {
			for (c = 0; c < 11; c++) {
				snprintf(v[2 + c], sizeof(v[0]), "%u", seq[c]);
				cells[2 + c] = v[2 + c];
			}
			cells[13] = s->tstamp_ok ? "true" : "false";
			cells[14] = s->sack_ok ? "true" : "false";
			snprintf(v[15], sizeof(v[0]), "%u", s->retransmits);
			cells[15] = v[15];
			cells[16] = snap_ca_state(s->ca_state);
			snprintf(v[17], sizeof(v[0]), "%u", s->total_retrans);
			cells[17] = v[17];
		}
		if (s->state == 10) {
			snprintf(v[18], sizeof(v[0]), "%u", s->ack_backlog);
			snprintf(v[19], sizeof(v[0]), "%u", s->max_ack_backlog);
			cells[18] = v[18];
			cells[19] = v[19];
		}
		err = table_row(e, cells);
	}
	return table_end(e, err);
}

/* The source of a datagram: "addr:port", "[v6]:port", a unix path ("@" abstract). */
static void qdata_source(const struct snap_qdata *q, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n, i;

	buf[0] = 0;
	if (q->src_family == AF_INET) {
		inet_ntop(AF_INET, q->src, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, q->src_port);
	} else if (q->src_family == AF_INET6) {
		inet_ntop(AF_INET6, q->src, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, q->src_port);
	} else if (q->src_family == AF_UNIX) {
		n = q->src_len < SNAP_UNIX_PATH ? q->src_len : SNAP_UNIX_PATH;
		if (n && !q->src[0]) {
			for (i = 0; i < n && i + 1 < len; i++)
				buf[i] = q->src[i] ? q->src[i] : '@';
			buf[i < len ? i : len - 1] = 0;
		} else {
			snprintf(buf, len, "%.*s", (int)strnlen((const char *)q->src, n), q->src);
		}
	}
}

/* RFC 4648 base64 of p, written 4 KiB at a time (a queue can be megabytes). */
static void base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4096];
	size_t i, len = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[len++] = t[p[i] >> 2];
		out[len++] = t[(p[i] & 3) << 4 | p[i + 1] >> 4];
		out[len++] = t[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		out[len++] = t[p[i + 2] & 63];
		if (len == sizeof(out)) {
			fwrite(out, 1, len, f);
			len = 0;
		}
	}
	if (n - i == 1) {
		out[len++] = t[p[i] >> 2];
		out[len++] = t[(p[i] & 3) << 4];
		out[len++] = '=';
		out[len++] = '=';
	} else if (n - i == 2) {
		out[len++] = t[p[i] >> 2];
		out[len++] = t[(p[i] & 3) << 4 | p[i + 1] >> 4];
		out[len++] = t[(p[i + 1] & 15) << 2];
		out[len++] = '=';
	}
	fwrite(out, 1, len, f);
}

/* One line per 16 bytes: "  OFFSET  xx xx ... |ascii|", built in a buffer and
 * written once (a queue can be megabytes: a call per byte would dominate). */
static void hexdump(FILE *f, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char line[96];
	size_t i, j, len;

	for (i = 0; i < n; i += 16) {
		len = snprintf(line, sizeof(line), "  %08zx ", i);
		for (j = i; j < i + 16; j++) {
			line[len++] = ' ';
			line[len++] = j < n ? hex[p[j] >> 4] : ' ';
			line[len++] = j < n ? hex[p[j] & 15] : ' ';
		}
		line[len++] = ' ';
		line[len++] = ' ';
		line[len++] = '|';
		for (j = i; j < i + 16 && j < n; j++)
			line[len++] = p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.';
		line[len++] = '|';
		line[len++] = '\n';
		fwrite(line, 1, len, f);
	}
}

/* why bytes in pages (skb fragments, pipe buffers) were not copied (snap_counters.xlate) */
static const char *xlate_why(__u32 x)
{
	switch (x) {
	case SNAP_XLATE_NO_SOCK:
		return "the reader's own socket, whose slab the translation of a page to its "
		       "kernel address is derived from, was not found";
	case SNAP_XLATE_NO_SLAB:
		return "no slab with a free object was found to derive the translation of a page "
		       "to its kernel address from";
	case SNAP_XLATE_UNVERIFIED:
		return "the translation of a page to its kernel address derived from a slab did "
		       "not lead back to the slab of a known socket: not used";
	}
	return NULL;
}

/*
 * --data: each buffer of each queue (sockets' receive and TCP send queues,
 * pipes), in queue order, its pieces joined; then per queue what it holds in
 * all and what was cut. A buffer that changed while it was copied (torn) is
 * said, its bytes not shown. With --data-dir the bytes are in a file per queue
 * (snap_qdata_write): each buffer says its file and where in it it starts.
 */
static int print_qdata(struct em *e, const struct snap_data *sd)
{
	const struct snap_list *l = &sd->recs[SNAP_REC_QDATA];
	const struct snap_qdata *cur = NULL;
	const char *why = xlate_why(sd->cnt.xlate);
	unsigned char *buf = NULL;
	size_t i, j, cap = 0, n, at = 0;
	char src[SNAP_UNIX_PATH + 64], file[64];
	struct snap_qbuf b;

	if (e->json) {
		j_key(e, "queued");
		j_open(e, '[');
	} else {
		section_begin(e, "queued data");
		if (!l->n)
			fprintf(e->f, "(no socket or pipe with queued data)\n");
	}
	for (i = 0; i < l->n; i = b.end) {
		const struct snap_qdata *q = l->v[i];

		snap_qbuf_at(l, i, &b);
		if (!cur || cur->fd != q->fd || cur->queue != q->queue) {
			cur = q;
			at = 0;		/* a queue's file starts */
		}
		if (q->flags & SNAP_QDATA_END) {
			if (e->json) {
				j_sep(e);
				fprintf(e->f, "{\"fd\":%u,\"queue\":\"%s\",\"buffers\":%u,"
					"\"bytes\":%u,\"cut\":%s,\"all_buffers\":%s}", q->fd,
					snap_queue_name(q->queue), q->index, q->total,
					q->flags & SNAP_QDATA_CUT ? "true" : "false",
					q->flags & SNAP_QDATA_WALK_CUT ? "false" : "true");
			} else {
				fprintf(e->f, "fd %u %s queue: %u buffers, %u bytes%s%s\n", q->fd,
					snap_queue_name(q->queue), q->index, q->total,
					q->flags & SNAP_QDATA_CUT ? "; cut at --data-max" : "",
					q->flags & SNAP_QDATA_WALK_CUT ? "; more buffers than walked" : "");
			}
			continue;
		}
		n = b.torn ? 0 : b.len;	/* bytes of a buffer that changed under the copy: none */
		if (!sd->data_files) {
			if (bd_grow((void **)&buf, &cap, n, 1)) {
				free(buf);
				return -ENOMEM;
			}
			for (n = 0, j = b.first; j < b.end && !b.torn; j++) {
				const struct snap_qdata *p = l->v[j];

				memcpy(buf + n, (const char *)p + SNAP_QDATA_OFF, p->len);
				n += p->len;
			}
		}
		snap_qdata_file(sd, q, file, sizeof(file));
		qdata_source(q, src, sizeof(src));
		if (e->json) {
			j_sep(e);
			fprintf(e->f, "{\"fd\":%u,\"queue\":\"%s\",\"index\":%u,\"bytes\":%u,"
				"\"copied\":%zu,\"paged\":%u,\"skipped\":%u,\"cut\":%s,\"torn\":%s,"
				"\"source\":", q->fd, snap_queue_name(q->queue), q->index, q->total, n,
				q->paged, b.skipped, b.cut ? "true" : "false",
				b.torn ? "true" : "false");
			if (src[0])
				bd_json_str(e->f, src, strlen(src));
			else
				fputs("null", e->f);
			if (sd->data_files) {
				fprintf(e->f, ",\"file\":\"%s\",\"offset\":%zu}", file, at);
			} else {
				fputs(",\"data\":\"", e->f);
				base64(e->f, buf, n);
				fputs("\"}", e->f);
			}
		} else {
			fprintf(e->f, "fd %u %s #%u: %u bytes%s%s", q->fd, snap_queue_name(q->queue),
				q->index, q->total, src[0] ? " from " : "", src);
			if (b.torn)
				fputs(" (changed while copied: not shown)", e->f);
			else if (b.cut)
				fprintf(e->f, " (cut at --data-max: %zu bytes shown)", n);
			if (sd->data_files && !b.torn)
				fprintf(e->f, " in %s at %zu", file, at);
			fputc('\n', e->f);
			if (!sd->data_files)
				hexdump(e->f, buf, n);
			if (b.skipped)
				fprintf(e->f, "  %u bytes not copied: %s\n", b.skipped,
					why ? why : "in an skb's frag_list, or in no page");
		}
		at += n;
	}
	free(buf);
	if (e->json) {
		j_close(e, ']');
		kv_strs(e, "queued_not_read", why ? &why : NULL, why ? 1 : 0, "");
	} else if (why) {
		fprintf(e->f, "not read: bytes in pages (TCP payload, pipe buffers): %s\n", why);
	}
	return 0;
}

static int print_cgroups(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "level", "id", "path" };
	static const char *hdrs[] = { "LEVEL", "ID", "PATH" };
	static const bool right[] = { true, true, false };
	const struct snap_list *l = &sd->recs[SNAP_REC_CGROUP];
	struct bd_path_out *paths;
	char lv[16], id[24];
	const char *cells[3];
	size_t i, n = l->n, used;
	int err;

	/* records go from the task's cgroup up to the root: paths from the root down */
	paths = calloc(n ? n : 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (i = n; i-- > 0;) {
		const struct snap_cgroup *c = l->v[i];

		if (i == n - 1) {
			snprintf(paths[i].s, sizeof(paths[i].s), "/");
			continue;
		}
		used = strcmp(paths[i + 1].s, "/") ? strlen(paths[i + 1].s) : 0;
		snprintf(paths[i].s, sizeof(paths[i].s), "%.*s/%.*s", (int)used, paths[i + 1].s,
			 SNAP_NAME_MAX, c->name);
	}
	section_begin(e, "cgroups");
	kv(e, "path", false, "%s", n ? paths[0].s : "");
	err = table_begin(e, "ancestors", n, 3, names, hdrs, right);
	for (i = n; !err && i-- > 0;) {
		const struct snap_cgroup *c = l->v[i];

		snprintf(lv, sizeof(lv), "%u", c->level);
		snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
		cells[0] = lv;
		cells[1] = id;
		cells[2] = paths[i].s;
		err = table_row(e, cells);
	}
	err = table_end(e, err);
	section_end(e);
	free(paths);
	return err;
}

static int print_ns(struct em *e, const struct snap_data *sd)
{
	const struct snap_ns *n = first_rec(sd, SNAP_REC_NS);

	section_begin(e, "namespaces");
	if (n) {
		kv(e, "mnt", true, "%u", n->mnt);
		kv(e, "uts", true, "%u", n->uts);
		kv(e, "ipc", true, "%u", n->ipc);
		kv(e, "pid", true, "%u", n->pid);
		kv(e, "pid_for_children", true, "%u", n->pid_for_children);
		kv(e, "net", true, "%u", n->net);
		kv(e, "user", true, "%u", n->user);
		kv(e, "cgroup", true, "%u", n->cgroup);
		if (n->time)
			kv(e, "time", true, "%u", n->time);
		if (n->time_for_children)
			kv(e, "time_for_children", true, "%u", n->time_for_children);
	}
	section_end(e);
	return 0;
}

static int print_limits(struct em *e, const struct snap_data *sd)
{
	static const char *names[] = { "resource", "name", "soft", "hard", "units" };
	static const char *hdrs[] = { "RESOURCE", "LIMIT", "SOFT", "HARD", "UNITS" };
	static const bool right[] = { false, false, true, true, false };
	const struct snap_limits *lim = first_rec(sd, SNAP_REC_LIMITS);
	char soft[32], hard[32];
	const char *cells[5];
	int i, err;

	list_section_begin(e, "limits");
	err = table_begin(e, "limits", lim ? SNAP_NR_RLIMITS : 0, 5, names, hdrs, right);
	for (i = 0; lim && !err && i < SNAP_NR_RLIMITS; i++) {
		__u64 s = lim->rlim[2 * i], h = lim->rlim[2 * i + 1];
		const char *q = e->json ? "\"" : "";

		if (s == ~0ull)
			snprintf(soft, sizeof(soft), "%sunlimited%s", q, q);
		else
			snprintf(soft, sizeof(soft), "%llu", (unsigned long long)s);
		if (h == ~0ull)
			snprintf(hard, sizeof(hard), "%sunlimited%s", q, q);
		else
			snprintf(hard, sizeof(hard), "%llu", (unsigned long long)h);
		cells[0] = snap_rlimits[i].key;
		cells[1] = snap_rlimits[i].name;
		cells[2] = soft;
		cells[3] = hard;
		cells[4] = snap_rlimits[i].units;
		err = table_row(e, cells);
	}
	return table_end(e, err);
}

/* A section the kernel does not have for this task (a kernel thread's mm, a
 * zombie's files): said, not silently empty. */
static void absent(struct em *e, const struct snap_data *sd, unsigned int present)
{
	const char *names[8];
	size_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		if ((sd->sections & (1u << i)) && !(present & (1u << i)))
			names[n++] = snap_section_names[i];
	if (e->json) {
		kv_strs(e, "absent", names, n, "");
		return;
	}
	if (n) {
		fputc('\n', e->f);
		kv_strs(e, "absent:", names, n, " -");
	}
}

static int print_all(struct em *e, const struct snap_data *sd)
{
	const struct snap_task *t = leader_task(sd);
	unsigned int want = sd->sections, has = t->present;
	int err = 0;

	if (e->json) {
		j_open(e, '{');
		kv(e, "pid", true, "%d", sd->pid);
		kv(e, "lost", true, "%llu", (unsigned long long)sd->cnt.lost);
		kv(e, "complete", true, "%s", sd->cnt.lost || (sd->cnt.vma_err && (want & SNAP_SEC_MEMORY))
					       || sd->cnt.fd_cut ? "false" : "true");
	}
	if (!err && (want & has & SNAP_SEC_TASK))
		err = print_task(e, sd, t);
	if (!err && (want & has & SNAP_SEC_CREDS))
		err = print_creds(e, sd);
	if (!err && sd->all_threads && (want & (SNAP_SEC_TASK | SNAP_SEC_CREDS)))
		err = print_threads_detail(e, sd);
	if (!err && (want & has & SNAP_SEC_MEMORY))
		err = print_memory(e, sd);
	if (!err && (want & has & SNAP_SEC_FILES))
		err = print_files(e, sd);
	if (!err && (want & has & SNAP_SEC_SOCKETS))
		err = print_sockets(e, sd);
	if (!err && (want & has & SNAP_SEC_SOCKETS))
		err = print_tcp(e, sd);
	if (!err && (want & has & SNAP_SEC_SOCKETS) && sd->data)
		err = print_qdata(e, sd);
	if (!err && (want & has & SNAP_SEC_CGROUPS))
		err = print_cgroups(e, sd);
	if (!err && (want & has & SNAP_SEC_NAMESPACES))
		err = print_ns(e, sd);
	if (!err && (want & has & SNAP_SEC_LIMITS))
		err = print_limits(e, sd);
	if (err)
		return err;
	absent(e, sd, has);
	if (!e->json && sd->cnt.lost)
		fprintf(e->f, "\n%llu records lost (ring buffer of %zu bytes full)\n",
			(unsigned long long)sd->cnt.lost, sd->ring_size);
	if (e->json) {
		j_close(e, '}');
		fputc('\n', e->f);
	}
	return ferror(e->f) ? -EIO : 0;
}

int snap_print_title(const struct snap_data *sd, FILE *out)
{
	const struct snap_task *t = leader_task(sd);
	struct bd_strbuf b = {};
	char comm[SNAP_COMM_LEN + 1] = "";

	if (t)
		snprintf(comm, sizeof(comm), "%.*s", SNAP_COMM_LEN, t->comm);
	fprintf(out, "=== process %d (%s) ===\n", sd->pid, bd_text_escape(&b, comm, strlen(comm)));
	sb_free(&b);
	return ferror(out) ? -EIO : 0;
}

int snap_print_text(const struct snap_data *sd, FILE *out)
{
	struct em e = { .f = out };

	return print_all(&e, sd);
}

int snap_print_json(const struct snap_data *sd, FILE *out)
{
	struct em e = { .f = out, .json = true };
	int err;

	e.first[0] = true;
	err = print_all(&e, sd);
	sb_free(&e.line);
	sb_free(&e.keys);
	return err;
}
