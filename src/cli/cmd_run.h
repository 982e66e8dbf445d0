/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cmd_run.c: run/pin of a user's .bpf.o, shared with cmd_pin.c. */
#ifndef BPFDUMP_CMD_RUN_H
#define BPFDUMP_CMD_RUN_H

#include <stdbool.h>

#include "bpfdump.h"

/* An ELF file, i.e. an object rather than a target name. */
bool is_bpf_object(const char *arg);
/* What run and pin take for a user's object only. */
struct user_prog_opts {
	const char *pin_maps;	/* --pin-maps DIR, or NULL: no map pinned or reused */
	const char *prog;	/* --prog NAME, or NULL: the object's only iterator */
};
/* Run the object obj (read it to stdout, or pin it at pin_path); uo may be NULL. */
int user_prog_run(const char *obj, const struct bpfdump_query_opts *params,
		  const char *pin_path, const struct bpfdump_pin_opts *pin,
		  const struct user_prog_opts *uo);
/* Take --pin-maps DIR (or --pin-maps=DIR) out of argv, before "--", into *dir (NULL
 * when absent). Returns -1 to go on, else the exit code of a usage error. */
int user_prog_take_pin_maps(const char *cmd, int *argc, char **argv, const char **dir);
/* The same for --prog NAME. */
int user_prog_take_prog(const char *cmd, int *argc, char **argv, const char **prog);

#endif
