// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Queries: planned, generated, loaded (maps, programs) and attached as iterators. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/statfs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "map_syscall.h"
#include "util.h"

#define VERIFIER_LOG_SIZE (1 << 20)

/* The verifier's words when the kernel forbids the probe-read helpers (lockdown
 * that /sys/kernel/security/lockdown did not show: no securityfs mounted). */
static bool probe_read_forbidden(const char *log)
{
	return log && strstr(log, "cannot use helper bpf_probe_read_kernel");
}

/* --map NAME|ID: find the map, keep an fd and what decoding needs. */
int bd_open_map(struct bpfdump *d, const char *spec, struct bd_map_info *mi)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = 0;
	char *end;
	long v;
	int fd = -1, err;

	errno = 0;
	v = strtol(spec, &end, 10);
	if (*spec && !*end && !errno && v > 0 && v <= UINT32_MAX) {
		fd = bpf_map_get_fd_by_id(v);
		if (fd < 0)
			return bd_err(d, -errno, "map '%s': no map with this id: %s", spec,
				      strerror(errno));
	} else {
		int found = -1, matches = 0;

		while (!bpf_map_get_next_id(id, &id)) {
			int f = bpf_map_get_fd_by_id(id);

			if (f < 0)
				continue;
			memset(&info, 0, sizeof(info));
			len = sizeof(info);
			if (!bpf_obj_get_info_by_fd(f, &info, &len) && !strcmp(info.name, spec)) {
				matches++;
				if (found >= 0)
					close(found);
				found = f;
				continue;
			}
			close(f);
		}
		if (matches > 1) {
			close(found);
			return bd_err(d, -EEXIST, "map '%s': %d maps have this name; give the id",
				      spec, matches);
		}
		if (found < 0)
			return bd_err(d, -ENOENT, "map '%s': no map with this name (see "
				      "'bpfdump dump bpf_map')", spec);
		fd = found;
	}
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		close(fd);
		return bd_err(d, err, "map '%s': cannot get info: %s", spec, strerror(-err));
	}
	mi->fd = fd;
	mi->type = info.type;
	mi->key_size = info.key_size;
	mi->value_size = info.value_size;
	mi->btf_id = info.btf_id;
	mi->key_type_id = info.btf_key_type_id;
	mi->value_type_id = info.btf_value_type_id;
	mi->percpu = info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		     info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	mi->ncpus = libbpf_num_possible_cpus();
	if (info.btf_id) {
		mi->btf = btf__load_from_kernel_by_id(info.btf_id);
		if (!mi->btf)
			bd_log(d, BPFDUMP_INFO, "map '%s': cannot load its BTF: keys and values "
			       "shown as hex", spec);
	}
	return 0;
}

/* The per-reader record buffer: task storage needs BTF for key and value. */
int bd_create_buf_map(struct bpfdump *d, __u32 size)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_NO_PREALLOC);
	struct btf *btf = btf__new_empty();
	int int_id, char_id, arr_id, btf_fd, fd, err;

	if (!btf)
		return -errno;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	char_id = btf__add_int(btf, "char", 1, BTF_INT_CHAR);
	arr_id = btf__add_array(btf, int_id, char_id, size);
	if (int_id < 0 || char_id < 0 || arr_id < 0) {
		btf__free(btf);
		return -ENOMEM;
	}
	err = btf__load_into_kernel(btf);
	if (err) {
		err = -errno;
		btf__free(btf);
		return bd_err(d, err, "record buffer: cannot load BTF: %s", strerror(-err));
	}
	btf_fd = btf__fd(btf);
	mopts.btf_fd = btf_fd;
	mopts.btf_key_type_id = int_id;
	mopts.btf_value_type_id = arr_id;
	fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, "bpfdump_buf", 4, size, 0, &mopts);
	err = fd < 0 ? -errno : 0;
	btf__free(btf);
	if (err)
		return bd_err(d, err, "record buffer: cannot create task storage map: %s%s",
			      strerror(-err), err == -EPERM ? " (need CAP_BPF, or run as root)" : "");
	return fd;
}

/* Paths resolved in one read session, by (session, mount, dentry): an LRU map, so
 * a full one forgets old sessions' entries (a miss costs only a bpf_d_path). */
int bd_create_path_cache_map(struct bpfdump *d)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bpfdump_paths", BD_PATH_KEY_OFF + 16 /* key */,
				8, BD_PATH_CACHE_ENTRIES, NULL);

	if (fd < 0) {
		bd_log(d, BPFDUMP_DEBUG, "path cache: cannot create its map: %s; every path "
		       "is resolved", strerror(errno));
		return -errno;
	}
	return fd;
}

/* The format strings of a text writer: a frozen read-only array map. */
static int create_fmt_map(struct bpfdump *d, const struct bd_strbuf *fmts)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_RDONLY_PROG);
	__u32 key = 0;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_fmt", 4, fmts->len, 1, &mopts);
	if (fd < 0)
		return bd_err(d, -errno, "text writer: cannot create the format map: %s",
			      strerror(errno));
	if (bpf_map_update_elem(fd, &key, fmts->s, 0) || bpf_map_freeze(fd)) {
		err = -errno;
		close(fd);
		return bd_err(d, err, "text writer: cannot fill the format map: %s",
			      strerror(-err));
	}
	return fd;
}

int bd_load_prog(struct bpfdump_query *q, bool text, int *prog_fd)
{
	struct bpfdump *d = q->d;
	struct bd_plan *p = &q->plan;
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = p->target->func_id);
	struct bd_strbuf fmts = {};
	struct bpf_insn *insns = NULL;
	int cnt, err, fd, fmt_fd = -1;
	char name[16], tail[400];

	/* BPFDUMP_PATH_CACHE=0: every path resolved (to measure what the cache saves) */
	if (!text && !p->path_cache && bd_plan_has_cached_path(p) &&
	    !(getenv("BPFDUMP_PATH_CACHE") && !strcmp(getenv("BPFDUMP_PATH_CACHE"), "0"))) {
		p->path_cache_fd = bd_create_path_cache_map(d);
		p->path_cache = p->path_cache_fd >= 0;
	}
	/* cmdline(): bpf_copy_from_user_task may fault pages in */
	if (p->sleepable)
		lopts.prog_flags |= BPF_F_SLEEPABLE;
	/* rss(): a per-CPU array whose copies give each CPU's per-CPU offset (emit_rss) */
	p->rss.map_fd = -1;
	if (p->rss.used) {
		p->rss.map_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bpfdump_pcpu", 4, 8, 1,
					       NULL);
		if (p->rss.map_fd < 0)
			return bd_err(d, -errno, "target '%s': cannot create rss()'s per-CPU "
				      "array: %s", p->target->name, strerror(errno));
	}
	err = bd_codegen_iter(d, p, q->buf_map_fd, text, &insns, &cnt, text ? &fmts : NULL);
	if (err) {
		if (p->rss.map_fd >= 0)
			close(p->rss.map_fd);
		p->rss.map_fd = -1;
		if (err == -EOPNOTSUPP)
			return err;	/* the message says which column */
		return bd_err(d, err, "target '%s': code generation failed: %s", p->target->name,
			      strerror(-err));
	}
	if (text) {
		fmt_fd = create_fmt_map(d, &fmts);
		sb_free(&fmts);
		if (fmt_fd < 0) {
			free(insns);
			if (p->rss.map_fd >= 0)
				close(p->rss.map_fd);
			p->rss.map_fd = -1;
			return fmt_fd;
		}
		bd_codegen_set_fmt_map(insns, cnt, fmt_fd);
	}
	if (!q->log)
		q->log = malloc(VERIFIER_LOG_SIZE);
	if (q->log) {
		q->log[0] = '\0';
		lopts.log_buf = q->log;
		lopts.log_size = VERIFIER_LOG_SIZE;
		lopts.log_level = d->log_level >= BPFDUMP_DEBUG ? 1 : 0;
	}
	snprintf(name, sizeof(name), "bd%s_%.10s", text ? "t" : "", p->target->name);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", insns, cnt, &lopts);
	err = fd < 0 ? -errno : 0;
	free(insns);
	if (fmt_fd >= 0)
		close(fmt_fd);	/* the program holds it now */
	if (p->rss.map_fd >= 0)
		close(p->rss.map_fd);
	p->rss.map_fd = -1;
	if (fd >= 0) {
		bd_log(d, BPFDUMP_DEBUG, "target '%s': loaded %d instructions%s%s", p->target->name,
		       cnt, text ? " (text writer)" : "",
		       !p->all_probe ? "" : d->lockdown.confidential ?
		       " (all pointers through bpf_rdonly_cast)" :
		       " (all reads through bpf_probe_read_kernel)");
		*prog_fd = fd;
		return 0;
	}
	bd_log_tail(q->log ? q->log : "", tail, sizeof(tail));
	if (err == -EPERM && geteuid() == 0 && !tail[0])
		return bd_err(d, err, "target '%s': the kernel refused to load the program: %s "
			      "(as root, before the verifier ran: a security policy forbids it)",
			      p->target->name, strerror(-err));
	if (err == -EPERM && !tail[0])
		return bd_err(d, err, "target '%s': cannot load the program: %s (need CAP_BPF "
			      "and CAP_PERFMON, or run as root)", p->target->name, strerror(-err));
	return bd_err(d, err, "target '%s': the verifier rejected the program: %s%s%s",
		      p->target->name, strerror(-err), tail[0] ? ": " : "", tail);
}

/* Each map target walks its own kind of map; the kernel's EINVAL at attach says less. */
static int check_map_type(struct bpfdump *d, const char *target, const char *spec, __u32 type)
{
	bool sk_storage = type == BPF_MAP_TYPE_SK_STORAGE;
	bool sockmap = type == BPF_MAP_TYPE_SOCKMAP || type == BPF_MAP_TYPE_SOCKHASH;
	const char *kind = libbpf_bpf_map_type_str(type) ?: "unknown";
	const char *use = NULL;

	if (!strcmp(target, "bpf_sk_storage_map") && !sk_storage)
		use = sockmap ? "sockmap" : "bpf_map_elem";
	else if (!strcmp(target, "sockmap") && !sockmap)
		use = sk_storage ? "bpf_sk_storage_map" : "bpf_map_elem";
	else if (!strcmp(target, "bpf_map_elem") && (sk_storage || sockmap))
		use = sk_storage ? "bpf_sk_storage_map" : "sockmap";
	if (!use)
		return 0;
	return bd_err(d, -EINVAL, "map '%s': target '%s' cannot walk a map of type %s (use "
		      "target %s)", spec, target, kind, use);
}

static int set_params(struct bpfdump_query *q, const struct bpfdump_query_opts *o)
{
	struct bpfdump *d = q->d;
	const struct bd_target *t = q->plan.target;
	static const char *const orders[] = { "", "self", "descendants_pre",
					      "descendants_post", "ancestors_up" };

	if ((o->pid || o->tid) && !(t->params & BPFDUMP_PARAM_TASK))
		return bd_err(d, -EINVAL, "target '%s': --pid/--tid apply to task, task_file and "
			      "task_vma only", t->name);
	if (o->cgroup && !(t->params & (BPFDUMP_PARAM_CGROUP | BPFDUMP_PARAM_PIDNS)))
		return bd_err(d, -EINVAL, "target '%s': --cgroup applies to the cgroup target "
			      "(where the walk starts) and to task targets (a subtree's tasks)",
			      t->name);
	if (o->order && !(t->params & BPFDUMP_PARAM_CGROUP))
		return bd_err(d, -EINVAL, "target '%s': --order applies to the cgroup target only",
			      t->name);
	if (o->map && !(t->params & BPFDUMP_PARAM_MAP))
		return bd_err(d, -EINVAL, "target '%s': --map applies to bpf_map_elem, "
			      "bpf_sk_storage_map and sockmap only", t->name);
	if ((t->params & BPFDUMP_PARAM_MAP) && !o->map)
		return bd_err(d, -EINVAL, "target '%s': needs --map NAME|ID", t->name);
	if (o->pid < 0 || o->tid < 0 || (o->pid && o->tid))
		return bd_err(d, -EINVAL, "target '%s': give one positive --pid or --tid", t->name);
	if (o->order < BPFDUMP_ORDER_DEFAULT || o->order > BPFDUMP_ORDER_ANCESTORS_UP)
		return bd_err(d, -EINVAL, "cgroup order %d: unknown", o->order);

	if (o->pid || o->tid) {
		int id = o->pid ? o->pid : o->tid;

		/* the kernel would just list nothing; with --pidns the number is the
		 * namespace's (the iterator is created in there) */
		if (o->pidns) {
			/* the namespace bd_scope_open opened and checked */
			int host = bd_pidns_host_pid(d, q->scope.pidns_fd, o->pidns, id);

			if (host < 0)
				return host;
			q->host_pid = host;	/* what a pinned dumper's readers need */
		} else if (kill(id, 0) && errno == ESRCH) {
			return bd_err(d, -ESRCH, "target '%s': no such %s %d", t->name,
				      o->pid ? "process" : "thread", id);
		}
		q->linfo.task.pid = o->pid;
		q->linfo.task.tid = o->tid;
		q->has_linfo = true;
	}
	if (t->params & BPFDUMP_PARAM_CGROUP) {
		/* no --cgroup: the kernel starts at the default cgroup2 root */
		const char *path = o->cgroup ? o->cgroup : "the cgroup2 root";

		if (o->cgroup) {
			struct statfs sfs;

			q->cgroup_fd = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (q->cgroup_fd < 0)
				return bd_err(d, -errno, "cgroup '%s': cannot open: %s", path,
					      strerror(errno));
			if (fstatfs(q->cgroup_fd, &sfs) || (sfs.f_type != CGROUP2_SUPER_MAGIC &&
							    sfs.f_type != CGROUP_SUPER_MAGIC))
				return bd_err(d, -ENOTDIR, "cgroup '%s': not a cgroup directory "
					      "(give one under the cgroup2 mount)", path);
			q->linfo.cgroup.cgroup_fd = q->cgroup_fd;
		}
		q->linfo.cgroup.order = o->order ? (enum bpf_cgroup_iter_order)o->order
						 : BPF_CGROUP_ITER_DESCENDANTS_PRE;
		q->has_linfo = true;
		bd_log(d, BPFDUMP_DEBUG, "cgroup '%s' order %s", path,
		       orders[o->order ? o->order : BPFDUMP_ORDER_DESCENDANTS_PRE]);
	}
	if (q->plan.map.fd >= 0) {
		q->linfo.map.map_fd = q->plan.map.fd;
		q->has_linfo = true;
	}
	return 0;
}

struct bpfdump_query *bpfdump_query__new(struct bpfdump *d, const struct bpfdump_query_opts *o)
{
	int err = d ? bd_btf_ready(d) : 0;

	if (err) {
		errno = -err;
		return NULL;
	}
	return bd_query_new(d, o, true);
}

static struct bpfdump_query *query_new(struct bpfdump *d, const struct bpfdump_query_opts *o,
				       bool load, const char *pinned_scope, int pinned_level);

struct bpfdump_query *bd_query_new(struct bpfdump *d, const struct bpfdump_query_opts *o,
				   bool load)
{
	return query_new(d, o, load, NULL, -1);
}

struct bpfdump_query *bd_query_new_pinned(struct bpfdump *d, const struct bpfdump_query_opts *o,
					  const char *scope_where, int pidns_level)
{
	return query_new(d, o, false, scope_where, pidns_level);
}

struct bpfdump_query *bd_query_new_scoped(struct bpfdump *d, const struct bpfdump_query_opts *o,
					  const char *scope_where)
{
	int err = bd_btf_ready(d);

	if (err) {
		errno = -err;
		return NULL;
	}
	return query_new(d, o, true, scope_where, -1);
}

static struct bpfdump_query *query_new(struct bpfdump *d, const struct bpfdump_query_opts *o,
				       bool load, const char *pinned_scope, int pinned_level)
{
	struct bpfdump_query *q;
	const char *cols;
	char *fallback = NULL;
	int err;

	if (!o || !OPTS_OK(o, bpfdump_query_opts) || !o->target) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		errno = ENOMEM;
		return NULL;
	}
	q->d = d;
	q->prog_fd = q->buf_map_fd = q->cgroup_fd = -1;
	bd_scope_init(&q->scope);
	q->opts = *o;
	q->opts.sz = sizeof(q->opts);
	q->opts.target = q->spec_target = strdup(o->target);
	q->opts.columns = q->spec_columns = o->columns ? strdup(o->columns) : NULL;
	q->opts.where = q->spec_where = o->where ? strdup(o->where) : NULL;
	q->opts.cgroup = q->spec_cgroup = o->cgroup ? strdup(o->cgroup) : NULL;
	q->opts.map = q->spec_map = o->map ? strdup(o->map) : NULL;
	if (!q->spec_target || (o->columns && !q->spec_columns) || (o->where && !q->spec_where) ||
	    (o->cgroup && !q->spec_cgroup) || (o->map && !q->spec_map)) {
		err = -ENOMEM;
		goto err_out;
	}
	q->plan.map.fd = -1;
	q->plan.target = bd_target_find(d, o->target);
	if (!q->plan.target) {
		err = bd_unknown_target(d, o->target);
		goto err_out;
	}
	err = bd_scope_open(d, q->plan.target, o, &q->scope);
	if (err)
		goto err_out;
	if (pinned_scope) {
		char *s = NULL;

		/* a loaded query keeps the scope its options make and adds this one: both
		 * are predicates the library wrote, so they join as text */
		if (load && q->scope.where) {
			if (asprintf(&s, "(%s) && (%s)", q->scope.where, pinned_scope) < 0)
				s = NULL;
		} else {
			s = strdup(pinned_scope);
		}
		if (!s) {
			err = -ENOMEM;
			goto err_out;
		}
		free(q->scope.where);
		q->scope.where = s;
	}
	q->plan.scope_where = q->scope.where;
	q->plan.pidns_level = pinned_level >= 0 ? pinned_level : q->scope.pidns_level;
	err = set_params(q, o);
	if (err)
		goto err_out;
	if (o->map) {
		err = bd_open_map(d, o->map, &q->plan.map);
		if (err)
			goto err_out;
		err = check_map_type(d, q->plan.target->name, o->map, q->plan.map.type);
		if (err)
			goto err_out;
		q->linfo.map.map_fd = q->plan.map.fd;
		q->has_linfo = true;
	}
	cols = o->columns && *o->columns ? o->columns : NULL;
	if (!cols && q->plan.pidns_level)
		cols = bd_target_preset_pidns(q->plan.target->name);
	if (!cols)
		cols = bd_target_preset(q->plan.target->name);
	if (!cols)
		cols = fallback = bd_target_member_columns(q->plan.target);
	err = bd_plan_build(d, &q->plan, cols, o->where);
	if (err)
		goto err_out;
	if (!load)
		goto done;
	q->buf_map_fd = bd_create_buf_map(d, q->plan.buf_size);
	if (q->buf_map_fd < 0) {
		err = q->buf_map_fd;
		goto err_out;
	}
	err = bd_load_prog(q, false, &q->prog_fd);
	if (err == -EINVAL && !d->lockdown.confidential && probe_read_forbidden(q->log)) {
		/* lockdown the mode file did not show: the same plan, lockdown-safe */
		d->lockdown.confidential = true;
		bd_log(d, BPFDUMP_INFO, "target '%s': the kernel forbids bpf_probe_read_kernel "
		       "(lockdown=confidentiality); generating lockdown-safe reads",
		       q->plan.target->name);
		err = bd_load_prog(q, false, &q->prog_fd);
	}
	if (err && err != -EPERM && err != -EOPNOTSUPP && !q->plan.all_probe) {
		/* some direct loads are refused (__user, percpu...): read everything
		 * through bpf_probe_read_kernel instead, or under lockdown (where it is
		 * forbidden) through bpf_rdonly_cast */
		char first[BD_ERRMSG_MAX];

		snprintf(first, sizeof(first), "%s", bd_errmsg());
		bd_plan_free(&q->plan);
		q->plan.all_probe = true;
		bd_log(d, BPFDUMP_INFO, "%s; retrying with %s", first,
		       d->lockdown.confidential ? "bpf_rdonly_cast reads (lockdown=confidentiality)"
						: "bpf_probe_read_kernel");
		err = bd_plan_build(d, &q->plan, cols, o->where);
		if (!err)
			err = bd_load_prog(q, false, &q->prog_fd);
		if (err)
			snprintf(bd_errmsg(), BD_ERRMSG_MAX, "%s", first);
	}
	/* a map target whose iterator is refused: read it with the map syscalls */
	err = bd_map_syscall_hook(q, err);
	if (err)
		goto err_out;
done:
	free(fallback);
	return q;

err_out:
	free(fallback);
	bpfdump_query__free(q);
	errno = -err;
	return NULL;
}

void bpfdump_query__free(struct bpfdump_query *q)
{
	if (!q)
		return;
	if (q->prog_fd >= 0)
		close(q->prog_fd);
	if (q->buf_map_fd >= 0)
		close(q->buf_map_fd);
	if (q->plan.path_cache)
		close(q->plan.path_cache_fd);
	if (q->cgroup_fd >= 0)
		close(q->cgroup_fd);
	bd_scope_close(&q->scope);
	if (q->plan.map.fd >= 0)
		close(q->plan.map.fd);
	btf__free(q->plan.map.btf);
	bd_plan_free(&q->plan);
	free(q->log);
	free(q->spec_target);
	free(q->spec_columns);
	free(q->spec_where);
	free(q->spec_cgroup);
	free(q->spec_map);
	free(q);
}

const char *bpfdump_query__verifier_log(const struct bpfdump_query *q)
{
	return q && q->log ? q->log : "";
}

int bpfdump_query__attach(struct bpfdump_query *q)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd, err;

	if (q->map_syscalls)
		return bd_err(q->d, -EOPNOTSUPP, "target '%s': no iterator to attach: the map "
			      "syscalls read this map (print the query instead)",
			      q->plan.target->name);
	if (q->has_linfo) {
		opts.iter_info = &q->linfo;
		opts.iter_info_len = sizeof(q->linfo);
	}
	fd = bpf_link_create(q->prog_fd, 0, BPF_TRACE_ITER, &opts);
	if (fd < 0) {
		err = -errno;
		if (err == -ESRCH && (q->linfo.task.pid || q->linfo.task.tid))
			return bd_err(q->d, err, "target '%s': no such process %u",
				      q->plan.target->name,
				      q->linfo.task.pid ? q->linfo.task.pid : q->linfo.task.tid);
		return bd_err(q->d, err, "target '%s': cannot attach the iterator: %s",
			      q->plan.target->name, strerror(-err));
	}
	return fd;
}
