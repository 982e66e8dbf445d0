// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump rm PATH: remove a pinned dumper. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

void help_rm(void)
{
	printf("Usage: bpfdump rm [--force] PATH...\n\n"
	       "Remove dumpers pinned by bpfdump (the pin and its twins). The iterator link goes\n"
	       "away when its last reader closes it. Other pins are refused unless --force.\n\n"
	       "Options:\n"
	       "  -f, --force   remove pins bpfdump did not make\n"
	       "  -h, --help    this help\n");
}

int cmd_rm(int argc, char **argv)
{
	static const struct cli_cmd_opts cmd = {
		.name = "rm", .accept = "f", .min_args = 1, .max_args = -1,
		.args = "a PATH", .help = help_rm,
	};
	struct bpfdump_remove_opts ro = { .sz = sizeof(ro) };
	struct cli_common c;
	struct bpfdump *d;
	int err;

	err = cli_common_opts(&cmd, argc, argv, &c);
	if (err)
		return err == CLI_HELP_SHOWN ? 0 : err;
	ro.force = c.force;
	if (cli_need_root("rm"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	for (; optind < argc; optind++)
		if (bpfdump__remove(d, argv[optind], &ro))
			err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
