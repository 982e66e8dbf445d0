/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A user's .bpf.o: opened and checked before anything reaches the kernel (user_obj.c). */
#ifndef BPFDUMP_USER_OBJ_H
#define BPFDUMP_USER_OBJ_H

#include <bpf/libbpf.h>
#include <stddef.h>

#include "internal.h"

struct bd_user_obj {
	struct bpf_object *obj;		/* the caller closes it */
	struct bpf_program *iter;	/* the iterator program; the others do not load */
	const char *target;		/* its SEC("iter/TARGET"), a target of this kernel */
	int n_iter;			/* iterator programs in the object */
};

/* Open the object at path, or, when buf is not NULL, the len bytes at buf (path
 * then only names it in messages), with the kernel log going to log; pick its
 * iterator program named prog_name (NULL: its only one; an object with several
 * needs the name) and check its target; the other programs do not load. Its maps declared
 * LIBBPF_PIN_BY_NAME are pinned (or reused) under pin_maps, a bpffs directory
 * the caller checked; with pin_maps NULL no map is pinned or reused at all.
 * Loads nothing. On error obj is closed and u->obj is NULL. */
int bd_user_obj_open(struct bpfdump *d, const char *path, const void *buf, size_t len,
		     char *log, size_t log_size, const char *pin_maps, const char *prog_name,
		     struct bd_user_obj *u);

#endif
