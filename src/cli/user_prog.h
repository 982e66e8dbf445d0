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

#endif
