// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump show [PATH]: every pinned iterator link in bpffs, bpfdump's or not. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

void help_show(void)
{
	printf("Usage: bpfdump show [-J | -r] [-n] [DIR]\n\n"
	       "List pinned iterator links under DIR (default: every bpffs mount): path, target,\n"
	       "program id and name, link id, parameters, mode, owner and who made it.\n\n"
	       "Options:\n"
	       "  -J, --json         one JSON object per line\n"
	       "  -r, --raw          no alignment\n"
	       "  -n, --noheadings   no header line\n"
	       "  -h, --help         this help\n");
}

int cmd_show(int argc, char **argv)
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
		case 'h': help_show(); return 0;
		default: return bad_option("show", argv);
		}
	}
	if (argc - optind > 1)
		return usage_err("show", "at most one DIR");
	if (cli_need_root("show"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	if (bpfdump__show(d, optind < argc ? argv[optind] : NULL, stdout, &po) < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
