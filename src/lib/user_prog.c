// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A user's own iterator object: open, check, load, attach, then read or pin. */
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

#define LOG_SIZE (1 << 20)
/* A field of the caller's bpfdump_object_opts, NULL when its struct predates it. */
#define OBJ_OPT(o, f) ((o) && (o)->sz >= offsetof(struct bpfdump_object_opts, f) + \
		       sizeof((o)->f) ? (o)->f : NULL)

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
	const char *pin_maps = OBJ_OPT(opts, pin_maps), *prog = OBJ_OPT(opts, prog);
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
