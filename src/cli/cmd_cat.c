// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump cat PATH: read a pinned dumper with full user-space formatting. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

void help_cat(void)
{
	printf("Usage: bpfdump cat PATH [-J | -r] [-n]\n\n"
	       "Read a dumper that bpfdump pinned, through its binary twin, and format the rows\n"
	       "in user space (enum names, addresses, paths, structs) like bpfdump dump.\n\n"
	       "Options:\n"
	       "  -J, --json         one JSON object per line\n"
	       "  -r, --raw          no alignment\n"
	       "  -n, --noheadings   no header line\n"
	       "  -h, --help         this help\n");
}

int cmd_cat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bpfdump_print_opts po = { .sz = sizeof(po) };
	struct bpfdump *d;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "Jrnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'J': po.format = BPFDUMP_FMT_JSON; break;
		case 'r': po.raw = true; break;
		case 'n': po.noheadings = true; break;
		case 'h': help_cat(); return 0;
		default: return bad_option("cat", argv);
		}
	}
	if (argc - optind != 1)
		return usage_err("cat", "needs one PATH");
	d = cli_open();
	if (!d)
		return 1;
	if (bpfdump__cat(d, argv[optind], stdout, &po) < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
