// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * View definitions: the config file (load, add, remove, list) and the built-in views.
 *
 * The file is text, one block per view:
 *   [NAME]
 *   target=task
 *   columns=pid=task->tgid,comm=task->comm
 *   where=task->mm->total_vm > 1000
 *   mode=0444
 *   uid=0
 *   gid=0
 * Values escape '\n' and '\\'. Writers lock DIR/.views.lock (flock; a file only root
 * opens, so no other user can hold the lock) and replace the file with rename(2), so a
 * mount that reads it sees the old or the new version, whole. A writer that died left
 * its FILE.tmpXXXXXX: the next writer removes it under the lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "view_int.h"
#include "util.h"

#define CGROUP_ID_COL "task->cgroups->dfl_cgrp->kn->id"

static const struct bd_view builtins[] = {
	{ .name = "tasks", .target = "task", .builtin = true,
	  .columns = "pid=task->tgid,tid=task->pid,comm=task->comm,state=taskstate(task),"
		     "utime_ns=task->utime,stime_ns=task->stime,"
		     "rss_anon=task->mm->rss_stat[1].count,rss_file=task->mm->rss_stat[0].count" },
	{ .name = "stat", .target = "cgroup", .builtin = true,
	  .columns = "id=cgroup->kn->id,level=cgroup->level,name=cgroup->kn->name,"
		     "nr_descendants=cgroup->nr_descendants,"
		     "nr_dying_descendants=cgroup->nr_dying_descendants,"
		     "max_depth=cgroup->max_depth,max_descendants=cgroup->max_descendants,"
		     "populated_csets=cgroup->nr_populated_csets,frozen=cgroup->freezer.freeze" },
};
#define BUILTIN_CNT ((int)(sizeof(builtins) / sizeof(builtins[0])))

const char *bd_views_path(const char *conf)
{
	const char *env;

	if (conf && *conf)
		return conf;
	env = getenv("BPFDUMP_VIEWS");
	return env && *env ? env : BPFDUMP_VIEWS_CONF;
}

bool bd_view_name_ok(const char *n)
{
	size_t len = strlen(n), i;

	if (!len || len >= BD_VIEW_NAME_MAX || n[0] == '.' || n[0] == '_' || n[0] == '-')
		return false;
	if (len >= 5 && !strcmp(n + len - 5, ".json"))
		return false;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

bool bd_view_target_ok(const struct bpfdump *d, const char *target)
{
	int p = bpfdump__target_params(d, target);

	return p >= 0 && (p & (BPFDUMP_PARAM_TASK | BPFDUMP_PARAM_CGROUP));
}

char *bd_view_scope(const struct bd_view *v, unsigned long long cgid, int *err)
{
	char *s = NULL;

	*err = 0;
	/* cgroup views: the cgroup itself is the iterator's parameter (order self) */
	if (!strcmp(v->target, "cgroup"))
		return NULL;
	if (asprintf(&s, CGROUP_ID_COL " == %llu", cgid) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	return s;
}

void bd_views_free(struct bd_views *vs)
{
	int i;

	if (!vs)
		return;
	for (i = 0; i < vs->cnt; i++) {
		free(vs->v[i].name);
		free(vs->v[i].target);
		free(vs->v[i].columns);
		free(vs->v[i].where);
		free(vs->v[i].pidns);
	}
	free(vs->v);
	vs->v = NULL;
	vs->cnt = 0;
	vs->cap = 0;
}

const struct bd_view *bd_views_find(const struct bd_views *vs, const char *name)
{
	int i;

	for (i = 0; i < vs->cnt; i++)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	return NULL;
}

static struct bd_view *views_append(struct bd_views *vs, const struct bd_view *src)
{
	struct bd_view *v;

	if (bd_grow((void **)&vs->v, &vs->cap, (size_t)vs->cnt + 1, sizeof(*vs->v)))
		return NULL;
	v = &vs->v[vs->cnt];
	*v = *src;
	v->name = strdup(src->name);
	v->target = strdup(src->target ? src->target : "");
	v->columns = strdup(src->columns ? src->columns : "");
	v->where = src->where ? strdup(src->where) : NULL;
	v->pidns = src->pidns ? strdup(src->pidns) : NULL;
	if (!v->name || !v->target || !v->columns || (src->where && !v->where) ||
	    (src->pidns && !v->pidns)) {
		free(v->name);
		free(v->target);
		free(v->columns);
		free(v->where);
		free(v->pidns);
		return NULL;
	}
	vs->cnt++;
	return v;
}

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static int parse_num(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, base);
	return errno || !*s || *end || *out > max ? -EINVAL : 0;
}

/* One "key=value" line into the view being read. */
static int conf_set(struct bd_view *v, char *key, char *val)
{
	unsigned long n;
	char **slot = NULL;

	unescape(val);
	if (!strcmp(key, "target"))
		slot = &v->target;
	else if (!strcmp(key, "columns"))
		slot = &v->columns;
	else if (!strcmp(key, "where"))
		slot = &v->where;
	else if (!strcmp(key, "pidns"))
		slot = &v->pidns;
	if (slot) {
		free(*slot);
		*slot = strdup(val);
		return *slot ? 0 : -ENOMEM;
	}
	if (!strcmp(key, "mode") && !parse_num(val, 8, 07777, &n))
		v->mode = n;
	else if (!strcmp(key, "uid") && !parse_num(val, 10, UINT_MAX - 1, &n))
		v->uid = n;
	else if (!strcmp(key, "gid") && !parse_num(val, 10, UINT_MAX - 1, &n))
		v->gid = n;
	else
		return -EINVAL;
	return 0;
}

static void view_clear(struct bd_view *v)
{
	free(v->name);
	free(v->target);
	free(v->columns);
	free(v->where);
	free(v->pidns);
	memset(v, 0, sizeof(*v));
}

/* Move the view being read into vs, once it is complete. */
static int conf_commit(struct bpfdump *d, const char *path, struct bd_view *cur,
		       struct bd_views *vs)
{
	int err = 0;

	if (!cur->name)
		return 0;
	if (!cur->target || !cur->columns || !*cur->columns)
		err = bd_err(d, -EINVAL, "views '%s': view '%s' lacks target= or columns=", path,
			     cur->name);
	else if (bd_views_find(vs, cur->name))
		err = bd_err(d, -EINVAL, "views '%s': view '%s' is defined twice", path,
			     cur->name);
	else if (!views_append(vs, cur))
		err = -ENOMEM;
	view_clear(cur);
	return err;
}

int bd_views_load(struct bpfdump *d, const char *path, unsigned int builtin_mode,
		  struct bd_views *vs)
{
	struct bd_view cur = {};
	char *line = NULL;
	size_t cap = 0;
	int i, lineno = 0, err = 0;
	ssize_t n;
	FILE *f;

	memset(vs, 0, sizeof(*vs));
	for (i = 0; i < BUILTIN_CNT; i++) {
		struct bd_view b = builtins[i];

		b.mode = builtin_mode ? builtin_mode : 0400;
		if (!views_append(vs, &b)) {
			bd_views_free(vs);
			return -ENOMEM;
		}
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		err = bd_err(d, -errno, "views '%s': cannot read: %s", path, strerror(errno));
		bd_views_free(vs);
		return err;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *eq;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if (line[0] == '[' && line[n - 1] == ']') {
			err = conf_commit(d, path, &cur, vs);
			if (err)
				break;
			line[n - 1] = '\0';
			if (!bd_view_name_ok(line + 1)) {
				err = bd_err(d, -EINVAL, "views '%s' line %d: bad view name '%s'",
					     path, lineno, line + 1);
				break;
			}
			cur.name = strdup(line + 1);
			cur.mode = 0400;
			if (!cur.name) {
				err = -ENOMEM;
				break;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (!cur.name || !eq) {
			err = bd_err(d, -EINVAL, "views '%s' line %d: expected [NAME] or key=value",
				     path, lineno);
			break;
		}
		*eq = '\0';
		err = conf_set(&cur, line, eq + 1);
		if (err) {
			err = bd_err(d, err, "views '%s' line %d: bad '%s'", path, lineno, line);
			break;
		}
	}
	if (!err)
		err = conf_commit(d, path, &cur, vs);
	view_clear(&cur);
	free(line);
	fclose(f);
	if (err)
		bd_views_free(vs);
	return err;
}

static void put_escaped(FILE *f, const char *k, const char *v)
{
	if (!v)
		return;
	fprintf(f, "%s=", k);
	for (; *v; v++) {
		if (*v == '\n')
			fputs("\\n", f);
		else if (*v == '\\')
			fputs("\\\\", f);
		else
			fputc(*v, f);
	}
	fputc('\n', f);
}

/* Write the user's views (not the built-in ones) to path, atomically. */
static int views_save(struct bpfdump *d, const char *path, const struct bd_views *vs)
{
	char tmp[PATH_MAX];
	int i, fd, err = 0;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return bd_err(d, -ENAMETOOLONG, "views '%s': path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return bd_err(d, -errno, "views '%s': cannot write: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	fchmod(fd, 0644);
	fprintf(f, "# bpfdump views: written by 'bpfdump view add' and 'bpfdump view rm'\n");
	for (i = 0; i < vs->cnt; i++) {
		const struct bd_view *v = &vs->v[i];

		if (v->builtin)
			continue;
		fprintf(f, "\n[%s]\n", v->name);
		put_escaped(f, "target", v->target);
		put_escaped(f, "columns", v->columns);
		put_escaped(f, "where", v->where);
		put_escaped(f, "pidns", v->pidns);
		fprintf(f, "mode=%04o\nuid=%u\ngid=%u\n", v->mode, (unsigned)v->uid,
			(unsigned)v->gid);
	}
	if (fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return bd_err(d, err, "views '%s': cannot write: %s", path, strerror(-err));
	}
	return 0;
}

/* Remove the temporary files of writers that died: under the lock no writer is live,
 * so every FILE.tmpXXXXXX there is a leftover. */
static void remove_stale_tmp(struct bpfdump *d, const char *path)
{
	char dir[PATH_MAX], base[PATH_MAX], prefix[PATH_MAX + 8];
	struct dirent *e;
	size_t plen;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	if (snprintf(prefix, sizeof(prefix), "%s.tmp", basename(base)) >= (int)sizeof(prefix))
		return;
	plen = strlen(prefix);
	dp = opendir(dirname(dir));
	if (!dp)
		return;
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, prefix, plen) || strlen(e->d_name) != plen + 6 ||
		    e->d_type == DT_DIR)
			continue;
		if (!unlinkat(dirfd(dp), e->d_name, 0))
			bd_log(d, BPFDUMP_INFO, "views '%s': removed '%s', left by a writer that "
			       "died", path, e->d_name);
	}
	closedir(dp);
}

/* Lock the config's lock file, DIR/.views.lock (DIR made if missing), against other
 * writers. The lock file is root's, mode 0600: an unprivileged user cannot open it, so
 * cannot hold the lock (a lock on the directory anyone could take and keep). */
static int lock_conf(struct bpfdump *d, const char *path)
{
	char dir[PATH_MAX], lock[PATH_MAX];
	struct stat st;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return bd_err(d, -errno, "views '%s': cannot create '%s': %s", path, dir,
			      strerror(errno));
	if (snprintf(lock, sizeof(lock), "%s/.views.lock", dir) >= (int)sizeof(lock))
		return bd_err(d, -ENAMETOOLONG, "views '%s': path too long", path);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return bd_err(d, -errno, "views '%s': cannot open the lock file '%s': %s", path,
			      lock, strerror(errno));
	if (fstat(fd, &st)) {
		err = bd_err(d, -errno, "views '%s': lock file '%s': %s", path, lock,
			     strerror(errno));
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_nlink != 1) {
		err = bd_err(d, -EPERM, "views '%s': lock file '%s' is not a regular file of "
			     "ours with mode 0600 (%04o, uid %u, %u links): remove it", path, lock,
			     (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			     (unsigned)st.st_nlink);
		goto close_fd;
	}
	if (flock(fd, LOCK_EX)) {
		err = bd_err(d, -errno, "views '%s': cannot lock '%s': %s", path, lock,
			     strerror(errno));
		goto close_fd;
	}
	remove_stale_tmp(d, path);
	return fd;
close_fd:
	close(fd);
	return err;
}

/* The config locked and its views read, for a change to save: the lock's fd, or -errno
 * with neither held. views_free_unlock() undoes both. */
static int views_lock_load(struct bpfdump *d, const char *path, struct bd_views *vs)
{
	int lock, err;

	lock = lock_conf(d, path);
	if (lock < 0)
		return lock;
	err = bd_views_load(d, path, 0, vs);
	if (err) {
		close(lock);
		return err;
	}
	return lock;
}

static void views_free_unlock(struct bd_views *vs, int lock)
{
	bd_views_free(vs);
	close(lock);
}

/* Build the view's query once, as a mount would for the root cgroup: its where parsed
 * alone, the cgroup scope ANDed to it as a tree. */
static int view_validate(struct bpfdump *d, const struct bd_view *v)
{
	BPFDUMP_OPTS(bpfdump_query_opts, qo, .target = v->target, .columns = v->columns);
	char root[PATH_MAX];
	struct bpfdump_query *q;
	struct stat st;
	char *scope;
	int err;

	if (bd_cgroup2_root(root, sizeof(root)))
		return bd_err(d, -ENOENT, "view '%s': no cgroup2 mount in /proc/self/mounts",
			      v->name);
	if (stat(root, &st))
		return bd_err(d, -errno, "view '%s': %s: %s", v->name, root, strerror(errno));
	scope = bd_view_scope(v, st.st_ino, &err);
	if (err)
		return err;
	qo.where = v->where;
	qo.pidns = v->pidns;
	if (!strcmp(v->target, "cgroup")) {
		qo.cgroup = root;
		qo.order = BPFDUMP_ORDER_SELF;
	}
	q = scope ? bd_query_new_scoped(d, &qo, scope) : bpfdump_query__new(d, &qo);
	err = q ? 0 : -errno;
	bpfdump_query__free(q);
	free(scope);
	return err;
}

int bpfdump__view_add(struct bpfdump *d, const char *conf, const char *name,
		      const struct bpfdump_view_opts *opts)
{
	const char *path = bd_views_path(conf);
	struct bd_views vs;
	struct bd_view v = {};
	int lock, err;

	if (!name || !opts || !OPTS_OK(opts, bpfdump_view_opts))
		return bd_err(d, -EINVAL, "view add: bad arguments");
	err = bd_btf_ready(d);
	if (err)
		return err;
	if (!bd_view_name_ok(name))
		return bd_err(d, -EINVAL, "view '%s': bad name (letters, digits, '_', '-', '.', "
			      "':'; not starting with '_', '.' or '-'; not ending in .json; at "
			      "most %d bytes)", name, BD_VIEW_NAME_MAX - 1);
	if (!opts->target || !bd_view_target_ok(d, opts->target))
		return bd_err(d, -EINVAL, "view '%s': target '%s' cannot be scoped to a cgroup "
			      "(give task, task_file, task_vma or cgroup)", name,
			      opts->target ? opts->target : "");
	if (!opts->columns || !*opts->columns)
		return bd_err(d, -EINVAL, "view '%s': give a field list", name);
	v.name = (char *)name;
	v.target = (char *)opts->target;
	v.columns = (char *)opts->columns;
	v.where = opts->where && *opts->where ? (char *)opts->where : NULL;
	if (OPTS_HAS(opts, pidns))
		v.pidns = (char *)opts->pidns;
	v.mode = opts->mode ? opts->mode : 0400;
	v.uid = opts->uid > 0 ? (uid_t)opts->uid : 0;
	v.gid = opts->gid > 0 ? (gid_t)opts->gid : 0;
	err = view_validate(d, &v);
	if (err) {
		char msg[BD_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s", bd_errmsg());
		return bd_err(d, err, "view '%s': %s", name, msg);
	}
	lock = views_lock_load(d, path, &vs);
	if (lock < 0)
		return lock;
	if (bd_views_find(&vs, name))
		err = bd_err(d, -EEXIST, "view '%s': exists (remove it first: bpfdump view rm %s)",
			     name, name);
	else if (!views_append(&vs, &v))
		err = -ENOMEM;
	else
		err = views_save(d, path, &vs);
	views_free_unlock(&vs, lock);
	return err;
}

int bpfdump__view_remove(struct bpfdump *d, const char *conf, const char *name)
{
	const char *path = bd_views_path(conf);
	struct bd_views vs;
	const struct bd_view *v;
	int lock, err;

	lock = views_lock_load(d, path, &vs);
	if (lock < 0)
		return lock;
	v = bd_views_find(&vs, name);
	if (!v) {
		err = bd_err(d, -ENOENT, "view '%s': no such view in %s", name, path);
	} else if (v->builtin) {
		err = bd_err(d, -EPERM, "view '%s': built in, cannot be removed", name);
	} else {
		int idx = v - vs.v;
		struct bd_view gone = vs.v[idx];

		memmove(&vs.v[idx], &vs.v[idx + 1], (vs.cnt - idx - 1) * sizeof(vs.v[0]));
		vs.cnt--;
		err = views_save(d, path, &vs);
		view_clear(&gone);
	}
	views_free_unlock(&vs, lock);
	return err;
}

int bpfdump__view_list(struct bpfdump *d, const char *conf, FILE *out,
		       const struct bpfdump_print_opts *opts)
{
	static const char *names[] = { "name", "target", "mode", "owner", "builtin", "columns",
				       "where" };
	static const char *headers[] = { "NAME", "TARGET", "MODE", "OWNER", "BUILTIN",
					 "COLUMNS", "WHERE" };
	static const bool right[7] = {};
	const char *path = bd_views_path(conf);
	struct bd_printer *pr;
	struct bd_views vs;
	bool numeric[7] = {};
	int i, j, cnt, err;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return bd_err(d, -EINVAL, "view list: bad print options");
	err = bd_views_load(d, path, 0, &vs);
	if (err)
		return err;
	pr = bd_printer__new(out, 7, names, headers, right, opts);
	if (!pr) {
		bd_views_free(&vs);
		return -ENOMEM;
	}
	for (i = 0; i < vs.cnt && !err; i++) {
		const struct bd_view *v = &vs.v[i];
		char mode[8], owner[32];
		const char *cells[7];
		size_t lens[7];

		snprintf(mode, sizeof(mode), "%04o", v->mode);
		snprintf(owner, sizeof(owner), "%u:%u", (unsigned)v->uid, (unsigned)v->gid);
		cells[0] = v->name; cells[1] = v->target; cells[2] = v->builtin ? "-" : mode;
		cells[3] = v->builtin ? "-" : owner; cells[4] = v->builtin ? "yes" : "no";
		cells[5] = v->columns; cells[6] = v->where ? v->where : "";
		for (j = 0; j < 7; j++)
			lens[j] = strlen(cells[j]);
		err = bd_printer__row(pr, (char *const *)cells, lens, numeric);
	}
	if (!err)
		err = bd_printer__finish(pr);
	bd_printer__free(pr);
	cnt = vs.cnt;
	bd_views_free(&vs);
	return err ? err : cnt;
}
