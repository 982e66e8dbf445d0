// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The public API: context, targets, queries (plan, generate, load, attach, read). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
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
#include "output.h"
#include "read_ahead.h"
#include "rows.h"

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"
#define VERIFIER_LOG_SIZE (1 << 20)


#define OPTS_OK(opts, type) \
	(!(opts) || ((opts)->sz >= sizeof(size_t) && opts_tail_zero((opts), (opts)->sz, sizeof(struct type))))

static bool opts_tail_zero(const void *opts, size_t user_sz, size_t our_sz)
{
	const char *p = opts;
	size_t i;

	for (i = our_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}

const char *bpfdump_version(void)
{
	return BPFDUMP_VERSION;
}

struct bpfdump *bpfdump__new(const struct bpfdump_opts *opts)
{
	struct bpfdump *d;
	bool lazy;
	int err;

	if (!OPTS_OK(opts, bpfdump_opts)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(d->btf_path, sizeof(d->btf_path), "%s",
		 opts && opts->btf_path ? opts->btf_path : DEFAULT_BTF_PATH);
	if (opts) {
		d->log = opts->log;
		d->log_ctx = opts->log_ctx;
		d->log_level = opts->log_level;
	}
	lazy = opts && opts->sz >= offsetof(struct bpfdump_opts, lazy_btf) + sizeof(bool) &&
	       opts->lazy_btf;
	err = lazy ? 0 : bd_btf_ready(d);
	if (err) {
		/* keep the context so the caller can read the message */
		errno = -err;
		bd_log(d, BPFDUMP_WARN, "%s", d->errmsg);
		bpfdump__free(d);
		return NULL;
	}
	return d;
}

/* The bracketed word of /sys/kernel/security/lockdown ("none integrity
 * [confidentiality]") is the mode; no file (no securityfs, no lockdown LSM): none. */
static bool lockdown_file_confidential(void)
{
	char buf[128], *l, *r;
	FILE *f = fopen(BD_LOCKDOWN_FILE, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	return r && r - l - 1 == (long)strlen("confidentiality") &&
	       !strncmp(l + 1, "confidentiality", r - l - 1);
}

/* A struct whose first member is a plain 8-byte integer at offset 0: a guarded
 * load of 1 to 8 bytes at its offset 0 is a scalar the verifier accepts. */
static bool u64_first(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id), *mt;

	if (!t || !btf_is_struct(t) || !btf_vlen(t) || t->size < 8 ||
	    btf_member_bit_offset(t, 0) || btf_member_bitfield_size(t, 0))
		return false;
	mt = bd_skip_mods(btf, btf_members(t)->type, NULL);
	return mt && btf_is_int(mt) && mt->size == 8;
}

static __s32 find_u64_struct(const struct btf *btf)
{
	__s32 id = btf__find_by_name_kind(btf, "atomic64_t", BTF_KIND_TYPEDEF);
	__u32 i, n = btf__type_cnt(btf);

	if (id > 0 && u64_first(btf, btf__type_by_id(btf, id)->type))
		return btf__type_by_id(btf, id)->type;
	for (i = 1; i < n; i++)
		if (u64_first(btf, i))
			return i;
	return -1;
}

const struct bd_lockdown *bd_lockdown_probe(struct bpfdump *d)
{
	struct bd_lockdown *l = &d->lockdown;
	const char *force;

	if (!l->probed) {
		/* for tests: confidentiality's code on any kernel; it only ever restricts */
		force = secure_getenv("BPFDUMP_LOCKDOWN");
		l->confidential = lockdown_file_confidential() ||
				  (force && !strcmp(force, "confidentiality"));
		l->probed = true;
	}
	if (!l->cast_fn_id && d->btf) {
		l->cast_fn_id = btf__find_by_name_kind(d->btf, "bpf_rdonly_cast", BTF_KIND_FUNC);
		l->cast_u64_id = find_u64_struct(d->btf);
		if (l->cast_fn_id <= 0)
			l->cast_fn_id = -1;
		if (l->confidential)
			bd_log(d, BPFDUMP_INFO, "lockdown=confidentiality: no bpf_probe_read_kernel; "
			       "reading through BTF-typed pointers%s", l->cast_fn_id > 0 &&
			       l->cast_u64_id > 0 ? " and bpf_rdonly_cast" : " only (no bpf_rdonly_cast)");
	}
	return l;
}

/* The verifier's words when the kernel forbids the probe-read helpers (lockdown
 * that /sys/kernel/security/lockdown did not show: no securityfs mounted). */
static bool probe_read_forbidden(const char *log)
{
	return log && strstr(log, "cannot use helper bpf_probe_read_kernel");
}

int bd_btf_ready(struct bpfdump *d)
{
	int err;

	if (d->btf)
		return 0;
	err = bd_btf_load(d);
	if (!err)
		err = bd_targets_discover(d);
	if (!err && !d->target_cnt)
		err = bd_err(d, -ENOENT, "BTF '%s': no BPF iterator targets (no bpf_iter_* "
			     "functions)", d->btf_path);
	if (!err)
		bd_lockdown_probe(d);
	if (err) {
		btf__free(d->btf);
		d->btf = NULL;
		free(d->targets);
		d->targets = NULL;
		d->target_cnt = 0;
	}
	return err;
}

void bpfdump__free(struct bpfdump *d)
{
	if (!d)
		return;
	btf__free(d->btf);
	free(d->targets);
	free(d);
}

const char *bpfdump__errmsg(const struct bpfdump *d)
{
	return d ? d->errmsg : "";
}

int bpfdump__target_cnt(const struct bpfdump *d)
{
	return d->target_cnt;
}

const char *bpfdump__target_name(const struct bpfdump *d, int idx)
{
	return idx >= 0 && idx < d->target_cnt ? d->targets[idx].name : NULL;
}

int bpfdump__target_params(const struct bpfdump *d, const char *target)
{
	const struct bd_target *t = bd_target_find(d, target);

	return t ? (int)t->params : -ENOENT;
}

int bd_unknown_target(struct bpfdump *d, const char *name)
{
	char list[1024];
	size_t used = 0;
	int i;

	list[0] = '\0';
	for (i = 0; i < d->target_cnt; i++)
		used += snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
				 i ? ", " : "", d->targets[i].name);
	return bd_err(d, -ENOENT, "target '%s': not an iterator target of this kernel; "
		      "targets: %s", name, list);
}

/* Fallback columns: one per ctx member. */
static char *member_columns(const struct bd_target *t)
{
	struct bd_strbuf b = {};
	int i;

	for (i = 0; i < t->member_cnt; i++)
		sb_printf(&b, "%s%s", i ? "," : "", t->members[i].name);
	return b.s;
}

static const struct { unsigned int bit; const char *text, *json; } param_list[] = {
	{ BPFDUMP_PARAM_TASK, "--pid, --tid", "\"pid\",\"tid\"" },
	{ BPFDUMP_PARAM_CGROUP, "--cgroup, --order", "\"cgroup\",\"order\"" },
	{ BPFDUMP_PARAM_MAP, "--map", "\"map\"" },
	{ BPFDUMP_PARAM_NETNS, "--netns", "\"netns\"" },
	{ BPFDUMP_PARAM_PIDNS, "--pidns, --mntns, --cgroup (a subtree's tasks)",
	  "\"pidns\",\"mntns\",\"cgroup\"" },
};

/* The parameters a target takes, as text or as JSON strings. */
static void print_params(FILE *out, unsigned int params, bool json)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(param_list) / sizeof(param_list[0]); i++)
		if (params & param_list[i].bit)
			fprintf(out, "%s%s", n++ ? (json ? "," : ", ") : "",
				json ? param_list[i].json : param_list[i].text);
	if (!n && !json)
		fprintf(out, "none (a global target: namespaces do not scope it)");
}

int bpfdump__describe_target(struct bpfdump *d, const char *target, FILE *out, bool json)
{
	const struct bd_target *t;
	const char *preset;
	char decl[256];
	char *fallback = NULL;
	int i;

	i = bd_btf_ready(d);
	if (i)
		return i;
	t = bd_target_find(d, target);
	if (!t)
		return bd_unknown_target(d, target);
	preset = bd_target_preset(t->name);
	if (preset)	/* as this kernel resolves it */
		preset = fallback = bd_preset_resolve(d, t, preset);
	else
		preset = fallback = member_columns(t);
	if (json) {
		fprintf(out, "{\"target\":");
		bd_json_str(out, t->name, strlen(t->name));
		fprintf(out, ",\"fields\":[");
		for (i = 0; i < t->member_cnt; i++) {
			bd_type_decl(d->btf, t->members[i].type_id, NULL, decl, sizeof(decl));
			fprintf(out, "%s{\"name\":", i ? "," : "");
			bd_json_str(out, t->members[i].name, strlen(t->members[i].name));
			fprintf(out, ",\"type\":");
			bd_json_str(out, decl, strlen(decl));
			fprintf(out, "}");
		}
		fprintf(out, "],\"params\":[");
		print_params(out, t->params, true);
		fprintf(out, "],\"default_columns\":");
		bd_json_str(out, preset ? preset : "", preset ? strlen(preset) : 0);
		fprintf(out, "}\n");
	} else {
		fprintf(out, "target %s (attach point bpf_iter_%s)\n", t->name, t->name);
		fprintf(out, "fields:\n");
		for (i = 0; i < t->member_cnt; i++) {
			bd_type_decl(d->btf, t->members[i].type_id, t->members[i].name, decl,
				     sizeof(decl));
			fprintf(out, "    %s;\n", decl);
		}
		fprintf(out, "parameters: ");
		print_params(out, t->params, false);
		fprintf(out, "\n");
		fprintf(out, "default columns: %s\n", preset ? preset : "");
	}
	free(fallback);
	return 0;
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
		cols = fallback = member_columns(q->plan.target);
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
		char first[sizeof(d->errmsg)];

		snprintf(first, sizeof(first), "%s", d->errmsg);
		bd_plan_free(&q->plan);
		q->plan.all_probe = true;
		bd_log(d, BPFDUMP_INFO, "%s; retrying with %s", first,
		       d->lockdown.confidential ? "bpf_rdonly_cast reads (lockdown=confidentiality)"
						: "bpf_probe_read_kernel");
		err = bd_plan_build(d, &q->plan, cols, o->where);
		if (!err)
			err = bd_load_prog(q, false, &q->prog_fd);
		if (err)
			snprintf(d->errmsg, sizeof(d->errmsg), "%s", first);
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

struct row_ctx {
	struct bpfdump_query *q;
	struct bd_printer *pr;
	FILE *out;
	enum bpfdump_format format;
	struct bd_rows *dec;		/* records -> typed cells (rows.c) */
	bpfdump_row_fn fn;		/* bpfdump_query__rows: cells to the caller */
	void *fn_ctx;
	char **cellp;
	size_t *lens;
	bool *numeric;
	long rows;
};

static int handle_record(struct row_ctx *rc, const __u8 *rec, __u32 len)
{
	const struct bpfdump_cell *cells;
	int i, n = rc->q->plan.col_cnt, err;

	if (rc->format == BPFDUMP_FMT_RECORDS) {
		if (fwrite(rec, 1, len, rc->out) != len)
			return -EIO;
		rc->rows++;
		return 0;
	}
	err = bd_rows_decode(rc->dec, rec, len, &cells);
	if (err)
		return bd_err(rc->q->d, err, "record %ld: malformed", rc->rows);
	rc->rows++;
	if (rc->fn) {
		err = rc->fn(rc->fn_ctx, cells, n);
		return err > 0 ? BD_ROWS_STOP : err;
	}
	for (i = 0; i < n; i++) {
		rc->cellp[i] = (char *)cells[i].text;
		rc->lens[i] = cells[i].text_len;
		rc->numeric[i] = cells[i].numeric;
	}
	return bd_printer__row(rc->pr, rc->cellp, rc->lens, rc->numeric);
}

static int map_record(void *ctx, const __u8 *rec, __u32 len)
{
	return handle_record(ctx, rec, len);
}

/* A record's length, checked against what the plan's records can be. */
static long record_len(struct bpfdump_query *q, const __u8 *hdr, __u32 *len)
{
	memcpy(len, hdr, 4);
	if (*len < q->plan.fixed_size || *len > q->plan.fixed_size + BD_MAX_PATHS * BD_PATH_MAX)
		return bd_err(q->d, -EBADMSG, "target '%s': bad record length %u",
			      q->plan.target->name, *len);
	return 0;
}

/* sb_puts, telling whether the bytes fit */
static int carry_put(struct bd_strbuf *carry, const __u8 *p, size_t n)
{
	size_t before = carry->len;

	sb_puts(carry, (const char *)p, n);
	return carry->len == before + n ? 0 : -ENOMEM;
}

/*
 * One chunk of the stream: finish the record carried over from the last chunk, hand
 * on every whole record, and carry the tail (a record cut by the chunk's end).
 */
static long split_chunk(struct bpfdump_query *q, struct row_ctx *rc, const __u8 *p, size_t n,
			struct bd_strbuf *carry)
{
	const __u8 *end = p + n;
	__u32 len;
	long err;

	if (carry->len) {
		size_t take;

		if (carry->len < 8) {
			take = 8 - carry->len < n ? 8 - carry->len : n;
			if (carry_put(carry, p, take))
				return -ENOMEM;
			p += take;
			if (carry->len < 8)
				return 0;
		}
		err = record_len(q, (const __u8 *)carry->s, &len);
		if (err)
			return err;
		take = len - carry->len < (size_t)(end - p) ? len - carry->len : (size_t)(end - p);
		if (carry_put(carry, p, take))
			return -ENOMEM;
		p += take;
		if (carry->len < len)
			return 0;
		err = handle_record(rc, (const __u8 *)carry->s, len);
		carry->len = 0;
		if (err)
			return err;
	}
	while (end - p >= 8) {
		err = record_len(q, p, &len);
		if (err)
			return err;
		if ((size_t)(end - p) < len)
			break;
		err = handle_record(rc, p, len);
		if (err)
			return err;
		p += len;
	}
	if (p < end && carry_put(carry, p, end - p))
		return -ENOMEM;
	return 0;
}

/*
 * Read an iterator fd to its end, splitting the stream into records. A thread reads
 * ahead (read_ahead.c) so the kernel's side of the next chunk runs while this one is
 * decoded and printed.
 */
static long read_records(struct bpfdump_query *q, int iter_fd, struct row_ctx *rc)
{
	struct bd_strbuf carry = {};
	struct bd_read_ahead *ra;
	long err;

	err = bd_read_ahead_start(iter_fd, &ra);
	if (err)
		return bd_err(q->d, err, "target '%s': cannot start the reader: %s",
			      q->plan.target->name, strerror(-err));
	for (;;) {
		const __u8 *chunk;
		ssize_t n = bd_read_ahead_next(ra, &chunk);

		if (n < 0) {
			err = bd_err(q->d, n, "target '%s': read failed: %s",
				     q->plan.target->name, strerror(-n));
			break;
		}
		if (n == 0)
			break;
		err = split_chunk(q, rc, chunk, n, &carry);
		if (err)
			break;
	}
	bd_read_ahead_stop(ra);
	if (!err && carry.len)
		err = bd_err(q->d, -EBADMSG, "target '%s': %zu bytes of a truncated record",
			     q->plan.target->name, carry.len);
	sb_free(&carry);
	return err;
}

/* Read iter_fd (or the map syscalls) to the end: rows to rc's printer or callback. */
static long read_rows(struct bpfdump_query *q, int iter_fd, struct row_ctx *rc, bool hide_kaddr)
{
	long err;

	if (rc->format != BPFDUMP_FMT_RECORDS) {
		rc->dec = bd_rows_new(q, hide_kaddr);
		if (!rc->dec)
			return -ENOMEM;
	}
	err = q->map_syscalls ? bd_map_syscall_read(q, map_record, rc)
			      : read_records(q, iter_fd, rc);
	if (err == BD_ROWS_STOP)	/* the caller had enough rows */
		err = 0;
	bd_rows_free(rc->dec);
	rc->dec = NULL;
	return err;
}

long bd_query_read(struct bpfdump_query *q, int iter_fd, FILE *out,
		   const struct bpfdump_print_opts *opts)
{
	const struct bd_plan *p = &q->plan;
	struct row_ctx rc = { .q = q, .out = out };
	const char **names = NULL, **headers = NULL;
	bool *right = NULL;
	long err;
	int i;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return -EINVAL;
	rc.format = opts ? opts->format : BPFDUMP_FMT_TABLE;
	names = calloc(p->col_cnt, sizeof(*names));
	headers = calloc(p->col_cnt, sizeof(*headers));
	right = calloc(p->col_cnt, sizeof(*right));
	rc.cellp = calloc(p->col_cnt, sizeof(*rc.cellp));
	rc.lens = calloc(p->col_cnt, sizeof(*rc.lens));
	rc.numeric = calloc(p->col_cnt, sizeof(*rc.numeric));
	if (!names || !headers || !right || !rc.cellp || !rc.lens || !rc.numeric) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->col_cnt; i++) {
		names[i] = p->cols[i].name;
		headers[i] = p->cols[i].header;
		right[i] = p->cols[i].right_align;
	}
	if (rc.format != BPFDUMP_FMT_RECORDS) {
		rc.pr = bd_printer__new(out, p->col_cnt, names, headers, right, opts);
		if (!rc.pr) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = read_rows(q, iter_fd, &rc, rc.format != BPFDUMP_FMT_RECORDS &&
			bd_print_hides_kaddr(opts));
	if (!err && rc.pr)
		err = bd_printer__finish(rc.pr);
	if (!err)
		err = rc.rows;
out:
	bd_printer__free(rc.pr);
	free(rc.cellp);
	free(rc.lens);
	free(rc.numeric);
	free(names);
	free(headers);
	free(right);
	return err;
}

/* Attach (in the query's namespaces), and read the iterator with rc. */
static long run_query(struct bpfdump_query *q, struct row_ctx *rc, FILE *out,
		      const struct bpfdump_print_opts *opts, bool hide_kaddr)
{
	struct bd_scope_run run;
	int link_fd;
	long ret;

	if (q->map_syscalls)	/* no program, no iterator */
		return rc ? read_rows(q, -1, rc, hide_kaddr) ?: rc->rows
			  : bd_query_read(q, -1, out, opts);
	link_fd = bpfdump_query__attach(q);
	if (link_fd < 0)
		return link_fd;
	ret = bd_scope_start(q->d, &q->scope, link_fd, &run);
	if (ret) {
		char why[sizeof(q->d->errmsg)];

		snprintf(why, sizeof(why), "%s", q->d->errmsg);
		bd_err(q->d, ret, "target '%s': %s", q->plan.target->name, why);
		close(link_fd);
		return ret;
	}
	if (rc) {
		ret = read_rows(q, run.fd, rc, hide_kaddr);
		if (!ret)
			ret = rc->rows;
	} else {
		ret = bd_query_read(q, run.fd, out, opts);
	}
	ret = bd_scope_end(q->d, &run, ret < 0 ? ret : 0) ?: ret;
	close(link_fd);
	return ret;
}

long bpfdump_query__rows(struct bpfdump_query *q, bpfdump_row_fn fn, void *ctx,
			 const struct bpfdump_rows_opts *opts)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	struct row_ctx rc = { .q = q, .fn = fn, .fn_ctx = ctx };

	if (!q || !fn || !OPTS_OK(opts, bpfdump_rows_opts))
		return -EINVAL;
	po.kaddrs = opts ? opts->kaddrs : BPFDUMP_KADDR_AUTO;
	return run_query(q, &rc, NULL, NULL, bd_print_hides_kaddr(&po));
}

long bpfdump_query__print(struct bpfdump_query *q, FILE *out,
			  const struct bpfdump_print_opts *opts)
{
	return run_query(q, NULL, out, opts, false);
}
