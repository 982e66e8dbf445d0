// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pinned dumpers in bpffs. A dumper made by bpfdump is three pins:
 *   PATH          iterator link of the text writer: `cat PATH` works
 *   NAME@bin      iterator link of the binary writer, for `bpfdump cat`
 *   NAME@meta     array map holding the query spec (key=value lines)
 * (bpffs refuses names with a dot, so the twins are marked with '@'.)
 * Iterator links pinned by anyone else (bpftool iter pin) are listed too.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pin.h"

#define META_MAX 8192

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* Name rules for the last component: what shells and bpffs both take well. */
static bool valid_name(const char *n)
{
	size_t len = strlen(n), i;

	if (!len || len > 200 || n[0] == '.' || n[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == ':'))
			return false;
	}
	return true;
}

int bd_twin_paths(const char *path, char *bin, char *meta, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dl, n1, n2;

	if (!slash)
		return -EINVAL;
	dl = slash - path;
	n1 = snprintf(bin, len, "%.*s/%s@bin", dl, path, slash + 1);
	n2 = snprintf(meta, len, "%.*s/%s@meta", dl, path, slash + 1);
	return n1 >= (int)len || n2 >= (int)len ? -ENAMETOOLONG : 0;
}

/* mkdir -p inside bpffs; remembers what it made so a failure can undo it. */
static int make_parents(struct bpfdump *d, const char *path, char made[][PATH_MAX], int *made_cnt)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return bd_err(d, -ENAMETOOLONG, "pin '%s': path too long", path);
	p = strrchr(buf, '/');
	if (!p || p == buf)
		return bd_err(d, -EINVAL, "pin '%s': not inside a bpffs directory", path);
	*p = '\0';
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;

		*p = '\0';
		if (access(buf, F_OK)) {
			if (!is_bpffs(dirname(strdupa(buf))))
				return bd_err(d, -EINVAL, "pin '%s': '%s' is not inside bpffs (mount "
					      "it: mount -t bpf bpf /sys/fs/bpf)", path, buf);
			if (mkdir(buf, 0755) && errno != EEXIST)
				return bd_err(d, -errno, "pin '%s': cannot create '%s': %s", path,
					      buf, strerror(errno));
			if (*made_cnt < 16)
				snprintf(made[(*made_cnt)++], PATH_MAX, "%s", buf);
		}
		*p = save;
		if (!save)
			break;
	}
	if (!is_bpffs(buf))
		return bd_err(d, -EINVAL, "pin '%s': '%s' is not on bpffs (mount it: mount -t bpf "
			      "bpf /sys/fs/bpf)", path, buf);
	return 0;
}

void bd_each_bpffs(void (*fn)(const char *mnt, void *ctx), void *ctx)
{
	FILE *m = fopen("/proc/self/mounts", "re");
	char line[1024];

	while (m && fgets(line, sizeof(line), m)) {
		char dev[256], mnt[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) == 3 && !strcmp(type, "bpf"))
			fn(mnt, ctx);
	}
	if (m)
		fclose(m);
}

int bd_mount_bpffs_if_needed(struct bpfdump *d, const char *path)
{
	if (strncmp(path, "/sys/fs/bpf/", 12) || is_bpffs("/sys/fs/bpf"))
		return 0;
	if (mount_bpffs())
		return bd_err(d, -errno, "bpffs: /sys/fs/bpf is not bpffs and mounting it failed: "
			      "%s", strerror(errno));
	bd_log(d, BPFDUMP_WARN, "mounted bpffs at /sys/fs/bpf");
	return 0;
}

static void meta_put(struct bd_strbuf *b, const char *k, const char *v)
{
	const char *s;

	if (!v)
		return;
	sb_printf(b, "%s=", k);
	for (s = v; *s; s++) {
		if (*s == '\n')
			sb_puts(b, "\\n", 2);
		else if (*s == '\\')
			sb_puts(b, "\\\\", 2);
		else
			sb_putc(b, *s);
	}
	sb_putc(b, '\n');
}

static int create_meta_map(struct bpfdump *d, struct bpfdump_query *q)
{
	const struct bpfdump_query_opts *o = &q->opts;
	struct bd_strbuf b = {};
	char num[32], *val;
	__u32 key = 0;
	int fd, err = 0;

	meta_put(&b, "created_by", "bpfdump " BPFDUMP_VERSION);
	snprintf(num, sizeof(num), "%ld", (long)time(NULL));
	meta_put(&b, "created", num);
	snprintf(num, sizeof(num), "%u", (unsigned)getuid());
	meta_put(&b, "uid", num);
	meta_put(&b, "target", o->target);
	meta_put(&b, "columns", o->columns);
	meta_put(&b, "where", o->where);
	snprintf(num, sizeof(num), "%d", o->pid);
	if (o->pid)
		meta_put(&b, "pid", num);
	snprintf(num, sizeof(num), "%d", o->tid);
	if (o->tid)
		meta_put(&b, "tid", num);
	meta_put(&b, "cgroup", o->cgroup);
	snprintf(num, sizeof(num), "%d", o->order);
	if (o->order)
		meta_put(&b, "order", num);
	meta_put(&b, "map", o->map);
	/* the container scope: its predicate and pid level rebuild the same plan;
	 * the network namespace is entered again by bpfdump cat */
	meta_put(&b, "scope_where", q->scope.where);
	snprintf(num, sizeof(num), "%d", q->scope.pidns_level);
	if (q->scope.pidns_level)
		meta_put(&b, "pidns_level", num);
	meta_put(&b, "netns", q->scope.netns_path);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)q->scope.netns_ino);
	if (q->scope.netns_path)
		meta_put(&b, "netns_ino", num);
	if (q->plan.map.fd >= 0) {
		struct bpf_map_info info = {};
		__u32 ilen = sizeof(info);

		if (!bpf_obj_get_info_by_fd(q->plan.map.fd, &info, &ilen)) {
			snprintf(num, sizeof(num), "%u", info.id);
			meta_put(&b, "map_id", num);
		}
	}
	if (!b.s || b.len >= META_MAX) {
		sb_free(&b);
		return bd_err(d, -E2BIG, "pin: the query is too long to keep (%zu bytes)", b.len);
	}
	val = calloc(1, META_MAX);
	if (!val) {
		sb_free(&b);
		return -ENOMEM;
	}
	memcpy(val, b.s, b.len);
	sb_free(&b);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_meta", 4, META_MAX, 1, NULL);
	if (fd < 0 || bpf_map_update_elem(fd, &key, val, 0)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
	}
	free(val);
	if (err)
		return bd_err(d, err, "pin: cannot store the query: %s", strerror(-err));
	return fd;
}

int bd_read_meta(const char *meta_path, char *buf, size_t len)
{
	__u32 key = 0;
	char *val;
	int fd, err = 0;

	fd = bpf_obj_get(meta_path);
	if (fd < 0)
		return -errno;
	val = calloc(1, META_MAX);
	if (!val) {
		close(fd);
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(fd, &key, val))
		err = -errno;
	else
		snprintf(buf, len, "%.*s", META_MAX - 1, val);
	free(val);
	close(fd);
	return err;
}

/* Value of key k in meta text, unescaped, into out; false when absent. */
bool bd_meta_get(const char *meta, const char *k, char *out, size_t len)
{
	size_t kl = strlen(k), o = 0;
	const char *p = meta;

	while (p && *p) {
		if (!strncmp(p, k, kl) && p[kl] == '=') {
			for (p += kl + 1; *p && *p != '\n' && o + 1 < len; p++) {
				if (*p == '\\' && p[1]) {
					p++;
					out[o++] = *p == 'n' ? '\n' : *p;
				} else {
					out[o++] = *p;
				}
			}
			out[o] = '\0';
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static int pin_fd(struct bpfdump *d, int fd, const char *path, const struct bpfdump_pin_opts *o)
{
	if (bpf_obj_pin(fd, path))
		return bd_err(d, -errno, "pin '%s': %s%s", path, strerror(errno),
			      errno == EEXIST ? " (give --force to replace it)" : "");
	if (o && o->mode && chmod(path, o->mode))
		return bd_err(d, -errno, "pin '%s': chmod: %s", path, strerror(errno));
	if (o && (o->uid >= 0 || o->gid >= 0) && (o->uid || o->gid) &&
	    chown(path, o->uid >= 0 ? o->uid : -1, o->gid >= 0 ? o->gid : -1))
		return bd_err(d, -errno, "pin '%s': chown: %s", path, strerror(errno));
	return 0;
}

int bpfdump_query__pin(struct bpfdump_query *q, const char *path,
		       const struct bpfdump_pin_opts *opts)
{
	struct bpfdump *d = q->d;
	char bin[PATH_MAX], meta[PATH_MAX], made[16][PATH_MAX];
	int made_cnt = 0, text_prog = -1, text_link = -1, bin_link = -1, meta_fd = -1;
	int pinned = 0, err, i;
	char *base;

	if (path[0] != '/')
		return bd_err(d, -EINVAL, "pin '%s': give an absolute path inside bpffs", path);
	base = strrchr(path, '/') + 1;
	if (!valid_name(base))
		return bd_err(d, -EINVAL, "pin '%s': bad name '%s' (letters, digits, '_', '-' "
			      "and ':'; bpffs refuses dots)", path, base);
	err = bd_twin_paths(path, bin, meta, sizeof(bin));
	if (err)
		return bd_err(d, err, "pin '%s': path too long", path);
	err = bd_mount_bpffs_if_needed(d, path);
	if (err)
		return err;
	if (!access(path, F_OK)) {
		if (!opts || !opts->force)
			return bd_err(d, -EEXIST, "pin '%s': exists (give --force to replace it)",
				      path);
		err = bd_dumper_remove(d, path, true);
		if (err)
			return err;
	}
	if (q->scope.mntns_fd >= 0)
		return bd_err(d, -EINVAL, "pin '%s': --mntns cannot be kept: a pinned dumper "
			      "resolves paths against its reader's root", path);
	err = make_parents(d, path, made, &made_cnt);
	if (err)
		goto undo;
	if (q->host_pid) {
		/* readers number pids in their own namespace: give the link ours */
		if (q->linfo.task.pid)
			q->linfo.task.pid = q->host_pid;
		else
			q->linfo.task.tid = q->host_pid;
	}
	/* everything made before anything is pinned: a failure leaves nothing */
	err = bd_load_prog(q, true, &text_prog);
	if (err)
		goto undo;
	{
		int saved = q->prog_fd;

		q->prog_fd = text_prog;
		text_link = bpfdump_query__attach(q);
		q->prog_fd = saved;
	}
	if (text_link < 0) {
		err = text_link;
		goto undo;
	}
	bin_link = bpfdump_query__attach(q);
	if (bin_link < 0) {
		err = bin_link;
		goto undo;
	}
	meta_fd = create_meta_map(d, q);
	if (meta_fd < 0) {
		err = meta_fd;
		goto undo;
	}
	if ((err = pin_fd(d, meta_fd, meta, opts)))
		goto undo;
	pinned = 1;
	if ((err = pin_fd(d, bin_link, bin, opts)))
		goto undo;
	pinned = 2;
	if ((err = pin_fd(d, text_link, path, opts)))
		goto undo;
	err = 0;
	goto out;
undo:
	if (pinned >= 2)
		unlink(bin);
	if (pinned >= 1)
		unlink(meta);
	unlink(path);	/* a chmod/chown failure after the pin */
	for (i = made_cnt - 1; i >= 0; i--)
		rmdir(made[i]);
out:
	if (text_prog >= 0)
		close(text_prog);
	if (text_link >= 0)
		close(text_link);
	if (bin_link >= 0)
		close(bin_link);
	if (meta_fd >= 0)
		close(meta_fd);
	return err;
}

int bd_dumper_remove(struct bpfdump *d, const char *path, bool force)
{
	char bin[PATH_MAX], meta[PATH_MAX], link_type[32];
	struct stat st;
	int err;

	err = bd_twin_paths(path, bin, meta, sizeof(bin));
	if (err)
		return bd_err(d, err, "rm '%s': path too long", path);
	if (lstat(path, &st))
		return bd_err(d, -errno, "rm '%s': %s", path, strerror(errno));
	{
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", path);
		if (!is_bpffs(dirname(dir)))
			return bd_err(d, -EINVAL, "rm '%s': not in bpffs; refusing", path);
	}
	if (S_ISDIR(st.st_mode))
		return bd_err(d, -EISDIR, "rm '%s': a directory, not a dumper", path);
	if (access(meta, F_OK) && !force) {
		err = bd_pin_kind(path, link_type, sizeof(link_type));
		return bd_err(d, -EPERM, "rm '%s': not a bpfdump dumper (%s); give --force to "
			      "remove it anyway", path, err ? "unreadable" : link_type);
	}
	if (unlink(path))
		return bd_err(d, -errno, "rm '%s': %s", path, strerror(errno));
	unlink(bin);
	unlink(meta);
	return 0;
}

/* What a pinned object is, from fdinfo: "iter link", "prog", "map", ... */
int bd_pin_kind(const char *path, char *buf, size_t len)
{
	char fdinfo[64], line[256];
	FILE *f;
	int fd;

	snprintf(buf, len, "unknown");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char v[64];

			if (sscanf(line, "link_type:\t%63s", v) == 1) {
				snprintf(buf, len, "%s link", v);
				break;
			}
			if (sscanf(line, "prog_type:\t%63s", v) == 1) {
				snprintf(buf, len, "program");
				break;
			}
			if (sscanf(line, "map_type:\t%63s", v) == 1) {
				snprintf(buf, len, "map");
				break;
			}
		}
		fclose(f);
	}
	close(fd);
	return 0;
}
