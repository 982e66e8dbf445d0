// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Open a user's .bpf.o and pick its iterator program (no kernel involved). */
#include <errno.h>
#include <string.h>

#include "user_obj.h"

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
