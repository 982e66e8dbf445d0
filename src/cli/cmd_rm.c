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
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bpfdump *d;
	bool force = false;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': force = true; break;
		case 'h': help_rm(); return 0;
		default: return bad_option("rm", argv);
		}
	}
	if (optind >= argc)
		return usage_err("rm", "needs a PATH");
	if (cli_need_root("rm"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	for (; optind < argc; optind++)
		if (bpfdump__remove(d, argv[optind], force))
			err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
