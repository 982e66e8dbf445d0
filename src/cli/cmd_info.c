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
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bpfdump *d;
	bool json = false;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "Jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'J': json = true; break;
		case 'h': help_info(); return 0;
		default: return bad_option("info", argv);
		}
	}
	if (optind >= argc)
		return usage_err("info", "needs a FUNC or tp:GROUP:NAME");
	d = cli_open();
	if (!d)
		return 1;
	for (; optind < argc; optind++)
		if (bpfdump__func_info(d, argv[optind], stdout, json))
			err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
