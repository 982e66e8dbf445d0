/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* run/pin of a user's .bpf.o, shared by cmd_run.c and cmd_pin.c. */
#ifndef BPFDUMP_USER_PROG_H
#define BPFDUMP_USER_PROG_H

#include <stdbool.h>

#include "bpfdump.h"

/* An ELF file, i.e. an object rather than a target name. */
bool is_bpf_object(const char *arg);
int user_prog_run(const char *obj, const struct bpfdump_query_opts *params,
		  const char *pin_path, const struct bpfdump_pin_opts *pin);
/* As user_prog_run, the maps declared LIBBPF_PIN_BY_NAME pinned (or reused) under
 * the bpffs directory pin_maps; NULL: none pinned or reused. */
int user_prog_run_maps(const char *obj, const struct bpfdump_query_opts *params,
		       const char *pin_path, const struct bpfdump_pin_opts *pin,
		       const char *pin_maps);
/* Take --pin-maps DIR (or --pin-maps=DIR) out of argv, before "--", into *dir (NULL
 * when absent). Returns -1 to go on, else the exit code of a usage error. */
int user_prog_take_pin_maps(const char *cmd, int *argc, char **argv, const char **dir);

#endif
