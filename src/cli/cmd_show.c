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
	static const struct cli_cmd_opts cmd = {
		.name = "show", .accept = "Jrn", .min_args = 0, .max_args = 1,
		.args = "one DIR", .help = help_show,
	};
	struct cli_common c;
	struct bpfdump *d;
	int err;

	err = cli_common_opts(&cmd, argc, argv, &c);
	if (err)
		return err == CLI_HELP_SHOWN ? 0 : err;
	if (cli_need_root("show"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	if (bpfdump__show(d, optind < argc ? argv[optind] : NULL, stdout, &c.po) < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	bpfdump__free(d);
	return err;
}
