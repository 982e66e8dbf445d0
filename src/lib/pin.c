// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pinned dumpers in bpffs. A dumper made by bpfdump is three pins:
 *   PATH          iterator link of the text writer: `cat PATH` works
 *   NAME@bin      iterator link of the binary writer, for `bpfdump cat`
 *   NAME@meta     array map holding the query spec (key=value lines)
 * (bpffs refuses names with a dot, so the twins are marked with '@'.)
 * Iterator links pinned by anyone else (bpftool iter pin) are listed too.
 *
 * Trust: PATH gets the mode and owner the administrator asked for; the twins are
 * always root's with mode 0600, since root's readers follow what @meta says. A reader
 * opens the twins without following links, takes them only when they are root's
 * (or the reader's own) with mode 0600, checks the map's type and sizes before a
 * lookup, and checks that the three pins are one dumper: @meta records the ids of
 * the links pinned at PATH and PATH@bin. Every pin is made in a directory held open,
 * and its mode and owner are set through an fd of the very file pinned, so a user
 * who owns the directory cannot redirect them with a symlink.
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
#include "map_syscall.h"
#include "pin.h"
#include "util.h"


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

/* Out of fds or memory: a walk cannot tell what is there, which is not "nothing". */
static bool walk_failed(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM;
}

struct pin_walk {
	bd_pin_visit_fn fn;
	void *ctx;
	int err;	/* the first directory that could not be read for want of fds/memory */
	int stop;	/* what fn returned to stop the walk */
};

static void pin_walk_dir(struct pin_walk *w, const char *dir, int depth)
{
	struct dirent *e;
	DIR *dp;

	if (depth > 16 || w->stop)
		return;
	dp = opendir(dir);
	if (!dp) {
		if (walk_failed(-errno) && !w->err)
			w->err = -errno;
		return;
	}
	while (!w->stop && (e = readdir(dp))) {
		struct bd_pin_entry ent = { .dir = dir, .name = e->d_name };
		size_t n = strlen(e->d_name);
		char p[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* bpfdump's twins: handed on as they are, not stat'ed */
		if (n > 4 && !strcmp(e->d_name + n - 4, "@bin")) {
			ent.twin = "bin";
			ent.base_len = n - 4;
		} else if (n > 5 && !strcmp(e->d_name + n - 5, "@meta")) {
			ent.twin = "meta";
			ent.base_len = n - 5;
		}
		if (ent.twin) {
			w->stop = w->fn(w->ctx, &ent);
			continue;
		}
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			pin_walk_dir(w, p, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			ent.path = p;
			ent.st = &st;
			w->stop = w->fn(w->ctx, &ent);
		}
	}
	closedir(dp);
}

static void pin_walk_mount(const char *mnt, void *ctx)
{
	pin_walk_dir(ctx, mnt, 0);
}

int bd_pin_walk(const char *root, bd_pin_visit_fn fn, void *ctx)
{
	struct pin_walk w = { .fn = fn, .ctx = ctx };

	if (root)
		pin_walk_dir(&w, root, 0);
	else
		bd_each_bpffs(pin_walk_mount, &w);
	return w.stop ?: w.err;
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

int bd_iter_link_ids(int link_fd, __u32 *id, __u32 *prog_id)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);

	if (bpf_obj_get_info_by_fd(link_fd, &li, &len))
		return -errno;
	if (li.type != BPF_LINK_TYPE_ITER)
		return -EMEDIUMTYPE;
	*id = li.id;
	if (prog_id)
		*prog_id = li.prog_id;
	return 0;
}

static void meta_put_u32(struct bd_strbuf *b, const char *k, __u32 v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	meta_put(b, k, num);
}

/* The meta text in b as a new one-element array map (b is freed). Returns its fd. */
static int meta_map_store(struct bpfdump *d, struct bd_strbuf *b)
{
	__u32 key = 0;
	char *val;
	int fd, err = 0;

	if (!b->s || b->len >= META_MAX) {
		sb_free(b);
		return bd_err(d, -E2BIG, "pin: the query is too long to keep (%zu bytes)", b->len);
	}
	val = calloc(1, META_MAX);
	if (!val) {
		sb_free(b);
		return -ENOMEM;
	}
	memcpy(val, b->s, b->len);
	sb_free(b);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, META_MAP_NAME, 4, META_MAX, 1, NULL);
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

static int create_meta_map(struct bpfdump *d, struct bpfdump_query *q, int text_link,
			   int bin_link)
{
	__u32 text_id, text_prog, bin_id, bin_prog;
	const struct bpfdump_query_opts *o = &q->opts;
	struct bd_strbuf b = {};
	char num[32];
	int err;

	err = bd_iter_link_ids(text_link, &text_id, &text_prog) ?:
	      bd_iter_link_ids(bin_link, &bin_id, &bin_prog);
	if (err)
		return bd_err(d, err, "pin: cannot read the links' ids: %s", strerror(-err));
	meta_put(&b, "created_by", "bpfdump " BPFDUMP_VERSION);
	/* what makes the three pins one dumper (checked by every reader) */
	meta_put_u32(&b, META_TEXT_LINK, text_id);
	meta_put_u32(&b, META_TEXT_PROG, text_prog);
	meta_put_u32(&b, META_BIN_LINK, bin_id);
	meta_put_u32(&b, META_BIN_PROG, bin_prog);
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
	return meta_map_store(d, &b);
}

int bd_bpffs_obj_get(int opath_fd)
{
	char p[32];
	int fd;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", opath_fd);
	fd = bpf_obj_get(p);
	return fd < 0 ? -errno : fd;
}

int bd_twin_get(int dir_fd, const char *name)
{
	struct statfs fs;
	struct stat st;
	int pfd, fd;

	pfd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) || fstatfs(pfd, &fs))
		fd = -errno;
	else if (!S_ISREG(st.st_mode) || fs.f_type != BPF_FS_MAGIC)
		fd = -EPERM;	/* a link, a directory, or not bpffs at all */
	else if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 07777) != 0600)
		fd = -EPERM;	/* someone else could have written it */
	else
		fd = bd_bpffs_obj_get(pfd);
	close(pfd);
	return fd;
}

int bd_meta_read_fd(int map_fd, char *buf, size_t len)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info), key = 0;
	char *val;
	int err = 0;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &ilen))
		return -errno;
	/* the lookup writes value_size bytes: only the map pin() makes is read */
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(key) ||
	    info.max_entries != 1 || !info.value_size || info.value_size > META_MAX)
		return -EBADMSG;
	val = calloc(1, META_MAX);
	if (!val)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, val))
		err = -errno;
	else
		snprintf(buf, len, "%.*s", (int)info.value_size, val);
	free(val);
	return err;
}

int bd_read_meta(const char *meta_path, char *buf, size_t len)
{
	const char *slash = strrchr(meta_path, '/');
	char dir[PATH_MAX];
	int dir_fd, fd, err;

	if (!slash || snprintf(dir, sizeof(dir), "%.*s", (int)(slash - meta_path) ?: 1,
			       meta_path) >= (int)sizeof(dir))
		return -EINVAL;
	dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	fd = bd_twin_get(dir_fd, slash + 1);
	close(dir_fd);
	if (fd < 0)
		return fd;
	err = bd_meta_read_fd(fd, buf, len);
	close(fd);
	return err;
}

/* Value of key k in meta text, unescaped, into out; false when absent. */
bool bd_meta_get(const char *meta, const char *k, char *out, size_t len)
{
	size_t kl = strlen(k), o = 0;
	const char *p = meta;

	if (!len)
		return false;
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

int bd_pin_dir_open(struct bpfdump *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct statfs fs;
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) ?: 1, path) >=
		 (int)sizeof(dir))
		return bd_err(d, -ENAMETOOLONG, "pin '%s': path too long", path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bd_err(d, -errno, "pin '%s': %s: %s", path, dir, strerror(errno));
	if (fstatfs(fd, &fs) || fs.f_type != BPF_FS_MAGIC) {
		close(fd);
		return bd_err(d, -EINVAL, "pin '%s': '%s' is not on bpffs", path, dir);
	}
	return fd;
}

/* The id of any BPF object fd (prog, map or link: id is the first field of each). */
static int obj_id(int fd, __u32 *id)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);

	if (bpf_obj_get_info_by_fd(fd, &li, &len))
		return -errno;
	*id = li.id;
	return 0;
}

/* Is the file opath_fd the object obj_fd? 1 or 0, or -errno when it cannot be told. */
static int same_object(int opath_fd, int obj_fd)
{
	__u32 want = 0, got = 1;
	int fd = bd_bpffs_obj_get(opath_fd), err;

	if (fd < 0)
		return fd;
	err = obj_id(obj_fd, &want) ?: obj_id(fd, &got);
	close(fd);
	return err ?: want == got;
}

int bd_pin_at(struct bpfdump *d, int dir_fd, const char *name, int obj_fd, const char *path,
	      unsigned int mode, int uid, int gid)
{
	char at[PATH_MAX + 32], self[32];
	struct stat st;
	int pfd, same, err;

	snprintf(at, sizeof(at), "/proc/self/fd/%d/%s", dir_fd, name);
	if (bpf_obj_pin(obj_fd, at))
		return bd_err(d, -errno, "pin '%s': %s%s", path, strerror(errno),
			      errno == EEXIST ? " (give --force to replace it)" : "");
	/* what is under the name now is checked to be our pin before it is changed: a
	 * user who owns the directory may have put a link or another file there */
	pfd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0) {
		err = bd_err(d, -errno, "pin '%s': gone right after pinning: %s", path,
			     strerror(errno));
		goto unpin;
	}
	/* on any failure the name goes: it is ours, or what was put in its place (an
	 * unlink follows no link) */
	same = fstat(pfd, &st) ? -errno : !S_ISREG(st.st_mode) || st.st_uid != geteuid() ? 0 :
	       same_object(pfd, obj_fd);
	if (same < 0) {
		err = bd_err(d, same, "pin '%s': cannot check what was pinned: %s", path,
			     strerror(-same));
		goto unpin;
	}
	if (!same) {
		err = bd_err(d, -EAGAIN, "pin '%s': replaced by someone else right after "
			     "pinning; nothing was changed", path);
		goto unpin;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	if (mode && chmod(self, mode)) {
		err = bd_err(d, -errno, "pin '%s': chmod: %s", path, strerror(errno));
		goto unpin;
	}
	if ((uid >= 0 || gid >= 0) && fchownat(pfd, "", uid, gid, AT_EMPTY_PATH)) {
		err = bd_err(d, -errno, "pin '%s': chown: %s", path, strerror(errno));
		goto unpin;
	}
	close(pfd);
	return 0;
unpin:
	unlinkat(dir_fd, name, 0);
	if (pfd >= 0)
		close(pfd);
	return err;
}

/* A leftover of an interrupted pin: PATH@meta or PATH@bin without PATH. */
static bool has_twins(int dir_fd, const char *base)
{
	char n[NAME_MAX + 8];
	struct stat st;

	snprintf(n, sizeof(n), "%s@meta", base);
	if (!fstatat(dir_fd, n, &st, AT_SYMLINK_NOFOLLOW))
		return true;
	snprintf(n, sizeof(n), "%s@bin", base);
	return !fstatat(dir_fd, n, &st, AT_SYMLINK_NOFOLLOW);
}

/* Make room for a new dumper at path: an existing one (or an interrupted pin's
 * leftovers) is removed with force, refused without. */
static int clear_place(struct bpfdump *d, int dir_fd, const char *path, const char *base,
		       bool force)
{
	struct stat st;
	bool exists = !fstatat(dir_fd, base, &st, AT_SYMLINK_NOFOLLOW);

	if (!exists && !has_twins(dir_fd, base))
		return 0;
	if (!force)
		return bd_err(d, -EEXIST, exists ? "pin '%s': exists (give --force to replace it)" :
			      "pin '%s': an interrupted pin left %s@meta or @bin there (give "
			      "--force to replace it, or bpfdump rm it)", path, base);
	return bd_dumper_remove(d, path, true);
}

int bd_pin_path_check(struct bpfdump *d, const char *path)
{
	const char *base = strrchr(path, '/');

	if (path[0] != '/' || !base)
		return bd_err(d, -EINVAL, "pin '%s': give an absolute path inside bpffs", path);
	if (!valid_name(base + 1))
		return bd_err(d, -EINVAL, "pin '%s': bad name '%s' (letters, digits, '_', '-' "
			      "and ':'; bpffs refuses dots)", path, base + 1);
	if (strlen(path) >= PATH_MAX - 8)
		return bd_err(d, -ENAMETOOLONG, "pin '%s': path too long", path);
	return 0;
}

/* Where a new pin goes (path checked by bd_pin_path_check): bpffs mounted at
 * /sys/fs/bpf if it is not, the missing directories made (noted in made, for the
 * caller to remove on failure), an existing pin removed with force. Returns an
 * O_PATH fd of the directory. */
static int pin_place(struct bpfdump *d, const char *path, bool force, char made[][PATH_MAX],
		     int *made_cnt)
{
	int dir_fd, err;

	err = bd_mount_bpffs_if_needed(d, path) ?: make_parents(d, path, made, made_cnt);
	if (err)
		return err;
	dir_fd = bd_pin_dir_open(d, path);
	if (dir_fd < 0)
		return dir_fd;
	err = clear_place(d, dir_fd, path, bd_basename(path), force);
	if (err) {
		close(dir_fd);
		return err;
	}
	return dir_fd;
}

/* The @meta of an object pin: what the object was, and the id of the one link
 * (there is no @bin: the object's own program writes the text). */
static int create_object_meta(struct bpfdump *d, const struct bd_object_meta *om, int link_fd)
{
	const struct bpfdump_query_opts *o = om->params;
	struct bd_strbuf b = {};
	__u32 id, prog_id;
	char num[32];
	int err;

	err = bd_iter_link_ids(link_fd, &id, &prog_id);
	if (err)
		return bd_err(d, err, "pin: cannot read the link's id: %s", strerror(-err));
	meta_put(&b, "created_by", "bpfdump " BPFDUMP_VERSION);
	meta_put_u32(&b, META_TEXT_LINK, id);
	meta_put_u32(&b, META_TEXT_PROG, prog_id);
	snprintf(num, sizeof(num), "%ld", (long)time(NULL));
	meta_put(&b, "created", num);
	meta_put_u32(&b, "uid", getuid());
	meta_put(&b, META_OBJECT, om->object);
	meta_put(&b, "prog", om->prog);
	/* not "target": that names a query bpfdump cat and the view rebuild */
	meta_put(&b, META_OBJECT_TARGET, om->target);
	if (o && o->pid)
		meta_put_u32(&b, "pid", o->pid);
	if (o && o->tid)
		meta_put_u32(&b, "tid", o->tid);
	if (o) {
		meta_put(&b, "cgroup", o->cgroup);
		if (o->order)
			meta_put_u32(&b, "order", o->order);
		meta_put(&b, "map", o->map);
	}
	return meta_map_store(d, &b);
}

/* The owner opts asks for; 0 (and -1) in either field keeps the creator's. */
static void pin_owner(const struct bpfdump_pin_opts *opts, int *uid, int *gid)
{
	*uid = opts && opts->uid > 0 ? opts->uid : -1;
	*gid = opts && opts->gid > 0 ? opts->gid : -1;
}

int bd_object_pin(struct bpfdump *d, const char *path, int link_fd,
		  const struct bd_object_meta *om, const struct bpfdump_pin_opts *opts)
{
	char meta[NAME_MAX + 8], made[16][PATH_MAX];
	int made_cnt = 0, dir_fd, meta_fd = -1, uid, gid, err, i;
	const char *base = bd_basename(path);
	bool meta_pinned = false;

	err = bd_pin_path_check(d, path);
	if (err)
		return err;
	snprintf(meta, sizeof(meta), "%s@meta", base);
	pin_owner(opts, &uid, &gid);
	dir_fd = pin_place(d, path, opts && opts->force, made, &made_cnt);
	if (dir_fd < 0) {
		err = dir_fd;
		goto rmdirs;
	}
	meta_fd = create_object_meta(d, om, link_fd);
	if (meta_fd < 0) {
		err = meta_fd;
		goto close_dir;
	}
	/* @meta is root's and 0600 whoever reads PATH; PATH comes last, once whole */
	err = bd_pin_at(d, dir_fd, meta, meta_fd, path, 0600, -1, -1);
	if (err)
		goto close_meta;
	meta_pinned = true;
	err = bd_pin_at(d, dir_fd, base, link_fd, path, opts ? opts->mode : 0, uid, gid);
close_meta:
	if (err && meta_pinned)
		unlinkat(dir_fd, meta, 0);
	close(meta_fd);
close_dir:
	close(dir_fd);
rmdirs:
	for (i = made_cnt - 1; err && i >= 0; i--)
		rmdir(made[i]);
	return err;
}

int bpfdump_query__pin(struct bpfdump_query *q, const char *path,
		       const struct bpfdump_pin_opts *opts)
{
	struct bpfdump *d = q->d;
	char bin[NAME_MAX + 8], meta[NAME_MAX + 8], made[16][PATH_MAX];
	int made_cnt = 0, text_prog = -1, text_link = -1, bin_link = -1, meta_fd = -1;
	int dir_fd = -1, pinned = 0, uid, gid, err, i;
	char *base;

	if (!OPTS_OK(opts, bpfdump_pin_opts))
		return bd_err(d, -EINVAL, "pin: bad options");
	if (q->map_syscalls)
		return bd_map_syscall_refuse_pin(q, path);
	err = bd_pin_path_check(d, path);
	if (err)
		return err;
	base = strrchr(path, '/') + 1;
	snprintf(bin, sizeof(bin), "%s@bin", base);
	snprintf(meta, sizeof(meta), "%s@meta", base);
	pin_owner(opts, &uid, &gid);
	if (q->scope.mntns_fd >= 0)
		return bd_err(d, -EINVAL, "pin '%s': --mntns cannot be kept: a pinned dumper "
			      "resolves paths against its reader's root", path);
	dir_fd = pin_place(d, path, opts && opts->force, made, &made_cnt);
	if (dir_fd < 0) {
		err = dir_fd;
		goto undo;
	}
	if (q->host_pid) {
		/* readers number pids in their own namespace: give the link ours */
		if (q->linfo.task.pid)
			q->linfo.task.pid = q->host_pid;
		else
			q->linfo.task.tid = q->host_pid;
	}
	/* the kernel-side text shows addresses only when no one but root reads it */
	q->plan.text_kaddrs = bd_text_kaddrs_for_pin(opts);
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
	meta_fd = create_meta_map(d, q, text_link, bin_link);
	if (meta_fd < 0) {
		err = meta_fd;
		goto undo;
	}
	/* the twins are root's, 0600, whoever is to read PATH; PATH is pinned last, so
	 * a dumper is visible only once it is whole */
	if ((err = bd_pin_at(d, dir_fd, meta, meta_fd, path, 0600, -1, -1)))
		goto undo;
	pinned = 1;
	if ((err = bd_pin_at(d, dir_fd, bin, bin_link, path, 0600, -1, -1)))
		goto undo;
	pinned = 2;
	err = bd_pin_at(d, dir_fd, base, text_link, path, opts ? opts->mode : 0, uid, gid);
	if (err)
		goto undo;
	goto out;
undo:
	if (pinned >= 2)
		unlinkat(dir_fd, bin, 0);
	if (pinned >= 1)
		unlinkat(dir_fd, meta, 0);
	for (i = made_cnt - 1; i >= 0; i--)
		rmdir(made[i]);
out:
	if (dir_fd >= 0)
		close(dir_fd);
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
	char bin[PATH_MAX], meta[PATH_MAX], dir[PATH_MAX], link_type[32];
	struct stat st;
	bool twins;
	int err;

	err = bd_twin_paths(path, bin, meta, sizeof(bin));
	if (err)
		return bd_err(d, err, "rm '%s': path too long", path);
	snprintf(dir, sizeof(dir), "%s", path);
	twins = !lstat(meta, &st) || !lstat(bin, &st);
	if (lstat(path, &st)) {
		err = -errno;
		/* an interrupted pin's leftovers go with the name they were for */
		if (err == -ENOENT && twins && is_bpffs(dirname(dir))) {
			unlink(bin);
			unlink(meta);
			bd_log(d, BPFDUMP_INFO, "rm '%s': removed an interrupted pin's twins", path);
			return 0;
		}
		return bd_err(d, err, "rm '%s': %s", path, strerror(-err));
	}
	if (!is_bpffs(dirname(dir)))
		return bd_err(d, -EINVAL, "rm '%s': not in bpffs; refusing", path);
	if (S_ISDIR(st.st_mode))
		return bd_err(d, -EISDIR, "rm '%s': a directory, not a dumper", path);
	if (lstat(meta, &st) && !force) {
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
