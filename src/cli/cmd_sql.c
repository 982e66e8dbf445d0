// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump sql 'QUERY': SQL over the iterator targets, filters pushed into BPF. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_sql(void)
{
	printf("Usage: bpfdump sql [-J | -r] [-n] [--no-pushdown] 'QUERY'\n"
	       "       bpfdump sql --views\n\n"
	       "Answer QUERY (SQLite's SQL) over live kernel objects: every iterator target\n"
	       "is a table of its name, its columns the target's default columns; a field\n"
	       "path in double quotes is a column too (\"task->mm->total_vm\", \"path(file)\").\n"
	       "Target parameters are table arguments: task_file(PID), bpf_map_elem('MAP'),\n"
	       "tcp('/proc/PID/ns/net'). Constraints against constants on field-path columns\n"
	       "run in the kernel; each target is read once per query.\n\n"
	       "Options:\n"
	       "  -J, --json           one JSON object per line\n"
	       "  -r, --raw            no alignment: cells separated by one space\n"
	       "  -n, --noheadings     no header line\n"
	       "      --no-pushdown    SQLite evaluates every constraint (same rows)\n"
	       "      --views          the built-in views and their SQL\n"
	       "  -h, --help           this help\n\n"
	       "Example: bpfdump sql 'SELECT pid, count(*) AS n FROM task_file GROUP BY pid\n"
	       "                     ORDER BY n DESC LIMIT 5'\n");
}

static int print_views(void)
{
	const char *name, *sql;
	int i;

	for (i = 0; (name = bpfdump_sql_view(i, &sql)); i++)
		printf("%s: %s\n", name, sql);
	return 0;
}

int cmd_sql(int argc, char **argv)
{
	enum { OPT_VIEWS = 256, OPT_NO_PUSHDOWN };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "views", no_argument, NULL, OPT_VIEWS },
		{ "no-pushdown", no_argument, NULL, OPT_NO_PUSHDOWN },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = env.json ? BPFDUMP_FMT_JSON
							       : BPFDUMP_FMT_TABLE);
	BPFDUMP_OPTS(bpfdump_sql_opts, so, .print = &po);
	struct bpfdump *d;
	bool views = false;
	long rows;
	int opt, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "Jrnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			po.format = BPFDUMP_FMT_JSON;
			break;
		case 'r':
			po.raw = true;
			break;
		case 'n':
			po.noheadings = true;
			break;
		case OPT_VIEWS:
			views = true;
			break;
		case OPT_NO_PUSHDOWN:
			so.no_pushdown = true;
			break;
		case 'h':
			help_sql();
			return 0;
		default:
			return bad_option("sql", argv);
		}
	}
	if (views) {
		if (optind != argc)
			return usage_err("sql", "--views takes no query");
		return print_views();
	}
	if (optind == argc)
		return usage_err("sql", "missing QUERY");
	if (optind + 1 != argc)
		return usage_err("sql", "one QUERY (quote it): unexpected '%s'", argv[optind + 1]);
	if (cli_need_root("sql"))
		return 1;
	d = cli_open();
	if (!d)
		return 1;
	rows = bpfdump__sql(d, argv[optind], stdout, &so);
	if (rows < 0 && ferror(stdout))
		err = run_err("write error: %s", strerror(-rows));
	else if (rows < 0)
		err = run_err("%s", bpfdump__errmsg(d)[0] ? bpfdump__errmsg(d) : strerror(-rows));
	else if (env.verbose)
		fprintf(stderr, "bpfdump: %ld rows\n", rows);
	bpfdump__free(d);
	return err;
}
