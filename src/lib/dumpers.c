// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Pinned dumpers: read one (cat), remove one (rm), list them all (show). */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "output.h"
#include "pin.h"
#include "util.h"


/* Why a twin was not taken, for a message. */
static const char *twin_why(int err)
{
	switch (err) {
	case -ENOENT: return "missing";
	case -EPERM: return "not root's with mode 0600, or not a bpffs file (refusing to trust it)";
	case -EBADMSG: return "not a bpfdump query record (wrong map type or size)";
	default: return strerror(-err);
	}
}

/* A recorded id in meta equals want. */
static bool meta_id_is(const char *meta, const char *key, __u32 want)
{
	char num[16];

	return bd_meta_get(meta, key, num, sizeof(num)) && strtoul(num, NULL, 10) == want;
}

/* The query record and the binary twin of the dumper whose visible pin is pin_fd,
 * after checking that they and it are one dumper. Returns the @bin link fd, or for
 * a pin of a user's object (its @meta names the object; it has no @bin) the link
 * of PATH itself. */
static int dumper_open(struct bpfdump *d, int pin_fd, const char *path, char *meta,
		       size_t meta_len)
{
	const char *base = strrchr(path, '/');
	char name[PATH_MAX];
	__u32 id, prog_id;
	int dir_fd, fd, text_fd, err;

	if (!base || strlen(base + 1) > NAME_MAX)
		return bd_err(d, -EINVAL, "cat '%s': not a path in bpffs", path);
	base++;
	text_fd = bd_bpffs_obj_get(pin_fd);
	if (text_fd < 0)
		return bd_err(d, text_fd, "cat '%s': %s", path, strerror(-text_fd));
	err = bd_iter_link_ids(text_fd, &id, &prog_id);
	if (err) {
		err = bd_err(d, err, "cat '%s': not an iterator link", path);
		goto close_text;
	}
	dir_fd = bd_pin_dir_open(d, path);
	if (dir_fd < 0) {
		err = dir_fd;
		goto close_text;
	}
	snprintf(name, sizeof(name), "%s@meta", base);
	fd = bd_twin_get(dir_fd, name);
	if (fd >= 0) {
		err = bd_meta_read_fd(fd, meta, meta_len);
		close(fd);
		fd = err;
	}
	if (fd < 0) {
		err = bd_err(d, fd, fd == -ENOENT ? "cat '%s': not a dumper bpfdump pinned (no "
			     "%s): read it with plain cat" : "cat '%s': its query record %s is %s",
			     path, name, twin_why(fd));
		goto close_dir;
	}
	if (!bd_meta_get(meta, META_TEXT_LINK, name, sizeof(name))) {
		err = bd_err(d, -ESTALE, "cat '%s': pinned by a bpfdump that did not record its "
			     "links; pin it again", path);
		goto close_dir;
	}
	if (!meta_id_is(meta, META_TEXT_LINK, id) || !meta_id_is(meta, META_TEXT_PROG, prog_id)) {
		err = bd_err(d, -ESTALE, "cat '%s': its @meta belongs to another dumper "
			     "(link %u is not the one recorded); refusing", path, id);
		goto close_dir;
	}
	/* a user's object writes its own text: PATH's link is what is read */
	if (bd_meta_get(meta, META_OBJECT, name, sizeof(name))) {
		err = text_fd;
		text_fd = -1;
		goto close_dir;
	}
	snprintf(name, sizeof(name), "%s@bin", base);
	fd = bd_twin_get(dir_fd, name);
	if (fd < 0) {
		err = bd_err(d, fd, "cat '%s': its binary twin %s is %s", path, name,
			     twin_why(fd));
		goto close_dir;
	}
	err = bd_iter_link_ids(fd, &id, &prog_id);
	if (err || !meta_id_is(meta, META_BIN_LINK, id) ||
	    !meta_id_is(meta, META_BIN_PROG, prog_id)) {
		close(fd);
		err = bd_err(d, -ESTALE, "cat '%s': its @bin belongs to another dumper; "
			     "refusing", path);
		goto close_dir;
	}
	err = fd;
close_dir:
	close(dir_fd);
close_text:
	if (text_fd >= 0)
		close(text_fd);
	return err;
}

/* An object pin read: the program's own text, copied as plain cat would. */
static long object_cat(struct bpfdump *d, int link_fd, const char *path, FILE *out)
{
	char buf[65536];
	long total = 0;
	ssize_t n;
	int fd;

	fd = bpf_iter_create(link_fd);
	if (fd < 0)
		return bd_err(d, -errno, "cat '%s': cannot start the iterator: %s", path,
			      strerror(errno));
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			total = bd_err(d, -errno, "cat '%s': read failed: %s", path,
				       strerror(errno));
			break;
		}
		errno = 0;
		if ((n && fwrite(buf, 1, n, out) != (size_t)n) || (!n && fflush(out))) {
			total = bd_err(d, errno ? -errno : -EIO, "write error: %s",
				       strerror(errno ?: EIO));
			break;
		}
		if (!n)
			break;
		total += n;
	}
	close(fd);
	return total;
}

long bd_dumper_cat(struct bpfdump *d, int pin_fd, const char *path, FILE *out,
		   const struct bpfdump_print_opts *opts)
{
	char meta[META_MAX];
	char target[64], columns[4096], where[4096], cgroup[PATH_MAX], map[64], num[32];
	char scope[1024], netns[PATH_MAX], netns_ino[32] = "";
	int pidns_level = 0;
	struct bd_scope_run run;
	struct bpfdump_query_opts qo = { .sz = sizeof(qo) };
	struct bpfdump_query *q;
	int link_fd, err;
	long ret;

	err = bd_btf_ready(d);
	if (err)
		return err;
	link_fd = dumper_open(d, pin_fd, path, meta, sizeof(meta));
	if (link_fd < 0)
		return link_fd;
	if (bd_meta_get(meta, META_OBJECT, cgroup, sizeof(cgroup))) {
		/* a user's object writes its own text: there are no rows to format */
		if (opts && (opts->format == BPFDUMP_FMT_JSON || opts->raw || opts->noheadings))
			ret = bd_err(d, -EINVAL, "cat '%s': pinned from the object %s, whose "
				     "program writes its own text: -J, -r and -n do not apply",
				     path, bd_basename(cgroup));
		else
			ret = object_cat(d, link_fd, path, out);
		goto close_link;
	}
	ret = bd_err(d, -EBADMSG, "cat '%s': its query record has no target", path);
	if (!bd_meta_get(meta, "target", target, sizeof(target)))
		goto close_link;
	qo.target = target;
	if (bd_meta_get(meta, "columns", columns, sizeof(columns)))
		qo.columns = columns;
	if (bd_meta_get(meta, "where", where, sizeof(where)))
		qo.where = where;
	if (bd_meta_get(meta, "pid", num, sizeof(num)))
		qo.pid = atoi(num);
	if (bd_meta_get(meta, "tid", num, sizeof(num)))
		qo.tid = atoi(num);
	if (bd_meta_get(meta, "cgroup", cgroup, sizeof(cgroup)))
		qo.cgroup = cgroup;
	if (bd_meta_get(meta, "order", num, sizeof(num)))
		qo.order = atoi(num);
	if (bd_meta_get(meta, "map_id", map, sizeof(map)))
		qo.map = map;
	if (bd_meta_get(meta, "pidns_level", num, sizeof(num)))
		pidns_level = atoi(num);
	if (bd_meta_get(meta, "netns", netns, sizeof(netns)))
		qo.netns = netns;
	bd_meta_get(meta, "netns_ino", netns_ino, sizeof(netns_ino));
	if (bd_scope_params(target) & BPFDUMP_PARAM_PIDNS)
		qo.cgroup = NULL;	/* a task scope: kept in scope_where */
	/* the same plan as at pin time: the layout of the binary twin's records */
	q = bd_query_new_pinned(d, &qo, bd_meta_get(meta, "scope_where", scope, sizeof(scope)) ?
				scope : NULL, pidns_level);
	if (!q) {
		ret = -errno;
		if (qo.netns)
			ret = bd_err(d, ret, "cat '%s': its network namespace %s is gone: %s",
				     path, netns, bpfdump__errmsg(d));
		goto close_link;
	}
	if (qo.netns && strtoull(netns_ino, NULL, 10) != q->scope.netns_ino) {
		ret = bd_err(d, -ESTALE, "cat '%s': %s now names another network namespace "
			     "(the dumper's is gone)", path, netns);
		goto free_query;
	}
	ret = bd_scope_start(d, &q->scope, link_fd, &run);
	if (ret) {
		ret = bd_err(d, ret, "cat '%s': cannot start the iterator: %s", path,
			     strerror(-ret));
		goto free_query;
	}
	ret = bd_query_read(q, run.fd, out, opts);
	ret = bd_scope_end(d, &run, ret < 0 ? ret : 0) ?: ret;
free_query:
	bpfdump_query__free(q);
close_link:
	close(link_fd);
	return ret;
}

long bpfdump__cat(struct bpfdump *d, const char *path, FILE *out,
		  const struct bpfdump_print_opts *opts)
{
	long ret;
	int fd;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return bd_err(d, -EINVAL, "cat: bad print options");
	/* the path is the caller's to name: it is followed; the twins are not */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return bd_err(d, -errno, "cat '%s': %s", path, strerror(errno));
	ret = bd_dumper_cat(d, fd, path, out, opts);
	close(fd);
	return ret;
}

int bpfdump__remove(struct bpfdump *d, const char *path, const struct bpfdump_remove_opts *opts)
{
	if (!OPTS_OK(opts, bpfdump_remove_opts))
		return bd_err(d, -EINVAL, "rm: bad options");
	return bd_dumper_remove(d, path, OPTS_GET(opts, force, false));
}

struct show_ctx {
	struct bpfdump *d;
	struct bd_printer *pr;
	long rows;
};

static void params_text(const struct bpf_link_info *li, char *buf, size_t len)
{
	const char *t = (const char *)(unsigned long)li->iter.target_name;

	buf[0] = '\0';
	if (!strcmp(t, "bpf_map_elem") || !strcmp(t, "bpf_sk_storage_map") || !strcmp(t, "sockmap"))
		snprintf(buf, len, "map_id=%u", li->iter.map.map_id);
	else if (!strcmp(t, "cgroup"))
		snprintf(buf, len, "cgroup_id=%llu order=%u",
			 (unsigned long long)li->iter.cgroup.cgroup_id, li->iter.cgroup.order);
	else if (!strncmp(t, "task", 4) && (li->iter.task.pid || li->iter.task.tid))
		snprintf(buf, len, li->iter.task.pid ? "pid=%u" : "tid=%u",
			 li->iter.task.pid ? li->iter.task.pid : li->iter.task.tid);
}

/* One row of show: the dumper at path, whose link is pinned at link_path (NULL: none
 * left); incomplete when path itself is missing (an interrupted pin). */
static void show_row(struct show_ctx *sc, const char *path, const char *link_path,
		     const struct stat *st, bool incomplete)
{
	char kind[64], target[64] = "", pname[32] = "", params[96] = "", mode[8], owner[64],
	     prog_id[16] = "", link_id[16] = "", bin[PATH_MAX], meta_path[PATH_MAX],
	     meta[META_MAX], by[NAME_MAX + 128] = "";
	struct bpf_link_info li = {};
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(li);
	const char *cells[9];
	size_t lens[9];
	bool numeric[9] = {};
	struct passwd *pw;
	struct group *gr;
	int fd, pfd, i;

	if (link_path) {
		if (bd_pin_kind(link_path, kind, sizeof(kind)) || strcmp(kind, "iter link"))
			return;
		fd = bpf_obj_get(link_path);
		if (fd < 0)
			return;
		li.iter.target_name = (unsigned long)target;
		li.iter.target_name_len = sizeof(target);
		if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
			close(fd);
			return;
		}
		close(fd);
		pfd = bpf_prog_get_fd_by_id(li.prog_id);
		if (pfd >= 0) {
			len = sizeof(pi);
			if (!bpf_obj_get_info_by_fd(pfd, &pi, &len))
				snprintf(pname, sizeof(pname), "%s", pi.name);
			close(pfd);
		}
		params_text(&li, params, sizeof(params));
		snprintf(prog_id, sizeof(prog_id), "%u", li.prog_id);
		snprintf(link_id, sizeof(link_id), "%u", li.id);
	}
	snprintf(mode, sizeof(mode), "%04o", st->st_mode & 07777);
	pw = getpwuid(st->st_uid);
	gr = getgrgid(st->st_gid);
	snprintf(owner, sizeof(owner), "%s:%s", pw ? pw->pw_name : "?", gr ? gr->gr_name : "?");
	if (!bd_twin_paths(path, bin, meta_path, sizeof(bin)) &&
	    !bd_read_meta(meta_path, meta, sizeof(meta))) {
		char obj[PATH_MAX];

		bd_meta_get(meta, "created_by", by, sizeof(by) - 16);
		/* a user's object: which file (its name; the whole path is in @meta) */
		if (bd_meta_get(meta, META_OBJECT, obj, sizeof(obj)))
			snprintf(by + strlen(by), sizeof(by) - strlen(by), " from %.*s",
				 (int)(sizeof(by) - strlen(by) - 7), bd_basename(obj));
		if (!target[0])
			bd_meta_get(meta, "target", target, sizeof(target));
	}
	if (incomplete)
		snprintf(by + strlen(by), sizeof(by) - strlen(by), "%sincomplete",
			 by[0] ? ", " : "");
	cells[0] = path; cells[1] = target; cells[2] = prog_id; cells[3] = pname;
	cells[4] = link_id; cells[5] = params; cells[6] = mode; cells[7] = owner;
	cells[8] = by[0] ? by : "-";
	numeric[2] = numeric[4] = true;
	for (i = 0; i < 9; i++)
		lens[i] = strlen(cells[i]);
	bd_printer__row(sc->pr, (char *const *)cells, lens, numeric);
	sc->rows++;
}

/* A twin entry (NAME@bin, NAME@meta) in dir: listed as an incomplete dumper when NAME
 * is missing, once (by its @meta, or by its @bin when that is all that is left). */
static void show_twin(struct show_ctx *sc, const char *dir, const char *name, size_t base_len,
		      bool is_bin)
{
	char path[PATH_MAX], twin[PATH_MAX], other[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%.*s", dir, (int)base_len, name) >= (int)sizeof(path) ||
	    snprintf(twin, sizeof(twin), "%s/%s", dir, name) >= (int)sizeof(twin) ||
	    snprintf(other, sizeof(other), "%s@%s", path, is_bin ? "meta" : "bin") >=
	    (int)sizeof(other))
		return;
	if (!lstat(path, &st) || (is_bin && !lstat(other, &st)) || lstat(twin, &st) ||
	    !S_ISREG(st.st_mode))
		return;
	if (is_bin)
		show_row(sc, path, twin, &st, true);
	else
		show_row(sc, path, lstat(other, &st) ? NULL : other, &st, true);
}

/* One entry of the walk: a dumper (or any regular file) as a row; a twin, as an
 * incomplete dumper when its PATH is missing. */
static int show_entry(void *ctx, const struct bd_pin_entry *e)
{
	if (e->twin)
		show_twin(ctx, e->dir, e->name, e->base_len, !strcmp(e->twin, "bin"));
	else
		show_row(ctx, e->path, e->path, e->st, false);
	return 0;
}

int bpfdump__show(struct bpfdump *d, const char *root, FILE *out,
		  const struct bpfdump_print_opts *opts)
{
	static const char *names[] = { "path", "target", "prog_id", "prog_name", "link_id",
				       "params", "mode", "owner", "created_by" };
	static const char *headers[] = { "PATH", "TARGET", "PROG_ID", "PROG_NAME", "LINK_ID",
					 "PARAMS", "MODE", "OWNER", "CREATED_BY" };
	static const bool right[] = { false, false, true, false, true, false, false, false, false };
	struct show_ctx sc = { .d = d };
	int err;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return bd_err(d, -EINVAL, "show: bad print options");
	sc.pr = bd_printer__new(out, 9, names, headers, right, opts);
	if (!sc.pr)
		return -ENOMEM;
	bd_pin_walk(root, show_entry, &sc);
	err = bd_printer__finish(sc.pr);
	bd_printer__free(sc.pr);
	return err ? err : (int)sc.rows;
}

