// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The options the small commands share: -J, -r, -n, -f and -h, parsed once. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct option common_opts[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "raw", no_argument, NULL, 'r' },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cli_common_opts(const struct cli_cmd_opts *c, int argc, char **argv,
		    struct cli_common *out)
{
	struct option opts[sizeof(common_opts) / sizeof(common_opts[0])];
	char shorts[8];
	int i, n = 0, opt;

	memset(out, 0, sizeof(*out));
	out->po.sz = sizeof(out->po);
	/* only the options this command takes are offered to getopt */
	for (i = 0; common_opts[i].name; i++)
		if (common_opts[i].val == 'h' || strchr(c->accept, common_opts[i].val)) {
			opts[n] = common_opts[i];
			shorts[n++] = common_opts[i].val;
		}
	opts[n] = (struct option){};
	shorts[n] = '\0';
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (opt) {
		case 'J': out->po.format = BPFDUMP_FMT_JSON; break;
		case 'r': out->po.raw = true; break;
		case 'n': out->po.noheadings = true; break;
		case 'f': out->force = true; break;
		case 'h': c->help(); return CLI_HELP_SHOWN;
		default: return bad_option(c->name, argv);
		}
	}
	if (argc - optind < c->min_args)
		return usage_err(c->name, "needs %s", c->args);
	if (c->max_args >= 0 && argc - optind > c->max_args)
		return usage_err(c->name, "at most %s", c->args);
	return 0;
}
