// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump targets [-J] [TARGET]: what this kernel can iterate. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void help_targets(void)
{
	printf("Usage: bpfdump targets [-J] [TARGET]\n\n"
	       "List the BPF iterator targets this kernel offers (from its BTF), or show one\n"
	       "target's fields with their C types, its parameters and its default columns.\n\n"
	       "Options:\n"
	       "  -J, --json     JSON output\n"
	       "  -h, --help     this help\n");
}

int cmd_targets(int argc, char **argv)
{
	static const struct cli_cmd_opts cmd = {
		.name = "targets", .accept = "J", .min_args = 0, .max_args = 1,
		.args = "one TARGET", .help = help_targets,
	};
	struct cli_common c;
	struct bpfdump *d;
	bool json;
	int i, err;

	err = cli_common_opts(&cmd, argc, argv, &c);
	if (err)
		return err == CLI_HELP_SHOWN ? 0 : err;
	json = c.po.format == BPFDUMP_FMT_JSON;
	d = cli_open();
	if (!d)
		return 1;
	if (optind < argc) {
		err = bpfdump__describe_target(d, argv[optind], stdout, &c.po);
		if (err)
			err = run_err("%s", bpfdump__errmsg(d));
		bpfdump__free(d);
		return err;
	}
	for (i = 0; i < bpfdump__target_cnt(d); i++) {
		const char *n = bpfdump__target_name(d, i);

		if (json)
			printf("{\"target\":\"%s\"}\n", n);
		else
			printf("%s\n", n);
	}
	bpfdump__free(d);
	return 0;
}
