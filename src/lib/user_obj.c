// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A user's own iterator object: open it and pick its iterator program (no kernel
 * involved), then check, load, attach, and read or pin it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "internal.h"
#include "pin.h"
#include "user_obj.h"
#include "util.h"

#define LOG_SIZE (1 << 20)

static int iter_target(const char *sec, const char **target)
{
	if (!sec)
		return -ENOENT;
	if (!strncmp(sec, "iter/", 5))
		*target = sec + 5;
	else if (!strncmp(sec, "iter.s/", 7))
		*target = sec + 7;
	else
		return -ENOENT;
	return 0;
}

/* "a, b, c": the names of the object's iterator programs, for a message. */
static const char *iter_names(struct bpf_object *obj, char *buf, size_t len)
{
	struct bpf_program *prog;
	const char *t;
	size_t off = 0;

	buf[0] = '\0';
	bpf_object__for_each_program(prog, obj) {
		if (iter_target(bpf_program__section_name(prog), &t) || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				bpf_program__name(prog));
	}
	return buf;
}

int bd_user_obj_open(struct bpfdump *d, const char *path, const void *buf, size_t len,
		     char *log, size_t log_size, const char *pin_maps, const char *prog_name,
		     struct bd_user_obj *u)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = buf ? path : NULL,
		    .kernel_log_buf = log, .kernel_log_size = log_size,
		    .pin_root_path = pin_maps);
	struct bpf_program *prog;
	struct bpf_map *map;
	char names[256];
	int err;

	memset(u, 0, sizeof(*u));
	u->obj = buf ? bpf_object__open_mem(buf, len, &oopts)
		     : bpf_object__open_file(path, &oopts);
	if (!u->obj) {
		char msg[128];

		err = -errno;
		libbpf_strerror(err, msg, sizeof(msg));
		return bd_err(d, err, "object '%s': cannot open as a BPF ELF object: %s", path,
			      msg);
	}
	/* libbpf gives a map declared LIBBPF_PIN_BY_NAME the pin path
	 * /sys/fs/bpf/NAME: it would reuse (and the program write into) any map
	 * pinned there by anyone, and leave its own pinned after the run. Without
	 * pin_maps there is no pin path, so the object's maps are its own. */
	bpf_object__for_each_map(map, u->obj) {
		if (pin_maps || !bpf_map__pin_path(map))
			continue;
		err = bpf_map__set_pin_path(map, NULL);
		if (err) {
			err = bd_err(d, err, "object '%s': map '%s': cannot drop its pin path: %s",
				     path, bpf_map__name(map), strerror(-err));
			goto fail;
		}
		bd_log(d, BPFDUMP_INFO, "object '%s': map '%s' is pinned by name: not pinned "
		       "nor reused (give --pin-maps DIR for that)", path, bpf_map__name(map));
	}
	bpf_object__for_each_program(prog, u->obj) {
		const char *t;

		if (iter_target(bpf_program__section_name(prog), &t)) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		u->n_iter++;
		if (prog_name ? strcmp(bpf_program__name(prog), prog_name) != 0 : u->iter != NULL) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		u->iter = prog;
		u->target = t;
	}
	if (!u->n_iter) {
		err = bd_err(d, -ENOENT, "object '%s': no iterator program (SEC(\"iter/TARGET\"))",
			     path);
		goto fail;
	}
	if (prog_name && !u->iter) {
		err = bd_err(d, -ENOENT, "object '%s': no iterator program '%s' (it has: %s)", path,
			     prog_name, iter_names(u->obj, names, sizeof(names)));
		goto fail;
	}
	if (u->n_iter > 1 && !prog_name) {
		err = bd_err(d, -EINVAL, "object '%s': %d iterator programs (%s): choose one with "
			     "--prog NAME", path, u->n_iter, iter_names(u->obj, names, sizeof(names)));
		goto fail;
	}
	if (!bd_target_find(d, u->target)) {
		err = bd_unknown_target(d, u->target);
		goto fail;
	}
	bd_log(d, BPFDUMP_INFO, "object '%s': program '%s' iterates '%s'", path,
	       bpf_program__name(u->iter), u->target);
	return 0;
fail:
	bpf_object__close(u->obj);
	memset(u, 0, sizeof(*u));
	return err;
}

/* Copy what the iterator writes to out_fd: bytes copied, or -errno; *write_err
 * says whether the failure was writing (a full disk, a closed pipe) or reading. */
static long copy_out(int iter_fd, int out_fd, bool *write_err)
{
	char buf[65536];
	long total = 0;

	*write_err = false;
	for (;;) {
		ssize_t n = read(iter_fd, buf, sizeof(buf)), w, off = 0;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return total;
		while (off < n) {
			w = write(out_fd, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				*write_err = true;
				return -errno;
			}
			off += w;
		}
		total += n;
	}
}

/* The parameters a target's link takes: they share one union, so one meant for another
 * target would be read as this one's (a cgroup fd as a pid). */
static int check_params(struct bpfdump *d, const struct bd_target *t,
			const struct bpfdump_query_opts *po)
{
	if ((!po || !po->map) && (t->params & BPFDUMP_PARAM_MAP))
		return bd_err(d, -EINVAL, "target '%s': needs --map NAME|ID", t->name);
	if (!po)
		return 0;
	if ((po->pid || po->tid) && !(t->params & BPFDUMP_PARAM_TASK))
		return bd_err(d, -EINVAL, "target '%s': --pid/--tid apply to objects of task, "
			      "task_file and task_vma only", t->name);
	if ((po->cgroup || po->order) && !(t->params & BPFDUMP_PARAM_CGROUP))
		return bd_err(d, -EINVAL, "target '%s': --cgroup/--order apply to objects of the "
			      "cgroup target only", t->name);
	if (po->map && !(t->params & BPFDUMP_PARAM_MAP))
		return bd_err(d, -EINVAL, "target '%s': --map applies to objects of bpf_map_elem, "
			      "bpf_sk_storage_map and sockmap only", t->name);
	if (po->pid < 0 || po->tid < 0 || (po->pid && po->tid))
		return bd_err(d, -EINVAL, "target '%s': give one positive --pid or --tid", t->name);
	/* the kernel would just list nothing */
	if ((po->pid || po->tid) && kill(po->pid ?: po->tid, 0) && errno == ESRCH)
		return bd_err(d, -ESRCH, "target '%s': no such %s %d", t->name,
			      po->pid ? "process" : "thread", po->pid ?: po->tid);
	return 0;
}

/* --pin-maps DIR: an existing directory of a bpffs mount (where libbpf pins). */
static int check_pin_maps_dir(struct bpfdump *d, const char *dir)
{
	struct statfs sfs;
	struct stat st;
	int fd, err = 0;

	fd = open(dir, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return bd_err(d, -errno, "--pin-maps '%s': %s", dir, strerror(errno));
	if (fstat(fd, &st) || fstatfs(fd, &sfs))
		err = bd_err(d, -errno, "--pin-maps '%s': %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		err = bd_err(d, -ENOTDIR, "--pin-maps '%s': not a directory (give a directory "
			     "in bpffs, e.g. /sys/fs/bpf/NAME)", dir);
	else if (sfs.f_type != BPF_FS_MAGIC)
		err = bd_err(d, -EINVAL, "--pin-maps '%s': not in bpffs (give a directory in "
			     "bpffs, e.g. /sys/fs/bpf/NAME)", dir);
	close(fd);
	return err;
}

/* Which maps have a pin path that is taken already: those are reused, the
 * others are pinned by the load and unpinned again if the run fails. */
static bool *note_taken_pins(struct bpf_object *obj)
{
	struct bpf_map *map;
	bool *taken;
	int n = 0;

	bpf_object__for_each_map(map, obj)
		n++;
	taken = calloc(n ? n : 1, sizeof(*taken));
	if (!taken)
		return NULL;
	n = 0;
	bpf_object__for_each_map(map, obj) {
		const char *pp = bpf_map__pin_path(map);

		taken[n++] = pp && !access(pp, F_OK);
	}
	return taken;
}

static void unpin_new_maps(struct bpf_object *obj, const bool *taken)
{
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__pin_path(map) && bpf_map__is_pinned(map) && !taken[n])
			bpf_map__unpin(map, NULL);
		n++;
	}
}

int bpfdump__run_object(struct bpfdump *d, const char *obj_path,
			const struct bpfdump_object_opts *opts)
{
	const struct bpfdump_query_opts *po = opts ? opts->params : NULL;
	const char *pin_maps = OPTS_GET(opts, pin_maps, NULL),
		   *prog = OPTS_GET(opts, prog, NULL);
	char *log = calloc(1, LOG_SIZE), tail[400];
	bool *taken = NULL, loaded = false, write_err;
	LIBBPF_OPTS(bpf_iter_attach_opts, aopts);
	union bpf_iter_link_info linfo = {};
	struct bd_map_info mi = { .fd = -1 };
	struct bd_user_obj u;
	struct bpf_program *iter = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	const struct bd_target *t;
	const char *target = NULL;
	int cg_fd = -1, iter_fd = -1, out_fd, err;
	long n;

	if (!log)
		return -ENOMEM;
	if (!OPTS_OK(opts, bpfdump_object_opts) || !OPTS_OK(po, bpfdump_query_opts) ||
	    (opts && !OPTS_OK(opts->pin, bpfdump_pin_opts))) {
		err = bd_err(d, -EINVAL, "run: bad options (sz, or fields this library lacks)");
		goto out;
	}
	err = bd_btf_ready(d);
	if (err)
		goto out;
	out_fd = opts && opts->out_fd > 0 ? opts->out_fd : STDOUT_FILENO;
	if ((!opts || !opts->pin_path) && fcntl(out_fd, F_GETFL) < 0) {
		err = bd_err(d, -errno, "write error: %s", strerror(errno));
		goto out;
	}
	if (pin_maps) {
		err = check_pin_maps_dir(d, pin_maps);
		if (err)
			goto out;
	}
	/* a path bpffs cannot take is said before anything loads */
	if (opts && opts->pin_path) {
		err = bd_pin_path_check(d, opts->pin_path);
		if (err)
			goto out;
	}
	err = bd_user_obj_open(d, obj_path, NULL, 0, log, LOG_SIZE, pin_maps, prog, &u);
	if (err)
		goto out;
	obj = u.obj;
	iter = u.iter;
	target = u.target;
	t = bd_target_find(d, target);	/* bd_user_obj_open checked it is there */
	err = t ? check_params(d, t, po) : bd_unknown_target(d, target);
	if (err)
		goto out;
	if (pin_maps) {
		taken = note_taken_pins(obj);
		if (!taken) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (bpf_object__load(obj)) {
		err = -errno;
		bd_log_tail(log, tail, sizeof(tail));
		if (err == -EPERM && !tail[0])
			err = bd_err(d, err, "object '%s': the kernel refused to load program "
				     "'%s': %s (%s)", obj_path, bpf_program__name(iter),
				     strerror(-err), geteuid() == 0 ?
				     "as root, before the verifier ran: a security policy forbids it" :
				     "need CAP_BPF and CAP_PERFMON, or run as root");
		else
			err = bd_err(d, err, "object '%s': cannot load program '%s': %s%s%s",
				     obj_path, bpf_program__name(iter), strerror(-err),
				     tail[0] ? ": " : "", tail);
		goto out;
	}
	loaded = true;
	if (po && (po->pid || po->tid)) {
		linfo.task.pid = po->pid;
		linfo.task.tid = po->tid;
	}
	if (po && po->cgroup) {
		cg_fd = open(po->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg_fd < 0) {
			err = bd_err(d, -errno, "cgroup '%s': cannot open: %s", po->cgroup,
				     strerror(errno));
			goto out;
		}
		linfo.cgroup.cgroup_fd = cg_fd;
	}
	if (!strcmp(target, "cgroup"))
		linfo.cgroup.order = po && po->order ? (enum bpf_cgroup_iter_order)po->order
						     : BPF_CGROUP_ITER_DESCENDANTS_PRE;
	if (po && po->map) {
		err = bd_open_map(d, po->map, &mi);
		if (err)
			goto out;
		linfo.map.map_fd = mi.fd;
	}
	aopts.link_info = &linfo;
	aopts.link_info_len = sizeof(linfo);
	link = bpf_program__attach_iter(iter, &aopts);
	if (!link) {
		err = bd_err(d, -errno, "object '%s': cannot attach to '%s': %s", obj_path, target,
			     strerror(errno));
		goto out;
	}
	if (opts && opts->pin_path) {
		struct bd_object_meta om = { .object = obj_path, .prog = bpf_program__name(iter),
					     .target = target, .params = po };
		char abs[PATH_MAX];

		if (realpath(obj_path, abs))
			om.object = abs;
		err = bd_object_pin(d, opts->pin_path, bpf_link__fd(link), &om, opts->pin);
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		err = bd_err(d, -errno, "object '%s': cannot start the iterator: %s", obj_path,
			     strerror(errno));
		goto out;
	}
	n = copy_out(iter_fd, out_fd, &write_err);
	if (n < 0 && write_err)
		err = bd_err(d, n, "write error: %s", strerror(-n));
	else if (n < 0)
		err = bd_err(d, n, "object '%s': read failed: %s", obj_path, strerror(-n));
out:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	if (err && loaded && taken)
		unpin_new_maps(obj, taken);
	bpf_object__close(obj);
	free(taken);
	if (cg_fd >= 0)
		close(cg_fd);
	if (mi.fd >= 0)
		close(mi.fd);
	btf__free(mi.btf);
	free(log);
	return err;
}
