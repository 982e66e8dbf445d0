// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump info FUNC | tp:GROUP:NAME: a signature from BTF. */
#include <getopt.h>
#include <stdio.h>

#include "bpfdump_trace.h"
#include "cli.h"

void help_info(void)
{
	printf("Usage: bpfdump info [-J] FUNC|tp:GROUP:NAME...\n\n"
	       "Print a kernel function's signature (vmlinux or module BTF), or a tracepoint's\n"
	       "typed arguments, and whether it can be attached.\n\n"
	       "Options:\n"
	       "  -J, --json     JSON output\n"
	       "  -h, --help     this help\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct cli_cmd_opts cmd = {
		.name = "info", .accept = "J", .min_args = 1, .max_args = -1,
		.args = "a FUNC or tp:GROUP:NAME", .help = help_info,
	};
	struct cli_common c;
	struct bpfdump *d;
	int err;

	err = cli_common_opts(&cmd, argc, argv, &c);
	if (err)
		return err == CLI_HELP_SHOWN ? 0 : err;
	d = cli_open();
	if (!d)
		return 1;
	for (; optind < argc; optind++)
		if (bpfdump__func_info(d, argv[optind], stdout, &c.po))
			err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
