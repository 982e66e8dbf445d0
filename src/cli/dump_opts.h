/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The options dump, pin and the views share: target, fields, where, params. */
#ifndef BPFDUMP_DUMP_OPTS_H
#define BPFDUMP_DUMP_OPTS_H

#include "bpfdump.h"

struct dump_args {
	struct bpfdump_query_opts q;
	struct bpfdump_print_opts print;
	const char *positional[2];	/* TARGET [PATH] */
	int positional_cnt;
	unsigned int mode;		/* pin --mode */
	const char *owner, *group;	/* pin --owner/--group */
	bool force;
};

/* Returns -1 when parsing went well and the command should go on, else the exit code. */
int dump_args_parse(const char *cmd, int argc, char **argv, struct dump_args *a,
		    void (*help)(void));

#endif
