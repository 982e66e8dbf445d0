// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump dump TARGET: generate, load and run an iterator once; print its rows. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump_opts.h"

void help_dump(void)
{
	printf("Usage: bpfdump dump TARGET [-o FIELDS] [-w EXPR] [-J | -r] [-n]\n"
	       "                    [--pid N | --tid N] [--cgroup PATH [--order ORDER]]\n"
	       "                    [--map NAME|ID] [--netns FILE] [--pidns FILE] [--mntns FILE]\n"
	       "                    [--target-pid N | --container N]\n"
	       "                    [--interval SECS [--rounds N]]\n\n"
	       "Run the iterator TARGET once and print one row per object.\n\n"
	       "Options:\n"
	       "  -o, --output FIELDS  columns: [name=]path, comma-separated\n"
	       "                       (e.g. 'pid=task->tgid,comm=task->comm')\n"
	       "  -w, --where EXPR     keep rows where EXPR holds, evaluated in the kernel\n"
	       "                       (e.g. 'task->mm->total_vm > 1000 && task->comm != \"sh\"')\n"
	       "  -J, --json           one JSON object per line\n"
	       "  -r, --raw            no alignment: cells separated by one space\n"
	       "  -n, --noheadings     no header line\n"
	       "      --pid N          task targets: only process N\n"
	       "      --tid N          task targets: only thread N\n"
	       "      --cgroup PATH    cgroup target: start at this cgroup2 directory\n"
	       "      --order ORDER    self, descendants_pre, descendants_post, ancestors_up\n"
	       "      --map NAME|ID    map targets: the map to iterate\n"
	       DUMP_SCOPE_HELP
	       INTERVAL_HELP
	       "  -h, --help           this help\n");
}

struct dump_round {
	struct bpfdump *d;
	struct bpfdump_query *q;
	const struct bpfdump_print_opts *print;
};

/* One round of --interval: the same loaded program, attached and read again. */
static long dump_round(void *ctx, FILE *out)
{
	struct dump_round *r = ctx;
	long rows = bpfdump_query__print(r->q, out, r->print);

	if (rows < 0) {
		run_err("%s", bpfdump__errmsg(r->d)[0] ? bpfdump__errmsg(r->d) : strerror(-rows));
		return -1;
	}
	return rows;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_args a;
	struct bpfdump *d;
	struct bpfdump_query *q;
	long rows;
	int err;

	err = dump_args_parse("dump", argc, argv, &a, help_dump);
	if (err >= 0)
		return err;
	err = 0;
	if (cli_need_root("dump"))
		return 1;
	err = dump_args_open("dump", &a, &d, &q);
	if (err >= 0)
		return err;
	err = 0;
	if (env.verbose >= 2)
		fprintf(stderr, "%s", bpfdump_query__verifier_log(q));
	if (a.interval) {
		struct dump_round r = { .d = d, .q = q, .print = &a.print };

		err = interval_run("dump", a.interval, a.rounds,
				   a.print.format == BPFDUMP_FMT_JSON, dump_round, &r);
		goto free_query;
	}
	rows = bpfdump_query__print(q, stdout, &a.print);
	if (rows < 0 && ferror(stdout))	/* the printer's errno, not the reader's */
		err = run_err("write error: %s", strerror(-rows));
	else if (rows < 0)
		err = run_err("%s", bpfdump__errmsg(d));
	else if (env.verbose)
		fprintf(stderr, "bpfdump: %ld rows\n", rows);
free_query:
	bpfdump_query__free(q);
	bpfdump__free(d);
	return err;
}
